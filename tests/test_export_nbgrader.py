"""``grader export nbgrader``: nbgrader grades the exported notebook as the grader's values and
shapes checks do.

The export goes through ``nbgrader generate_assignment`` and ``nbgrader autograde`` (from a
test-only environment under build/) on the example submissions of an assignment, each answer
pasted into the released notebook's solution cells; every student's nbgrader score equals their
values + shapes points from ``grader grade`` (with each function calling the student's own
callees, as nbgrader runs a notebook).
"""
from __future__ import annotations

import csv
import dataclasses
import subprocess
from pathlib import Path

import nbformat
import pytest

from grader.config import load_config
from grader.exports.nbgrader import export
from grader.pipeline import grade_paths
from importing import ROOT, tool_env
from test_import_equivalence import run


def test_the_export_is_an_nbgrader_source_notebook_with_solutions_and_hidden_tests(tmp_path):
    assignment = load_config(ROOT / "config.yaml").assignment("logreg")
    written = export(assignment, tmp_path)
    assert {p.name for p in written} == {"logreg.ipynb", "grader_compare.py", "lr_utils.py"}
    notebook = nbformat.read(tmp_path / "logreg.ipynb", as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in notebook.cells]
    solutions = [m["grade_id"] for m in meta if m.get("solution")]
    assert solutions == list(assignment.functions)
    for name, spec in assignment.functions.items():
        points = sum(m["points"] for m in meta if m.get("grade") and m["grade_id"].split("-")[1] == name)
        assert points == pytest.approx(spec.points.get("values", 0) + spec.points.get("shapes", 0), abs=1e-4)
    hidden = [c.source for c, m in zip(notebook.cells, meta) if m.get("grade") and "BEGIN HIDDEN TESTS" in c.source]
    public = [c.source for c, m in zip(notebook.cells, meta) if m.get("grade") and "BEGIN HIDDEN TESTS" not in c.source]
    assert hidden and public
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "propagate")
    assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source


def test_the_cli_writes_it(tmp_path):
    done = subprocess.run([str(ROOT / ".venv/bin/grader"), "export", "nbgrader", "--assignment", "numpy_basics",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "numpy_basics.ipynb").is_file() and "wrote" in done.stdout


def answer_cells(path: Path) -> dict:
    """function -> the source of its graded cell in an example submission."""
    notebook = nbformat.read(path, as_version=4)
    return {c.metadata["grader"]["function"]: c.source for c in notebook.cells
            if c.cell_type == "code" and c.metadata.get("grader", {}).get("function")}


@pytest.mark.slow
@pytest.mark.tools
def test_nbgrader_autograde_of_the_export_gives_the_graders_values_and_shapes_points(tmp_path):
    env = tool_env("nbgrader", ["nbgrader==0.9.*", "numpy"])
    nbgrader = env / "bin" / "nbgrader"
    assignment = dataclasses.replace(load_config(ROOT / "config.yaml").assignment("numpy_basics"),
                                     attribution="as_submitted")
    course = tmp_path / "course"
    export(assignment, course / "source" / assignment.name)
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n")
    run([nbgrader, "generate_assignment", assignment.name, "--force"], course)
    release = nbformat.read(course / "release" / assignment.name / f"{assignment.name}.ipynb", as_version=4)
    examples = sorted((ROOT / "examples" / assignment.name).glob("*.ipynb"))
    for path in examples:
        answers = answer_cells(path)
        notebook = nbformat.from_dict(release)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
                cell.source = answers[grade_id]
        folder = course / "submitted" / path.stem / assignment.name
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{assignment.name}.ipynb")
    run([nbgrader, "autograde", assignment.name, "--force"], course, timeout=900)
    run([nbgrader, "export", "--to", str(tmp_path / "grades.csv")], course)
    with open(tmp_path / "grades.csv", newline="") as handle:
        theirs = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}

    results = grade_paths(assignment, examples, jobs=2)
    # The checks' own tests (the instructor's hand-written tests are not exported).
    ours = {r.student: sum(t.score for t in r.tests if t.check in ("values", "shapes")
                           and t.name.endswith(("(public cases)", "(hidden cases)"))) for r in results}
    assert set(theirs) == set(ours) and len(ours) >= 8
    assert ours == pytest.approx(theirs, abs=1e-3), {s: (ours[s], theirs[s]) for s in ours}
    assert len(set(round(v, 2) for v in ours.values())) >= 4, ours
