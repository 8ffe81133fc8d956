"""End to end through the real engine and sandbox: the variants corpus graded like submissions."""
from __future__ import annotations

import pytest

from variants.harness import CAUGHT, CORRECT, defined_functions, expectation

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::RuntimeWarning")]


@pytest.fixture(scope="module")
def graded(assignment):
    from grader.grade import grade_paths

    paths = CORRECT + CAUGHT
    results = grade_paths(assignment, paths, jobs=2)
    return {path.stem: result for path, result in zip(paths, results)}


def checks_of(result, function, check):
    return [t for t in result.tests if t.function == function and t.check == check]


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_styles_keep_every_teaching_point(assignment, graded, path):
    result = graded[path.stem]
    for name in defined_functions(path.read_text(), assignment):
        for check in ("rank1", "vectorized"):
            [test] = checks_of(result, name, check)
            assert test.passed and test.score == test.max_score, (name, check, test.output)
            assert not [f for f in test.findings if not f.message.startswith("note:")]


@pytest.mark.parametrize("path", CAUGHT, ids=lambda p: p.stem)
def test_each_hiding_place_loses_its_points_with_the_line_named(graded, path):
    check, name, line = expectation(path)
    [test] = checks_of(graded[path.stem], name, check)
    assert not test.passed and test.score == 0.0
    assert f"at line {line}: " in test.output, test.output
    assert any(f.line == line and f.fix for f in test.findings)


def test_looping_over_examples_keeps_values_and_loses_vectorized(assignment):
    from grader.grade import grade_one

    path = next(p for p in CAUGHT if p.stem == "for_examples_propagate")
    result = grade_one(assignment, path)
    values = [t for t in result.tests if t.function == "propagate" and t.check == "values"]
    assert values and all(t.passed and t.score == t.max_score for t in values)
    [vectorized] = checks_of(result, "propagate", "vectorized")
    assert vectorized.score == 0.0 and vectorized.max_score == assignment.functions["propagate"].points["vectorized"]
    assert "a for loop runs once per example (m)" in vectorized.output
    assert "at line 11: for i in range(m):" in vectorized.output
