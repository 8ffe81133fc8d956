"""Run student code in locked-down child processes; get plain data back.

API (what the grading engine calls)::

    from grader.sandbox import Sandbox
    with Sandbox(limits, deny_paths=[...], jobs=2, reference=source) as sandbox:   # the zygotes
        with sandbox.open(chunks, student="bob") as session:     # forks one locked-down child
            session.load_report     # [ChunkReport(filename, ok, status, error, traceback, line, stdout)]
            session.layers          # {layer: {"active": bool, "detail": str}} as the child found them
            outcome = session.call("propagate", args, kwargs,
                                   proxies=("sigmoid",),           # reference functions it may call back
                                   timeout=10.0, observe=("locals",))        # -> CallOutcome

- ``Sandbox(limits, deny_paths=(), jobs=2, allow_read=(), max_callbacks=100_000, reference=None,
  import_files=())``:
  ``limits`` is a :class:`grader.config.Limits`; ``deny_paths`` are hidden from children
  even where Landlock is missing (covered by empty mounts in their mount namespace): pass
  ``solutions/``, ``config.yaml``, the submissions and output folders; ``jobs`` is how many
  sessions may be open at once; ``allow_read`` adds read-only paths to the Landlock
  allow-list; ``reference`` is a :class:`grader.reference.ReferenceSource` (``.path``,
  ``.functions``) whose functions student code may call back (see ``callbacks.py``), or None;
  ``import_files`` are public course files (an assignment's ``extra_files``) children may
  import: copied into a read-only folder first on their ``sys.path`` (see ``imports.py``).
  ``sandbox.layers`` reports the protections (probed by a first child on demand).
- ``Sandbox.open(chunks, student="", timeout=None) -> Session``: waits at most ``timeout``
  seconds for one of the ``jobs`` slots (default :func:`open_timeout` of the limits), else
  raises :class:`SandboxError`. ``chunks`` have ``.filename`` (what tracebacks show, e.g.
  ``"<cell 7>"``) and ``.source``; each is compiled and executed separately, in order, in one
  fresh module namespace, so a failing chunk does not stop the others. Safe to call from
  several threads at once (one session per thread).
- ``Session.call(fn, args=(), kwargs=None, proxies=(), timeout=None, observe=()) ->
  CallOutcome`` (``grader/outcomes.py``). ``args``/``kwargs`` and every value returned must be
  plain data (see ``wire.py``), within ``limits.value_mib`` and the other budgets of
  :class:`wire.Budget` (else status ``too_large``); ``proxies`` names reference functions
  that replace the student's own during this call only: they run in the session's reference
  process, their time is the call's, their output part of the call's; ``observe`` names
  observers of ``grader/sandbox/observers.py``: their reports land in
  ``outcome.observations[name]`` (a str saying why when an observer is unknown or failed).
  After a timeout or a crash the next call starts a new child and reloads the chunks;
  ``limits.submission_seconds`` bounds the whole session (then calls return ``timeout``
  without running).

Processes: grader → zygote (``python -m grader.sandbox.zygote FD student``, numpy preloaded,
no secrets) → one child per session (forked, locked down by ``lockdown.py`` before student
code runs, served by ``child.py``); with a reference, grader → reference zygote (``... FD
reference``, the solution imported) → one reference process per session that calls back
(``refworker.py``). The grader never unpickles anything; see ``docs/sandbox.md``.
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import tempfile
import threading
import time

from grader.sandbox import imports, wire
from grader.sandbox.callbacks import MAX_FUNCTIONS, Board, WorkerLink
from grader.sandbox.lockdown import default_read_paths
from grader.sandbox.parent import CallTimeout, Child, ChildGone, Output, death_reason
from grader.sandbox.session import ChunkReport, Session
from grader.sandbox.zygote_link import CONTROL_SECONDS, START_SECONDS, SandboxError, ZygoteLink

__all__ = ["Sandbox", "Session", "ChunkReport", "SandboxError", "open_timeout"]

HELLO_SECONDS = 20.0          # a child must be locked down and ready within this


def open_timeout(limits) -> float:
    """How long ``Sandbox.open`` waits for a free slot by default: twice the longest a session
    can take on its own (its budget, a child's start and a zygote round trip)."""
    return 2 * (float(limits.submission_seconds) + HELLO_SECONDS + CONTROL_SECONDS)


class Sandbox:
    """The zygotes; ``open()`` forks a locked-down child per submission."""

    def __init__(self, limits, deny_paths=(), jobs: int = 2, allow_read=(), max_callbacks: int = 100_000,
                 reference=None, import_files=()):
        self.limits = limits
        self.import_files = [os.path.abspath(p) for p in import_files]
        self.course_folder: str | None = None
        self.deny_paths = [os.path.abspath(p) for p in deny_paths]
        self.allow_read = [os.path.abspath(p) for p in allow_read]
        self.jobs = max(1, int(jobs))
        self.max_callbacks = max_callbacks
        self.reference = reference
        self.functions = tuple(reference.functions) if reference is not None else ()
        if len(self.functions) > MAX_FUNCTIONS:
            raise SandboxError(f"more than {MAX_FUNCTIONS} reference functions")
        self._function_index = {name: index for index, name in enumerate(self.functions)}
        self.budget = wire.Budget.for_value_mib(getattr(limits, "value_mib", 64))
        self._slots = threading.BoundedSemaphore(self.jobs)
        self._zygote = ZygoteLink("student", "the sandbox's zygote")
        self._reference_zygote = ZygoteLink("reference", "the reference zygote") if reference is not None else None
        self._tokens = itertools.count(1)
        self.scratch_base: str | None = None
        self.landlock_abi = 0
        self._layers: dict | None = None

    # ----------------------------------------------------------- lifecycle

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self._zygote.proc is not None:
            return
        self.scratch_base = tempfile.mkdtemp(prefix="grader-sandbox-")
        try:
            # Apart from the scratch folder: a child's tmpfs covers that one.
            self.course_folder = imports.course_folder(self.import_files)
            self._zygote.launch(self.scratch_base)
            if self._reference_zygote is not None:     # both import numpy at the same time
                # In the empty scratch folder too: ``python -m`` puts its folder first on sys.path.
                self._reference_zygote.launch(self.scratch_base)
            reply = self._zygote.control({"op": "configure", "settings": self._child_settings()},
                                         timeout=START_SECONDS)
            self.landlock_abi = reply.get("landlock_abi", 0)
            if self._reference_zygote is not None:
                self._reference_zygote.control({"op": "configure", "settings": self._reference_settings()},
                                               timeout=START_SECONDS)
        except BaseException:
            self.close()
            raise

    def _child_settings(self) -> dict:
        lim = self.limits
        course = [self.course_folder] if self.course_folder else []
        return {"scratch": self.scratch_base, "scratch_mib": max(1, int(lim.file_size_mib)),
                "read_paths": default_read_paths() + self.allow_read + course, "deny_paths": self.deny_paths,
                "import_paths": course,
                "cpu_seconds": int(lim.cpu_seconds), "memory_mib": int(lim.memory_mib),
                "file_size_mib": int(lim.file_size_mib), "open_files": int(lim.open_files),
                "value_mib": self.budget.value_mib}

    def _reference_settings(self) -> dict:
        lim = self.limits
        return {"path": os.path.abspath(self.reference.path), "functions": list(self.functions),
                "cpu_seconds": int(lim.cpu_seconds), "memory_mib": int(lim.memory_mib),
                "value_mib": self.budget.value_mib}

    def close(self) -> None:
        for zygote in (self._zygote, self._reference_zygote):
            if zygote is not None:
                zygote.close()
        if self.scratch_base:
            shutil.rmtree(self.scratch_base, ignore_errors=True)
            self.scratch_base = None
        imports.remove_course_folder(self.course_folder)
        self.course_folder = None

    # ----------------------------------------------------------- children (used by Session)

    def spawn(self, deadline: float) -> Child:
        """Fork a child from the zygote and wait (at most HELLO_SECONDS) until it is locked down."""
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        ref_grader = ref_child = None
        fds = [child_end.fileno(), out_w]
        if self._reference_zygote is not None:
            ref_grader, ref_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            fds.append(ref_child.fileno())
        try:
            pid = self._zygote.fork(fds)
        except BaseException:
            for end in (parent_end, ref_grader):
                if end is not None:
                    end.close()
            os.close(out_r)
            if ref_grader is not None:
                os.close(out_w)
            raise
        finally:
            child_end.close()
            if ref_child is not None:
                ref_child.close()
            else:
                os.close(out_w)
        parent_end.setblocking(False)
        os.set_blocking(out_r, False)
        child = Child(pid, parent_end, out_r, self.budget)
        if ref_grader is not None:    # kept for the child's reference process, forked on demand
            child.ref_sock, child.ref_out = ref_grader, out_w
        return self._hello(child, deadline)

    def _hello(self, child: Child, deadline: float) -> Child:
        out = Output(self.limits.output_kib * 1024)
        try:
            hello, _ = child.exchange([], min(deadline, time.monotonic() + HELLO_SECONDS), out,
                                      final_ops=("hello",))
        except (CallTimeout, ChildGone) as exc:
            status = self.finish_child(child)
            raise SandboxError(f"a sandboxed child did not start ({death_reason(status, self.limits)}; "
                               f"{exc}) {out.text()[-2000:]}") from None
        layers = hello.get("layers")
        child.layers = layers if isinstance(layers, dict) else {}
        child.setup_ms = hello.get("setup_ms", 0.0)
        if self._layers is None:
            self._layers = child.layers
        return child

    def fork_worker(self, child: Child) -> None:
        """Fork the child's reference process, handing it the grader's ends of its socket and pipe."""
        board = Board.create()
        try:
            pid = self._reference_zygote.fork([child.ref_sock.fileno(), child.ref_out, board.fd])
        except BaseException:
            board.close()
            raise
        finally:
            child.close_reference_ends()
        board.close_fd()
        child.worker = WorkerLink(pid, board, self.functions)

    def finish_child(self, child: Child, want_status: bool = True) -> int | None:
        """Kill the child's process group (and its reference process), reap it via the zygote;
        returns its wait status.

        Without ``want_status`` the zygote is only told to reap it in the background (no round
        trip), unless the child's scratch is a folder on the real disk: that one is removed
        only once the child is surely gone."""
        if not child.alive:
            return None
        child.alive = False
        # The per-child scratch used when there is no mount namespace (with one, the child's
        # tmpfs hides this folder from it, so it never exists).
        on_disk = os.path.join(self.scratch_base, f"child-{child.pid}") if self.scratch_base else None
        if on_disk is not None and not os.path.lexists(on_disk):
            on_disk = None
        status = self._zygote.finish(child.pid, want_status or bool(on_disk))
        child.sock.close()
        child.close_output()
        child.close_reference_ends()
        if child.worker is not None:
            self._reference_zygote.finish(child.worker.pid, want_status=False)
            child.worker.close()
            child.worker = None
        if on_disk:
            shutil.rmtree(on_disk, ignore_errors=True)
        return status

    def release_slot(self) -> None:
        self._slots.release()

    def next_token(self) -> int:
        return next(self._tokens)

    def proxy_indexes(self, proxies) -> tuple[tuple, tuple]:
        """(sorted names, their indexes in the reference's functions) of the proxies of a call."""
        names = tuple(sorted(set(proxies or ())))
        if not names:
            return (), ()
        if self.reference is None:
            raise SandboxError("call-backs need the reference: pass reference=... to Sandbox")
        unknown = [name for name in names if name not in self._function_index]
        if unknown:
            raise SandboxError(f"no reference function named {', '.join(map(str, unknown))}; proxies must "
                               f"be among {', '.join(self.functions)}")
        return names, tuple(self._function_index[name] for name in names)

    @property
    def known_layers(self) -> dict:
        return self._layers or {}

    @property
    def layers(self) -> dict:
        """Which protections the children get here: {name: {"active": bool, "detail": str}}."""
        if self._layers is None:
            with self.open([]) as session:
                return session.layers
        return self._layers

    def open(self, chunks, student: str = "", timeout: float | None = None, calls=None) -> Session:
        """A session for one submission, once one of the ``jobs`` slots is free (at most
        ``timeout`` seconds of waiting, default :func:`open_timeout`); ``calls``: how its
        notebook version's calls differ from the reference's (:class:`grader.versions.CallShapes`)."""
        wait = open_timeout(self.limits) if timeout is None else max(0.0, float(timeout))
        if not self._slots.acquire(timeout=wait):
            raise SandboxError(f"no sandbox slot became free within {wait:g} s: all {self.jobs} are held by "
                               "open sessions (a session that is never closed, or more sessions kept open "
                               f"at once than jobs={self.jobs})")
        try:
            return Session(self, chunks, student, calls)
        except BaseException:
            self._slots.release()
            raise
