"""What a finding about a hidden case may say: the kind of failure, in words.

A hidden case's inputs, sizes and expected values stay hidden, and the student's code can put
any of them into what it controls: an exception class's name, a returned dict's keys, the
shape or length of what it returns, the file a traceback points at. Findings on hidden cases
are therefore built from the words below (builtin and numpy exception names, kinds of value
without sizes or keys, shape mistakes named in words), never from such text.
"""
from __future__ import annotations

import builtins
import re

import numpy as np

from grader.checks.analysis import compare

OWN_EXCEPTION = "an exception of a class your code defines"
_TOKEN = re.compile(r"\s*([A-Za-z_][\w.]*)")
_INDEX = re.compile(r"\[\d+\]")


def _known_exception_names() -> frozenset:
    """Builtin exception names, and numpy's as a traceback spells them (``numpy.linalg.LinAlgError``)."""
    names = {name for name, value in vars(builtins).items()
             if isinstance(value, type) and issubclass(value, BaseException)}
    todo = [value for module in (np, np.linalg, getattr(np, "exceptions", None)) if module is not None
            for value in vars(module).values() if isinstance(value, type) and issubclass(value, BaseException)]
    seen: set = set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if cls.__module__.split(".")[0] == "numpy":
            names.add(f"{cls.__module__}.{cls.__qualname__}")
            todo.extend(cls.__subclasses__())
    return frozenset(names)


KNOWN_EXCEPTIONS = _known_exception_names()


def exception_name(error: str) -> str | None:
    """The builtin or numpy exception class an error text names, or None (a class the student made)."""
    for line in (error or "").splitlines():
        match = _TOKEN.match(line)
        if match and match.group(1) in KNOWN_EXCEPTIONS:
            return match.group(1)
    return None


def value_kind(value) -> str:
    """What a value is, without its shape, length or keys."""
    if isinstance(value, np.ndarray):
        return "a 0-d array" if value.ndim == 0 else "an array"
    if isinstance(value, np.generic):
        return "a numpy scalar"
    for kind, words in ((bool, "a bool"), (int, "a Python int"), (float, "a Python float"),
                        (complex, "a Python complex"), (str, "a str"), (dict, "a dict"),
                        (list, "a list"), (tuple, "a tuple")):
        if isinstance(value, kind):
            return words
    return "None" if value is None else "another kind of value"


def dtype_words(dtype) -> str:
    return {"b": "booleans", "i": "integers", "u": "integers", "f": "floating point numbers",
            "c": "complex numbers"}.get(np.dtype(dtype).kind, "values that are not numbers")


def general_path(path: str) -> str:
    """``costs[17]`` -> ``costs[k]``: which entry differs would reveal how many there are."""
    return _INDEX.sub("[k]", path)


def structure_problem(mismatch: compare.Mismatch) -> str:
    """A structural mismatch without what the student returned (its keys, length or shape)."""
    path = general_path(mismatch.path)
    if mismatch.kind == "missing_key":  # its message names the reference's keys only
        return f"{path}: {mismatch.message}"
    return f"{path}: its structure differs from the reference's (another kind of value, another number of items, " \
           f"or other dict keys)"


def vector_orientations(run) -> dict:
    """Output path -> "column" or "row", from the public cases' expected outputs.

    A hidden case's own shape cannot tell: with one example, a row (1, m) is (1, 1) too, and
    calling it a column would reveal that its size is 1."""
    found: dict = {}
    for case_run in run.group(False):
        for leaf in compare.leaves(case_run.expected, case_run.expected, run.output_names):
            shape = getattr(leaf, "expected", None)
            shape = shape.shape if isinstance(shape, np.ndarray) else ()
            if len(shape) == 2 and 1 in shape and shape != (1, 1):
                found.setdefault(leaf.path, "column" if shape[1] == 1 else "row")
    return found


def vector_words(orientation: str | None) -> tuple[str, str]:
    """("a 2-D column vector", ".reshape(-1, 1)") for the orientation, or both when unknown."""
    if orientation == "column":
        return "a 2-D column vector", ".reshape(-1, 1)"
    if orientation == "row":
        return "a 2-D row vector", ".reshape(1, -1)"
    return "a 2-D vector", ".reshape(-1, 1) for a column or .reshape(1, -1) for a row"


def shape_problem(path: str, expected: tuple, actual: tuple, orientation: str | None) -> tuple[str, str, str]:
    """(what is wrong, how to fix, which mistake) for a shape mismatch on a hidden case: no
    numbers, no size names (the mistakes as :func:`compare.shape_mistake` names them)."""
    mistake = compare.shape_mistake(expected, actual)
    if mistake == "rank1":
        vector, reshape = vector_words(orientation)
        return (f"{path} is a rank-1 array where {vector} is expected",
                f"keep vectors 2-D: create them with two dimensions (np.zeros((k, 1)) rather than np.zeros(k)), "
                f"keep reductions 2-D with keepdims=True, or reshape with {reshape}", mistake)
    if mistake == "scalar":
        return (f"{path} should be a scalar, got an array",
                f"if it holds one number, use np.squeeze({path}) or float(...); otherwise check the formula", mistake)
    if mistake == "transposed":
        return (f"{path} is transposed (its two dimensions are swapped)",
                "check the order of the operands of np.dot (or use .T)", mistake)
    if mistake == "larger":
        return (f"{path} is larger than the reference's",
                "this is usually broadcasting between a rank-1 array and a 2-D one: keep every vector 2-D", mistake)
    return f"{path} has a different shape from the reference's", "compare with the shape the docstring gives", mistake
