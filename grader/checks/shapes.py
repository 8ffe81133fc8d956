"""shapes: every output has exactly the reference's shape, and a sane type and dtype.

Shapes are compared before any value (``np.allclose`` would broadcast ``(n,)`` against
``(n, 1)`` and call them equal). Scalars: where the reference returns a Python float or a
0-d array, a Python float, a numpy float scalar or a 0-d array are all accepted, but a
``(1, 1)`` array is not; where the reference returns a Python float (``b``, ``db``), a
0-d array is refused because the course fixes that type.
"""
from __future__ import annotations

import numpy as np

from grader import structure
from grader.checks import Check, FunctionRun
from grader.checks.analysis import hidden as words
from grader.checks.analysis.failures import call_failure
from grader.outcomes import CaseRun, Finding


def shape_fix(path: str, expected: tuple, actual: tuple) -> str:
    """The usual fix for a shape mismatch, in the course's words."""
    if len(actual) == 1 and len(expected) == 2 and actual[0] in expected and 1 in expected:
        return (f"{path} is a rank-1 array {actual}: the course keeps vectors 2-D. Create it with two "
                f"dimensions (e.g. np.zeros((dim, 1)) instead of np.zeros(dim)), keep them with "
                f"keepdims=True in np.sum, or reshape with .reshape({expected[0]}, {expected[1]})")
    if expected == () and actual and all(d == 1 for d in actual):
        return f"{path} should be a scalar: use np.squeeze({path}) or float(...) to drop the size-1 dimensions"
    if len(expected) == 2 and len(actual) == 2 and expected == actual[::-1]:
        return f"{path} is transposed: check the order of the operands of np.dot (or use .T)"
    if len(actual) > len(expected) or np.prod(actual, dtype=np.int64) > np.prod(expected or (1,), dtype=np.int64):
        return (f"{path} is larger than expected: this is usually broadcasting between a rank-1 array "
                f"(n,) and a 2-D one (1, n); keep every vector 2-D")
    return f"compute {path} so that it has shape {expected}"


def leaf_problem(leaf: structure.Leaf, hidden: bool = False, orientation: str | None = None) -> tuple[str, str] | None:
    """(what is wrong, how to fix) for one output, or None when its shape and type are right.

    ``hidden``: told without numbers, sizes, dtype names or keys (``orientation``: "column" or
    "row", as the public cases show the output, for a rank-1 array where a vector is expected)."""
    e, a = leaf.expected, leaf.actual
    path = words.general_path(leaf.path) if hidden else leaf.path
    kind = words.value_kind if hidden else structure.kind
    if isinstance(e, np.ndarray) and e.ndim > 0:
        if not isinstance(a, np.ndarray):
            shape = "" if hidden else f" of shape {e.shape}"
            return (f"{path} should be an array{shape}, got {kind(a)}",
                    f"return a numpy array{shape or ' with the shape the docstring gives'}")
        if a.shape != e.shape:
            if hidden:
                return words.shape_problem(path, e.shape, a.shape, orientation)
            return (f"{path} has shape {a.shape}, expected {e.shape}", shape_fix(path, e.shape, a.shape))
        return dtype_problem(path, e, a, hidden)
    if isinstance(e, (float, np.floating)) or (isinstance(e, np.ndarray) and e.ndim == 0):
        exact_float = isinstance(e, float) and not isinstance(e, np.floating)
        if isinstance(a, np.ndarray):
            if a.ndim == 0 and not exact_float:
                return dtype_problem(path, e, a, hidden)
            if a.ndim == 0:
                return (f"{path} should be a Python float, got a 0-d array",
                        f"convert it with float({path})")
            if hidden:
                return words.shape_problem(path, (), a.shape, orientation)
            return (f"{path} should be a scalar, got an array of shape {a.shape}", shape_fix(path, (), a.shape))
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, float, np.integer, np.floating)):
            return (f"{path} should be a float, got {kind(a)}", f"return {path} as a float")
        return None
    if isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_)):
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            return (f"{path} should be an int, got {kind(a)}", f"return {path} as an int")
        return None
    if isinstance(e, (bool, np.bool_)):
        if not isinstance(a, (bool, np.bool_)):
            return (f"{path} should be a bool, got {kind(a)}", f"return {path} as True or False")
        return None
    if type(a) is not type(e) and not (e is None and a is None):
        return (f"{path} should be {kind(e)}, got {kind(a)}", "")
    return None


def dtype_problem(path: str, expected, actual: np.ndarray, hidden: bool = False) -> tuple[str, str] | None:
    ekind = np.asarray(expected).dtype.kind
    akind = actual.dtype.kind
    # A dtype is the student's choice, and which one can depend on a hidden input: in words.
    has = f"holds {words.dtype_words(actual.dtype)}" if hidden else f"has dtype {actual.dtype}"
    # float32 vs float64 is a sane choice; ints or bools where floats are meant are not
    # (predictions are float 0./1. in the course, and integer arithmetic truncates).
    if ekind == "f" and akind != "f":
        expected_name = "" if hidden else f" ({np.asarray(expected).dtype})"
        return (f"{path} {has}, expected floating point{expected_name}",
                "convert it with .astype(float) (e.g. (A > 0.5).astype(float) for predictions)")
    if ekind in "iu" and akind not in "iu":
        return (f"{path} {has}, expected integers", "convert it with .astype(int)")
    if ekind == "b" and akind != "b":
        return (f"{path} {has}, expected bool", "")
    return None


class ShapesCheck(Check):
    name = "shapes"
    title = "outputs have the reference's shapes and types"
    order = 20

    def judge(self, run: FunctionRun) -> list:
        return self.judge_cases(run, lambda case_run: self.judge_case(run, case_run))

    def judge_case(self, run: FunctionRun, case_run: CaseRun) -> Finding | None:
        if not case_run.outcome.ok:
            return call_failure(run, case_run)
        case = case_run.case
        orientations = words.vector_orientations(run) if case.hidden else {}
        problems = []
        for item in structure.leaves(case_run.expected, case_run.outcome.value, run.output_names):
            if isinstance(item, structure.Mismatch):
                what = words.structure_problem(item) if case.hidden else f"{item.path}: {item.message}"
                problems.append((what, "return the same structure as described in the docstring"))
            else:
                problem = leaf_problem(item, case.hidden, orientations.get(item.path))
                if problem:
                    problems.append(problem)
        if not problems:
            return None
        message = "; ".join(dict.fromkeys(p[0] for p in problems))
        fix = "; ".join(dict.fromkeys(p[1] for p in problems if p[1]))
        return Finding(message=message, case=case.name, hidden=case.hidden, fix=fix)


CHECK = ShapesCheck()
