"""Run student code in locked-down child processes; get plain data back.

API (what the grading engine calls)::

    from grader.sandbox import Sandbox
    with Sandbox(limits, deny_paths=[...], jobs=2) as sandbox:   # one clean zygote process
        with sandbox.open(chunks, student="bob") as session:     # forks one locked-down child
            session.load_report     # [ChunkReport(filename, ok, status, error, traceback, line, stdout)]
            session.layers          # {layer: {"active": bool, "detail": str}} as the child found them
            outcome = session.call("propagate", args, kwargs,
                                   proxies={"sigmoid": reference_sigmoid},   # run in this process
                                   timeout=10.0, observe=("locals",))        # -> CallOutcome

- ``Sandbox(limits, deny_paths=(), jobs=2, allow_read=(), max_callbacks=100_000)``:
  ``limits`` is a :class:`grader.config.Limits`; ``deny_paths`` are hidden from children
  even where Landlock is missing (covered by empty mounts in their mount namespace): pass
  ``solutions/``, ``config.yaml``, the submissions and output folders; ``jobs`` is how many
  sessions may be open at once (``open`` blocks beyond that); ``allow_read`` adds read-only
  paths to the Landlock allow-list. ``sandbox.layers`` reports the protections (probed
  by a first child on demand).
- ``Sandbox.open(chunks, student="") -> Session``: ``chunks`` have ``.filename`` (what
  tracebacks show, e.g. ``"<cell 7>"``) and ``.source``; each is compiled and executed
  separately, in order, in one fresh module namespace, so a failing chunk does not stop
  the others. Safe to call from several threads at once (one session per thread).
- ``Session.call(fn, args=(), kwargs=None, proxies=None, timeout=None, observe=()) ->
  CallOutcome`` (``grader/outcomes.py``). ``args``/``kwargs`` and every value returned must be
  plain data (see ``wire.py``); ``proxies`` maps names in the student's namespace to
  callables of this (trusted) process, reached by call-backs during this call only;
  ``observe`` names observers of ``grader/sandbox/observers.py``: their reports land in
  ``outcome.observations[name]`` (a str saying why when an observer is unknown or failed).
  After a timeout or a crash the next call starts a new child and reloads the chunks;
  ``limits.submission_seconds`` bounds the whole session (then calls return ``timeout``
  without running).

Processes: grader → zygote (``python -m grader.sandbox.zygote``, numpy preloaded, no secrets)
→ one child per session (forked, locked down by ``lockdown.py`` before student code runs,
served by ``child.py``). The grader never unpickles anything; see ``docs/sandbox.md``.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from grader.outcomes import ERROR, FORBIDDEN, KILLED, MEMORY, MISSING, OK, TIMEOUT, WRONG_TYPE, CallOutcome
from grader.sandbox import wire

__all__ = ["Sandbox", "Session", "ChunkReport", "SandboxError"]

HELLO_SECONDS = 20.0          # a child must be locked down and ready within this
CONTROL_SECONDS = 30.0        # zygote answers
CHILD_STATUSES = {OK, ERROR, MEMORY, FORBIDDEN, WRONG_TYPE, MISSING}
MAX_TEXT = 20_000


class SandboxError(RuntimeError):
    """The sandbox itself could not work (zygote did not start, fork refused...)."""


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


class _ChildGone(Exception):
    pass


class _Timeout(Exception):
    pass


class _Output:
    """Captured stdout+stderr bytes with a cap; the rest is counted and dropped."""

    def __init__(self, cap: int):
        self.cap, self.parts, self.kept, self.total = cap, [], 0, 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(data[:room])
            self.kept += min(room, len(data))

    def text(self) -> str:
        text = b"".join(self.parts).decode("utf-8", errors="replace")
        if self.total > self.kept:
            text += f"\n[... output truncated: {self.total} bytes in total, the first {self.kept} shown]"
        return text


_POLL_IN = select.POLLIN | select.POLLHUP | select.POLLERR


class _Child:
    def __init__(self, pid: int, sock: socket.socket, out_fd: int, max_buffers: int):
        self.pid, self.sock, self.out_fd = pid, sock, out_fd
        self.reader = wire.FrameReader(max_buffers)
        self.alive = True
        self.seq = 0
        self.layers: dict = {}
        self.setup_ms = 0.0
        # One poll set for the child's life (no fd lists rebuilt per wait): the channel, and
        # the output pipe until it closes. POLLOUT is asked for only while a send is pending.
        self.sock_fd = sock.fileno()
        self.poller = select.poll()
        self.poller.register(self.sock_fd, select.POLLIN)
        self.poller.register(out_fd, select.POLLIN)
        self.out_poller = select.poll()         # just the pipe, for the drain after an answer
        self.out_poller.register(out_fd, select.POLLIN)
        self.want_write = False

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def exchange(self, parts: list, deadline: float, out: _Output, on_callback=None,
                 final_ops=("done", "result"), seq=None) -> tuple[dict, list]:
        """Send ``parts`` (a packed frame), then pump until a final message arrives.

        Reads the output pipe all along (no pipe deadlock), answers call-backs, and raises
        _Timeout at ``deadline`` (monotonic) or _ChildGone when the child breaks.
        """
        pending = wire.outgoing(parts)
        self._send(pending)       # the socket is almost always writable: no wait first
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise _Timeout()
            self._want_write(bool(pending))
            # poll counts in milliseconds; round up so that we never spin on a 0 timeout.
            events = self.poller.poll(int((deadline - now) * 1000) + 1)
            sock_ready = False
            for fd, _ in events:
                if fd == self.sock_fd:
                    sock_ready = True
                elif fd == self.out_fd:
                    self._read_output(out)
            if not sock_ready:
                continue
            if pending:
                self._send(pending)
            for header, buffers in self._receive():
                op = header.get("op")
                if op in final_ops:
                    if seq is not None and header.get("seq") != seq:
                        raise _ChildGone("the child answered out of turn")
                    self._drain_output(out)
                    return header, buffers
                if op == "callback" and on_callback is not None:
                    pending += wire.outgoing(on_callback(header, buffers))
                    self._send(pending)        # answer right away; poll only if it did not fit
                else:
                    raise _ChildGone(f"the child sent an unexpected message ({str(op)[:40]!r})")

    def _want_write(self, want: bool) -> None:
        if want != self.want_write:
            self.poller.modify(self.sock_fd, select.POLLIN | (select.POLLOUT if want else 0))
            self.want_write = want

    def _send(self, pending: list) -> None:
        if not pending:
            return
        try:
            sent = self.sock.sendmsg(pending[:wire.IOV_MAX])
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            raise _ChildGone(f"the child's channel failed ({exc})") from None
        wire.advance(pending, sent)

    def _receive(self) -> list:
        """One recv_into (poll said there is something): the whole frames it completed."""
        try:
            return self.reader.recv(self.sock)
        except (BlockingIOError, InterruptedError):
            return []
        except EOFError:
            raise _ChildGone("the child closed its channel") from None
        except wire.WireError as exc:
            raise _ChildGone(f"the child sent malformed data ({exc})") from None
        except OSError as exc:
            raise _ChildGone(f"the child's channel failed ({exc})") from None

    def _read_output(self, out: _Output) -> None:
        try:
            data = os.read(self.out_fd, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            out.add(data)
        else:
            self.close_output()

    def close_output(self) -> None:
        if self.out_fd is not None:
            for poller in (self.poller, self.out_poller):
                try:
                    poller.unregister(self.out_fd)
                except KeyError:
                    pass
            os.close(self.out_fd)
            self.out_fd = None

    def _drain_output(self, out: _Output) -> None:
        # The child flushed before answering: what it printed is in the pipe already.
        for _ in range(64):
            if self.out_fd is None or not self.out_poller.poll(0):
                return
            self._read_output(out)


class Sandbox:
    """One zygote process; ``open()`` forks a locked-down child per submission."""

    def __init__(self, limits, deny_paths=(), jobs: int = 2, allow_read=(), max_callbacks: int = 100_000):
        self.limits = limits
        self.deny_paths = [os.path.abspath(p) for p in deny_paths]
        self.allow_read = [os.path.abspath(p) for p in allow_read]
        self.jobs = max(1, int(jobs))
        self.max_callbacks = max_callbacks
        self._slots = threading.BoundedSemaphore(self.jobs)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._ctrl: socket.socket | None = None
        self.scratch_base: str | None = None
        self.landlock_abi = 0
        self._layers: dict | None = None
        self.max_message = min(wire.MAX_BUFFERS, max(64, limits.memory_mib) * 1024 * 1024)

    # ----------------------------------------------------------- lifecycle

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self._proc is not None:
            return
        from grader.sandbox.lockdown import default_read_paths

        self.scratch_base = tempfile.mkdtemp(prefix="grader-sandbox-")
        parent_sock, zygote_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": package_root,
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.zygote", str(zygote_sock.fileno())],
                env=env, cwd=self.scratch_base, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                pass_fds=[zygote_sock.fileno()], start_new_session=True, close_fds=True)
        finally:
            zygote_sock.close()
        self._ctrl = parent_sock
        lim = self.limits
        settings = {"scratch": self.scratch_base, "scratch_mib": max(1, int(lim.file_size_mib)),
                    "read_paths": default_read_paths() + self.allow_read, "deny_paths": self.deny_paths,
                    "cpu_seconds": int(lim.cpu_seconds), "memory_mib": int(lim.memory_mib),
                    "file_size_mib": int(lim.file_size_mib), "open_files": int(lim.open_files)}
        try:
            reply = self._control({"op": "configure", "settings": settings}, timeout=120.0)
        except SandboxError:
            self.close()
            raise
        self.landlock_abi = reply.get("landlock_abi", 0)

    def close(self) -> None:
        if self._ctrl is not None:
            self._ctrl.close()
            self._ctrl = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self.scratch_base:
            shutil.rmtree(self.scratch_base, ignore_errors=True)
            self.scratch_base = None

    def _control(self, request: dict, fds=(), timeout: float = CONTROL_SECONDS, reply: bool = True) -> dict:
        with self._lock:
            if self._ctrl is None:
                raise SandboxError("the sandbox is not running (use it in a with-block)")
            try:
                socket.send_fds(self._ctrl, [json.dumps(request).encode()], list(fds))
                if not reply:
                    return {}
                if not select.select([self._ctrl], [], [], timeout)[0]:
                    raise SandboxError(f"the sandbox's zygote did not answer within {timeout:.0f} s")
                data = self._ctrl.recv(1 << 16)
            except OSError as exc:
                raise SandboxError(f"the sandbox's zygote is gone ({exc})") from None
            if not data:
                code = self._proc.poll() if self._proc else None
                raise SandboxError(f"the sandbox's zygote exited (status {code}); see the messages above")
        reply = json.loads(data)
        if "error" in reply:
            raise SandboxError(f"the zygote refused: {reply['error']}")
        return reply

    # ----------------------------------------------------------- children

    def _spawn(self, deadline: float) -> _Child:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        try:
            pid = self._control({"op": "fork"}, fds=[child_end.fileno(), out_w])["pid"]
        except BaseException:
            parent_end.close()
            os.close(out_r)
            raise
        finally:
            child_end.close()
            os.close(out_w)
        parent_end.setblocking(False)
        os.set_blocking(out_r, False)
        child = _Child(pid, parent_end, out_r, self.max_message)
        out = _Output(self.limits.output_kib * 1024)
        try:
            hello, _ = child.exchange([], min(deadline, time.monotonic() + HELLO_SECONDS), out, final_ops=("hello",))
        except (_Timeout, _ChildGone) as exc:
            status = self._finish(child)
            raise SandboxError(f"a sandboxed child did not start ({_death_reason(status, self.limits)}; "
                               f"{exc}) {out.text()[-2000:]}") from None
        layers = hello.get("layers")
        child.layers = layers if isinstance(layers, dict) else {}
        child.setup_ms = hello.get("setup_ms", 0.0)
        if self._layers is None:
            self._layers = child.layers
        return child

    def _finish(self, child: _Child, want_status: bool = True) -> int | None:
        """Kill the child's process group, reap it via the zygote; returns its wait status.

        Without ``want_status`` the zygote is only told to reap it in the background (no round
        trip), unless the child's scratch is a folder on the real disk: that one is removed
        only once the child is surely gone."""
        if not child.alive:
            return None
        child.alive = False
        for kill in (os.killpg, os.kill):
            try:
                kill(child.pid, signal.SIGKILL)
            except OSError:
                pass
        child.sock.close()
        child.close_output()
        # The per-child scratch used when there is no mount namespace (with one, the child's
        # tmpfs hides this folder from it, so it never exists).
        on_disk = os.path.join(self.scratch_base, f"child-{child.pid}") if self.scratch_base else None
        if on_disk is not None and not os.path.lexists(on_disk):
            on_disk = None
        status = None
        try:
            if want_status or on_disk:
                status = self._control({"op": "reap", "pid": child.pid}).get("status")
            else:
                self._control({"op": "release", "pid": child.pid}, reply=False)
        except SandboxError:
            status = None
        if on_disk:
            shutil.rmtree(on_disk, ignore_errors=True)
        return status

    @property
    def layers(self) -> dict:
        """Which protections the children get here: {name: {"active": bool, "detail": str}}."""
        if self._layers is None:
            with self.open([]) as session:
                return session.layers
        return self._layers

    def open(self, chunks, student: str = "") -> "Session":
        self._slots.acquire()
        try:
            return Session(self, chunks, student)
        except BaseException:
            self._slots.release()
            raise


class Session:
    """One submission's child (restarted transparently after a timeout or crash)."""

    def __init__(self, sandbox: Sandbox, chunks, student: str = ""):
        self.sandbox = sandbox
        self.student = student
        self.chunks = [(str(c.filename), str(c.source)) for c in chunks]
        self.limits = sandbox.limits
        self.deadline = time.monotonic() + float(self.limits.submission_seconds)
        self.load_report: list[ChunkReport] = []
        self.children_started = 0
        self._fatal: set[int] = set()     # chunks that killed or hung their child: not reloaded
        self._child: _Child | None = None
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
        if self._child is not None:
            self.sandbox._finish(self._child, want_status=False)
            self._child = None
        self.sandbox._slots.release()

    def kill(self) -> None:
        """From any thread: spend the session's time budget and kill its child now. A call in
        progress returns at once (the child is gone); later calls return without running."""
        self.deadline = time.monotonic()
        child = self._child
        if child is not None and child.alive:
            for kill in (os.killpg, os.kill):
                try:
                    kill(child.pid, signal.SIGKILL)
                except OSError:
                    pass

    @property
    def layers(self) -> dict:
        return self._child.layers if self._child is not None else (self.sandbox._layers or {})

    @property
    def budget_left(self) -> float:
        return self.deadline - time.monotonic()

    # ----------------------------------------------------------- loading

    def _start(self) -> bool:
        """Start a child and load the chunks; False when the time budget ran out."""
        while True:
            if self.budget_left <= 0:
                return False
            self._child = self.sandbox._spawn(self.deadline)
            self.children_started += 1
            restarted = False
            for index, (filename, source) in enumerate(self.chunks):
                if index in self._fatal:
                    continue
                report = self._exec(filename, source)
                if index == len(self.load_report):
                    self.load_report.append(report)
                if report.status in (TIMEOUT, KILLED):
                    if self.budget_left <= 0:
                        self._drop_child()
                        return False
                    self._fatal.add(index)
                    self._drop_child()
                    restarted = True
                    break
            if not restarted:
                return True

    def _exec(self, filename: str, source: str) -> ChunkReport:
        child = self._child
        out = _Output(self.limits.output_kib * 1024)
        deadline = min(self.deadline, time.monotonic() + float(self.limits.call_seconds))
        try:
            seq = child.next_seq()
            header, _ = child.exchange(wire.pack({"op": "exec", "filename": filename, "source": source,
                                                  "seq": seq}), deadline, out, seq=seq)
        except _Timeout:
            return ChunkReport(filename, False, TIMEOUT, self._timeout_text(deadline, "loading this code"),
                               stdout=out.text())
        except _ChildGone as exc:
            status = self.sandbox._finish(child)
            reason = _death_reason(status, self.limits, str(exc))
            return ChunkReport(filename, False, KILLED, f"the process died while loading this code: {reason}",
                               stdout=out.text())
        status = header.get("status") if header.get("status") in CHILD_STATUSES else ERROR
        return ChunkReport(filename, status == OK, status, _text(header.get("error")),
                           _text(header.get("traceback")), _line(header.get("line")), out.text())

    def _drop_child(self) -> None:
        if self._child is not None:
            self.sandbox._finish(self._child, want_status=False)
            self._child = None

    def _timeout_text(self, deadline: float, what: str) -> str:
        if deadline >= self.deadline:
            return (f"the submission's time budget of {self.limits.submission_seconds:g} s ran out "
                    f"while {what}")
        return f"{what} took longer than the limit of {self.limits.call_seconds:g} s"

    # ----------------------------------------------------------- calls

    def call(self, fn: str, args=(), kwargs=None, proxies=None, timeout: float | None = None,
             observe=()) -> CallOutcome:
        proxies = dict(proxies or {})
        kwargs = dict(kwargs or {})
        timeout = float(self.limits.call_seconds if timeout is None else timeout)
        if self._closed:
            raise SandboxError("the session is closed")
        bufs: list = []
        targs = [wire.encode(a, bufs, f"argument {i + 1}") for i, a in enumerate(args)]
        tkw = [[str(k), wire.encode(v, bufs, f"argument {k}")] for k, v in kwargs.items()]
        request = {"op": "call", "fn": fn, "args": targs, "kwargs": tkw, "proxies": sorted(proxies),
                   "observe": list(observe), "max_callbacks": self.max_callbacks}
        budget_text = (f"not run: the submission's time budget of {self.limits.submission_seconds:g} s "
                       "is spent")
        if self.budget_left <= 0:
            return CallOutcome(TIMEOUT, error=budget_text)
        if self._child is None or not self._child.alive:
            self._child = None
            if not self._start():
                return CallOutcome(TIMEOUT, error=budget_text)
        child = self._child
        seq = request["seq"] = child.next_seq()
        parts = wire.pack(request, bufs)
        out = _Output(self.limits.output_kib * 1024)
        deadline = min(self.deadline, time.monotonic() + timeout)
        callbacks = _Callbacks(proxies, self.max_callbacks, self.sandbox.max_message)
        start = time.perf_counter()
        try:
            header, buffers = child.exchange(parts, deadline, out, on_callback=callbacks, seq=seq)
        except _Timeout:
            seconds = time.perf_counter() - start
            self._drop_child()
            if deadline >= self.deadline:
                text = (f"the submission's time budget of {self.limits.submission_seconds:g} s ran out "
                        f"during {fn}()")
            else:
                text = f"{fn}() did not return within {timeout:g} s"
            return CallOutcome(TIMEOUT, error=text, stdout=out.text(), seconds=seconds)
        except _ChildGone as exc:
            seconds = time.perf_counter() - start
            status = self.sandbox._finish(child)
            self._child = None
            status_name, reason = _death_outcome(status, self.limits, str(exc))
            return CallOutcome(status_name, error=f"{fn}() {reason}", stdout=out.text(), seconds=seconds)
        seconds = time.perf_counter() - start
        return self._outcome(header, buffers, out, seconds, fn)

    @property
    def max_callbacks(self) -> int:
        return self.sandbox.max_callbacks

    def _outcome(self, header: dict, buffers: list, out: _Output, seconds: float, fn: str) -> CallOutcome:
        status = header.get("status")
        observations = {}
        try:
            decoded = wire.decode_value(header.get("observations", {"D": []}), buffers)
            if isinstance(decoded, dict):
                observations = decoded
        except wire.WireError as exc:
            observations = {"error": f"undecodable observations ({exc})"}
        if status == OK:
            try:
                value = wire.decode_value(header.get("value"), buffers)
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


