"""The sandboxed runner: plain data in and out, every way of failing mapped to a clear outcome,
and the isolation layers refusing what they must (as root, and with root's powers dropped)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from grader.config import Limits
from grader.sandbox import Sandbox, SandboxError

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(call_seconds=5.0, submission_seconds=60.0, cpu_seconds=20, memory_mib=1024,
                output_kib=16, file_size_mib=4, open_files=64)


@dataclass
class Chunk:
    filename: str
    source: str


def chunks(*sources: str) -> list[Chunk]:
    return [Chunk(f"<cell {i + 1}>", textwrap.dedent(s)) for i, s in enumerate(sources)]


@pytest.fixture(scope="module")
def secret_dir():
    # World-readable, like a course checkout: only the sandbox may stand between it and a child.
    d = Path(tempfile.mkdtemp(prefix="solutions-"))
    (d / "secret.py").write_text("ANSWER = 'top secret'\n")
    os.chmod(d, 0o755)
    os.chmod(d / "secret.py", 0o644)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox():
    # Nothing in deny_paths: file access is refused by Landlock alone here.
    with Sandbox(LIMITS, jobs=2) as sb:
        yield sb


def run(sandbox, source, fn="f", *args, **kw):
    with sandbox.open(chunks(source)) as session:
        assert all(r.ok for r in session.load_report), session.load_report
        return session.call(fn, args, **kw)


# ------------------------------------------------------------------ plain data

def test_values_round_trip_exactly(sandbox):
    with sandbox.open(chunks("""
        import numpy as np
        def f(a, b, scale=1.0):
            return {"w": a * scale, "b": float(b), "cost": np.asarray(np.sum(a)), "s": np.sum(a), "pair": (1, [2, 3]),
                    "flag": True, "none": None, "i": np.int64(3), "col": a.reshape(-1, 1)}
    """)) as session:
        a = np.arange(4.0)
        out = session.call("f", (a, 2), {"scale": 3.0})
    assert out.status == "ok", out
    v = out.value
    assert np.array_equal(v["w"], a * 3) and v["w"].shape == (4,)
    assert type(v["b"]) is float and v["b"] == 2.0
    assert type(v["cost"]) is np.ndarray and v["cost"].shape == () and v["cost"] == 6.0
    assert v["pair"] == (1, [2, 3]) and type(v["pair"]) is tuple and type(v["pair"][1]) is list
    assert v["flag"] is True and v["none"] is None and type(v["i"]) is np.int64 and type(v["s"]) is np.float64
    assert v["col"].shape == (4, 1)
    assert out.seconds > 0


def test_load_report_one_bad_chunk_does_not_stop_the_others(sandbox):
    with sandbox.open(chunks("print('loading')\ndef f():\n    return 1\n",
                             "def g(:\n    pass\n",
                             "x = 1\ny = undefined_name\n",
                             "def h():\n    return x + 1\n")) as session:
        rep = session.load_report
        assert [r.ok for r in rep] == [True, False, False, True]
        assert rep[0].stdout == "loading\n"
        assert rep[1].status == "error" and "SyntaxError" in rep[1].error and rep[1].line == 1
        assert rep[2].line == 2 and "NameError" in rep[2].error and "<cell 3>" in rep[2].traceback
        assert session.call("h").value == 2
        missing = session.call("nope")
        assert missing.status == "missing" and "nope is not defined" in missing.error


def test_a_raise_gives_error_with_the_students_line_only(sandbox):
    out = run(sandbox, """
        import numpy as np
        def f(x):
            y = np.dot(x, x)
            return np.reshape(x, (7, 7))
    """, "f", np.ones(3))
    assert out.status == "error"
    assert out.error.startswith("ValueError") and out.line == 5 and out.filename == "<cell 1>"
    assert "<cell 1>" in out.traceback and "numpy" not in out.traceback and "sandbox" not in out.traceback


def test_systemexit_and_keyboardinterrupt_are_errors_and_the_child_lives_on(sandbox):
    with sandbox.open(chunks("import sys\ndef f():\n    sys.exit(0)\n"
                             "def g():\n    raise KeyboardInterrupt\ndef h():\n    return 5\n")) as s:
        assert s.call("f").status == "error" and "SystemExit" in s.call("f").error
        assert "KeyboardInterrupt" in s.call("g").error
        assert s.call("h").value == 5 and s.children_started == 1


# ------------------------------------------------------------------ dying, hanging, eating

def test_infinite_loop_times_out_then_a_new_child_serves_the_next_call(sandbox):
    with sandbox.open(chunks("calls = []\ndef spin():\n    while True:\n        pass\n"
                             "def f():\n    calls.append(1)\n    return len(calls)\n")) as s:
        assert s.call("f").value == 1
        t = time.monotonic()
        out = s.call("spin", timeout=0.5)
        assert out.status == "timeout" and "0.5 s" in out.error
        assert time.monotonic() - t < 2.0 and 0.5 <= out.seconds < 1.5
        again = s.call("f")
        assert again.status == "ok" and again.value == 1          # fresh child, chunks reloaded
        assert s.children_started == 2


def test_os_exit_and_segfault_are_killed_with_the_reason(sandbox):
    with sandbox.open(chunks("import os, ctypes\ndef quit():\n    os._exit(3)\n"
                             "def crash():\n    ctypes.string_at(0)\n"
                             "def f():\n    return 1\n")) as s:
        out = s.call("quit")
        assert out.status == "killed" and "status 3" in out.error
        out = s.call("crash")
        assert out.status == "killed" and "SIGSEGV" in out.error
        assert s.call("f").value == 1


def test_huge_allocation_is_memory(sandbox):
    out = run(sandbox, "import numpy as np\ndef f():\n    return np.ones(50 * 10**9 // 8).sum()\n")
    assert out.status == "memory" and "MemoryError" in out.error


def test_cpu_limit_kills_with_sigxcpu():
    with Sandbox(replace(LIMITS, cpu_seconds=1, call_seconds=10), jobs=1) as sb:
        out = run(sb, "def f():\n    while True:\n        pass\n")
    assert out.status == "killed" and "CPU time limit of 1 s" in out.error


def test_submission_budget_spans_children_and_then_nothing_runs():
    with Sandbox(replace(LIMITS, submission_seconds=1.5), jobs=1) as sb:
        with sb.open(chunks("def spin():\n    while True:\n        pass\n")) as s:
            first = s.call("spin", timeout=1.0)
            second = s.call("spin", timeout=1.0)
            third = s.call("spin", timeout=1.0)
    assert first.status == "timeout" and "1 s" in first.error
    assert second.status == "timeout" and "time budget of 1.5 s" in second.error and second.seconds < 0.8
    assert third.status == "timeout" and third.error.startswith("not run") and third.seconds == 0


def test_a_chunk_that_hangs_at_load_is_reported_and_skipped_on_reload():
    with Sandbox(replace(LIMITS, call_seconds=0.5), jobs=1) as sb:
        with sb.open(chunks("def f():\n    return 1\n", "while True:\n    pass\n",
                            "def g():\n    return f() + 1\n")) as s:
            rep = s.load_report
            assert [r.status for r in rep] == ["ok", "timeout", "ok"]
            assert s.call("g").value == 2
            assert s.call("f", timeout=0.5).value == 1


def test_print_flood_is_capped_and_does_not_hang(sandbox):
    with sandbox.open(chunks("""
        import os, sys
        def big():
            chunk = b"x" * (1 << 20)
            for _ in range(300):          # 300 MB straight to the descriptor
                os.write(1, chunk)
            return 1
        def tiny():
            for i in range(1_000_000):
                print(i)
            return 2
    """)) as s:
        t = time.monotonic()
        a, b = s.call("big"), s.call("tiny")
        assert time.monotonic() - t < 5
    cap = LIMITS.output_kib * 1024
    for out, value in ((a, 1), (b, 2)):
        assert out.status == "ok" and out.value == value
        assert "output truncated" in out.stdout and len(out.stdout) < cap + 200
    assert "314572800 bytes in total" in a.stdout      # everything was read and counted


# ------------------------------------------------------------------ wrong types

def test_wrong_types_are_named_with_their_place(sandbox):
    with sandbox.open(chunks("""
        import numpy as np
        class MyArray(np.ndarray):
            pass
        class MyDict(dict):
            def __getitem__(self, k):
                return 0
        class Liar:
            def __eq__(self, other):
                return True
            def __float__(self):
                return 1.0
        def sub():
            return [{"dw": np.zeros(3).view(MyArray)}]
        def d():
            return MyDict(a=1)
        def liar():
            return (Liar(), 1)
        def obj():
            return np.array([1, None])
    """)) as s:
        cases = {"sub": "result[0]['dw'] is a MyArray, an ndarray subclass",
                 "d": "result is a MyDict, a dict subclass",
                 "liar": "result[0] is a Liar object",
                 "obj": "ndarray of dtype object"}
        for fn, message in cases.items():
            out = s.call(fn)
            assert out.status == "wrong_type" and message in out.error, out
            assert out.value is None


# ------------------------------------------------------------------ proxies and observers

REFERENCE = """
    import numpy as np
    def sigmoid(z):
        print("reference sigmoid of shape", np.shape(z))
        return 1 / (1 + np.exp(-z))
    def picky(z):
        raise ValueError("z must be an array")
    def other(z):
        return z
    def g(i):
        return i
