"""Function signatures read from syntax trees (never by importing): shared by the reference
and the submission loader, which compares a student's ``def`` line with the reference's."""
from __future__ import annotations

import ast
from dataclasses import dataclass


def parameters(args: ast.arguments) -> list[str]:
    """Parameter names in order; ``*args`` and ``**kwargs`` keep their stars."""
    names = [a.arg for a in args.posonlyargs + args.args]
    if args.vararg:
        names.append("*" + args.vararg.arg)
    names += [a.arg for a in args.kwonlyargs]
    if args.kwarg:
        names.append("**" + args.kwarg.arg)
    return names


def defaults(args: ast.arguments) -> set[str]:
    """Names of the parameters that have a default value."""
    positional = args.posonlyargs + args.args
    named = {a.arg for a in positional[len(positional) - len(args.defaults):]} if args.defaults else set()
    return named | {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None}


def text(args: ast.arguments) -> str:
    """The parameter list as written (``w, b, X, Y, num_iterations=100``)."""
    try:
        return ast.unparse(args)
    except RecursionError:  # a default value nested thousands deep
        return ", ".join(parameters(args))


@dataclass(frozen=True)
class Signature:
    params: tuple
    with_defaults: frozenset
    text: str

    @classmethod
    def of(cls, node: ast.FunctionDef | ast.AsyncFunctionDef) -> "Signature":
        return cls(tuple(parameters(node.args)), frozenset(defaults(node.args)), text(node.args))
