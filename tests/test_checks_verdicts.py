"""Verdicts the week's engineers found wrong, each on the smallest submission that shows it: no
evidence no point, a norm without keepdims, one mistake one check, a nested loop told once,
predictions as bools or 0./1., ints told as they are, a loop of matrix products, an instructor
test's own words, totals that add up."""
from __future__ import annotations

import numpy as np
import pytest

from grader.checks import all_checks
from grader.checks.analysis.rank1_spots import rank1_spots
from grader.checks.analysis.submission_code import SubmissionCode
from grader.config import load_config
from grader.outcomes import Verdict
from grader.score import score_check, score_verdict
from variants.harness import LocalRunner

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

COURSE = None


def course():
    global COURSE
    if COURSE is None:
        from pathlib import Path
        COURSE = load_config(Path(__file__).resolve().parents[1] / "config.yaml")
    return COURSE


def judge(tmp_path, assignment: str, code: str, name: str, checks=("vectorized",)) -> dict:
    """check -> its verdicts on ``name`` of a one-file submission ``code``, as the engine feeds them."""
    path = tmp_path / f"{name}_{abs(hash(code)) % 10**8}.py"
    path.write_text("import math\nimport numpy as np\n\n\n" + code, encoding="utf-8")
    objects = [all_checks()[c] for c in ("runs", "shapes", "values", *checks)]
    run = LocalRunner(course().assignments[assignment], path).run(name, objects)
    return {check.name: check.judge(run) for check in objects}


def failures(verdicts) -> list:
    return [f for v in verdicts for f in v.findings if not f.message.startswith("note:")]


def notes(verdicts) -> list:
    return [f for v in verdicts for f in v.findings if f.message.startswith("note:")]


# ------------------------------------------------------------------ no evidence, no point

MATH_EXP_SIGMOID = """# GRADED FUNCTION: sigmoid
def sigmoid(x):
    s = 1 / (1 + math.exp(-x))
    return s
"""


def test_vectorized_gives_no_point_to_a_function_that_ran_on_none_of_its_probes(tmp_path):
    verdicts = judge(tmp_path, "numpy_basics", MATH_EXP_SIGMOID, "sigmoid")
    assert any(v.passed_cases for v in verdicts["values"])     # the Python scalar case passes: requires holds
    [verdict] = verdicts["vectorized"]
    assert verdict.fraction == 0.0
    [finding] = verdict.findings
    assert finding.message == ("sigmoid: not judged: on every one of this check's calls it raised an error "
                               "(TypeError), so nothing shows how its work grows with the data")
    assert "runs findings" in finding.fix


def test_every_probe_of_a_correct_function_timing_out_is_no_evidence_either(assignment):
    from variants.harness import CORRECT

    check = all_checks()["vectorized"]
    run = LocalRunner(assignment, next(p for p in CORRECT if p.stem == "dot")).run("sigmoid", [check])
    for probe_run in run.probes["vectorized"]:
        if probe_run.probe.name.startswith("dynamic"):
            for outcome in probe_run.outcomes:
                outcome.status, outcome.value = "timeout", None
    [verdict] = check.judge(run)
    assert verdict.fraction == 0.0
    assert "on every one of this check's calls it did not return in time" in verdict.findings[0].message


# ------------------------------------------------------------------ rank1: a norm without keepdims

NORM_NO_KEEPDIMS = """# GRADED FUNCTION: normalize_rows
def normalize_rows(x):
    x_norm = np.linalg.norm(x, ord=2, axis=1)
    x = x / x_norm
    return x
"""


def test_a_norm_without_keepdims_is_a_spot_whatever_the_way_its_axis_is_given():
    for call in ("np.linalg.norm(x, axis=1)", "np.linalg.norm(x, 2, 1)", "np.linalg.norm(x, ord=2, axis=1)"):
        code = SubmissionCode.from_source(f"import numpy as np\ndef f(x):\n    n = {call}\n    return x / n\n")
        [spot] = rank1_spots(code, "f")
        assert spot.line == 3 and "keepdims=True" in spot.fix, call
    kept = SubmissionCode.from_source("import numpy as np\ndef f(x):\n    n = np.linalg.norm(x, axis=1, "
                                      "keepdims=True)\n    return x / n\n")
    assert rank1_spots(kept, "f") == []
    whole = SubmissionCode.from_source("import numpy as np\ndef f(x):\n    n = np.linalg.norm(x, 2)\n    return x / n\n")
    assert rank1_spots(whole, "f") == []    # the second argument of norm is its order, not an axis