"""


@pytest.fixture(scope="module")
def reference_source(tmp_path_factory):
    from grader.reference import parse_reference

    path = tmp_path_factory.mktemp("solution") / "solution.py"
    path.write_text(textwrap.dedent(REFERENCE))
    return parse_reference(path, ["sigmoid", "picky", "other", "g"])


def test_proxies_run_in_the_reference_process_and_bindings_are_restored(reference_source):
    with Sandbox(LIMITS, jobs=1, reference=reference_source) as sb, sb.open(chunks("""
        import numpy as np
        def sigmoid(z):
            return "student's own"
        def propagate(w, X):
            print("before")
            return sigmoid(np.dot(w.T, X))
        def who():
            return sigmoid(0)
        def catch():
            try:
                return picky(np.zeros(1))
            except ValueError as e:
                return "caught " + str(e)
    """)) as s:
        w, X = np.ones((2, 1)), np.zeros((2, 3))
        out = s.call("propagate", (w, X), proxies=("sigmoid",))
        assert out.status == "ok" and np.allclose(out.value, 0.5) and out.value.shape == (1, 3)
        assert out.stdout == "before\nreference sigmoid of shape (1, 3)\n"     # the call's output, in order
        assert s.call("who").value == "student's own"          # restored after the call
        assert s.call("catch", proxies=("picky",)).value == "caught z must be an array"
        # a proxy the function is not graded with is not reachable
        assert s.call("who", proxies=("other",)).value == "student's own"
        with pytest.raises(SandboxError, match="no reference function named nope"):
            s.call("who", proxies=("nope",))


def test_proxy_calls_are_capped(reference_source):
    with Sandbox(LIMITS, jobs=1, max_callbacks=50, reference=reference_source) as sb:
        out = run(sb, "def f():\n    for i in range(1000):\n        g(i)\n    return 1\n", "f", proxies=("g",))
    assert out.status in ("error", "killed") and ("too many" in out.error or "50" in out.error)


def test_observers_report_and_a_bad_one_does_not_break_the_call(sandbox):
    # A small observer defined here, registered by the test's own code in the child.
    out = run(sandbox, """
        import sys
        from grader.sandbox import observers
        class Lines:
            def start(self, filenames):
                self.filenames, self.count = filenames, 0
                sys.settrace(self.trace)
            def trace(self, frame, event, arg):
                if frame.f_code.co_filename in self.filenames and event == "line":
                    self.count += 1
                return self.trace
            def stop(self):
                sys.settrace(None)
                return {"lines": self.count, "files": sorted(self.filenames)}
        class Broken:
            def start(self, filenames):
                raise RuntimeError("boom")
            def stop(self):
                return {}
        observers.OBSERVERS["lines"] = Lines
        observers.OBSERVERS["broken"] = Broken
        def f(n):
            t = 0
            for i in range(n):
                t += i
            return t
    """, "f", 10, observe=("lines", "broken", "no_such"))
    assert out.status == "ok" and out.value == 45
    assert out.observations["lines"]["files"] == ["<cell 1>"] and out.observations["lines"]["lines"] >= 20
    assert "boom" in out.observations["broken"] and "unknown observer" in out.observations["no_such"]


# ------------------------------------------------------------------ isolation

PROBES = """
    import os, socket, sys, subprocess
    def read(path):
        with open(path) as f:
            return f.read()
    def write(path):
        with open(path, "w") as f:
            f.write("pwned")
        return "written"
    def scratch():
        with open("notes.txt", "w") as f:
            f.write("ok")
        return read("notes.txt") + " in " + os.getcwd()
    def symlink(path):
        os.symlink(path, "link")
        return read("link")
    def fork():
        return os.fork()
    def spawn():
        return subprocess.run(["/bin/true"]).returncode
    def connect(port):
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        return "connected"
    def kill(pid):
        os.kill(pid, 15)
        return "sent"
    def environ():
        return sorted(os.environ)
    def fill():
        with open("big", "wb") as f:
            for _ in range(100):
                f.write(b"x" * (1 << 20))
        return "filled"
