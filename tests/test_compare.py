"""The comparison both sides run (grader/checks/analysis/compare.py): the shapes and values checks
judge with it, and the students' public tests run a byte-for-byte copy of it."""
from __future__ import annotations

import ast
import copy
import sys
from pathlib import Path

import numpy as np
import pytest

from grader import outcomes as st
from grader.checks import FunctionRun, all_checks
from grader.checks.analysis import compare as cmp
from grader.config import load_config
from grader.grading import Batch
from grader.outcomes import CallOutcome, CaseRun

RTOL, ATOL = 1e-5, 1e-7


def problems(expected, actual, output_names=None):
    return cmp.compare(expected, actual, RTOL, ATOL, output_names)


def by_check(found, check):
    return [p for p in found if p.check == check]


# ------------------------------------------------------------------ shipped as it is


def test_the_module_imports_numpy_and_the_standard_library_only():
    """What makes it shippable next to a notebook: nothing from grader, no third-party package."""
    imported = set()
    for node in ast.walk(ast.parse(Path(cmp.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import would not work next to the notebook"
            imported.add(node.module.split(".")[0])
    assert imported - {"numpy"} <= set(sys.stdlib_module_names) | {"__future__"}
    assert "grader" not in imported


# ------------------------------------------------------------------ shapes


def test_rank1_where_a_column_is_expected_costs_shapes_only():
    w = np.zeros((2, 1))
    found = problems((w, 0.0), (np.zeros(2), 0.0), ["w", "b"])
    assert [(p.check, p.kind, p.where) for p in found] == [("shapes", "shape", "w")]
    assert found[0].what == "w has shape (2,), expected (2, 1)"
    assert "rank-1 array (2,)" in found[0].fix and ".reshape(2, 1)" in found[0].fix


def test_rank1_with_wrong_values_costs_both_checks():
    found = problems(np.array([[1.0], [2.0]]), np.array([1.0, 3.0]))
    assert [p.check for p in found] == ["shapes", "values"]
    assert found[1].what == "the result differs from the reference at 1 of 2 entries (rtol=1e-05, atol=1e-07)"


@pytest.mark.parametrize("expected", [np.float64(1.5), np.array(1.5), 1.5])
def test_a_1x1_array_where_a_scalar_is_expected(expected):
    found = problems(expected, np.array([[1.5]]))
    assert [(p.check, p.kind) for p in found] == [("shapes", "shape")]
    assert found[0].what == "the result should be a scalar, got an array of shape (1, 1)"
    assert "np.squeeze" in found[0].fix


def test_a_0d_array_does_for_a_numpy_float_but_not_for_a_python_float():
    assert problems(np.float64(1.5), np.array(1.5)) == []
    assert problems(np.array(1.5), np.float64(1.5)) == []
    assert problems(np.array(1.5), 1.5) == []
    found = problems(1.5, np.array(1.5))
    assert [(p.check, p.kind, p.what) for p in found] == [
        ("shapes", "zero_d", "the result should be a Python float, got a 0-d array")]


@pytest.mark.parametrize("got, words", [(0, "a Python int"), (np.int64(0), "a numpy scalar (int64)")])
def test_an_int_where_a_float_is_expected(got, words):
    for expected in (0.0, np.float64(0.0), np.array(0.0)):
        found = problems((np.zeros((2, 1)), expected), (np.zeros((2, 1)), got), ["w", "b"])
        assert [(p.check, p.kind) for p in found] == [("shapes", "not_float")]
        assert found[0].what == f"b should be a float, got {words}"
        assert found[0].fix == "return b as a float: write 0.0 rather than 0, or convert with float(...)"


def test_floats_of_any_width_do_where_a_float_is_expected():
    assert problems(0.5, np.float32(0.5)) == []
    assert problems(np.ones((2, 2)), np.ones((2, 2), dtype=np.float32)) == []


def test_a_bool_or_a_str_where_a_float_is_expected():
    found = problems(1.0, True)
    assert [(p.kind, p.what, p.fix) for p in found] == [
        ("not_float", "the result should be a float, got a bool", "return the result as a float")]
    found = problems(1.0, "1.0")
    assert [(p.check, p.kind) for p in found] == [("shapes", "not_float"), ("values", "not_number")]
    assert found[1].what == "the result is a str, which cannot be compared with a number"


def test_a_float_where_an_int_or_a_bool_is_expected():
    assert [(p.kind, p.what) for p in problems(3, 3.0)] == [("not_int", "the result should be an int, got a Python float")]
    assert problems(3, np.int32(3)) == []
    # where a bool is expected, a 0/1 number does too (labels as numbers); the values compare them
    assert problems(True, 1) == [] and problems(True, np.bool_(True)) == []
    assert [p.kind for p in problems(True, "yes")] == ["not_bool", "not_number"]


def test_array_dtypes():
    found = problems(np.array([[1.0, 0.0]]), np.array([[1, 0]]))
    assert [(p.check, p.kind) for p in found] == [("shapes", "dtype")]
    assert found[0].what.startswith("the result has dtype int") and found[0].what.endswith(
        ", expected floating point (float64)")
    assert ".astype(float)" in found[0].fix
    found = problems(np.array([1, 2]), np.array([1.0, 2.0]))
    assert found[0].what == "the result has dtype float64, expected integers"
    assert problems(np.array([True]), np.array([1])) == []
    assert problems(np.array([True, False]), np.array([1.0, 0.0])) == []
    found = problems(np.array([True]), np.array([1j]))
    assert found[0].what.endswith("expected bool") and found[0].fix


def test_a_transposed_array():
    found = problems(np.ones((2, 3)), np.ones((3, 2)))
    assert [(p.check, p.kind) for p in found] == [("shapes", "shape"), ("values", "shape")]
    assert found[0].what == "the result has shape (3, 2), expected (2, 3)"
    assert "transposed" in found[0].fix
    assert found[1].what == ("the result cannot be compared: it has shape (3, 2), expected (2, 3) "
                             "(see the shapes check)")


def test_a_list_where_an_array_is_expected():
    found = problems(np.ones((1, 2)), [[1.0, 1.0]])
    assert found[0].what == "the result should be an array of shape (1, 2), got a list of length 1"
    assert found[0].fix == "return a numpy array of shape (1, 2)"


def test_broadcast_to_a_larger_array():
    found = problems(np.ones((1, 3)), np.ones((3, 3)))
    assert "larger than expected" in found[0].fix


# ------------------------------------------------------------------ values


def test_values_within_and_beyond_the_tolerance():
    expected = np.array([[1.0, 2.0, 3.0]])
    assert problems(expected, expected * (1 + 1e-7)) == []
    found = problems(expected, expected + np.array([[0.0, 0.0, 1e-3]]))
    assert [(p.check, p.kind, p.what) for p in found] == [
        ("values", "tolerance", "the result differs from the reference at 1 of 3 entries (rtol=1e-05, atol=1e-07)")]
    assert found[0].expected is expected
    assert problems(0.5, 0.6)[0].what == "the result differs from the reference beyond the tolerance " \
                                         "(rtol=1e-05, atol=1e-07)"


def test_a_nan_fails_unless_the_expected_value_is_nan_too():
    found = problems(np.array([1.0, 2.0, 3.0]), np.array([1.0, np.nan, 3.0]))
    assert [(p.check, p.kind) for p in found] == [("values", "nan")]
    assert found[0].what.startswith("the result contains NaN at 1 of 3 entries where the reference has a number")
    assert problems(np.array([1.0, np.nan]), np.array([1.0, np.nan])) == []
    assert [p.kind for p in problems(0.5, float("nan"))] == ["nan"]


def test_str_and_none():
    assert problems("relu", "relu") == [] and problems(None, None) == []
    assert [(p.check, p.kind, p.what) for p in problems("relu", "tanh")] == [
        ("values", "value", "the result should be 'relu'")]
    assert [(p.check, p.kind, p.what) for p in problems(None, 0.0)] == [
        ("shapes", "type", "the result should be None, got a Python float"),
        ("values", "value", "the result should be None")]


# ------------------------------------------------------------------ structure and paths


def test_a_missing_dict_key_costs_both_checks_and_an_extra_key_nothing():
    expected = ({"dw": np.ones((2, 1)), "db": 0.5}, np.array(1.0))
    missing = ({"dw": np.ones((2, 1))}, np.array(1.0))
    found = problems(expected, missing, ["grads", "cost"])
    assert [(p.check, p.kind) for p in found] == [("shapes", "missing_key"), ("values", "missing_key")]
    assert found[0].what == "grads: the dict has no key 'db' (expected keys: 'dw', 'db')"
    assert found[0].fix == cmp.STRUCTURE_FIX and found[1].fix == ""
    # Extra keys are the student's business (a debug entry, a cache): the graded keys are there.
    extra = ({"dw": np.ones((2, 1)), "db": 0.5, "cache": [1, 2]}, np.array(1.0))
    assert problems(expected, extra, ["grads", "cost"]) == []
    assert problems(expected, (np.ones((2, 1)), np.array(1.0)), ["grads", "cost"])[0].what.startswith(
        "grads: expected a dict with keys 'dw', 'db', got an array of shape (2, 1)")


def test_tuple_length_and_kind():
    expected = (np.zeros((2, 1)), 0.0)
    found = problems(expected, (np.zeros((2, 1)),), ["w", "b"])
    assert [(p.check, p.what) for p in found] == [("shapes", "the result: expected 2 items, got 1"),
                                                  ("values", "the result: expected 2 items, got 1")]
    assert problems(expected, [np.zeros((2, 1)), 0.0], ["w", "b"]) == []  # a list does for a tuple
    assert problems(expected, np.zeros((2, 1)), ["w", "b"])[0].what == (
        "the result: expected several values (a tuple of length 2), got an array of shape (2, 1) (float64)")


def test_paths_name_the_reference_outputs():
    assert problems(np.ones(1), np.ones(2), ["s"])[0].where == "s"
    found = problems(({"w": np.ones(1)}, [np.array(1.0), np.array(2.0)]),
                     ({"w": np.ones(1)}, [np.array(1.0), np.array(5.0)]), ["params", "costs"])
    assert [p.where for p in found] == ["costs[1]"]
    assert problems([0.5], [0.7])[0].where == "the result[0]"


def test_the_grader_can_word_a_problem_without_index_or_size():
    leaf = cmp.Leaf("costs[3]", 0.5, 0)
    problem = cmp.shape_problem(leaf, path="costs[k]", describe=lambda value: "a number of another kind")
    assert problem.what == "costs[k] should be a float, got a number of another kind"
    problem = cmp.value_problem(cmp.Leaf("x", 0.5, "a"), RTOL, ATOL, path="y", describe=lambda value: "text")
    assert problem.what == "y is text, which cannot be compared with a number"


# ------------------------------------------------------------------ the students' side


def test_run_public_tests_prints_when_every_case_passes(capsys):
    cases = [("one", (np.array([[0.0]]),), {}, np.array([[0.5]])), ("two", (0.0,), {}, np.float64(0.5))]
    cmp.run_public_tests("sigmoid", lambda z: 1 / (1 + np.exp(-z)), cases, RTOL, ATOL, ["s"])
    assert capsys.readouterr().out == "sigmoid: all 2 public tests passed.\n"


def test_run_public_tests_raises_with_every_problem_once():
    cases = [("ok", (2,), {}, (np.zeros((2, 1)), 0.0)),
             ("bad", (3,), {}, (np.zeros((3, 1)), 0.0))]

    def student(dim):
        return (np.zeros((dim, 1)), 0.0) if dim == 2 else (np.ones(dim), 0)

    with pytest.raises(cmp.PublicTestFailed) as info:
        cmp.run_public_tests("initialize_with_zeros", student, cases, RTOL, ATOL, ["w", "b"])
    assert isinstance(info.value, AssertionError)  # what a notebook cell shows as a failed test
    assert list(info.value.problems) == ["bad"]
    assert {(p.check, p.where) for p in info.value.problems["bad"]} == {
        ("shapes", "w"), ("values", "w"), ("shapes", "b")}
    text = str(info.value)
    assert text.startswith("1 of 2 public tests failed\ninitialize_with_zeros, bad:\n")
    assert "  - w has shape (3,), expected (3, 1)\n    fix: w is a rank-1 array (3,)" in text
    assert "  - w differs from the reference at 3 of 3 entries" in text
    assert "    expected array([[0.],\n              [0.],\n" in text
    assert "    got      array([1., 1., 1.], shape=(3,))" in text
    assert "  - b should be a float, got a Python int\n    fix: return b as a float" in text


def test_run_public_tests_tells_a_structure_problem_once_and_leaves_shape_to_shapes():
    with pytest.raises(cmp.PublicTestFailed) as info:
        cmp.run_public_tests("f", lambda: {"a": 1.0}, [("c", (), {}, {"a": 1.0, "b": 2.0})], RTOL, ATOL)
    assert str(info.value).count("the dict has no key 'b'") == 1
    with pytest.raises(cmp.PublicTestFailed) as info:
        cmp.run_public_tests("f", lambda: np.ones((3, 2)), [("c", (), {}, np.ones((2, 3)))], RTOL, ATOL)
    assert "cannot be compared" not in str(info.value) and "transposed" in str(info.value)


def test_run_public_tests_on_a_stub_says_to_write_it():
    def stub(z):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"^sigmoid is not written yet: replace '# YOUR CODE HERE'"):
        cmp.run_public_tests("sigmoid", stub, [("c", (0.0,), {}, 0.5)], RTOL, ATOL)


def test_run_public_tests_gives_each_case_its_own_copy_of_the_inputs():
    x = np.array([1.0, 2.0])
    cases = [("first", (x,), {}, np.array([1.0, 2.0])), ("second", (x,), {}, np.array([1.0, 2.0]))]

    def in_place(v):
        result = v.copy()
        v *= 10
        return result

    cmp.run_public_tests("f", in_place, cases, RTOL, ATOL)
    assert np.array_equal(x, [1.0, 2.0])


def test_an_error_in_the_students_code_reaches_the_notebook_as_it_is():
    with pytest.raises(ZeroDivisionError):
        cmp.run_public_tests("f", lambda: 1 / 0, [("c", (), {}, 0.5)], RTOL, ATOL)


# ------------------------------------------------------------------ the grader's checks use it


@pytest.fixture(scope="module")
def batch(project_root):
    return Batch.prepare(load_config(project_root / "config.yaml").assignment("logreg"))


def judged(batch, name, student, check):
    cases = [CaseRun(case, expected, CallOutcome(st.OK, value=student(copy.deepcopy(expected))))
             for case, expected in zip(batch.cases[name], batch.expected[name])]
    run = FunctionRun(spec=batch.assignment.functions[name], assignment=batch.assignment, cases=cases,
                      output_names=batch.reference.output_names[name])
    return all_checks()[check].judge(run)


def test_the_shapes_check_refuses_an_int_bias_on_public_and_hidden_cases(batch):
    verdicts = judged(batch, "initialize_with_zeros", lambda out: (out[0], 0), "shapes")
    assert [v.fraction for v in verdicts] == [0.0, 0.0]
    for verdict in verdicts:
        assert {f.message for f in verdict.findings} == {"b should be a float, got a Python int"}
        [fix] = {f.fix for f in verdict.findings}
        assert fix.startswith("return b as a float: write 0.0 rather than 0, or convert with float(...)")
    assert all(v.fraction == 1.0 for v in judged(batch, "initialize_with_zeros", lambda out: (out[0], 0), "values"))


def test_the_checks_word_public_cases_as_the_comparison_does(batch):
    """The public finding is the comparison's own text; the hidden one keeps the grader's words."""
    def student(out):
        grads, cost = out
        return {"dw": grads["dw"].ravel(), "db": grads["db"] + 1}, cost

    found = problems(batch.expected["propagate"][0], student(copy.deepcopy(batch.expected["propagate"][0])),
                     batch.reference.output_names["propagate"])
    public_shapes, hidden_shapes = judged(batch, "propagate", student, "shapes")
    assert public_shapes.findings[0].message == "; ".join(p.what for p in by_check(found, "shapes"))
    assert public_shapes.findings[0].fix == "; ".join(p.fix for p in by_check(found, "shapes"))
    assert hidden_shapes.findings[0].message == "grads['dw'] is a rank-1 array where a 2-D column vector is expected"
    public_values, hidden_values = judged(batch, "propagate", student, "values")
    assert public_values.findings[0].message == "; ".join(p.what for p in by_check(found, "values"))
    assert hidden_values.findings[0].message == ("grads['db'] differs from the reference beyond the tolerance "
                                                 "(rtol=1e-05, atol=1e-07)")
