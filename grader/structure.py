"""Walk a reference output and a student output side by side.

Both are plain data (decoded by the sandbox's codec): ndarrays, numpy scalars, Python
scalars, str/None, and lists/tuples/dicts of those. The walk yields structural
mismatches (a missing dict key, a list of the wrong length, a dict where a tuple was
expected) and the pairs of leaves to compare, each with a readable path such as
``grads["dw"]`` or ``costs[3]``; the shapes and values checks judge the leaves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

SCALARS = (bool, int, float, complex, np.generic)


@dataclass
class Leaf:
    path: str
    expected: Any
    actual: Any


@dataclass
class Mismatch:
    path: str
    message: str


def kind(value) -> str:
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
    """Yield Leafs to compare and Mismatches in structure; ``output_names`` names a top tuple's items."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield Mismatch(path, f"expected a dict with keys {', '.join(map(repr, expected))}, got {kind(actual)}")
            return
        for key, value in expected.items():
            if key not in actual:
                yield Mismatch(path, f"the dict has no key {key!r} (expected keys: {', '.join(map(repr, expected))})")
            else:
                yield from walk(value, actual[key], child_path(path, key))
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            what = "several values" if isinstance(expected, tuple) else "a list"
            yield Mismatch(path, f"expected {what} ({kind(expected)}), got {kind(actual)}")
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


def shape_of(value) -> tuple | None:
    """The shape a value has for the shapes check: arrays their shape, scalars ()."""
    if isinstance(value, np.ndarray):
        return value.shape
    if isinstance(value, SCALARS):
        return ()
    return None


def preview(value, limit: int = 400) -> str:
    """A compact, deterministic text of a (public) value for feedback."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=8, threshold=40, edgeitems=3, separator=", ")
        text = f"array({text}, shape={value.shape})" if value.ndim else f"array({text})"
    elif isinstance(value, (float, np.floating)):
        text = repr(float(value)) if isinstance(value, float) else f"{type(value).__name__}({float(value)!r})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