"""


def check_isolation(sb, secret_dir, expect_forbidden=True):
    """Shared by the root and the no-capabilities runs: every probe is refused."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    outside = Path(secret_dir) / "written.txt"
    with sb.open(chunks(PROBES)) as s:
        results = {
            "secret": s.call("read", (str(Path(secret_dir) / "secret.py"),)),
            "secret_relative": s.call("read", ("../" * 12 + str(Path(secret_dir) / "secret.py").lstrip("/"),)),
            "secret_symlink": s.call("symlink", (str(Path(secret_dir) / "secret.py"),)),
            "passwd": s.call("read", ("/etc/passwd",)),
            "config": s.call("read", (str(ROOT / "config.yaml"),)),
            "write": s.call("write", (str(outside),)),
            "fork": s.call("fork"),
            "spawn": s.call("spawn"),
            "connect": s.call("connect", (port,)),
            "kill": s.call("kill", (os.getpid(),)),
        }
        scratch = s.call("scratch")
        env = s.call("environ")
        fill = s.call("fill")
    with pytest.raises(BlockingIOError):
        listener.accept()                  # the listener saw no connection
    listener.close()
    assert not outside.exists()
    for name, out in results.items():
        assert out.status in ("forbidden", "error"), (name, out)
        assert out.value is None and "top secret" not in out.stdout + out.error
        if expect_forbidden:
            assert out.status == "forbidden", (name, out)
    assert scratch.status == "ok" and scratch.value.startswith("ok in ")
    assert env.value == ["HOME", "LANG", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                         "PATH", "TMPDIR"]
    assert fill.status == "forbidden" and ("File too large" in fill.error or "No space" in fill.error), fill
    return results


