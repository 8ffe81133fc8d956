"""Compare a function's output with the expected one: structure, shapes and types, values.

One comparison for both sides. The grader's shapes and values checks judge every case with
it, and ``grader generate`` copies this file, unchanged, next to the students' public tests
(as ``grader_compare.py``), so a public case fails in the notebook exactly when it fails when
graded, with the same words. That is why it imports numpy and the standard library only,
never ``grader``.

- :func:`leaves` walks the expected and the actual output side by side: structural
  :class:`Mismatch` es (a missing dict key, a wrong number of items) and the :class:`Leaf`
  pairs to judge, each with a readable path (``grads['dw']``, ``costs[3]``);
- :func:`shape_problem` judges a leaf's shape and type (the shapes lesson), :func:`value_problem`
  its values within a tolerance; :func:`structure_problem` words a mismatch; each gives a
  :class:`Problem` (which check, what kind, where, what, how to fix, expected vs got) or None;
- :func:`compare` is all of that for one output;
- :func:`run_public_tests` is the students' side: call their function on the public cases,
  print a line when all pass, raise :class:`PublicTestFailed` with every problem otherwise.

Rules, as the course teaches them: shapes are exact (``(n,)`` is not ``(n, 1)``; ``np.allclose``
would broadcast them and call them equal); where a float is expected, an int or a bool is wrong
(``0`` for ``0.0``, an int array where the reference computes floats), and where the reference
returns a Python float a 0-d array is refused too; where the reference returns bools (labels
from a comparison), bools and 0/1 numbers all do: the values are then compared as numbers.
Values are compared within ``rtol``/``atol`` once the shapes agree, or differ by size-1
dimensions alone (then the shapes check has taken its points, and one mistake is not charged
twice); a NaN where the expected value has a number fails. An int or a bool that differs is
told as it is ("n is 6, expected 1"): a tolerance means nothing for them. A dict may hold keys
beyond the expected ones; lists and tuples stand in for each other.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

SHAPES = "shapes"
VALUES = "values"
STRUCTURE_FIX = "return the same structure as described in the docstring"
NOT_WRITTEN = ("{name} is not written yet: replace '# YOUR CODE HERE' and "
               "'raise NotImplementedError()' with your code")


@dataclass
class Leaf:
    path: str
    expected: Any
    actual: Any


@dataclass
class Mismatch:
    path: str
    message: str
    kind: str = "structure"       # "missing_key", or "structure": another kind of value or number of items


@dataclass
class Problem:
    """One thing wrong with an output, for one check."""

    check: str                    # SHAPES or VALUES: the check whose points it costs
    kind: str                     # a fixed code (see shape_problem, value_problem) to word it otherwise
    where: str                    # the output's path, e.g. "grads['dw']"
    what: str                     # what is wrong, naming where
    fix: str = ""                 # how to fix it, when there is a usual way
    expected: Any = None          # the expected value at ``where``
    got: Any = None               # the actual value there


# --------------------------------------------------------------------------- walking


def describe(value) -> str:
    """A short, student-facing name for a value's type and shape."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})" if value.ndim else f"a 0-d array ({value.dtype})"
    if isinstance(value, np.generic):
        return f"a numpy scalar ({type(value).__name__})"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float, complex)):
        return f"a Python {type(value).__name__}"
    if value is None:
        return "None"
    if isinstance(value, str):
        return "a str"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, dict):
        return f"a dict with keys {', '.join(map(repr, value))}" if value else "an empty dict"
    return f"a {type(value).__name__}"


def child_path(path: str, key) -> str:
    return f"{path}[{key!r}]" if isinstance(key, str) else f"{path}[{key}]"


