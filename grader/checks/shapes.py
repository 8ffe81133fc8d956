"""shapes: every output has exactly the reference's shape, and a sane type and dtype.

Shapes are compared before any value (``np.allclose`` would broadcast ``(n,)`` against
``(n, 1)`` and call them equal). Scalars: where the reference returns a Python float or a
0-d array, a Python float, a numpy float scalar or a 0-d array are all accepted, but a
``(1, 1)`` array is not; where the reference returns a Python float (``b``, ``db``), a
0-d array is refused because the course fixes that type.
"""
from __future__ import annotations

import re

import numpy as np

from grader import structure
from grader.checks import Check, FunctionRun
from grader.checks.runs import call_failure
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


def leaf_problem(leaf: structure.Leaf) -> tuple[str, str] | None:
    """(what is wrong, how to fix) for one output, or None when its shape and type are right."""
    e, a, path = leaf.expected, leaf.actual, leaf.path
    if isinstance(e, np.ndarray) and e.ndim > 0:
        if not isinstance(a, np.ndarray):
            return (f"{path} should be an array of shape {e.shape}, got {structure.kind(a)}",
                    f"return a numpy array of shape {e.shape}")
        if a.shape != e.shape:
            return (f"{path} has shape {a.shape}, expected {e.shape}", shape_fix(path, e.shape, a.shape))
        return dtype_problem(path, e, a)
    if isinstance(e, (float, np.floating)) or (isinstance(e, np.ndarray) and e.ndim == 0):
        exact_float = isinstance(e, float) and not isinstance(e, np.floating)
        if isinstance(a, np.ndarray):
            if a.ndim == 0 and not exact_float:
                return dtype_problem(path, e, a)
            if a.ndim == 0:
                return (f"{path} should be a Python float, got a 0-d array",
                        f"convert it with float({path})")
            return (f"{path} should be a scalar, got an array of shape {a.shape}", shape_fix(path, (), a.shape))
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, float, np.integer, np.floating)):
            return (f"{path} should be a float, got {structure.kind(a)}", f"return {path} as a float")
        return None
    if isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_)):
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            return (f"{path} should be an int, got {structure.kind(a)}", f"return {path} as an int")
        return None
    if isinstance(e, (bool, np.bool_)):
        if not isinstance(a, (bool, np.bool_)):
            return (f"{path} should be a bool, got {structure.kind(a)}", f"return {path} as True or False")
        return None
    if type(a) is not type(e) and not (e is None and a is None):
        return (f"{path} should be {structure.kind(e)}, got {structure.kind(a)}", "")
    return None


def dtype_problem(path: str, expected, actual: np.ndarray) -> tuple[str, str] | None:
    ekind = np.asarray(expected).dtype.kind
    akind = actual.dtype.kind
    # float32 vs float64 is a sane choice; ints or bools where floats are meant are not
    # (predictions are float 0./1. in the course, and integer arithmetic truncates).
    if ekind == "f" and akind != "f":
        return (f"{path} has dtype {actual.dtype}, expected floating point ({np.asarray(expected).dtype})",
                f"convert it with .astype(float) (e.g. (A > 0.5).astype(float) for predictions)")
    if ekind in "iu" and akind not in "iu":
        return (f"{path} has dtype {actual.dtype}, expected integers", f"convert it with .astype(int)")
    if ekind == "b" and akind != "b":
        return (f"{path} has dtype {actual.dtype}, expected bool", "")
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
        problems = []
        for item in structure.leaves(case_run.expected, case_run.outcome.value, run.output_names):
            if isinstance(item, structure.Mismatch):
                problems.append((f"{item.path}: {item.message}", "return the same structure as described in the docstring"))
            else:
                problem = leaf_problem(item)
                if problem:
                    problems.append(problem)
        if not problems:
            return None
        case = case_run.case
        message = "; ".join(p[0] for p in problems)
        fix = "; ".join(dict.fromkeys(p[1] for p in problems if p[1]))
        if case.hidden:
            # Concrete sizes of a hidden case would reveal its inputs: name them by letter.
            message, fix = hide_sizes(message, case_run.expected), hide_sizes(fix, case_run.expected)
        return Finding(message=message, case=case.name, hidden=case.hidden, fix=fix)


_SHAPE = re.compile(r"\((\d+(?:, \d+)*,?)?\)")


def hide_sizes(text: str, expected) -> str:
    """Rewrite shapes like (7, 1) and (7,) as (a, 1) and (a,), consistently within one text.

    Size 1 stays (it is what rank-1 vs column is about); every other number becomes a letter.
    The ".reshape(7, 1)" in a fix is rewritten the same way."""
    letters: dict = {}

    def letter(number: str) -> str:
        if number == "1":
            return "1"
        if number not in letters:
            letters[number] = "abcdefgh"[len(letters) % 8]
        return letters[number]

    def shape(match) -> str:
        inside = match.group(1)
        if inside is None:
            return "()"
        parts = [p.strip() for p in inside.split(",") if p.strip()]
        body = ", ".join(letter(p) for p in parts)
        return f"({body},)" if len(parts) == 1 and inside.endswith(",") else f"({body})"

    return _SHAPE.sub(shape, text)


CHECK = ShapesCheck()