@pytest.mark.skipif(sys.platform != "linux", reason="the isolation layers are Linux's")
def test_isolation_refuses_files_network_fork_exec_and_signals(sandbox, secret_dir):
    layers = sandbox.layers
    for name in ("network_namespace", "mount_namespace", "landlock", "seccomp", "rlimits", "capabilities"):
        assert layers[name]["active"], (name, layers[name])
    check_isolation(sandbox, secret_dir)


def test_deny_paths_are_hidden_by_the_mount_namespace(secret_dir, tmp_path):
    secret_file = tmp_path / "config.yaml"
    secret_file.write_text("hidden: 42\n")
    with Sandbox(LIMITS, deny_paths=[secret_dir, secret_file], jobs=1,
                 allow_read=[secret_dir, tmp_path]) as sb:     # Landlock would allow: the mounts hide
        with sb.open(chunks(PROBES)) as s:
            listing = s.call("read", (str(secret_dir / "secret.py"),))
            cfg = s.call("read", (str(secret_file),))
    assert listing.status == "forbidden" and "top secret" not in listing.stdout
    assert cfg.status == "ok" and cfg.value == ""                # /dev/null covers the file


def test_parallel_sessions_from_threads(sandbox):
    results, errors = {}, []

    def worker(i):
        try:
            with sandbox.open(chunks(f"import numpy as np\nK = {i}\ndef f(x):\n    return x * K\n"),
                              student=f"s{i}") as s:
                results[i] = [s.call("f", (np.full(3, j),)).value for j in range(5)]
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    for i in range(6):
        assert [int(v[0]) for v in results[i]] == [i * j for j in range(5)]


