"""Python parsed into syntax trees, one thread at a time.

CPython 3.11 keeps the depth of the tree it is converting into Python objects in one counter per
interpreter, not per thread (python/cpython#106905): two threads parsing at once can make either
fail with ``SystemError: AST constructor recursion depth mismatch``. The grader parses in its
loading threads while its judging thread analyses code, so every ``ast.parse`` of grading goes
through :func:`parse`, under one lock. Parsing is short; the wait is bounded all the same, and
past it the parse goes ahead unguarded (the race is rare, a hang is not an option).
"""
from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()
WAIT_SECONDS = 60.0   # far longer than parsing the largest submission the grader reads takes


def parse(source, filename: str = "<unknown>", mode: str = "exec", **kwargs) -> ast.AST:
    """``ast.parse`` while no other thread of this process parses."""
    held = _LOCK.acquire(timeout=WAIT_SECONDS)
    try:
        return ast.parse(source, filename, mode, **kwargs)
    finally:
        if held:
            _LOCK.release()
