"""One submission's session: its child (restarted after a timeout or crash), the chunks it
loads, and the calls, each with a deadline; call-backs go to the child's reference process."""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

from grader.outcomes import (ERROR, FORBIDDEN, KILLED, MEMORY, MISSING, OK, TIMEOUT, TOO_LARGE, WRONG_TYPE,
                             CallOutcome)
from grader.sandbox import frames, wire
from grader.sandbox.parent import CallTimeout, ChildGone, Output, death_reason
from grader.sandbox.zygote_link import SandboxError

CHILD_STATUSES = {OK, ERROR, MEMORY, FORBIDDEN, WRONG_TYPE, MISSING, TOO_LARGE}
MAX_TEXT = 20_000


@dataclass
class ChunkReport:
    """How loading one chunk of the student's code went."""

    filename: str
    ok: bool
    status: str = OK              # ok | error | memory | forbidden | timeout | killed
    error: str = ""
    traceback: str = ""
    line: int | None = None
    stdout: str = ""


class Session:
    """One submission's child (restarted transparently after a timeout or crash)."""

    def __init__(self, sandbox, chunks, student: str = "", calls=None):
        self.sandbox = sandbox
        self.student = student
        self.calls = calls          # grader.versions.CallShapes, or None
        self.chunks = [(str(c.filename), str(c.source)) for c in chunks]
        self.limits = sandbox.limits
        self.deadline = time.monotonic() + float(self.limits.submission_seconds)
        self.load_report: list[ChunkReport] = []
        self.children_started = 0
        self._fatal: set[int] = set()     # chunks that killed or hung their child: not reloaded
        self._child = None
        self._closed = False
        self._start()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._drop_child()
        finally:
            self.sandbox.release_slot()

    @property
    def layers(self) -> dict:
        return self._child.layers if self._child is not None else self.sandbox.known_layers

    @property
    def budget_left(self) -> float:
        return self.deadline - time.monotonic()

    def kill(self) -> None:
        """From any thread: spend the session's time budget and kill its processes now. A call
        in progress returns at once (its child is gone); later calls return without running."""
        self.deadline = time.monotonic()
        child = self._child
        if child is None or not child.alive:
            return
        pids = [child.pid] + ([child.worker.pid] if child.worker is not None else [])
        for pid in pids:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    @property
    def max_callbacks(self) -> int:
        return self.sandbox.max_callbacks

    # ----------------------------------------------------------- loading

    def _start(self) -> bool:
        """Start a child and load the chunks; False when the time budget ran out."""
        while True:
            if self.budget_left <= 0:
                return False
            self._child = self.sandbox.spawn(self.deadline)
            self.children_started += 1
            restarted = False
            for index, (filename, source) in enumerate(self.chunks):
                if index in self._fatal:
                    continue
                report = self._exec(filename, source)
                if index == len(self.load_report):
                    self.load_report.append(report)
                if report.status in (TIMEOUT, KILLED):
                    self._drop_child()
                    if self.budget_left <= 0:
                        return False
                    self._fatal.add(index)
                    restarted = True
                    break
            if not restarted:
                return True

    def _exec(self, filename: str, source: str) -> ChunkReport:
        child = self._child
        out = Output(self.limits.output_kib * 1024)
        deadline = min(self.deadline, time.monotonic() + float(self.limits.call_seconds))
        try:
            seq = child.next_seq()
            header, _ = child.exchange(frames.pack({"op": "exec", "filename": filename, "source": source,
                                                    "seq": seq}), deadline, out, seq=seq)
        except CallTimeout:
            return ChunkReport(filename, False, TIMEOUT, self._timeout_text(deadline, "loading this code"),
                               stdout=out.text())
        except ChildGone as exc:
            status = self.sandbox.finish_child(child)
            reason = death_reason(status, self.limits, str(exc))
            return ChunkReport(filename, False, KILLED, f"the process died while loading this code: {reason}",
                               stdout=out.text())
        status = header.get("status") if header.get("status") in CHILD_STATUSES else ERROR
        return ChunkReport(filename, status == OK, status, _text(header.get("error")),
                           _text(header.get("traceback")), _line(header.get("line")), out.text())

    def _drop_child(self) -> None:
        if self._child is not None:
            self.sandbox.finish_child(self._child, want_status=False)
            self._child = None

    def _timeout_text(self, deadline: float, what: str) -> str:
        if deadline >= self.deadline:
            return (f"the submission's time budget of {self.limits.submission_seconds:g} s ran out "
                    f"while {what}")
        return f"{what} took longer than the limit of {self.limits.call_seconds:g} s"

    def _ready_child(self, with_reference: bool):
        """The child to call (started if needed, with a live reference process when asked for);
        None when the submission's time budget is spent."""
        for _ in range(2):
            if self._child is None or not self._child.alive:
                self._child = None
                if self.budget_left <= 0 or not self._start():
                    return None
            child = self._child
            if not with_reference or (child.worker is not None and child.worker.alive()):
                return child
            if child.worker is None and child.ref_sock is not None:
                self.sandbox.fork_worker(child)
                return child
            self._drop_child()        # its reference process ended: a new child and a new one
        return None

    # ----------------------------------------------------------- calls

    def call(self, fn: str, args=(), kwargs=None, proxies=(), timeout: float | None = None,
             observe=(), np_seed: int | None = None) -> CallOutcome:
        """Call ``fn`` in the child; ``proxies``: names of reference functions it may call back;
        ``np_seed``: numpy's global RandomState is seeded with it in the child right before the
        call, and in the reference process before the call's first call-back."""
        names, indexes = self.sandbox.proxy_indexes(proxies)
        kwargs = dict(kwargs or {})
        if self.calls is not None:
            kwargs = self.calls.filled(fn, args, kwargs)
        timeout = float(self.limits.call_seconds if timeout is None else timeout)
        if self._closed:
            raise SandboxError("the session is closed")
        bufs: list = []
        targs = [wire.encode(a, bufs, f"argument {i + 1}") for i, a in enumerate(args)]
        tkw = [[str(k), wire.encode(v, bufs, f"argument {k}")] for k, v in kwargs.items()]
        request = {"op": "call", "fn": fn, "args": targs, "kwargs": tkw, "proxies": list(names),
                   "observe": list(observe), "max_callbacks": self.max_callbacks}
        if self.calls is not None:
            adapt = {name: [list(shape[0]), list(shape[1])] for name in names
                     if (shape := self.calls.adapt.get(name)) is not None}
            if adapt:
                request["adapt"] = adapt
        if np_seed is not None:
            request["np_seed"] = int(np_seed)
        child = self._ready_child(bool(indexes)) if self.budget_left > 0 else None
        if child is None:
            return CallOutcome(TIMEOUT, error=f"not run: the submission's time budget of "
                                              f"{self.limits.submission_seconds:g} s is spent")
        seq = request["seq"] = child.next_seq()
        parts = frames.pack(request, bufs)
        out = Output(self.limits.output_kib * 1024)
        deadline = min(self.deadline, time.monotonic() + timeout)
        worker = child.worker if indexes else None
        if worker is not None:
            worker.begin(self.sandbox.next_token(), indexes, self.max_callbacks, np_seed)
        start = time.perf_counter()
        try:
            header, buffers = child.exchange(parts, deadline, out, seq=seq)
        except CallTimeout:
            return self._timed_out(fn, timeout, deadline, out, time.perf_counter() - start, worker)
        except ChildGone as exc:
            return self._gone(fn, child, exc, out, time.perf_counter() - start)
        seconds = time.perf_counter() - start
        if worker is not None and worker.end():
            self._drop_child()        # a call-back still running after its call: killed with its process
        return self._outcome(header, buffers, out, seconds, fn)

    def _timed_out(self, fn: str, timeout: float, deadline: float, out: Output, seconds: float,
                   worker) -> CallOutcome:
        detail = worker.running() if worker is not None else ""
        self._drop_child()            # the child and its reference process, killed together
        if deadline >= self.deadline:
            text = f"the submission's time budget of {self.limits.submission_seconds:g} s ran out during {fn}()"
        else:
            text = f"{fn}() did not return within {timeout:g} s"
        return CallOutcome(TIMEOUT, error=f"{text}; {detail}" if detail else text, stdout=out.text(),
                           seconds=seconds)

    def _gone(self, fn: str, child, exc: ChildGone, out: Output, seconds: float) -> CallOutcome:
        status = self.sandbox.finish_child(child, want_status=not exc.too_large)
        self._child = None
        if exc.too_large:
            return CallOutcome(TOO_LARGE, error=f"{fn}() {exc}; its process was stopped", stdout=out.text(),
                               seconds=seconds)
        reason = death_reason(status, self.limits, str(exc))
        return CallOutcome(KILLED, error=f"{fn}() killed the process: {reason}", stdout=out.text(), seconds=seconds)

    def _outcome(self, header: dict, buffers: list, out: Output, seconds: float, fn: str) -> CallOutcome:
        status = header.get("status")
        budget = self.sandbox.budget
        observations = {}
        try:
            decoded = wire.decode_value(header.get("observations", {"D": []}), buffers, budget)
            if isinstance(decoded, dict):
                observations = decoded
        except wire.WireError as exc:
            observations = {"error": f"undecodable observations ({exc})"}
        if status == OK:
            try:
                value = wire.decode_value(header.get("value"), buffers, budget)
            except wire.OverBudget as exc:
                self._drop_child()
                return CallOutcome(TOO_LARGE, error=f"{fn}() returned a value over the budget: {exc}",
                                   stdout=out.text(), seconds=seconds)
            except wire.WireError as exc:
                self._drop_child()
                return CallOutcome(KILLED, error=f"{fn}() broke the sandbox protocol ({exc})",
                                   stdout=out.text(), seconds=seconds)
            return CallOutcome(OK, value=value, stdout=out.text(), seconds=seconds, observations=observations)
        if status not in CHILD_STATUSES:
            status = ERROR
        return CallOutcome(status, error=_text(header.get("error")), traceback=_text(header.get("traceback")),
                           line=_line(header.get("line")), filename=_text(header.get("filename"))[:200],
                           stdout=out.text(), seconds=seconds, observations=observations)


def _text(value) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _line(value) -> int | None:
    return value if type(value) is int and 0 < value < 10_000_000 else None
