"""Child-side observers: small hooks a check attaches to a student's call.

Runs inside the sandboxed child (untrusted territory): an observer's report is evidence
the student's code could tamper with, so checks weigh it as one signal among several.

Protocol: ``OBSERVERS[name]()`` makes an observer; the child calls ``start(filenames)``
right before the student's function runs (``filenames``: the code filenames of the
student's chunks, e.g. ``{"<cell 7>"}``, so numpy and the standard library are never
counted) and ``stop()`` right after, which returns JSON-able plain data (dict of
str/int/float/list). An observer must never raise into the student's call.

Observers here:
- ``lines``: Python line events and calls executed in the student's code, per line and per
  code object (the vectorized check compares them across data sizes);
- ``locals``: the shapes of the ndarrays bound to the student's local variables, line by line
  (the rank1 check looks for rank-1 vectors and broadcasting accidents).

Both use ``sys.settrace`` (Python 3.11; ``sys.monitoring`` arrives in 3.12) through one
shared hub, so several observers can watch the same call. Code counts as the student's when
its filename is one of ``filenames``, is generated (``"<string>"``), or when the code object
was made after the child started (:class:`CodeOrigins`): ``compile(src, numpy.__file__,
"exec")`` can claim any file name, but not where the code object came from. numpy and the
standard library, loaded by the zygote before any student code, are never followed. Every
report says whether the tracer was still in place at ``stop()`` (``intact``): student code that
switched it off (``sys.settrace(None)``) or replaced it leaves ``intact: false``, which the
checks treat as suspicious, never as clean.
"""
from __future__ import annotations

import os
import sys
from types import CodeType

MAX_ENTRIES = 2000          # per report: bounds what a hostile submission can make us send
MAX_SNAPSHOTS = 4000        # locals snapshots per call (each costs a frame.f_locals)
MAX_ORIGINS = 20_000        # code objects remembered; past it, every frame counts as the student's


class CodeOrigins:
    """Code objects made while recording: the student's cells and whatever they build at run time.

    An audit hook (``sys.addaudithook``: code cannot remove it) sees every code object that is
    executed (``exec``/``eval``, which also load the cells), wrapped into a function
    (``types.FunctionType``) or swapped into one (``f.__code__ = ...``), and remembers it with
    the code objects nested in it. Recording starts in each sandboxed child at its fork, after
    the zygote has loaded numpy and the standard library and before any student code runs.
    """

    def __init__(self):
        self.codes: dict = {}       # id -> code object (kept alive, so an id is never reused)
        self.recording = False
        self.overflow = False       # too many to remember: count everything (never less)

    def made(self, code) -> bool:
        return self.overflow or self.codes.get(id(code)) is code

    def mark(self, code) -> None:
        todo = [code]
        while todo:
            current = todo.pop()
            if self.codes.get(id(current)) is current:
                continue
            if len(self.codes) >= MAX_ORIGINS:
                self.overflow = True
                return
            self.codes[id(current)] = current
            todo.extend(c for c in current.co_consts if type(c) is CodeType)

    def hook(self, event: str, args) -> None:
        if not self.recording:
            return
        try:
            if event in ("exec", "function.__new__"):
                code = args[0]
            elif event == "object.__setattr__" and len(args) == 3 and args[1] == "__code__":
                code = args[2]
            else:
                return
            if type(code) is CodeType:
                self.mark(code)
        except Exception:  # an audit hook that raises would abort the student's operation
            pass


ORIGINS = CodeOrigins()
_HOOKED: list = []


def record_code_origins() -> None:
    """Remember, from now on, every code object this process makes (see :class:`CodeOrigins`).

    Sandboxed children start at their fork; a process that runs student code itself (tests,
    tools) calls it before loading that code."""
    if not _HOOKED:
        sys.addaudithook(ORIGINS.hook)
        _HOOKED.append(True)
    ORIGINS.recording = True


def _after_fork() -> None:
    # Only the zygote's children run student code; other processes that fork keep quiet.
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if getattr(spec, "name", None) == "grader.sandbox.zygote":
        ORIGINS.codes.clear()
        ORIGINS.overflow = False
        record_code_origins()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def is_students(code, filenames) -> bool:
    """The student's chunks, code generated at run time (exec/eval/compile of a string), or
    code the student made under any file name (``code``: a code object, or a filename)."""
    if isinstance(code, CodeType):
        if ORIGINS.made(code):
            return True
        code = code.co_filename
    return code in filenames or (code.startswith("<") and not code.startswith("<frozen"))