def walk(expected, actual, path: str, output_names: list | None = None) -> Iterator[Leaf | Mismatch]:
    """Leafs to compare and Mismatches in structure; ``output_names`` names a top tuple's items."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield Mismatch(path, f"expected a dict with keys {', '.join(map(repr, expected))}, got {describe(actual)}")
            return
        for key, value in expected.items():
            if key not in actual:
                yield Mismatch(path, f"the dict has no key {key!r} (expected keys: {', '.join(map(repr, expected))})",
                               kind="missing_key")
            else:
                yield from walk(value, actual[key], child_path(path, key))
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            what = "several values" if isinstance(expected, tuple) else "a list"
            yield Mismatch(path, f"expected {what} ({describe(expected)}), got {describe(actual)}")
            return
        if len(actual) != len(expected):
            yield Mismatch(path, f"expected {len(expected)} items, got {len(actual)}")
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            name = output_names[i] if output_names and i < len(output_names) else None
            yield from walk(e, a, name or child_path(path, i))
        return
    yield Leaf(path, expected, actual)


def top_path(output_names: list | None) -> str:
    """The name of a whole return value: its variable in the reference, or 'the result'."""
    if output_names and len(output_names) == 1:
        return output_names[0]
    return "the result"


def leaves(expected, actual, output_names: list | None = None) -> Iterator[Leaf | Mismatch]:
    if isinstance(expected, tuple) and output_names and len(output_names) == len(expected):
        return walk(expected, actual, "the result", output_names)
    return walk(expected, actual, top_path(output_names))


def structure_problem(mismatch: Mismatch, check: str) -> Problem:
    """A structural mismatch costs both checks: there is no leaf to judge."""
    return Problem(check, mismatch.kind, mismatch.path, f"{mismatch.path}: {mismatch.message}",
                   STRUCTURE_FIX if check == SHAPES else "")


# --------------------------------------------------------------------------- shapes and types


def shape_mistake(expected: tuple, actual: tuple) -> str:
    """Which shape mistake it is: "rank1" (a (k,) array for a 2-D vector), "scalar" (an array for a
    number), "transposed", "larger" (usually a broadcast), or "shape" (another shape)."""
    if len(actual) == 1 and len(expected) == 2 and 1 in expected:
        return "rank1"
    if expected == ():
        return "scalar"
    if len(expected) == 2 and len(actual) == 2 and expected == actual[::-1]:
        return "transposed"
    if len(actual) > len(expected) or np.prod(actual, dtype=np.int64) > np.prod(expected or (1,), dtype=np.int64):
        return "larger"
    return "shape"


def shape_fix(path: str, expected: tuple, actual: tuple) -> str:
    """The usual fix for a shape mismatch, in the course's words."""
    mistake = shape_mistake(expected, actual)
    if mistake == "rank1" and actual[0] in expected:
        return (f"{path} is a rank-1 array {actual}: the course keeps vectors 2-D. Create it with two "
                f"dimensions (np.zeros((k, 1)) rather than np.zeros(k)), keep reductions 2-D with "
                f"keepdims=True, or reshape with .reshape({expected[0]}, {expected[1]})")
    if mistake == "scalar" and actual and all(d == 1 for d in actual):
        return f"{path} should be a scalar: use np.squeeze({path}) or float(...) to drop the size-1 dimensions"
    if mistake == "transposed":
        return f"{path} is transposed: check the order of the operands of np.dot (or use .T)"
    if mistake == "larger":
        return (f"{path} is larger than expected: this is usually broadcasting between a rank-1 array "
                f"(k,) and a 2-D one (1, k); keep every vector 2-D")
    return f"compute {path} so that it has shape {expected}"


def dtype_expectation(expected, actual: np.ndarray) -> tuple[str, str] | None:
    """(the dtype expected, in words; how to fix) when ``actual``'s dtype is not a sane choice.

    float32 for float64 is sane; ints or bools where floats are meant are not (integer arithmetic
    truncates, and numpy refuses to subtract bools). Where the reference returns bools (labels
    from a comparison), bools and 0/1 numbers of any numeric dtype are fair: every use of labels
    (comparing, counting, averaging) works on both, and the values check compares them as numbers."""
    ekind, akind = np.asarray(expected).dtype.kind, actual.dtype.kind
    if ekind == "f" and akind != "f":
        made = "a comparison gives bools" if akind == "b" else "integer arithmetic truncates"
        return "floating point", f"convert it with .astype(float) ({made})"
    if ekind in "iu" and akind not in "iu":
        return "integers", "convert it with .astype(int)"
    if ekind == "b" and akind not in "biuf":
        return "bool", "return the result of a comparison (True/False), or 0 and 1 as numbers"
    return None


def _dtype_problem(path: str, expected, actual: np.ndarray) -> Problem | None:
    found = dtype_expectation(expected, actual)
    if found is None:
        return None
    words, fix = found
    if words == "floating point":
        words += f" ({np.asarray(expected).dtype})"
    return Problem(SHAPES, "dtype", path, f"{path} has dtype {actual.dtype}, expected {words}", fix, expected, actual)


