"""A course, not one assignment: `grader grade` finds which assignment submissions are for,
grades every assignment's examples when no folder is named, and `grader gradebook` joins the
assignments' gradebooks."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.config import load_config
from grader.submission.discover import discover
from grader.submission.identify import identify

ROOT = Path(__file__).resolve().parents[1]
COURSE = load_config(ROOT / "config.yaml")
FUNCTIONS = {name: list(a.functions) for name, a in COURSE.assignments.items()}


def grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("name", list(COURSE.assignments))
def test_each_assignments_examples_are_recognised(name):
    found = discover(COURSE.assignment(name).examples).found
    assert identify(found, FUNCTIONS, 32 << 20)[0] == name


def test_the_course_notebooks_without_our_metadata_are_recognised_by_their_functions(tmp_path):
    """A notebook of the course's own (no metadata of ours) names its graded cells only."""
    import nbformat

    notebook = nbformat.read(COURSE.assignment("numpy_basics").examples / "alice_correct.ipynb", as_version=4)
    notebook.metadata.pop("grader")
    nbformat.write(notebook, tmp_path / "alice.ipynb")
    assert identify(discover(tmp_path).found, FUNCTIONS, 32 << 20)[0] == "numpy_basics"


def test_submissions_for_several_assignments_are_refused_with_how_to_choose(tmp_path):
    for name in ("logreg", "planar"):
        for path in sorted(COURSE.assignment(name).examples.glob("*.ipynb"))[:3]:
            shutil.copy(path, tmp_path / f"{name}-{path.name}")
    done = grader("grade", str(tmp_path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert "the submissions point to several assignments" in done.stderr
    assert "--assignment NAME" in done.stderr and "Traceback" not in done.stderr


def test_grade_finds_the_assignment_and_says_so(tmp_path):
    folder = tmp_path / "subs"
    shutil.copytree(COURSE.assignment("planar").examples, folder)
    done = grader("grade", str(folder), "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "grading for the assignment planar" in done.stderr
    with open(tmp_path / "out" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        assert "nn_model" in csv.DictReader(handle).fieldnames


def test_the_course_gradebook_joins_the_assignments(tmp_path):
    for name, rows in {"logreg": [("alice", 31, 31), ("bob", 27, 31)], "planar": [("alice", 30, 34)]}.items():
        (tmp_path / name).mkdir()
        lines = ["student,source,total,max,status"] + [f"{s},{s}.ipynb,{t},{m},ok" for s, t, m in rows]
        (tmp_path / name / "gradebook.csv").write_text("\n".join(lines) + "\n")
    done = grader("gradebook", str(tmp_path / "logreg"), f"week3={tmp_path / 'planar'}", "--out",
                  str(tmp_path / "course.csv"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "course.csv").read_text() == ("student,logreg,week3,total\n"
                                                     "max,31,34,65\n"
                                                     "alice,31,30,61\n"
                                                     "bob,27,,27\n")


def test_generate_without_a_name_writes_every_assignment(tmp_path):
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    done = grader("generate", "--config", str(tmp_path / "config.yaml"))
    assert done.returncode == 0, done.stderr
    for name in COURSE.assignments:
        for path in (ROOT / "assignments" / name).iterdir():
            assert (tmp_path / "assignments" / name / path.name).read_bytes() == path.read_bytes(), path
