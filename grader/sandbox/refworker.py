"""The reference process: runs the instructor's functions for one session's call-backs.

Trusted code on untrusted data. The reference zygote (``python -m grader.sandbox.zygote FD
reference``) imports the solution once, by path, with the solution's folder on ``sys.path``
(as :func:`grader.reference.load_reference` does), then forks one of these per session that
needs call-backs. Each:

- talks to its session's child directly, over a socket pair made when the child was forked:
  every frame is decoded with the plain-data codec under the ``limits.value_mib`` budget
  (a frame over it ends the conversation); it never unpickles;
- answers a call-back only when the grader's :class:`~grader.sandbox.callbacks.Board` says a
  call is running and the name is one of its proxies (else NameError / RuntimeError, as the
  student's code would see them), at most ``max_callbacks`` per call;
- seeds numpy's global RandomState with the call's seed (when the grader wrote one for the
  call's case, config ``np_seed``) at the call's first call-back: the reference functions
  the student's code reaches then draw the numbers they draw in the reference's own run of
  the case, which seeds once before the call too;
- runs under ``RLIMIT_AS = limits.memory_mib`` (a broadcast blow-up is a MemoryError here,
  answered as the call-back failing) and ``RLIMIT_CPU = limits.cpu_seconds``, in a process
  group of its own so the grader can kill it with its session's child;
- prints into the child's output pipe, so what the reference prints is part of the calling
  call's captured output (same cap), never the grader's console.

Messages (frames on the child socket): child → ``{"op": "callback", "name", "args", "kwargs"}``
+ buffers; answer → ``{"op": "return", "value"}`` + buffers or ``{"op": "raise", "type",
"message"}``.
"""
from __future__ import annotations

import ctypes
import io
import os
import resource
import signal
import socket
import sys
import time

from grader.sandbox import frames, wire
from grader.sandbox.callbacks import Board

PR_SET_PDEATHSIG = 1
MAX_MESSAGE = 2000


def configure(settings: dict) -> tuple[dict, list]:
    """In the reference zygote: import the solution; returns (reply, the functions by index)."""
    from pathlib import Path

    from grader.reference import import_solution

    path = Path(settings["path"])
    try:
        module = import_solution(path)
    except Exception as exc:  # noqa: BLE001 - reported to the grader, which stops with it
        return {"error": f"importing the reference {path} failed: {type(exc).__name__}: {exc}"}, []
    sys.path.insert(0, str(path.parent))      # helpers the functions import when they run
    functions = [getattr(module, name, None) for name in settings["functions"]]
    missing = [name for name, fn in zip(settings["functions"], functions) if not callable(fn)]
    if missing:
        return {"error": f"the reference defines no function {', '.join(missing)}"}, []
    return {"ok": True, "pid": os.getpid()}, functions


def main(settings: dict, functions: list, fds: list, null_fd: int, zygote_pid: int) -> None:
    """Entry point right after fork (fds: child socket, output pipe, board). Never returns."""
    code = 70
    try:
        os.setsid()                               # own process group: the grader kills it whole
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != zygote_pid:            # the zygote died before prctl
            os._exit(code)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        _flush()
        for target, fd in ((0, null_fd), (1, fds[1]), (2, fds[1]), (3, fds[0]), (4, fds[2])):
            os.dup2(fd, target)
        os.closerange(5, 1 << 16)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", write_through=True)
        sys.__stdout__, sys.__stderr__ = sys.stdout, sys.stderr
        _limit(settings)
        sock = socket.socket(fileno=3)
        sock.setblocking(True)
        board = Board(4)
        try:
            Worker(sock, board, settings, functions).serve()
        finally:
            board.set_gone()
        code = 0
    except BaseException:   # noqa: BLE001 - the child sees the socket close; the grader the exit
        code = 70
    finally:
        _flush()
        os._exit(code)


def _limit(settings: dict) -> None:
    mib = 1024 * 1024
    cpu = int(settings["cpu_seconds"])
    for res, value in ((resource.RLIMIT_AS, (int(settings["memory_mib"]) * mib,) * 2),
                       (resource.RLIMIT_CPU, (cpu, cpu + 1)), (resource.RLIMIT_CORE, (0, 0))):
        try:
            resource.setrlimit(res, value)
        except (OSError, ValueError):
            pass    # a limit the system refuses: the grader's deadlines still bound the time


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass


def _raise(kind: str, message: str) -> list:
    return frames.pack({"op": "raise", "type": kind, "message": message[:MAX_MESSAGE]})


