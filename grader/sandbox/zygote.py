"""The zygote: a clean, single-threaded process that preloads numpy and forks children.

Started by :class:`grader.sandbox.Sandbox` as ``python -m grader.sandbox.zygote FD`` with a
clean environment (BLAS/OpenMP threads = 1 before numpy is imported, so it stays
single-threaded and safe to fork). It holds no secrets: no config, no reference, no cases.

Control protocol on the SOCK_SEQPACKET socket FD (one JSON object per packet):
  grader → {"op": "configure", "settings": {...}}      → {"ok": true, "pid", "landlock_abi"}
  grader → {"op": "fork"} + SCM_RIGHTS [data socket, output pipe]  → {"pid": N}
  grader → {"op": "reap", "pid": N}  (after the grader SIGKILLed N's group) → {"status": wait status}
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

# What students may import, loaded once here so that each child pays nothing for it.
PRELOAD = ("numpy", "numpy.linalg", "numpy.random", "numpy.fft", "math", "cmath", "copy", "functools",
           "itertools", "collections", "operator", "random", "time", "json", "re", "string", "typing",
           "dataclasses", "fractions", "decimal", "numbers", "heapq", "bisect", "contextlib",
           "warnings", "traceback", "linecache", "inspect", "gc", "ctypes", "statistics", "struct",
           "threading", "signal", "socket", "subprocess", "encodings.idna", "tempfile", "pathlib",
           "grader.sandbox.observers")
# (Preloading matters most when Python is not readable by the child's uid, e.g. a normal user
# whose Python lives in root's home: modules not loaded here could not be imported later.)


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


def main() -> int:
    ctrl = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the grader decides when we stop
    preload()
    from grader.sandbox import child, lockdown
    # Network, IPC and UTS namespaces once for every child (still single-threaded here).
    shared = lockdown.shared_namespaces(seccomp_ready())

    settings = None
    null_fd = os.open(os.devnull, os.O_RDWR)
    children: set[int] = set()
    released: set[int] = set()      # killed by the grader, reaped here when they are gone
    gc.collect()
    gc.freeze()   # what we hold stays out of the children's collections: fewer pages copied after fork
    try:
        while True:
            for pid in list(released):
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] == 0:
                        continue
                except ChildProcessError:
                    pass
                released.discard(pid)
            try:
                msg, fds, _flags, _addr = socket.recv_fds(ctrl, 1 << 20, 4)
            except (ConnectionError, OSError):
                break
            if not msg:
                break
            request = json.loads(msg)
            op = request.get("op")
            if op == "configure":
                settings = dict(request["settings"], **shared)
                settings["landlock_abi"] = lockdown.landlock_abi()
                reply = {"ok": True, "pid": os.getpid(), "landlock_abi": settings["landlock_abi"]}
            elif op == "fork":
                if settings is None or len(fds) != 2:
                    for fd in fds:
                        os.close(fd)
                    reply = {"error": "fork before configure, or wrong descriptors"}
                else:
                    me = os.getpid()
                    pid = os.fork()
                    if pid == 0:
                        ctrl.close()
                        child.main(settings, fds[0], fds[1], null_fd, me)   # never returns
                        os._exit(70)
                    for fd in fds:
                        os.close(fd)
                    children.add(pid)
                    reply = {"pid": pid}
            elif op == "release":
                pid = int(request["pid"])
                if pid in children:
                    children.discard(pid)
                    released.add(pid)
                continue                      # no reply: the grader does not wait
            elif op == "reap":
                pid = int(request["pid"])
                status = None
                if pid in children:
                    children.discard(pid)
                    try:
                        _, status = os.waitpid(pid, 0)
                    except ChildProcessError:
                        status = None
                reply = {"status": status}
            else:
                reply = {"error": f"unknown op {op!r}"}
            ctrl.send(json.dumps(reply).encode())
    finally:
        children |= released
        for pid in children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
