"""A zygote: a single-threaded process that loads what is slow to load once, then forks.

Started by :class:`grader.sandbox.zygote_link.ZygoteLink` as
``python -m grader.sandbox.zygote FD ROLE`` with a clean environment (BLAS/OpenMP threads = 1
before numpy is imported, so it stays single-threaded and safe to fork). Two roles:

- ``student``: preloads numpy and what students may import, and forks the locked-down children
  (``child.py``). It holds no secrets: no config, no reference, no cases.
- ``reference``: imports the solution file and forks reference processes (``refworker.py``),
  which answer one session's call-backs. Trusted; never forks a child that runs student code.

Control protocol on the SOCK_SEQPACKET socket FD (one JSON object per packet):
Every request carries an "id" that its answer repeats.
  grader → {"op": "configure", "settings": {...}}      → {"ok": true, "pid", ...} or {"error"}
  grader → {"op": "fork"} + SCM_RIGHTS descriptors      → {"pid": N}
           student: [data socket, output pipe] (+ the socket to its reference process)
           reference: [socket to the child, the child's output pipe, call-back board]
  grader → {"op": "reap", "pid": N}  (after the grader SIGKILLed N's group) → {"status": wait
           status, or null if N is not gone within REAP_SECONDS (then reaped in the background)}
  grader → {"op": "release", "pid": N}  (same, status not wanted) → no reply; N is reaped in
           the background (only now: until released, N's pid cannot be reused for another child)
The network, IPC and UTS namespaces (as a normal user with a user namespace) are made once
here for all children (``lockdown.shared_namespaces``) when seccomp can keep them apart.
End of file on the socket (the grader closed it or died): kill every child, exit.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import gc  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

# What students may import, loaded once here so that each child pays nothing for it.
PRELOAD = ("numpy", "numpy.linalg", "numpy.random", "numpy.fft", "math", "cmath", "copy", "functools",
           "itertools", "collections", "operator", "random", "time", "json", "re", "string", "typing",
           "dataclasses", "fractions", "decimal", "numbers", "heapq", "bisect", "contextlib",
           "warnings", "traceback", "linecache", "inspect", "gc", "ctypes", "statistics", "struct",
           "threading", "signal", "socket", "subprocess", "encodings.idna", "tempfile", "pathlib",
           "grader.sandbox.observers")
# (Preloading matters most when Python is not readable by the child's uid, e.g. a normal user
# whose Python lives in root's home: modules not loaded here could not be imported later.)
REAP_SECONDS = 5.0


def preload() -> None:
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a missing optional module is not fatal
            print(f"grader zygote: could not preload {name}: {exc}", file=sys.stderr)


def seccomp_ready() -> bool:
    """Whether children will be able to load a seccomp filter (libseccomp loads once here)."""
    try:
        import pyseccomp
        pyseccomp.SyscallFilter(pyseccomp.ALLOW)
        return True
    except Exception:  # noqa: BLE001 - reported per child as an inactive layer
        return False


class StudentRole:
    """Forks the sandboxed children."""

    fd_counts = (2, 3)

    def __init__(self):
        preload()
        from grader.sandbox import child, lockdown, seccomp_filter
        self.child, self.lockdown = child, lockdown
        # Network, IPC and UTS namespaces once for every child (still single-threaded here).
        ready = seccomp_ready()
        self.shared = lockdown.shared_namespaces(ready)
        self.seccomp_program = seccomp_filter.compile_program() if ready else None
        self.settings = None

    def configure(self, settings: dict) -> dict:
        self.settings = dict(settings, **self.shared)
        self.settings["landlock_abi"] = self.lockdown.landlock_abi()
        self.settings["seccomp_program"] = self.seccomp_program
        return {"ok": True, "pid": os.getpid(), "landlock_abi": self.settings["landlock_abi"]}

    def run(self, fds: list, null_fd: int, zygote_pid: int) -> None:
        ref_fd = fds[2] if len(fds) == 3 else None
        self.child.main(self.settings, fds[0], fds[1], null_fd, zygote_pid, ref_fd)   # never returns


class ReferenceRole:
    """Imports the solution, forks reference processes."""

    fd_counts = (3,)

    def __init__(self):
        import numpy  # noqa: F401 - loaded once here, not per reference process
        from grader.sandbox import refworker
        self.refworker = refworker
        self.settings, self.functions = None, []

    def configure(self, settings: dict) -> dict:
        reply, functions = self.refworker.configure(settings)
        if "error" not in reply:
            self.settings, self.functions = settings, functions
            gc.collect()
            gc.freeze()
        return reply

    def run(self, fds: list, null_fd: int, zygote_pid: int) -> None:
        self.refworker.main(self.settings, self.functions, fds, null_fd, zygote_pid)   # never returns


def _reap(pid: int, seconds: float) -> tuple[bool, int | None]:
    """Wait for ``pid`` (already SIGKILLed) at most ``seconds``: (gone, wait status)."""
    end = time.monotonic() + seconds
    delay = 0.0005
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True, None
        if done:
            return True, status
        if time.monotonic() >= end:
            return False, None
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


class Zygote:
    def __init__(self, ctrl, role):
        self.ctrl, self.role = ctrl, role
        self.null_fd = os.open(os.devnull, os.O_RDWR)
        self.children: set[int] = set()
        self.released: set[int] = set()      # killed by the grader, reaped here when they are gone

    def serve(self) -> None:
        try:
            while True:
                self._reap_released()
                try:
                    msg, fds, _flags, _addr = socket.recv_fds(self.ctrl, 1 << 20, 4)
                except (ConnectionError, OSError):
                    break
                if not msg:
                    break
                request = json.loads(msg)
                reply = self.handle(request, fds)
                if reply is not None:
                    reply["id"] = request.get("id")
                    self.ctrl.send(json.dumps(reply).encode())
        finally:
            self._kill_all()

    def handle(self, request: dict, fds: list) -> dict | None:
        op = request.get("op")
        if op == "configure":
            return self.role.configure(request["settings"])
        if op == "fork":
            return self._fork(fds)
        if op == "release":
            pid = int(request["pid"])
            if pid in self.children:
                self.children.discard(pid)
                self.released.add(pid)
            return None                      # no reply: the grader does not wait
        if op == "reap":
            pid = int(request["pid"])
            status = None
            if pid in self.children:
                self.children.discard(pid)
                gone, status = _reap(pid, REAP_SECONDS)
                if not gone:
                    self.released.add(pid)
            return {"status": status}
        return {"error": f"unknown op {op!r}"}

    def _fork(self, fds: list) -> dict:
        if getattr(self.role, "settings", None) is None or len(fds) not in self.role.fd_counts:
            for fd in fds:
                os.close(fd)
            return {"error": "fork before configure, or wrong descriptors"}
        me = os.getpid()
        pid = os.fork()
        if pid == 0:
            self.ctrl.close()
            self.role.run(fds, self.null_fd, me)   # never returns
            os._exit(70)
        for fd in fds:
            os.close(fd)
        self.children.add(pid)
        return {"pid": pid}

    def _reap_released(self) -> None:
        for pid in list(self.released):
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
            except ChildProcessError:
                pass
            self.released.discard(pid)

    def _kill_all(self) -> None:
        children = self.children | self.released
        for pid in children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for pid in children:
            _reap(pid, REAP_SECONDS)


def main() -> int:
    ctrl = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the grader decides when we stop
    role = ReferenceRole() if sys.argv[2:3] == ["reference"] else StudentRole()
    gc.collect()
    gc.freeze()   # what we hold stays out of the children's collections: fewer pages copied after fork
    Zygote(ctrl, role).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
