"""The engine: instructor tests are checked when collected, and what they are worth is theirs."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.errors import UserError
from grader.pipeline import grade_paths

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "examples" / "logreg" / "alice_correct.ipynb"


def with_instructor_test(assignment, folder: Path, source: str):
    path = folder / "test_instructor.py"
    path.write_text(source, encoding="utf-8")
    return dataclasses.replace(assignment, hidden_tests=(path,))


@pytest.mark.parametrize("marker, complaint", [
    ('function="sigmoid", points=1, check="dtype"', "check='dtype'): no check of that name"),
    ('function="sigmod", points=1, check="values"', "function='sigmod'): no graded function of that name"),
    ('function="sigmoid", points="two", check="values"', "points='two'): expected a number of points"),
])
def test_a_grade_marker_that_names_nothing_stops_the_batch_with_the_test_named(tmp_path, assignment, marker,
                                                                               complaint):
    source = f"import pytest\n\n\n@pytest.mark.grade({marker})\ndef test_x(student):\n    assert True\n"
    broken = with_instructor_test(assignment, tmp_path, source)
    with pytest.raises(UserError) as raised:
        grade_paths(broken, [GOOD], jobs=1)
    assert complaint in str(raised.value) and "test_instructor.py::test_x" in str(raised.value)


def test_an_instructor_test_counts_under_its_own_check(tmp_path, assignment):
    source = ("import pytest\n\n\n@pytest.mark.grade(function='sigmoid', points=2, check='shapes')\n"
              "def test_shape(student):\n    assert student.sigmoid(0.5) > 0.5\n")
    [result] = grade_paths(with_instructor_test(assignment, tmp_path, source), [GOOD], jobs=1)
    [test] = [t for t in result.tests if t.name.endswith("(hidden test)")]
    assert (test.function, test.check, test.score, test.max_score, test.hidden) == ("sigmoid", "shapes", 2, 2, True)
