"""``grader export nbgrader``: nbgrader grades the exported notebook as the grader's values and
shapes checks do.

The export goes through ``nbgrader generate_assignment`` and ``nbgrader autograde`` (from a
test-only environment under build/) on the example submissions of an assignment, each answer
pasted into the released notebook's solution cells; every student's nbgrader score equals their
values + shapes points from ``grader grade`` (with each function calling the student's own
callees, as nbgrader runs a notebook).
"""
from __future__ import annotations

import dataclasses
import subprocess

import nbformat
import pytest

from grader.config import load_config
from grader.exports.nbgrader import export
from grader.pipeline import grade_paths
from importing import ROOT, bench_module, tool_env

# The steps make bench runs too (export, generate_assignment, answers pasted by grade_id).
side = bench_module("nbgrader_side")


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


@pytest.mark.slow
@pytest.mark.tools
def test_nbgrader_autograde_of_the_export_gives_the_graders_values_and_shapes_points(tmp_path):
    env = tool_env("nbgrader", side.NBGRADER_PACKAGES)
    nbgrader = env / "bin" / "nbgrader"
    assignment = dataclasses.replace(load_config(ROOT / "config.yaml").assignment("numpy_basics"),
                                     attribution="as_submitted")
    course = tmp_path / "course"
    release = side.course(assignment, course, env)
    examples = sorted((ROOT / "examples" / assignment.name).glob("*.ipynb"))
    side.submit(release, assignment.name, course, examples)
    side.run_tool([nbgrader, "autograde", assignment.name, "--force"], course, timeout=900)
    side.run_tool([nbgrader, "export", "--to", str(tmp_path / "grades.csv")], course)
    theirs = side.read_scores(tmp_path / "grades.csv")

    results = grade_paths(assignment, examples, jobs=2)
    # The checks' own tests (the instructor's hand-written tests are not exported).
    ours = {r.student: side.values_shapes_points(r) for r in results}
    assert set(theirs) == set(ours) and len(ours) >= 8
    assert ours == pytest.approx(theirs, abs=1e-3), {s: (ours[s], theirs[s]) for s in ours}
    assert len(set(round(v, 2) for v in ours.values())) >= 4, ours
