"""Every assignment's example submissions (examples/<assignment>/, built from its generated
notebook and solutions/<assignment>/examples.py): committed as built, and graded as expected,
each classic mistake costing only its own function's points."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from grader.config import load_config
from grader.pipeline import grade_folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))
import make_examples  # noqa: E402

sys.path.remove(str(ROOT / "examples"))

COURSE = load_config(ROOT / "config.yaml")
WITH_EXAMPLES = [a for a in COURSE.assignments.values() if make_examples.examples_module(a) is not None]

# Grades the grader still gets wrong, each with the problem: strict, so a fix shows as XPASS.
KNOWN_GRADER_PROBLEMS: dict = {}


@pytest.fixture(scope="module", params=WITH_EXAMPLES, ids=lambda a: a.name)
def graded(request, tmp_path_factory):
    assignment = request.param
    out = tmp_path_factory.mktemp(f"grades-{assignment.name}")
    grade_folder(assignment, assignment.examples, out, jobs=2, quiet=True)
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        book = {row["student"]: row for row in csv.DictReader(handle)}
    return assignment, book


def test_every_assignment_has_examples():
    assert [a.name for a in WITH_EXAMPLES] == list(COURSE.assignments)


@pytest.mark.parametrize("assignment", WITH_EXAMPLES, ids=lambda a: a.name)
def test_examples_are_built_from_the_generated_notebook(assignment):
    built = make_examples.build(assignment)
    assert sorted(built) == sorted(p.stem for p in assignment.examples.glob("*.ipynb"))
    for student, text in built.items():
        assert (assignment.examples / f"{student}.ipynb").read_text(encoding="utf-8") == text, \
            f"examples/{assignment.name}/{student}.ipynb is stale: run .venv/bin/python examples/make_examples.py"


def test_each_mistake_costs_only_its_own_functions_points(graded, request):
    assignment, book = graded
    expected = make_examples.examples_module(assignment).EXPECTED
    assert sorted(book) == sorted(expected)
    full = expected[next(s for s in expected if "correct" in s)]
    for student, functions in expected.items():
        row = book[student]
        got = {name: float(row[name]) for name in functions}
        problem = KNOWN_GRADER_PROBLEMS.get((assignment.name, student))
        if problem and got != pytest.approx(functions):
            continue  # reported below, as an expected failure
        assert got == pytest.approx(functions), (assignment.name, student)
        assert float(row["total"]) == pytest.approx(sum(functions.values()))
        assert float(row["max"]) == pytest.approx(sum(full.values()))
    for (name, student), problem in KNOWN_GRADER_PROBLEMS.items():
        if name == assignment.name:
            got = {f: float(book[student][f]) for f in expected[student]}
            assert got != pytest.approx(expected[student]), f"fixed, remove from KNOWN_GRADER_PROBLEMS: {problem}"