def test_a_rank1_spot_where_every_probe_call_raised_counts_as_observed(tmp_path):
    verdicts = judge(tmp_path, "numpy_basics", NORM_NO_KEEPDIMS, "normalize_rows", ("rank1", "vectorized"))
    [rank1] = verdicts["rank1"]
    assert rank1.fraction == 0.0
    [finding] = failures(verdicts["rank1"])
    assert finding.line == 7 and finding.excerpt == "x_norm = np.linalg.norm(x, ord=2, axis=1)"
    assert "raised an error at line 8, where it is used in arithmetic" in finding.message
    assert "np.linalg.norm(x, ord=2, axis=1, keepdims=True)" in finding.fix
    assert "keeps one norm per row" in finding.fix                    # the assignment's hint
    assert verdicts["vectorized"][0].passed                            # one mistake, one check


# ------------------------------------------------------------------ one mistake, one check

SOFTMAX_ROWS = """# GRADED FUNCTION: softmax
def softmax(x):
    s = np.zeros(x.shape)
    for i in range(x.shape[0]):
        row_exp = np.exp(x[i])
        s[i] = row_exp / np.sum(row_exp)
    return s
"""

SOFTMAX_ROW_MEETS_THE_MATRIX = """# GRADED FUNCTION: softmax
def softmax(x):
    s = np.zeros(x.shape)
    for i in range(x.shape[0]):
        row_exp = np.exp(x[i])
        everything = np.exp(x) + row_exp
        s[i] = row_exp / np.sum(row_exp) + 0 * everything[i]
    return s
"""


def test_a_row_inside_a_loop_over_the_data_costs_vectorized_only(tmp_path):
    verdicts = judge(tmp_path, "numpy_basics", SOFTMAX_ROWS, "softmax", ("rank1", "vectorized"))
    assert verdicts["rank1"][0].passed and not failures(verdicts["rank1"])
    [vectorized] = verdicts["vectorized"]
    assert vectorized.fraction == 0.0
    [finding] = failures(verdicts["vectorized"])
    assert finding.line == 8 and "runs once for each of the m rows" in finding.message


def test_a_row_inside_a_loop_that_meets_a_two_dimensional_operand_still_costs_rank1(tmp_path):
    verdicts = judge(tmp_path, "numpy_basics", SOFTMAX_ROW_MEETS_THE_MATRIX, "softmax", ("rank1", "vectorized"))
    [finding] = [f for f in failures(verdicts["rank1"]) if "row_exp is a rank-1 array" in f.message]
    assert finding.line == 9


# ------------------------------------------------------------------ a nested loop is one mistake

NESTED = """# GRADED FUNCTION: sigmoid
def sigmoid(x):
    s = np.zeros(x.shape)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            s[i, j] = 1 / (1 + math.exp(-x[i, j]))
    return s
"""


def test_a_nested_loop_is_blamed_once_and_its_inner_loop_is_not_called_allowed(tmp_path):
    verdicts = judge(tmp_path, "numpy_basics", NESTED, "sigmoid")
    found = failures(verdicts["vectorized"])
    assert [f.line for f in found] == [8]
    assert "it grows with n and m" in found[0].message
    assert not notes(verdicts["vectorized"]), [f.message for f in notes(verdicts["vectorized"])]


# ------------------------------------------------------------------ predictions: bools or 0./1.

PLANAR_PREDICT_ROUND = """# GRADED FUNCTION: predict
def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    predictions = np.round(A2)
    return predictions
"""

LOGREG_PREDICT_BOOL = """# GRADED FUNCTION: predict
def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return A > 0.5
"""


def test_predictions_as_floats_do_where_the_reference_gives_bools(tmp_path):
    verdicts = judge(tmp_path, "planar", PLANAR_PREDICT_ROUND, "predict", ())
    assert all(v.passed for v in verdicts["shapes"]), failures(verdicts["shapes"])
    # np.round(0.5) is 0.0, so the values agree on every case, the exact 0.5 one included
    assert all(v.passed for v in verdicts["values"]), failures(verdicts["values"])


def test_bools_where_the_reference_gives_floats_fail_shapes_with_a_fix(tmp_path):
    verdicts = judge(tmp_path, "logreg", LOGREG_PREDICT_BOOL, "predict", ())
    found = failures(verdicts["shapes"])
    assert found and all(".astype(float)" in f.fix and "a comparison gives bools" in f.fix for f in found)
    assert any("(A > 0.5).astype(float) converts the comparison" in f.fix for f in found)  # the config's hint
    assert all(v.passed for v in verdicts["values"])


# ------------------------------------------------------------------ ints and bools told as they are

LAYER_SIZES_COUNTS_EXAMPLES = """# GRADED FUNCTION: layer_sizes
def layer_sizes(X, Y):
    return (X.shape[0], 4, Y.shape[1])
"""