class _Refusal(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class Worker:
    def __init__(self, sock, board: Board, settings: dict, functions: list):
        self.sock, self.board, self.functions = sock, board, functions
        self.names = {name: index for index, name in enumerate(settings["functions"])}
        self.memory_mib = int(settings["memory_mib"])
        self.budget = wire.Budget.for_value_mib(settings["value_mib"])
        self.reader = frames.FrameReader(self.budget)
        self.token, self.count, self.seconds = 0, 0, 0.0
        self.counted = False

    def serve(self) -> None:
        while True:
            try:
                messages = self.reader.recv(self.sock)
            except (EOFError, wire.WireError, OSError):
                return              # the child left, or broke the protocol: hang up on it
            for header, buffers in messages:
                parts = self.answer(header, buffers)
                frames.send_parts(self.sock, parts)

    def answer(self, header: dict, buffers: list) -> list:
        name = header.get("name")
        index = self.names.get(name, -1) if type(name) is str else -1
        started = time.monotonic()
        # Busy first, then read the call: the grader clears the call first, then reads busy,
        # so a call-back that slips past the end of its call is seen and killed.
        self.board.set_busy(True)
        self.counted = False
        try:
            function = self.admit(header, name, index, started)
            args, kwargs = self.arguments(header, buffers, name)
            return self.run(function, name, args, kwargs)
        except _Refusal as refusal:
            return _raise(refusal.kind, str(refusal))
        finally:
            _flush()                # its output is in the pipe before the child goes on
            if self.counted:
                self.seconds += time.monotonic() - started
                self.board.set_work(self.token, self.count, index, self.seconds, started)
            self.board.set_busy(False)

    def admit(self, header: dict, name, index: int, started: float):
        token, max_callbacks, flags, np_seed = self.board.read_call()
        if header.get("op") != "callback":
            raise _Refusal("RuntimeError", "the reference process only answers call-backs")
        if not token:
            raise _Refusal("RuntimeError", "call-backs to the reference are answered only while a graded "
                                           "function runs")
        if token != self.token:
            self.token, self.count, self.seconds = token, 0, 0.0
            if np_seed >= 0:      # once per call: its call-backs draw from one stream, in order
                _seed_numpy(np_seed)
        self.count += 1
        self.counted = True
        self.board.set_work(token, self.count, index, self.seconds, started)
        if self.count > max_callbacks:
            raise _Refusal("RuntimeError", f"more than {max_callbacks} call-backs to the reference in one "
                                           "call of a graded function")
        if not 0 <= index < len(flags) or not flags[index]:
            raise _Refusal("NameError", f"no proxy named {str(name)[:60]!r}")
        return self.functions[index]

    def arguments(self, header: dict, buffers: list, name: str) -> tuple[list, dict]:
        args, pairs = header.get("args"), header.get("kwargs")
        try:
            if type(args) is not list or type(pairs) is not list:
                raise wire.WireError("bad call-back arguments")
            values = [wire.decode_value(a, buffers, self.budget) for a in args]
            kwargs = {}
            for pair in pairs:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise wire.WireError("bad call-back keyword")
                kwargs[pair[0]] = wire.decode_value(pair[1], buffers, self.budget)
        except wire.WireError as exc:
            raise _Refusal("TypeError", f"the arguments of {name}() could not be read: {exc}") from None
        return values, kwargs

    def run(self, function, name: str, args: list, kwargs: dict) -> list:
        try:
            value = function(*args, **kwargs)
            bufs: list = []
            tree = wire.encode(value, bufs, f"the result of the reference {name}()", self.budget)
        except MemoryError as exc:
            raise _Refusal("MemoryError", f"the reference {name}() ran out of memory on the arguments it was "
                                          f"given (limit {self.memory_mib} MiB): {exc}") from None
        except wire.TooLarge as exc:
            raise _Refusal("ValueError", f"{exc}") from None
        except BaseException as exc:  # noqa: BLE001 - the reference raised on the student's input
            raise _Refusal(type(exc).__name__, _text(exc)) from None
        try:
            return frames.pack({"op": "return", "value": tree}, bufs, self.budget)
        except wire.TooLarge as exc:
            raise _Refusal("ValueError", f"the result of the reference {name}() is too large: {exc}") from None


def _seed_numpy(seed: int) -> None:
    import numpy   # loaded by the reference zygote: a dictionary lookup here

    numpy.random.seed(seed)


def _text(exc: BaseException) -> str:
    try:
        return str(exc)[:MAX_MESSAGE]
    except Exception:  # noqa: BLE001
        return type(exc).__name__