class _Hub:
    """One sys.settrace tracer shared by the active observers."""

    def __init__(self):
        self.active: list = []
        self.filenames: frozenset = frozenset()
        self.previous = None
        self.trace = self._global   # one bound-method object, so stop() can compare identity
        self.local = self._local

    def attach(self, observer, filenames) -> None:
        if not self.active:
            self.previous = sys.gettrace()
            self.filenames = frozenset(filenames)
            self.active.append(observer)
            sys.settrace(self.trace)
        else:
            self.filenames = self.filenames | frozenset(filenames)
            self.active.append(observer)

    def detach(self, observer) -> bool:
        """Remove an observer; True when the tracer was still ours until now."""
        intact = sys.gettrace() is self.trace
        if observer in self.active:
            self.active.remove(observer)
        if not self.active:
            sys.settrace(self.previous)
            self.previous = None
        return intact

    def _global(self, frame, event, arg):
        try:
            if not is_students(frame.f_code, self.filenames):
                return None
            for observer in self.active:
                observer.on_call(frame)
            return self.local
        except Exception:
            return None

    def _local(self, frame, event, arg):
        try:
            for observer in self.active:
                observer.on_event(frame, event, arg)
        except Exception:
            pass
        return self.local


HUB = _Hub()


class LineCounter:
    """Counts line events per (file, line) and calls per code object in the student's code."""

    def __init__(self):
        self.lines: dict = {}
        self.calls: dict = {}
        self.events = 0
        self.started = False

    def start(self, filenames) -> None:
        try:
            HUB.attach(self, filenames)
            self.started = True
        except Exception:
            self.started = False

    def on_call(self, frame) -> None:
        code = frame.f_code
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        self.calls[key] = self.calls.get(key, 0) + 1
        self.events += 1

    def on_event(self, frame, event, arg) -> None:
        if event == "line":
            key = (frame.f_code.co_filename, frame.f_lineno)
            self.lines[key] = self.lines.get(key, 0) + 1
            self.events += 1

    def stop(self) -> dict:
        intact = HUB.detach(self) if self.started else False
        lines = sorted(self.lines.items())[:MAX_ENTRIES]
        calls = sorted(self.calls.items())[:MAX_ENTRIES]
        return {
            "intact": bool(intact and self.started),
            "events": int(self.events),
            "lines": [[f, int(n), int(c)] for (f, n), c in lines],
            "calls": [[f, int(first), str(name), int(c)] for (f, first, name), c in calls],
        }


def _shape_of(value):
    """The shape of an ndarray (exact type), [] for a Python or numpy scalar, None otherwise."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and type(value) is numpy.ndarray:
        return [int(d) for d in value.shape], str(value.dtype)
    if type(value) in (int, float) or (numpy is not None and isinstance(value, numpy.generic)
                                       and not isinstance(value, numpy.bool_)):
        return [], type(value).__name__
    return None


class LocalShapes:
    """The shapes of arrays bound to local variables of the student's frames, line by line.

    ``bound``: ``[file, line, function, name, shape, dtype]`` the first time a local holds an
    array of that shape, with ``line`` the line that bound it (the frame's previous line).
    ``before``: ``[file, line, function, {name: shape}]``, the array and scalar locals just
    before a line runs, for the first few times each line runs (operand shapes, for the
    parent's broadcasting analysis).
    """

    def __init__(self):
        self.bound: dict = {}
        self.before: dict = {}
        self.frames: dict = {}      # id(frame) -> (previous line, {name: shape})
        self.snapshots = 0
        self.started = False

    def start(self, filenames) -> None:
        try:
            HUB.attach(self, filenames)
            self.started = True
        except Exception:
            self.started = False

    def on_call(self, frame) -> None:
        self.frames[id(frame)] = (frame.f_lineno, {})

    def on_event(self, frame, event, arg) -> None:
        if event not in ("line", "return") or self.snapshots >= MAX_SNAPSHOTS:
            return
        self.snapshots += 1
        code = frame.f_code
        previous_line, previous = self.frames.get(id(frame), (frame.f_lineno, {}))
        shapes = {}
        for name, value in list(frame.f_locals.items()):
            described = _shape_of(value)
            if described is not None:
                shapes[name] = described
        binding_line = frame.f_lineno if event == "return" else previous_line
        for name, (shape, dtype) in shapes.items():
            old = previous.get(name)
            if old is None or old[0] != shape:
                key = (code.co_filename, binding_line, code.co_name, name, tuple(shape))
                if key not in self.bound and len(self.bound) < MAX_ENTRIES:
                    self.bound[key] = dtype
        if event == "line":
            key = (code.co_filename, frame.f_lineno, code.co_name)
            seen = self.before.setdefault(key, [])
            snapshot = {name: shape for name, (shape, _) in shapes.items()}
            if len(seen) < 3 and snapshot not in seen and len(self.before) < MAX_ENTRIES:
                seen.append(snapshot)
            self.frames[id(frame)] = (frame.f_lineno, shapes)
        else:
            self.frames.pop(id(frame), None)

    def stop(self) -> dict:
        intact = HUB.detach(self) if self.started else False
        self.frames.clear()
        return {
            "intact": bool(intact and self.started),
            "bound": [[f, int(line), fn, name, list(shape), dtype]
                      for (f, line, fn, name, shape), dtype in sorted(self.bound.items())],
            "before": [[f, int(line), fn, snapshot] for (f, line, fn), snapshots in sorted(self.before.items())
                       for snapshot in snapshots],
        }


OBSERVERS: dict = {"lines": LineCounter, "locals": LocalShapes}
