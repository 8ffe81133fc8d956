"""rank1: correct styles pass; rank-1 vectors and broadcasting accidents are named by line, with the fix."""
from __future__ import annotations

import pytest

from grader.checks.analysis.broadcasting import expands_both, symbolic
from grader.checks.rank1 import CHECK
from variants.harness import CAUGHT, CORRECT, LocalRunner, defined_functions, expectation

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def failures(verdict):
    return [f for f in verdict.findings if not f.message.startswith("note:")]


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_styles_pass(assignment, path):
    runner = LocalRunner(assignment, path)
    for name in defined_functions(runner.source, assignment):
        [verdict] = CHECK.judge(runner.run(name, [CHECK]))
        assert verdict.passed, (name, [f.message for f in verdict.findings])
        assert verdict.findings == [], (name, [f.message for f in verdict.findings])


RANK1 = [p for p in CAUGHT if expectation(p)[0] == "rank1"]


@pytest.mark.parametrize("path", RANK1, ids=lambda p: p.stem)
def test_every_rank1_mistake_is_caught_at_its_line(assignment, path):
    _, name, line = expectation(path)
    [verdict] = CHECK.judge(LocalRunner(assignment, path).run(name, [CHECK]))
    assert verdict.fraction == 0.0
    finding = next((f for f in failures(verdict) if f.line == line), None)
    assert finding is not None, [(f.line, f.message) for f in verdict.findings]
    assert finding.excerpt and finding.excerpt in path.read_text().splitlines()[line - 1]
    assert finding.fix


def _finding(assignment, stem, name):
    path = next(p for p in CAUGHT if p.stem == stem)
    [verdict] = CHECK.judge(LocalRunner(assignment, path).run(name, [CHECK]))
    return verdict, failures(verdict)


def test_rank1_w_names_the_output_and_the_two_dimensional_fix(assignment):
    verdict, [finding] = _finding(assignment, "rank1_w_initialize", "initialize_with_zeros")
    assert finding.message == "initialize_with_zeros returns w as a rank-1 array: shape (2,), expected (2, 1)"
    assert "np.zeros((dim, 1))" in finding.fix and not finding.hidden


def test_sum_without_keepdims_suggests_keepdims(assignment):
    verdict, findings = _finding(assignment, "sum_no_keepdims_propagate", "propagate")
    assert "grads['dw'] as a rank-1 array" in findings[0].message
    assert "np.sum(X * (A - Y), axis=1, keepdims=True)" in findings[0].fix


def test_an_m_by_m_intermediate_never_bound_to_a_name_is_caught(assignment):
    verdict, findings = _finding(assignment, "mm_broadcast_propagate", "propagate")
    accident = next(f for f in findings if f.line == 10)
    assert "`labels * np.log(A.T)` broadcasts (m,) with (m, 1) into (m, m)" in accident.message
    cause = next(f for f in findings if f.line == 9)
    assert "labels is a rank-1 array of shape (m,)" in cause.message


def test_a_rank1_parameter_copy_in_optimize_is_caught(assignment):
    verdict, findings = _finding(assignment, "rank1_update_optimize", "optimize")
    assert findings[0].line == 8 and "w is a rank-1 array of shape (n,)" in findings[0].message


def test_hidden_cases_do_not_reveal_sizes(assignment):
    verdict, findings = _finding(assignment, "rank1_w_initialize", "initialize_with_zeros")
    run = LocalRunner(assignment, next(p for p in CAUGHT if p.stem == "rank1_w_initialize")).run(
        "initialize_with_zeros", [CHECK])
    run.cases = run.group(True)
    [verdict] = CHECK.judge(run)
    finding = failures(verdict)[0]
    # No public case left to say whether w is a column or a row: the hidden case's own shape
    # could be (1, 1), so the message says neither.
    assert finding.message == "initialize_with_zeros returns w as a rank-1 array where a 2-D vector is expected"
    assert finding.hidden


def test_symbolic_shapes_and_expanding_broadcasts():
    sizes = {"n": 5, "m": 7}
    assert symbolic((7,), sizes) == "(m,)"
    assert symbolic((5, 1), sizes) == "(n, 1)"
    assert symbolic((7, 7), sizes) == "(m, m)"
    assert expands_both((7,), (7, 1)) == (7, 7)
    assert expands_both((1, 7), (5, 1)) == (5, 7)
    assert expands_both((1, 7), (1, 7)) is None
    assert expands_both((1, 7), ()) is None
    assert expands_both((5, 7), (5, 1)) is None


def test_options_are_validated():
    assert CHECK.parse_options({"kwargs": {"num_iterations": 3}}) == {"kwargs": {"num_iterations": 3}}
    with pytest.raises(ValueError):
        CHECK.parse_options({"sizes": 3})


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def graded(assignment):
    """The corpus graded like submissions: the real loader, engine and sandbox."""
    from grader.pipeline import grade_paths

    paths = CORRECT + RANK1
    return {path.stem: result for path, result in zip(paths, grade_paths(assignment, paths, jobs=2))}


def checks_of(result, function, check):
    return [t for t in result.tests if t.function == function and t.check == check]


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_end_to_end_correct_styles_pass(assignment, graded, path):
    for name in defined_functions(path.read_text(), assignment):
        [test] = checks_of(graded[path.stem], name, "rank1")
        assert test.passed and test.findings == [], (name, test.output)


@pytest.mark.slow
@pytest.mark.parametrize("path", RANK1, ids=lambda p: p.stem)
def test_end_to_end_rank1_mistakes_are_named_by_line(assignment, graded, path):
    _, name, line = expectation(path)
    [test] = checks_of(graded[path.stem], name, "rank1")
    assert not test.passed and test.score == 0.0
    assert f"at line {line}: " in test.output, test.output
