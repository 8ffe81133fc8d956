"""``grader doctor``: which sandbox protections work on this machine, probed for real.

Starts a sandbox, reads the layers its child reports, then runs attacks in a child (read a
world-readable "solutions" file and /etc/passwd, write outside the scratch dir, connect to a
listener on 127.0.0.1, fork, exec, signal the grader, allocate past the memory limit) and
checks each was refused. Prints a table, a warning per missing protection, and the measured
cost of a child and of a call. Exit status: 0 all active, 1 something missing, 2 no sandbox.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LAYERS = [  # (layer key, what it protects, how to get it when missing)
    ("network_namespace", "no network (new network namespace)",
     "run on Linux with user namespaces enabled (sysctl user.max_user_namespaces > 0) or as root"),
    ("mount_namespace", "private tmpfs scratch + denied paths covered",
     "needs a mount namespace: root, or unprivileged user namespaces"),
    ("landlock", "filesystem allow-list (read-only Python, read-write scratch)",
     "needs Linux >= 5.13 with Landlock enabled (lsm=...,landlock)"),
    ("seccomp", "syscall deny-list (fork, exec, socket, ptrace, mount...)",
     "install libseccomp2 (apt-get install libseccomp2) and the pyseccomp package"),
    ("rlimits", "CPU, memory, file size, open files limits", "setrlimit failed: check container limits"),
    ("capabilities", "root's capabilities dropped in the child", "capset failed"),
    ("no_new_privs", "no privilege gain through exec", "prctl(PR_SET_NO_NEW_PRIVS) failed"),
]

PROBES = """
import os, socket, subprocess
import numpy as np
def attempt(name, *args):
    try:
        return "ALLOWED: " + str(ATTACKS[name](*args))[:80]
    except BaseException as exc:
        return f"refused ({type(exc).__name__}: {str(exc)[:80]})"
def _read(path):
    with open(path) as f:
        return f.read(20)
def _write(path):
    with open(path, "w") as f:
        f.write("x")
    return "wrote " + path
def _connect(port):
    socket.create_connection(("127.0.0.1", port), timeout=2)
    return "connected"
def _fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return pid
def _exec():
    return subprocess.run(["/bin/true"]).returncode
def _kill(pid):
    os.kill(pid, 0)
    return "could signal the grader"
def _memory(mib):
    a = np.ones(mib * 1024 * 1024 // 8 * 2)
    return "allocated twice the limit"
ATTACKS = {"read": _read, "write": _write, "connect": _connect, "fork": _fork, "exec": _exec,
           "kill": _kill, "memory": _memory}
def probe(name, *args):
    return attempt(name, *args)
def noop(x):
    return x
"""


@dataclass
class _Chunk:
    filename: str
    source: str


def run_doctor(limits=None) -> int:
    from grader.config import Limits
    from grader.sandbox import Sandbox, SandboxError

    limits = limits or Limits()
    euid = os.geteuid()
    print(f"grader doctor: sandbox protections on this machine ({os.uname().sysname} {os.uname().release}, "
          f"{'root' if euid == 0 else f'uid {euid}, not root'})\n")
    secret_dir = Path(tempfile.mkdtemp(prefix="grader-doctor-solutions-"))
    listener = socket.socket()
    try:
        (secret_dir / "secret.py").write_text("ANSWER = 42\n")
        os.chmod(secret_dir, 0o755)
        os.chmod(secret_dir / "secret.py", 0o644)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        try:
            with Sandbox(limits, jobs=1) as sandbox:
                return _report(sandbox, limits, secret_dir, listener)
        except SandboxError as exc:
            print(f"ERROR: the sandbox does not start here: {exc}")
            return 2
    finally:
        listener.close()
        shutil.rmtree(secret_dir, ignore_errors=True)


def _report(sandbox, limits, secret_dir: Path, listener) -> int:
    port = listener.getsockname()[1]
    with sandbox.open([_Chunk("<doctor>", PROBES)]) as session:
        layers = session.layers
        attacks = [
            ("read a world-readable file outside the allow-list", ("read", str(secret_dir / "secret.py"))),
            ("read /etc/passwd", ("read", "/etc/passwd")),
            ("write outside the scratch dir", ("write", str(secret_dir / "pwned"))),
            ("connect to 127.0.0.1 (listener of the grader)", ("connect", port)),
            ("fork a process", ("fork",)),
            ("execute a program", ("exec",)),
            ("signal the grader process", ("kill", os.getpid())),
            (f"allocate twice the memory limit ({limits.memory_mib} MiB)", ("memory", limits.memory_mib)),
        ]
        results = []
        for label, args in attacks:
            out = session.call("probe", args, timeout=10)
            text = out.value if out.ok else f"{out.status}: {out.error}"
            results.append((label, text))
    try:
        listener.accept()
        results.append(("the listener saw a connection", "ALLOWED: a child reached the grader's network"))
    except BlockingIOError:
        pass
    escaped = (secret_dir / "pwned").exists()

    missing = []
    print(f"{'protection':<20} {'state':<8} detail")
    for key, what, fix in LAYERS:
        info = layers.get(key, {"active": False, "detail": "not reported"})
        state = "active" if info.get("active") else "MISSING"
        print(f"{key:<20} {state:<8} {what}: {info.get('detail', '')}")
        if not info.get("active"):
            missing.append(f"{key} ({what}) is missing: {fix}")
    for key in ("user_namespace", "nproc_rlimit"):
        if key in layers:
            print(f"{key:<20} {'active' if layers[key]['active'] else 'off':<8} {layers[key]['detail']}")
    root = layers.get("root", {}).get("active")
    print(f"{'running as root':<20} {'yes' if root else 'no':<8} "
          f"{'children drop every capability' if root else 'namespaces come from a user namespace'}")

    print("\nattacks tried in a sandboxed child:")
    for label, text in results:
        print(f"  {'ok ' if not str(text).startswith('ALLOWED') else '!! '} {label}: {text}")
        if str(text).startswith("ALLOWED"):
            missing.append(f"a child could {label}")
    if escaped:
        missing.append("a child wrote a file outside its scratch directory")

    fork_ms, call_ms = _measure(sandbox)
    print(f"\ncost: a locked-down child {fork_ms:.1f} ms (fork + lockdown + load, median), "
          f"a call with a small array {call_ms:.2f} ms (round trip, median)")
    if missing:
        print()
        for text in missing:
            print(f"WARNING: {text}")
        print("WARNING: student code is less isolated here; see docs/sandbox.md for what each layer stops.")
        return 1
    print("\nall protections active.")
    return 0


def _measure(sandbox) -> tuple[float, float]:
    chunk = [_Chunk("<doctor>", "def f(x):\n    return x\n")]
    opens, calls = [], []
    x = np.random.default_rng(0).normal(size=(5, 10))
    for _ in range(10):
        t = time.perf_counter()
        with sandbox.open(chunk) as session:
            opens.append(time.perf_counter() - t)
            for _ in range(20):
                t = time.perf_counter()
                session.call("f", (x,))
                calls.append(time.perf_counter() - t)
    return statistics.median(opens) * 1000, statistics.median(calls) * 1000