def shape_problem(leaf: Leaf, path: str | None = None, describe=describe) -> Problem | None:
    """What is wrong with an output's shape or type, or None.

    Kinds: ``not_array``, ``shape`` (also an array where a scalar is expected), ``dtype``,
    ``zero_d`` (a 0-d array for a Python float), ``not_float``, ``not_int``, ``not_bool``, ``type``.
    ``path`` and ``describe`` let the grader word it without an index or a size."""
    e, a = leaf.expected, leaf.actual
    path = leaf.path if path is None else path

    def problem(kind: str, what: str, fix: str = "") -> Problem:
        return Problem(SHAPES, kind, path, what, fix, e, a)

    if isinstance(e, np.ndarray) and e.ndim > 0:
        if not isinstance(a, np.ndarray):
            return problem("not_array", f"{path} should be an array of shape {e.shape}, got {describe(a)}",
                           f"return a numpy array of shape {e.shape}")
        if a.shape != e.shape:
            return problem("shape", f"{path} has shape {a.shape}, expected {e.shape}", shape_fix(path, e.shape, a.shape))
        return _dtype_problem(path, e, a)
    if isinstance(e, (float, np.floating)) or (isinstance(e, np.ndarray) and e.ndim == 0):
        # A Python float, a numpy float or a 0-d array all do, unless the reference returns a
        # Python float: then the course fixes that type, and a 0-d array is refused.
        exact_float = isinstance(e, float) and not isinstance(e, np.floating)
        if isinstance(a, np.ndarray):
            if a.ndim == 0 and not exact_float:
                return _dtype_problem(path, e, a)
            if a.ndim == 0:
                return problem("zero_d", f"{path} should be a Python float, got a 0-d array",
                               f"convert it with float({path})")
            return problem("shape", f"{path} should be a scalar, got an array of shape {a.shape}",
                           shape_fix(path, (), a.shape))
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, float, np.integer, np.floating)):
            return problem("not_float", f"{path} should be a float, got {describe(a)}", f"return {path} as a float")
        if isinstance(a, (int, np.integer)) and np.asarray(e).dtype.kind == "f":
            return problem("not_float", f"{path} should be a float, got {describe(a)}",
                           f"return {path} as a float: write 0.0 rather than 0, or convert with float(...)")
        return None
    if isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_)):
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            return problem("not_int", f"{path} should be an int, got {describe(a)}", f"return {path} as an int")
        return None
    if isinstance(e, (bool, np.bool_)):
        # as for arrays of bools: a bool, or a 0/1 number (the values check compares them)
        if not isinstance(a, (bool, np.bool_, int, float, np.integer, np.floating)):
            return problem("not_bool", f"{path} should be a bool, got {describe(a)}", f"return {path} as True or False")
        return None
    if type(a) is not type(e) and not (e is None and a is None):
        return problem("type", f"{path} should be {describe(e)}, got {describe(a)}")
    return None


# --------------------------------------------------------------------------- values


def _squeezed(shape: tuple) -> tuple:
    return tuple(d for d in shape if d != 1)