class _Callbacks:
    """Answers a child's proxy call-backs by running trusted callables on decoded plain data."""

    def __init__(self, proxies: dict, limit: int, max_message: int):
        self.proxies, self.limit, self.count = proxies, limit, 0
        self.max_message = max_message

    def __call__(self, header: dict, buffers: list) -> list:
        self.count += 1
        name = header.get("name")
        if self.count > self.limit:
            raise _ChildGone(f"made more than {self.limit} call-backs")
        if not isinstance(name, str) or name not in self.proxies:
            return wire.pack({"op": "raise", "type": "NameError", "message": f"no proxy named {str(name)[:60]!r}"})
        try:
            args = header.get("args")
            kwargs = header.get("kwargs")
            if not isinstance(args, list) or not isinstance(kwargs, list):
                raise wire.WireError("bad call-back arguments")
            args = [wire.decode_value(a, buffers) for a in args]
            kw = {}
            for pair in kwargs:
                if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                    raise wire.WireError("bad call-back keyword")
                kw[pair[0]] = wire.decode_value(pair[1], buffers)
        except wire.WireError as exc:
            raise _ChildGone(f"sent a malformed call-back ({exc})") from None
        try:
            value = self.proxies[name](*args, **kw)
            bufs: list = []
            tree = wire.encode(value, bufs, f"{name}() result")
            return wire.pack({"op": "return", "value": tree}, bufs)
        except Exception as exc:  # noqa: BLE001 - the reference raised on the student's input
            return wire.pack({"op": "raise", "type": type(exc).__name__, "message": str(exc)[:2000]})


def _text(value) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _line(value) -> int | None:
    return value if type(value) is int and 0 < value < 10_000_000 else None


def _death_outcome(status, limits, context: str = "") -> tuple[str, str]:
    return KILLED, "killed the process: " + _death_reason(status, limits, context)


def _death_reason(status, limits, context: str = "") -> str:
    if status is None:
        return context or "the process vanished"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        if sig == signal.SIGXCPU:
            return f"it used more than the CPU time limit of {limits.cpu_seconds} s (SIGXCPU)"
        if sig == signal.SIGSEGV:
            return "segmentation fault (SIGSEGV): a crash in native code, or a too deep recursion"
        if sig == signal.SIGKILL:
            return ("killed by SIGKILL (the sandbox closed a broken channel, the CPU hard limit, "
                    "or the system ran out of memory)" if not context else f"killed by SIGKILL after: {context}")
        return f"killed by {name}"
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        return f"the process exited with status {code} (os._exit, or the sandbox's channel was closed)"
    return context or f"wait status {status}"
