"""Shapes of expressions and broadcasting accidents, from the shapes of the names a line reads.

The locals observer reports, line by line, the shapes of the arrays bound to local variables;
:class:`ShapeEval` puts them through a line's AST to find arithmetic whose result is larger
than both operands (``(m,)`` minus ``(m, 1)`` gives ``(m, m)``). :func:`symbolic` writes a
shape with the names of the probe's sizes, ``(7,)`` with ``m = 7`` as ``(m,)``.
"""
from __future__ import annotations

import ast

import numpy as np

from grader.checks.analysis.submission_code import walk

ELEMENTWISE = {"exp", "log", "abs", "absolute", "sqrt", "tanh", "square", "negative", "log1p", "expm1",
               "sin", "cos", "maximum", "minimum", "where", "power", "multiply", "add", "subtract", "divide",
               "clip", "round", "floor", "ceil", "sign", "logaddexp", "copy", "array", "asarray", "float32",
               "float64"}


def symbolic(shape, sizes: dict) -> str:
    """(7,) with m = 7 -> "(m,)"; (5, 1) with n = 5 -> "(n, 1)"."""
    by_value = {}
    for name, value in sizes.items():
        by_value.setdefault(int(value), name)
    parts = [by_value.get(int(d), str(int(d))) if int(d) != 1 else "1" for d in shape]
    return "(" + parts[0] + ",)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def repeats_dimension(shape, sizes: dict) -> bool:
    """A shape that uses one of the probe's sizes twice, e.g. (m, m)."""
    values = set(int(v) for v in sizes.values())
    seen = [d for d in shape if d in values and d > 1]
    return len(seen) != len(set(seen))


def broadcast(left, right):
    """numpy's broadcast of two shapes, or None when they do not broadcast."""
    try:
        return tuple(np.broadcast_shapes(tuple(left), tuple(right)))
    except ValueError:
        return None


def expands_both(left, right) -> tuple | None:
    """The result shape when a broadcast is larger than both operands (an outer product), else None."""
    result = broadcast(left, right)
    if result is None:
        return None
    size = int(np.prod(result, dtype=np.int64))
    if size > int(np.prod(left, dtype=np.int64)) and size > int(np.prod(right, dtype=np.int64)) \
            and len(left) > 0 and len(right) > 0:
        return result
    return None


class ShapeEval:
    """Shapes of expression nodes, from the shapes of the names they read (None when unknown)."""

    def __init__(self, code_qualname, env: dict):
        self.qualname = code_qualname
        self.env = env

    def shape(self, node):
        if isinstance(node, ast.Name):
            value = self.env.get(node.id)
            return tuple(value) if value is not None else None
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return ()
        if isinstance(node, ast.UnaryOp):
            return self.shape(node.operand)
        if isinstance(node, ast.Attribute) and node.attr == "T":
            inner = self.shape(node.value)
            return tuple(reversed(inner)) if inner is not None else None
        if isinstance(node, ast.BinOp):
            left, right = self.shape(node.left), self.shape(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.MatMult):
                return _matmul(left, right)
            return broadcast(left, right)
        if isinstance(node, ast.Call):
            return self._call_shape(node)
        return None

    def _call_shape(self, node: ast.Call):
        qual = self.qualname(node.func) or ""
        last = qual.split(".")[-1]
        if qual.startswith("numpy.") and last in ("dot", "matmul") and len(node.args) == 2:
            left, right = self.shape(node.args[0]), self.shape(node.args[1])
            return _matmul(left, right) if left is not None and right is not None else None
        if qual.startswith("numpy.") and last in ELEMENTWISE and node.args:
            shapes = [self.shape(a) for a in node.args[:3 if last == "where" else 2]]
            if any(s is None for s in shapes):
                return None
            result = shapes[0]
            for s in shapes[1:]:
                result = broadcast(result, s) if result is not None else None
            return result
        return None

    def accidents(self, statement) -> list:
        """(node, left shape, right shape, result) for every arithmetic that expands both operands."""
        found = []
        for node in walk(statement):
            if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.MatMult):
                left, right = self.shape(node.left), self.shape(node.right)
                if left is None or right is None:
                    continue
                result = expands_both(left, right)
                if result is not None:
                    found.append((node, left, right, result))
        return found


def _matmul(left, right):
    if len(left) == 2 and len(right) == 2:
        return (left[0], right[1]) if left[1] == right[0] else None
    if len(left) == 1 and len(right) == 2:
        return (right[1],) if left[0] == right[0] else None
    if len(left) == 2 and len(right) == 1:
        return (left[0],) if left[1] == right[0] else None
    if len(left) == 1 and len(right) == 1:
        return () if left == right else None
    if not left or not right:
        return tuple(left or right)
    return None
