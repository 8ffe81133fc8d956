"""An assignment imported from nbgrader (or Otter-Grader) and graded with only its own tests gives
each student the score that nbgrader autograde (or Otter's own grading) gives.

The tools run from test-only environments under build/ (tests/importing.py: tool_env), never as
the grader's dependencies. The same 20 submissions, made from each tool's released student
notebook, are graded by the tool and by `grader grade` after `grader import`.
"""
from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
import json
import os
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.config import load_config
from grader.importers import nbgrader as nbgrader_reader
from grader.importers import otter as otter_reader
from grader.importers.write import write
from grader.pipeline import grade_paths
from importing import answered, bench_module, nbgrader_source, otter_source, students, tool_env

pytestmark = [pytest.mark.slow, pytest.mark.tools]

STUDENTS = 20


def run(command: list, cwd: Path, timeout: float = 600) -> str:
    """A tool of a test environment, with that environment's programs first on PATH (nbgrader
    calls alembic, and its kernels are the environment's Python)."""
    bin_dir = Path(command[0]).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def grader_scores(kind, source: Path, course: Path, submissions: Path) -> dict:
    """Import ``source`` into a new course and grade the submissions with its tests alone."""
    reader = {"nbgrader": nbgrader_reader, "otter": otter_reader}[kind]
    write(reader.read(source), "ps1", course / "config.yaml")
    assignment = load_config(course / "config.yaml").assignment("ps1")
    assert all(not spec.points for spec in assignment.functions.values())   # its own tests only
    results = grade_paths(assignment, sorted(submissions.glob("*.ipynb")), jobs=2)
    return {r.student: r.score for r in results}


def test_an_imported_nbgrader_assignment_scores_as_nbgrader_autograde(tmp_path):
    env = tool_env("nbgrader", bench_module("nbgrader_side").NBGRADER_PACKAGES)
    nbgrader = env / "bin" / "nbgrader"
    course = tmp_path / "nbgrader"
    (course / "source" / "ps1").mkdir(parents=True)
    nbformat.write(nbgrader_source(), course / "source" / "ps1" / "ps1.ipynb")
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
                                               f"c.ExecutePreprocessor.timeout = 60\n")
    run([nbgrader, "generate_assignment", "ps1", "--force"], course)
    release = nbformat.read(course / "release" / "ps1" / "ps1.ipynb", as_version=4)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for student, choice in students(STUDENTS).items():
        notebook = answered(release, choice)
        (course / "submitted" / student / "ps1").mkdir(parents=True)
        nbformat.write(notebook, course / "submitted" / student / "ps1" / "ps1.ipynb")
        nbformat.write(notebook, submissions / f"{student}.ipynb")
    run([nbgrader, "autograde", "ps1", "--force"], course, timeout=900)
    run([nbgrader, "export", "--to", str(tmp_path / "grades.csv")], course)
    with open(tmp_path / "grades.csv", newline="") as handle:
        theirs = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}

    ours = grader_scores("nbgrader", course / "source" / "ps1" / "ps1.ipynb", tmp_path / "course", submissions)
    assert len(theirs) == STUDENTS and set(ours) == set(theirs)
    assert ours == pytest.approx(theirs), {s: (ours[s], theirs[s]) for s in ours if ours[s] != theirs[s]}
    assert ours["s01"] == 10 and ours["s02"] == 0 and len(set(ours.values())) >= 5, ours


def test_an_imported_otter_assignment_scores_as_otter_grader(tmp_path):
    env = tool_env("otter", ["otter-grader==7.*", "numpy", "ipykernel"])
    otter = env / "bin" / "otter"
    nbformat.write(otter_source(), tmp_path / "ps1.ipynb")
    run([otter, "assign", tmp_path / "ps1.ipynb", tmp_path / "dist"], tmp_path)
    release = nbformat.read(tmp_path / "dist" / "student" / "ps1.ipynb", as_version=4)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    autograder = tmp_path / "dist" / "autograder" / next(p.name for p in (tmp_path / "dist" / "autograder").glob("*.zip"))

    def otter_score(student: str, choice: dict) -> float:
        path = submissions / f"{student}.ipynb"
        nbformat.write(answered(release, choice), path)
        out = tmp_path / "otter" / student
        out.mkdir(parents=True)
        run([otter, "run", "-a", autograder, "-o", out, path], tmp_path)
        tests = json.loads((out / "results.json").read_text())["tests"]   # Gradescope's format, per question
        return sum(float(test.get("score", 0.0)) for test in tests)

    with ThreadPoolExecutor(max_workers=2) as pool:   # one otter run (and kernel) per core
        futures = {student: pool.submit(otter_score, student, choice) for student, choice in students(STUDENTS).items()}
        theirs = {student: future.result(timeout=900) for student, future in futures.items()}
    assert zipfile.is_zipfile(autograder)

    ours = grader_scores("otter", tmp_path / "ps1.ipynb", tmp_path / "course", submissions)
    assert set(ours) == set(theirs)
    assert ours == pytest.approx(theirs, abs=1e-3), {s: (ours[s], theirs[s]) for s in ours}
    assert ours["s01"] == 10 and ours["s02"] == 0 and len(set(ours.values())) >= 5, ours
