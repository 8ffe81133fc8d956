"""Keep what trusted code prints off the grader's console.

The grader's console shows the grader's own output only. The reference is trusted, but what it
prints while the grader computes with it (a case or a probe that asks for ``print_cost=True``)
has no reader there: :func:`quiet` sends it nowhere. Student code never prints here at all: it
runs in the sandbox, whose output is captured per call (and so is that of the session's
reference process, which answers the student's call-backs).
"""
from __future__ import annotations

import contextlib
import io


class _Discard(io.TextIOBase):
    """A text stream that keeps nothing, however much is printed into it."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


@contextlib.contextmanager
def quiet():
    """Inside, ``print`` and writes to ``sys.stdout`` / ``sys.stderr`` go nowhere. It swaps the
    process's streams: use it where no other thread prints (preparing a batch)."""
    with contextlib.redirect_stdout(_Discard()), contextlib.redirect_stderr(_Discard()):
        yield
