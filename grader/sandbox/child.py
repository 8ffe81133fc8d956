"""The sandboxed child: locks itself down, loads the student's chunks, serves calls.

Runs in a process forked by the zygote; never returns (``os._exit``). Everything here is
untrusted territory once student code has run: the grader treats what it sends as claims
to check, decoded defensively (see ``wire.py``).

Messages (``frames`` over the data socket, fd 3), grader → child:
  {"op": "exec", "filename", "source"}                       run one chunk in the namespace
  {"op": "call", "fn", "args", "kwargs", "proxies", "observe", "max_callbacks"[, "np_seed"]} + buffers
  (with "np_seed", numpy's global RandomState is seeded with it right before the call)
child → grader:
  {"op": "hello", "layers", "setup_ms"}                         once, after lockdown
  {"op": "done", "status", "error", "traceback", "line"}        after an exec
  {"op": "result", "status", "value" | "error", "traceback", "line", "observations"}
On fd 4 (only when the sandbox has a reference), to the session's reference process
(``refworker.py``), when a proxy is called:
  {"op": "callback", "name", "args", "kwargs"} + buffers  →  {"op": "return", "value"} + buffers
                                                            or {"op": "raise", "type", "message"}
What the child sends is held to ``limits.value_mib`` (``settings["value_mib"]``): a result over
it is answered with status "too_large" and a message naming the part and the limit.
``settings["import_paths"]`` (the course's files, see ``imports.py``) go first on ``sys.path``.
"""
from __future__ import annotations

import builtins
import errno
import io
import linecache
import os
import signal
import socket
import sys
import threading
import time
import traceback
import types

from grader.sandbox import frames, imports, lockdown, wire

MAX_ERROR = 2000
MAX_TRACEBACK = 8000
FORBIDDEN_ERRNOS = {errno.EPERM, errno.EACCES, errno.EFBIG, errno.ENOSPC, errno.EROFS, errno.EDQUOT}
# Exceptions a proxy may re-raise in the student's code under their own type.
SAFE_EXCEPTIONS = {name: getattr(builtins, name) for name in (
    "ValueError", "TypeError", "ZeroDivisionError", "FloatingPointError", "ArithmeticError",
    "OverflowError", "IndexError", "KeyError", "LookupError", "AttributeError", "RuntimeError",
    "MemoryError", "AssertionError", "NotImplementedError", "RecursionError", "NameError")}