def test_a_lying_child_cannot_crash_or_hang_the_parent(sandbox):
    with sandbox.open(chunks("""
        import os, struct
        def huge():
            os.write(3, b"GW1" + struct.pack(">IQ", 10, 1 << 40))
            return 1
        def garbage():
            os.write(3, b"GW1" + struct.pack(">IQ", 5, 0) + b"[[[[[")
            return 1
        def early(fake):
            os.write(3, fake.encode("latin-1"))   # a forged answer ahead of the real one
            return 1
        def close():
            os.close(3)
            while True:
                pass
        def f():
            return 7
    """)) as s:
        t = time.monotonic()
        out = s.call("huge")
        assert out.status == "too_large" and "1099511627776 bytes" in out.error, out
        for fn in ("garbage", "close"):
            out = s.call(fn)
            assert out.status == "killed", out
        from grader.sandbox import frames
        fake = b"".join(bytes(p) for p in frames.pack({"op": "result", "status": "ok", "value": 100, "seq": 99,
                                                     "observations": {"D": []}}))
        out = s.call("early", (fake.decode("latin-1"),))     # str arg; the child re-encodes it below
        assert out.status == "killed" and "out of turn" in out.error, out
        assert time.monotonic() - t < 3
        assert s.call("f").value == 7


def test_no_pickle_or_marshal_loads_in_the_sandbox_package():
    for path in (ROOT / "grader" / "sandbox").glob("*.py"):
        text = path.read_text()
        for word in ("pickle", "marshal", "recv()", "np.load", "numpy.load", "eval("):
            assert word not in text.replace("unpickles", ""), (path.name, word)


# ------------------------------------------------------------------ without root's powers

NO_ROOT_SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from tests.test_sandbox import LIMITS, check_isolation
from grader.sandbox import Sandbox
with Sandbox(LIMITS, jobs=1) as sb:
    layers = sb.layers
    results = check_isolation(sb, {secret!r})
print(json.dumps({{"layers": layers, "statuses": {{k: v.status for k, v in results.items()}}}}))
"""


# uid 65534 keeps CAP_DAC_READ_SEARCH only to start Python from root's home (mode 700 here);
# the child drops it with every other capability, so it runs as a plain normal user.
NORMAL_USER = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all,+dac_read_search",
               "--ambient-caps=-all,+dac_read_search"]
ROOT_WITHOUT_CAPABILITIES = ["--inh-caps=-all", "--bounding-set=-all"]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to start a process as another user with setpriv")
@pytest.mark.parametrize("who", ["normal_user", "root_without_capabilities"])
def test_without_root_the_user_namespace_fallbacks_hold(secret_dir, who):
    """A normal user cannot unshare or mount without a user namespace; Landlock and seccomp need
    no privilege. Root without capabilities cannot map uid 0 (CAP_SETFCAP): scratch stays on disk."""
    script = NO_ROOT_SCRIPT.format(root=str(ROOT), secret=str(secret_dir))
    opts = NORMAL_USER if who == "normal_user" else ROOT_WITHOUT_CAPABILITIES
    proc = subprocess.run(["setpriv", *opts, "--", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    layers = report["layers"]
    assert layers["root"]["active"] is (who != "normal_user")
    assert layers["user_namespace"]["active"]
    for name in ("network_namespace", "mount_namespace", "landlock", "seccomp", "capabilities", "rlimits"):
        assert layers[name]["active"], (name, layers[name])
    tmpfs = "tmpfs scratch" in layers["mount_namespace"]["detail"]
    assert tmpfs is (who == "normal_user")
    assert set(report["statuses"].values()) == {"forbidden"}, report["statuses"]


def test_doctor_reports_every_layer_and_refuses_every_attack(capsys, sandbox):
    from grader.sandbox.doctor import LAYERS, run_doctor

    code = run_doctor(LIMITS)
    text = capsys.readouterr().out
    for key, _what, _fix in LAYERS:
        assert key in text
    all_active = all(sandbox.layers[key]["active"] for key, _w, _f in LAYERS)
    if all_active:
        assert code == 0 and "all protections active" in text and "ALLOWED" not in text
        assert text.count("refused (") == 8
    else:
        assert code == 1 and "WARNING" in text