def value_problem(leaf: Leaf, rtol: float, atol: float, path: str | None = None,
                  describe=describe) -> Problem | None:
    """Why an output's value differs from the expected one, or None when it matches.

    Kinds: ``value`` (a str or None that differs), ``not_number``, ``shape`` (shapes too far
    apart to compare), ``nan``, ``tolerance``, ``exact`` (an int or a bool that differs, told with
    both values). ``path`` and ``describe`` as in shape_problem."""
    e, a = leaf.expected, leaf.actual
    path = leaf.path if path is None else path

    def problem(kind: str, what: str) -> Problem:
        return Problem(VALUES, kind, path, what, "", e, a)

    if e is None or isinstance(e, str):
        return None if type(a) is type(e) and a == e else problem("value", f"{path} should be {e!r}")
    numeric = (bool, int, float, complex, np.generic, np.ndarray)
    if not isinstance(a, numeric) or isinstance(a, np.ndarray) and a.dtype.kind not in "biufc":
        return problem("not_number", f"{path} is {describe(a)}, which cannot be compared with a number")
    e_arr, a_arr = np.asarray(e), np.asarray(a)
    if e_arr.shape != a_arr.shape:
        if e_arr.size != a_arr.size or _squeezed(e_arr.shape) != _squeezed(a_arr.shape):
            return problem("shape", f"{path} cannot be compared: it has shape {a_arr.shape}, expected {e_arr.shape} "
                                    "(see the shapes check)")
        a_arr = a_arr.reshape(e_arr.shape)
    e_f = e_arr.astype(np.complex128 if "c" in (e_arr.dtype.kind, a_arr.dtype.kind) else np.float64)
    try:
        a_f = a_arr.astype(e_f.dtype)
    except (TypeError, ValueError):
        return problem("not_number", f"{path} is {describe(a)}, which cannot be compared with a number")
    new_nan = np.isnan(a_f) & ~np.isnan(e_f)
    if new_nan.any():
        return problem("nan", f"{path} contains NaN at {int(new_nan.sum())} of {a_f.size} entries where the "
                              "reference has a number (often log(0) or 0/0: check the formula)")
    if (a_f == e_f).all():      # equal is close; most outputs are, and isclose costs ten times more
        return None
    close = np.isclose(a_f, e_f, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    counted = e_arr.dtype.kind in "biu"  # ints and bools: a tolerance means nothing to a student
    if a_f.ndim == 0 and counted:
        return problem("exact", f"{path} is {_plain(a)!r}, expected {_plain(e)!r}")
    if a_f.ndim == 0:
        return problem("tolerance", f"{path} differs from the reference beyond the tolerance "
                                    f"(rtol={rtol:g}, atol={atol:g})")
    tolerance = "" if counted else f" (rtol={rtol:g}, atol={atol:g})"
    return problem("tolerance", f"{path} differs from the reference at {int((~close).sum())} of {a_f.size} "
                                f"entries{tolerance}")


def _plain(value):
    """A number as Python writes it: np.int64(6) -> 6, a 0-d array -> its item."""
    return value.item() if isinstance(value, (np.generic, np.ndarray)) else value


# --------------------------------------------------------------------------- one output


def compare(expected, actual, rtol: float, atol: float, output_names: list | None = None) -> list:
    """Every Problem of one output, for both checks, in the order of its parts."""
    problems = []
    for item in leaves(expected, actual, output_names):
        if isinstance(item, Mismatch):
            problems += [structure_problem(item, SHAPES), structure_problem(item, VALUES)]
        else:
            problems += [p for p in (shape_problem(item), value_problem(item, rtol, atol)) if p is not None]
    return problems


def preview(value, limit: int = 400) -> str:
    """A compact, deterministic text of a value, as the student would print it."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=8, threshold=40, edgeitems=3, separator=", ")
        text = f"array({text}, shape={value.shape})" if value.ndim else f"array({text})"
    elif isinstance(value, (float, np.floating)):
        text = repr(float(value)) if isinstance(value, float) else f"{type(value).__name__}({float(value)!r})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- the students' side


class PublicTestFailed(AssertionError):
    """Some public cases failed: the message is for the student; ``problems`` maps each failed
    case's label to its Problems."""

    def __init__(self, message: str, problems: dict):
        super().__init__(message)
        self.problems = problems


def told(problems: list) -> str:
    """Problems as the student reads them: each once, with its fix, and the values that differ."""
    lines, seen = [], set()
    shaped = {p.where for p in problems if p.check == SHAPES}
    for p in problems:
        if p.what in seen or (p.kind == "shape" and p.check == VALUES and p.where in shaped):
            continue  # a structure problem costs both checks; an unmatched shape is the shapes check's
        seen.add(p.what)
        lines.append(f"  - {p.what}")
        if p.fix:
            lines.append(f"    fix: {p.fix}")
        if p.kind in ("tolerance", "nan"):
            pad = "\n" + " " * len("    expected ")  # a 2-D array's rows under each other
            lines.append(f"    expected {preview(p.expected)}".replace("\n", pad))
            lines.append(f"    got      {preview(p.got)}".replace("\n", pad))
    return "\n".join(lines)


def run_public_tests(name: str, target, cases: list, rtol: float, atol: float,
                     output_names: list | None = None) -> None:
    """Call ``target`` on each public case ``(label, args, kwargs, expected[, np_seed])`` and
    compare; a case with ``np_seed`` seeds numpy's legacy random state first, as the grader does."""
    failed = {}
    for label, args, kwargs, expected, *np_seed in cases:
        try:
            if np_seed:
                np.random.seed(np_seed[0])
            got = target(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except NotImplementedError:
            raise AssertionError(NOT_WRITTEN.format(name=name)) from None
        problems = compare(expected, got, rtol, atol, output_names)
        if problems:
            failed[label] = problems
    if failed:
        text = "\n".join(f"{name}, {label}:\n{told(problems)}" for label, problems in failed.items())
        raise PublicTestFailed(f"{len(failed)} of {len(cases)} public tests failed\n{text}", failed)
    print(f"{name}: all {len(cases)} public tests passed.")