def main(settings: dict, sock_fd: int, out_fd: int, null_fd: int, zygote_pid: int, ref_fd=None) -> None:
    """Entry point right after fork (``ref_fd``: the socket to the reference process). Never returns."""
    code = 70
    try:
        os.setsid()                                    # own process group: killpg reaches it all
        lockdown._libc.prctl(lockdown.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != zygote_pid:                 # the zygote died before prctl
            os._exit(code)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL if sig != signal.SIGPIPE else signal.SIG_IGN)
        os.dup2(null_fd, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        if sock_fd != 3:
            os.dup2(sock_fd, 3)
        if ref_fd is not None and ref_fd != 4:
            os.dup2(ref_fd, 4)
        os.closerange(4 if ref_fd is None else 5, 1 << 16)
        sock = socket.socket(fileno=3)
        sock.setblocking(True)
        ref_sock = None
        if ref_fd is not None:
            ref_sock = socket.socket(fileno=4)
            ref_sock.setblocking(True)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", write_through=True)
        sys.__stdout__, sys.__stderr__ = sys.stdout, sys.stderr
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.__stdin__ = sys.stdin
        t0 = time.perf_counter()
        layers, scratch = lockdown.apply(settings)
        setup_ms = (time.perf_counter() - t0) * 1000
        os.environ.clear()
        os.environ.update({"HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8", "PATH": "",
                           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
        sys.dont_write_bytecode = True
        import_paths = [str(p) for p in settings.get("import_paths", ())]
        sys.path[:0] = import_paths
        frames.send_message(sock, {"op": "hello", "layers": layers, "setup_ms": round(setup_ms, 3)})
        Server(sock, ref_sock, wire.Budget.for_value_mib(settings.get("value_mib", 64)),
               imports.course_modules(import_paths)).serve()
        code = 0
    except BaseException:   # our own failure (or EOF): the grader sees the exit status
        code = 70
    finally:
        _flush()
        os._exit(code)


def _flush() -> None:
    out, err, out0, err0 = sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__
    # sys.__stdout__ is sys.stdout unless the student rebound one of them: flushed once then
    # (this runs before every call-back).
    for stream in ((out, err) if out0 is out and err0 is err else (out, err, out0, err0)):
        try:
            stream.flush()
        except BaseException:
            pass


def fit_call(params, keep, args: tuple, kwargs: dict):
    """A call written for the parameters ``params`` (an earlier notebook's def line), as the
    reference takes it: bound by name, with only the parameters ``keep`` (the reference's) passed,
    in the reference's order. A call that does not bind to ``params`` is left as it is: the
    reference then says what is wrong with it, as it would have."""
    if len(args) > len(params) or any(k not in params or k in params[:len(args)] for k in kwargs):
        return args, kwargs
    bound = dict(zip(params, args), **kwargs)
    positional, named = [], {}
    for param in keep:
        if param not in bound:
            continue
        if named or len(positional) != keep.index(param):
            named[param] = bound[param]
        else:
            positional.append(bound[param])
    return tuple(positional), named


class Server:
    def __init__(self, sock, ref_sock=None, budget: wire.Budget = wire.TRUSTED, course_modules=()):
        self.sock, self.ref_sock, self.budget = sock, ref_sock, budget
        self.load_failures = imports.LoadFailures(list(course_modules))
        self.seed_numpy = _numpy_seeder()
        self.module = types.ModuleType("submission")
        self.namespace = self.module.__dict__
        self.namespace["__builtins__"] = builtins
        self.filenames: set[str] = set()
        self.callbacks_left = 0
        self.seq = None
        self.reader = frames.FrameReader()
        self.inbox: list = []
        self.ref_reader = frames.FrameReader()
        self.ref_inbox: list = []
        self.ref_lock = threading.Lock()      # one call-back at a time, whatever threads do

    def receive(self) -> tuple[dict, list]:
        """The next message from the grader (one recv_into usually brings a whole frame)."""
        while not self.inbox:
            self.inbox.extend(self.reader.recv(self.sock))
        return self.inbox.pop(0)

    def send(self, parts: list) -> None:
        frames.send_parts(self.sock, parts)   # one syscall for a small frame

    def ask_reference(self, parts: list) -> tuple[dict, list]:
        """Send a call-back to the reference process and wait for its answer."""
        if self.ref_sock is None:
            raise OSError("no reference process")
        frames.send_parts(self.ref_sock, parts)
        while not self.ref_inbox:
            self.ref_inbox.extend(self.ref_reader.recv(self.ref_sock))
        return self.ref_inbox.pop(0)

    def serve(self) -> None:
        while True:
            try:
                header, buffers = self.receive()
            except EOFError:
                return
            op = header.get("op")
            self.seq = header.get("seq")      # echoed, so the grader can tell stale answers
            if op == "exec":
                reply = self.exec_chunk(header["filename"], header["source"])
                reply["seq"] = self.seq
                _flush()
                self.send(frames.pack(reply))
            elif op == "call":
                parts = self.call(header, buffers)
                _flush()
                self.send(parts)
            elif op == "exit":
                return

    # ----------------------------------------------------------- chunks

    def exec_chunk(self, filename: str, source: str) -> dict:
        self.filenames.add(filename)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec", dont_inherit=True)
            exec(code, self.namespace)
        except BaseException as exc:  # noqa: BLE001 - a student's SystemExit is an error too
            reply = {"op": "done", **self.describe_error(exc)}
            self.load_failures.record(filename, source, reply["line"], exc, reply["error"])
            return reply
        return {"op": "done", "status": "ok"}

    # ----------------------------------------------------------- calls

    def call(self, header: dict, buffers: list) -> list:
        name = header["fn"]
        fn = self.namespace.get(name)
        if fn is None or not callable(fn):
            return frames.pack({"op": "result", "status": "missing", "seq": self.seq,
                                "error": f"{name} is not defined by the submission" if fn is None
                                else f"{name} is not a function", "observations": {}})
        args = [wire.decode(t, buffers) for t in header["args"]]
        kwargs = {k: wire.decode(t, buffers) for k, t in header["kwargs"]}
        self.callbacks_left = int(header.get("max_callbacks", 100_000))
        saved = {}
        missing = object()
        adapt = header.get("adapt") or {}
        for proxy in header.get("proxies", ()):
            saved[proxy] = self.namespace.get(proxy, missing)
            self.namespace[proxy] = self.make_stub(proxy, adapt.get(proxy))
        np_seed = header.get("np_seed")
        observers = self.start_observers(header.get("observe", ()))
        value, reply = None, None
        try:
            if np_seed is not None:
                self.seed_numpy(np_seed)
            value = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            reply = {"op": "result", **self.describe_error(exc)}
        finally:
            observations = self.stop_observers(observers)
            for proxy, old in saved.items():
                if old is missing:
                    self.namespace.pop(proxy, None)
                else:
                    self.namespace[proxy] = old
        return self.reply(reply, value, observations)

    def reply(self, reply: dict | None, value, observations: dict) -> list:
        """The result frame, within the budget: a value over it becomes a "too_large" answer."""
        buffers_out: list = []
        if reply is None:
            try:
                tree = wire.encode(value, buffers_out, "result", self.budget)
                reply = {"op": "result", "status": "ok", "value": tree}
            except wire.TooLarge as exc:
                buffers_out = []
                reply = {"op": "result", "status": "too_large", "error": _cap(str(exc), MAX_ERROR)}
            except wire.NotPlainData as exc:
                buffers_out = []
                reply = {"op": "result", "status": "wrong_type", "error": _cap(str(exc), MAX_ERROR)}
            except MemoryError:
                buffers_out = []
                reply = {"op": "result", "status": "memory", "error": "MemoryError while sending the result"}
        value = None
        obs_tree = {}
        for key, report in observations.items():
            try:
                obs_tree[key] = wire.encode(report, buffers_out, f"observer {key}", self.budget)
            except Exception as exc:  # noqa: BLE001
                obs_tree[key] = f"observer {key!r} returned no plain data: {_cap(str(exc), 300)}"
        reply["observations"] = {"D": [[k, v] for k, v in obs_tree.items()]}
        reply["seq"] = self.seq
        try:
            return frames.pack(reply, buffers_out, self.budget)
        except wire.TooLarge as exc:
            return frames.pack({"op": "result", "status": "too_large", "seq": self.seq, "observations": {"D": []},
                                "error": _cap(f"result is too large: with what observers saw, {exc}",
                                              MAX_ERROR)})

    def make_stub(self, name: str, shape=None):
        """``name`` calling back the reference; ``shape`` ([the student's version's parameters, the
        reference's]): the call as the version writes it, fitted to the reference's parameters."""
        server = self

        def stub(*args, **kwargs):
            if shape:
                args, kwargs = fit_call(shape[0], shape[1], args, kwargs)
            bufs: list = []
            try:
                targs = [wire.encode(a, bufs, f"argument {i + 1} of {name}()", server.budget)
                         for i, a in enumerate(args)]
                tkw = [[k, wire.encode(v, bufs, f"argument {k} of {name}()", server.budget)]
                       for k, v in kwargs.items()]
            except wire.NotPlainData as exc:
                raise TypeError(str(exc)) from None
            try:
                parts = frames.pack({"op": "callback", "name": name, "args": targs, "kwargs": tkw}, bufs,
                                    server.budget)
            except wire.TooLarge as exc:
                raise TypeError(f"the arguments of {name}() are too large: {exc}") from None
            _flush()                  # what the student printed so far comes before what the reference prints
            with server.ref_lock:
                if server.callbacks_left <= 0:
                    raise RuntimeError(f"too many calls to {name}() in one call of a graded function")
                server.callbacks_left -= 1
                try:
                    header, buffers = server.ask_reference(parts)
                except (OSError, EOFError, wire.WireError):
                    raise RuntimeError(f"the call-back to the reference {name}() failed: the reference "
                                       "process ended before answering (it ran out of memory or time, "
                                       "or crashed, on these arguments)") from None
            if header.get("op") == "return":
                return wire.decode(header["value"], buffers)
            exc_type = SAFE_EXCEPTIONS.get(header.get("type"), RuntimeError)
            message = header.get("message", "")
            if exc_type is RuntimeError and header.get("type") != "RuntimeError":
                message = f"{header.get('type')}: {message}"
            raise exc_type(message)

        stub.__name__ = stub.__qualname__ = name
        return stub

    def start_observers(self, names) -> list:
        active = []
        try:
            from grader.sandbox.observers import OBSERVERS
        except Exception as exc:  # noqa: BLE001
            return [(n, None, f"observers unavailable: {type(exc).__name__}: {exc}") for n in names]
        for name in names:
            factory = OBSERVERS.get(name)
            if factory is None:
                active.append((name, None, f"unknown observer {name!r}"))
                continue
            try:
                observer = factory()
                observer.start(set(self.filenames))
                active.append((name, observer, None))
            except Exception as exc:  # noqa: BLE001
                active.append((name, None, f"observer {name!r} failed to start: {type(exc).__name__}: {exc}"))
        return active

    @staticmethod
    def stop_observers(active) -> dict:
        out = {}
        for name, observer, problem in reversed(active):
            if observer is None:
                out[name] = problem
                continue
            try:
                out[name] = observer.stop()
            except Exception as exc:  # noqa: BLE001
                out[name] = f"observer {name!r} failed: {type(exc).__name__}: {_cap(str(exc), 300)}"
        return out

    # ----------------------------------------------------------- errors

    def describe_error(self, exc: BaseException) -> dict:
        try:
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            note = self.load_failures.explain(exc)
            text = _cap(f"{text}; {note}" if note else text, MAX_ERROR)
        except BaseException:  # noqa: BLE001 - a student's __str__ may raise
            text = wire.type_name(exc)
        frames = []
        try:
            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if f.filename in self.filenames
                      or (f.filename.startswith("<") and not f.filename.startswith("<frozen"))]
        except BaseException:  # noqa: BLE001
            pass
        line = frames[-1].lineno if frames else None
        filename = frames[-1].filename if frames else ""
        if isinstance(exc, SyntaxError) and exc.filename in self.filenames:
            line, filename = exc.lineno, exc.filename
        tb = ""
        if frames:
            tb = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) + text
        if isinstance(exc, MemoryError):
            status = "memory"
        elif isinstance(exc, OSError) and (isinstance(exc, PermissionError) or exc.errno in FORBIDDEN_ERRNOS):
            status = "forbidden"
        else:
            status = "error"
        return {"status": status, "error": text, "traceback": _cap(tb, MAX_TRACEBACK), "line": line,
                "filename": _cap(str(filename), 200)}


def _numpy_seeder():
    """The seed method of numpy's global RandomState (``np.random.seed``), taken before any
    student code runs: a student who replaces ``np.random.seed`` does not change it."""
    try:
        import numpy.random   # preloaded by the zygote
        return numpy.random.mtrand._rand.seed
    except Exception:  # noqa: BLE001 - without numpy, nothing to seed
        return lambda seed: None


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 15] + " [... cut]"
