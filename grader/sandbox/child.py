"""The sandboxed child: locks itself down, loads the student's chunks, serves calls.

Runs in a process forked by the zygote; never returns (``os._exit``). Everything here is
untrusted territory once student code has run: the grader treats what it sends as claims
to check, decoded defensively (see ``wire.py``).

Messages (``wire`` frames over the data socket), grader → child:
  {"op": "exec", "filename", "source"}                       run one chunk in the namespace
  {"op": "call", "fn", "args", "kwargs", "proxies", "observe", "max_callbacks"} + buffers
  {"op": "return", "value"} / {"op": "raise", "type", "message"}   answers to a callback
child → grader:
  {"op": "hello", "layers", "setup_ms"}                         once, after lockdown
  {"op": "done", "status", "error", "traceback", "line"}        after an exec
  {"op": "callback", "name", "args", "kwargs"} + buffers       a proxy was called
  {"op": "result", "status", "value" | "error", "traceback", "line", "observations"}
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
import time
import traceback
import types

from grader.sandbox import lockdown, wire

MAX_ERROR = 2000
MAX_TRACEBACK = 8000
FORBIDDEN_ERRNOS = {errno.EPERM, errno.EACCES, errno.EFBIG, errno.ENOSPC, errno.EROFS, errno.EDQUOT}
# Exceptions a proxy may re-raise in the student's code under their own type.
SAFE_EXCEPTIONS = {name: getattr(builtins, name) for name in (
    "ValueError", "TypeError", "ZeroDivisionError", "FloatingPointError", "ArithmeticError",
    "OverflowError", "IndexError", "KeyError", "LookupError", "AttributeError", "RuntimeError",
    "MemoryError", "AssertionError", "NotImplementedError", "RecursionError", "NameError")}


def main(settings: dict, sock_fd: int, out_fd: int, null_fd: int, zygote_pid: int) -> None:
    """Entry point right after fork. Never returns."""
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
        os.closerange(4, 1 << 16)
        sock = socket.socket(fileno=3)
        sock.setblocking(True)
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
        wire.send_message(sock, {"op": "hello", "layers": layers, "setup_ms": round(setup_ms, 3)})
        Server(sock).serve()
        code = 0
    except BaseException:   # our own failure (or EOF): the grader sees the exit status
        code = 70
    finally:
        _flush()
        os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass


class Server:
    def __init__(self, sock):
        self.sock = sock
        self.module = types.ModuleType("submission")
        self.namespace = self.module.__dict__
        self.namespace["__builtins__"] = builtins
        self.filenames: set[str] = set()
        self.callbacks_left = 0
        self.seq = None
        self.reader = wire.FrameReader()
        self.inbox: list = []

    def receive(self) -> tuple[dict, list]:
        """The next message from the grader (one recv_into usually brings a whole frame)."""
        while not self.inbox:
            self.inbox.extend(self.reader.recv(self.sock))
        return self.inbox.pop(0)

    def send(self, parts: list) -> None:
        wire.send_parts(self.sock, parts)   # one syscall for a small frame

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
                self.send(wire.pack(reply))
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
            return {"op": "done", **self.describe_error(exc)}
        return {"op": "done", "status": "ok"}

    # ----------------------------------------------------------- calls

    def call(self, header: dict, buffers: list) -> list:
        name = header["fn"]
        fn = self.namespace.get(name)
        if fn is None or not callable(fn):
            return wire.pack({"op": "result", "status": "missing", "seq": self.seq,
                              "error": f"{name} is not defined by the submission" if fn is None
                              else f"{name} is not a function", "observations": {}})
        args = [wire.decode(t, buffers) for t in header["args"]]
        kwargs = {k: wire.decode(t, buffers) for k, t in header["kwargs"]}
        self.callbacks_left = int(header.get("max_callbacks", 100_000))
        saved = {}
        missing = object()
        for proxy in header.get("proxies", ()):
            saved[proxy] = self.namespace.get(proxy, missing)
            self.namespace[proxy] = self.make_stub(proxy)
        observers = self.start_observers(header.get("observe", ()))
        value, reply = None, None
        try:
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
        buffers_out: list = []
        if reply is None:
            try:
                tree = wire.encode(value, buffers_out, "result")
                reply = {"op": "result", "status": "ok", "value": tree}
            except wire.NotPlainData as exc:
                buffers_out = []
                reply = {"op": "result", "status": "wrong_type", "error": _cap(str(exc), MAX_ERROR)}
            except MemoryError:
                buffers_out = []
                reply = {"op": "result", "status": "memory", "error": "MemoryError while sending the result"}
        obs_tree = {}
        for key, report in observations.items():
            try:
                obs_tree[key] = wire.encode(report, buffers_out, f"observer {key}")
            except Exception as exc:  # noqa: BLE001
                obs_tree[key] = f"observer {key!r} returned no plain data: {_cap(str(exc), 300)}"
        reply["observations"] = {"D": [[k, v] for k, v in obs_tree.items()]}
        reply["seq"] = self.seq
        value = None
        return wire.pack(reply, buffers_out)

    def make_stub(self, name: str):
        server = self

        def stub(*args, **kwargs):
            if server.callbacks_left <= 0:
                raise RuntimeError(f"too many calls to {name}() in one call of a graded function")
            server.callbacks_left -= 1
            bufs: list = []
            try:
                targs = [wire.encode(a, bufs, f"argument {i + 1} of {name}()") for i, a in enumerate(args)]
                tkw = [[k, wire.encode(v, bufs, f"argument {k} of {name}()")] for k, v in kwargs.items()]
            except wire.NotPlainData as exc:
                raise TypeError(str(exc)) from None
            server.send(wire.pack({"op": "callback", "name": name, "args": targs, "kwargs": tkw}, bufs))
            header, buffers = server.receive()
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
            text = _cap("".join(traceback.format_exception_only(type(exc), exc)).strip(), MAX_ERROR)
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


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 15] + " [... cut]"
