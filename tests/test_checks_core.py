"""The runs, shapes and values checks, judged on real reference outputs and crafted student outputs.

Each test builds the plain data a sandbox would return (a CallOutcome) for the real
configured cases, so the checks are exercised exactly as in grading, without a child.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

from grader import outcomes as st
from grader.checks import FunctionRun, all_checks
from grader.config import load_config
from grader.grading import Batch, judge
from grader.outcomes import CallOutcome, CaseRun


@pytest.fixture(scope="module")
def batch(project_root):
    assignment = load_config(project_root / "config.yaml").assignment("logreg")
    return Batch.prepare(assignment)


def function_run(batch, name, student=None, status=st.OK, **outcome_fields):
    """A FunctionRun whose student output on each case is ``student(expected, case)``."""
    spec = batch.assignment.functions[name]
    cases = []
    for case, expected in zip(batch.cases[name], batch.expected[name]):
        if status == st.OK:
            value = student(copy.deepcopy(expected), case) if student else copy.deepcopy(expected)
            outcome = CallOutcome(st.OK, value=value)
        else:
            outcome = CallOutcome(status, **outcome_fields)
        cases.append(CaseRun(case, expected, outcome))
    return FunctionRun(spec=spec, assignment=batch.assignment, cases=cases,
                       output_names=batch.reference.output_names[name])


def verdicts(batch, run, check):
    return all_checks()[check].judge(run)


def fraction(batch, run, check):
    vs = verdicts(batch, run, check)
    return sum(v.fraction * v.weight for v in vs)


def messages(batch, run, check):
    return " | ".join(f.message + " :: " + f.fix for v in verdicts(batch, run, check) for f in v.findings)


# ------------------------------------------------------------------ the reference itself


@pytest.mark.parametrize("name", ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"])
def test_reference_output_passes_every_core_check(batch, name):
    run = function_run(batch, name)
    for check in ("runs", "shapes", "values"):
        assert fraction(batch, run, check) == pytest.approx(1.0), messages(batch, run, check)


# ------------------------------------------------------------------ shapes


def test_rank1_w_fails_shapes_with_the_rank1_fix_but_keeps_values(batch):
    run = function_run(batch, "initialize_with_zeros", lambda out, case: (out[0].ravel(), out[1]))
    assert fraction(batch, run, "shapes") == 0
    text = messages(batch, run, "shapes")
    assert "w has shape" in text and "rank-1" in text and "np.zeros((dim, 1))" in text
    assert fraction(batch, run, "values") == pytest.approx(1.0)


def test_cost_of_shape_1_1_fails_shapes_and_names_squeeze(batch):
    run = function_run(batch, "propagate", lambda out, case: (out[0], np.asarray(out[1]).reshape(1, 1)))
    assert fraction(batch, run, "shapes") == 0
    text = messages(batch, run, "shapes")
    assert "cost" in text and "(1, 1)" in text and "np.squeeze" in text
    assert fraction(batch, run, "values") == pytest.approx(1.0)


def test_cost_as_python_float_is_accepted(batch):
    run = function_run(batch, "propagate", lambda out, case: (out[0], float(out[1])))
    assert fraction(batch, run, "shapes") == pytest.approx(1.0)


def test_b_must_be_a_python_float_not_a_0d_array(batch):
    run = function_run(batch, "initialize_with_zeros", lambda out, case: (out[0], np.array(0.0)))
    assert fraction(batch, run, "shapes") == 0
    assert "float(b)" in messages(batch, run, "shapes")


def test_db_as_numpy_float64_is_accepted(batch):
    def student(out, case):
        grads, cost = out
        grads["db"] = np.float64(grads["db"])
        return grads, cost
    run = function_run(batch, "propagate", student)
    assert fraction(batch, run, "shapes") == pytest.approx(1.0)


def test_integer_predictions_fail_shapes_dtype(batch):
    run = function_run(batch, "predict", lambda out, case: out.astype(int))
    assert fraction(batch, run, "shapes") == 0
    assert "astype(float)" in messages(batch, run, "shapes")
    assert fraction(batch, run, "values") == pytest.approx(1.0)


def test_float32_outputs_are_a_sane_dtype(batch):
    run = function_run(batch, "sigmoid", lambda out, case: np.asarray(out, dtype=np.float32))
    assert fraction(batch, run, "shapes") == pytest.approx(1.0)


def test_broadcast_accident_m_by_m_fails_shapes_and_values(batch):
    def student(out, case):
        if out.shape[1] > 1:
            return np.ones((out.shape[1], out.shape[1]))
        return out
    run = function_run(batch, "predict", student)
    assert fraction(batch, run, "shapes") < 1
    assert "broadcasting" in messages(batch, run, "shapes")
    assert "cannot be compared" in messages(batch, run, "values")


# ------------------------------------------------------------------ values


def test_wrong_sign_in_gradient_fails_values_only(batch):
    def student(out, case):
        grads, cost = out
        grads["dw"] = -grads["dw"]
        return grads, cost
    run = function_run(batch, "propagate", student)
    assert fraction(batch, run, "shapes") == pytest.approx(1.0)
    assert fraction(batch, run, "values") == 0
    assert "grads['dw'] differs" in messages(batch, run, "values")


def test_values_within_tolerance_pass_and_beyond_fail(batch):
    tol = batch.assignment.functions["sigmoid"].tolerance
    close = function_run(batch, "sigmoid", lambda out, case: np.asarray(out) * (1 + tol.rtol / 10))
    far = function_run(batch, "sigmoid", lambda out, case: np.asarray(out) * (1 + tol.rtol * 100) + tol.atol * 100)
    assert fraction(batch, close, "values") == pytest.approx(1.0)
    assert fraction(batch, far, "values") == 0


def test_nan_where_the_reference_has_none_fails(batch):
    def student(out, case):
        out = np.array(out, dtype=float)
        out.flat[0] = np.nan
        return out
    run = function_run(batch, "sigmoid", student)
    assert fraction(batch, run, "values") == 0
    assert "NaN" in messages(batch, run, "values")


def test_missing_dict_key_and_wrong_arity_are_structural_failures(batch):
    no_db = function_run(batch, "propagate", lambda out, case: ({"dw": out[0]["dw"]}, out[1]))
    assert "no key 'db'" in messages(batch, no_db, "values")
    assert fraction(batch, no_db, "values") == 0
    one_item = function_run(batch, "initialize_with_zeros", lambda out, case: (out[0],))
    assert "expected 2 items, got 1" in messages(batch, one_item, "shapes")


def test_costs_list_of_wrong_length_fails(batch):
    def student(out, case):
        params, grads, costs = out
        return params, grads, costs + [costs[-1]]
    run = function_run(batch, "optimize", student)
    assert fraction(batch, run, "values") == 0


def test_hidden_findings_never_carry_inputs_or_expected_values(batch):
    def student(out, case):
        grads, cost = out
        grads["dw"] = grads["dw"] + 1
        return grads, cost
    run = function_run(batch, "propagate", student)
    for verdict in verdicts(batch, run, "values"):
        for finding in verdict.findings:
            if verdict.hidden:
                assert finding.hidden and not finding.inputs and not finding.expected and not finding.actual
            else:
                assert finding.inputs and finding.expected and finding.actual


# ------------------------------------------------------------------ runs


@pytest.mark.parametrize("status,headline", [
    (st.TIMEOUT, "did not return in time"), (st.MEMORY, "ran out of memory"), (st.KILLED, "crashed"),
    (st.WRONG_TYPE, "not plain data"), (st.FORBIDDEN, "forbids"),
])
def test_failed_calls_fail_every_case_based_check(batch, status, headline):
    run = function_run(batch, "sigmoid", status=status, error="details")
    for check in ("runs", "shapes", "values"):
        assert fraction(batch, run, check) == 0
    assert headline in messages(batch, run, "runs")


def test_hidden_error_shows_the_exception_type_but_not_its_message(batch):
    run = function_run(batch, "sigmoid", status=st.ERROR, error="ValueError: secret 0.123", line=3)
    for verdict in verdicts(batch, run, "runs"):
        for finding in verdict.findings:
            assert ("secret" in finding.message) is (not verdict.hidden)
            assert "ValueError" in finding.message


# ------------------------------------------------------------------ scoring


def test_points_split_between_public_and_hidden_by_case_count(batch):
    run = function_run(batch, "propagate")
    tests = judge(batch, run)
    spec = batch.assignment.functions["propagate"]
    values = [t for t in tests if t.check == "values"]
    assert {t.hidden for t in values} == {False, True}
    assert sum(t.max_score for t in values) == pytest.approx(spec.points["values"])
    public = sum(1 for c in spec.cases if not c.hidden)
    assert next(t for t in values if not t.hidden).max_score == pytest.approx(
        round(spec.points["values"] * public / len(spec.cases), 4))


def test_teaching_checks_earn_nothing_until_values_or_shapes_pass_somewhere(batch):
    stub = function_run(batch, "sigmoid", lambda out, case: None)  # e.g. a stub that returns None
    teaching = [t for t in judge(batch, stub) if t.check in ("vectorized", "rank1")]
    assert teaching
    for test in teaching:
        assert test.score == 0 and "not judged yet" in test.findings[0].message


@pytest.mark.parametrize("options,message", [
    ({"bogus": 1}, "unknown option(s) bogus"),
    ({"kwargs": [3]}, "kwargs: expected a mapping"),
])
@pytest.mark.parametrize("check", ["rank1", "vectorized"])
def test_check_options_are_validated_with_their_key_path(tmp_path, project_root, check, options, message):
    import yaml

    from grader.config import load_config
    from grader.errors import ConfigError

    raw = yaml.safe_load((project_root / "config.yaml").read_text())
    logreg = raw["assignments"]["logreg"]
    for key in ("solution", "notebook"):
        logreg[key] = str(project_root / logreg[key])
    logreg["extra_files"] = [str(project_root / p) for p in logreg["extra_files"]]
    logreg["functions"]["sigmoid"]["checks"] = {check: options}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"assignments.logreg.functions.sigmoid.checks.{check}" in str(error.value)
    assert message in str(error.value) and str(path) in str(error.value)