def test_an_int_that_differs_is_told_with_both_values_and_in_words_when_hidden(tmp_path):
    verdicts = judge(tmp_path, "planar", LAYER_SIZES_COUNTS_EXAMPLES, "layer_sizes", ())
    public = [f for f in failures(verdicts["values"]) if not f.hidden]
    hidden = [f for f in failures(verdicts["values"]) if f.hidden]
    assert {f.message for f in public} == {"n_y is 6, expected 1", "n_y is 3, expected 2"}
    assert {f.message for f in hidden} == {"n_y differs from the reference's value"}
    assert not any(ch.isdigit() for f in hidden for ch in f.message)
    assert not any("tolerance" in f.message or "rtol" in f.message for f in public + hidden)


# ------------------------------------------------------------------ a loop of matrix products

FORWARD_BY_COLUMNS = """def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# GRADED FUNCTION: forward_propagation
def forward_propagation(X, parameters):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    columns = []
    for i in range(X.shape[1]):
        columns.append(np.dot(W1, X[:, i:i + 1]) + b1)
    Z1 = np.hstack(columns)
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
"""


def test_a_loop_of_matrix_products_is_told_to_multiply_whole_arrays(tmp_path):
    verdicts = judge(tmp_path, "planar", FORWARD_BY_COLUMNS, "forward_propagation")
    [finding] = failures(verdicts["vectorized"])
    assert finding.line == 13 and "runs once for each of the m examples" in finding.message
    assert finding.fix.startswith("multiply the whole arrays at once: one np.dot (or @)")
    assert "np.exp" not in finding.fix and "elementwise" not in finding.fix
    assert finding.fix.endswith("np.dot(W1, X) computes the hidden layer of every example (a column of X) at once")


# ------------------------------------------------------------------ totals that add up


def verdict(hidden: bool, fraction: float, weight: float) -> Verdict:
    return Verdict(function="f", check="values", hidden=hidden, fraction=fraction, weight=weight)


@pytest.mark.parametrize("points, groups", [
    (2, [(1 / 2, 2 / 6), (1 / 4, 4 / 6)]),        # 1/3 + 1/3 of a point each: 0.6667 in all
    (2, [(1.0, 2 / 6), (1 / 2, 4 / 6)]),          # a passed group keeps its whole share
    (1, [(1 / 3, 3 / 7), (2 / 4, 4 / 7)]),
    (3, [(0.0, 1 / 3), (2 / 3, 2 / 3)]),
    (4, [(1 / 3, 3 / 9), (1 / 3, 3 / 9), (1 / 3, 3 / 9)]),
])
def test_a_checks_tests_add_up_to_its_exact_score_rounded_once(points, groups):
    verdicts = [verdict(i > 0, f, w) for i, (f, w) in enumerate(groups)]
    tests = score_check(verdicts, points, per_case=True)
    exact = sum(points * w * f for f, w in groups)
    assert round(sum(t.score for t in tests), 4) == round(exact, 4)
    assert round(sum(t.max_score for t in tests), 4) == round(points, 4)
    for test, (fraction, weight) in zip(tests, groups):
        assert abs(test.score - points * weight * fraction) < 2e-4
        assert 0 <= test.score <= test.max_score
        if fraction == 1.0:
            assert test.score == test.max_score
        if fraction == 0.0:
            assert test.score == 0.0


def test_a_single_verdict_is_rounded_once_from_its_exact_value():
    # 4/3 points for half the cases is 2/3: 0.6667, not round(round(4/3, 4) / 2, 4) = 0.6666
    test = score_verdict(verdict(True, 1 / 2, 4 / 6), 2, per_case=True)
    assert (test.score, test.max_score) == (0.6667, 1.3333)


def test_an_instructor_tests_failure_shows_its_docstring_and_never_its_assertion(tmp_path):
    from pathlib import Path

    from grader.pipeline import grade_paths
    from grader.report.feedback import feedback_markdown

    assignment = course().assignments["numpy_basics"]
    reference = Path(assignment.solution).read_text(encoding="utf-8")
    wrong = reference.replace("loss = np.dot(diff, diff)", "loss = np.sum(np.abs(diff))")
    assert wrong != reference
    (tmp_path / "grace.py").write_text(wrong, encoding="utf-8")
    [result] = grade_paths(assignment, [tmp_path / "grace.py"], jobs=1)
    [test] = [t for t in result.tests if "test_L2_grows" in t.name]
    said = "Doubling every error multiplies the L2 loss by 4 (an L1 loss, or a plain sum, only doubles)."
    assert not test.passed and test.output == f"failed: an instructor's hidden test did not pass: {said}"
    assert "assert" not in test.output and "==" not in test.output
    feedback = feedback_markdown(assignment, result)
    assert ("- **test_L2_grows_with_the_square_of_the_error (hidden test)**: failed: an instructor's hidden test "
            "did not pass: Doubling every error") in feedback
