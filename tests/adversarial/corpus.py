"""The hostile submissions of the adversarial suite, as notebook cells.

Each entry of :func:`hostile_corpus` is one student whose notebook is the reference solution
with one graded function (or one cell) replaced by an attack, plus what the grader must make
of it (``Expect``). The sources are ``string.Template`` texts: ``$ROOT`` (the project),
``$SUBS`` (the submissions folder), ``$OUT`` (the output folder), ``$CONFIG`` (the test
config), ``$TOKEN`` (a per-run random canary), ``$PORT``/``$UDP_PORT``/``$UNIX_PATH`` (the
test's listeners) are filled in when the corpus is written.

Everything that could hurt the machine if the sandbox were broken is bounded here: at most 50
forks that sleep 20 s, at most 600 MiB written to disk, no ``kill(-1)``.
"""
from __future__ import annotations

import string
import textwrap
from dataclasses import dataclass, field

from advkit import honest_cells

# Secrets the hostile code must never get into OUT: lines of files it must not read.
SECRET_MARKERS = {
    "solution module docstring": "Every region between the solution markers is replaced by a stub",
    "project config.yaml": "Validated on load (grader/config.py)",
    "test config.yaml": "test configuration of the adversarial suite",
    "hidden test file": "finite differences of the student's own cost",
    "/etc/passwd": "root:x:0:0",
}
OTHER_STUDENT_MARKER = "CANARY-OF-ANOTHER-STUDENT"


@dataclass
class Expect:
    """What the grader must make of a submission.

    zero: function -> regex the failed tests' output must match (the reason of the 0);
    honest: the other functions keep exactly the honest submission's points;
    status: gradebook status; notes: regex the feedback must match (loader messages).
    """

    zero: dict = field(default_factory=dict)
    honest: bool = True
    status: str = "ok"
    notes: str = ""
    below: tuple = ()             # functions that must score strictly below honest (not 0)
    zero_checks: tuple = ()       # (function, check, hidden) that must score 0


@dataclass
class Hostile:
    student: str
    cells: list | None = None      # notebook cells; None when ``raw`` is given
    raw: bytes | None = None       # the submitted file's bytes, as is
    suffix: str = ".ipynb"
    expect: Expect = field(default_factory=Expect)
    what: str = ""


def placeholder_values() -> dict:
    """Values that make the corpus fillable at collection time (only the names matter then)."""
    return {k: "0" for k in ("ROOT", "SUBS", "OUT", "CONFIG", "TOKEN", "PORT", "UDP_PORT", "UNIX_PATH",
                             "SIGMOID_PUBLIC", "PREDICT_PUBLIC")}


def fill(text: str, values: dict) -> str:
    return string.Template(textwrap.dedent(text).strip("\n")).substitute(values)


def replacing(function: str, source: str, values: dict, extra=None, imports: str = "import numpy as np") -> list:
    return honest_cells({function: fill(source, values)}, extra=extra, imports=imports)


TIMEOUT = r"did not return in time|did not return within"
LOAD_TIMEOUT = r"(took longer than the limit|did not return in time|time budget)"
MEMORY = r"ran out of memory"
KILLED = r"crashed the process"
FORBIDDEN = r"tried an operation that grading forbids"
WRONG_TYPE = r"returned something that is not plain data"


# --------------------------------------------------------------------------- the sources

HANG_LOOP = """
def sigmoid(z):
    while True:
        pass
"""

HANG_SLEEP = """
def propagate(w, b, X, Y):
    import time
    time.sleep(10 ** 6)   # eleven days
"""

HANG_IGNORING_SIGNALS = """
def predict(w, b, X):
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1,
                signal.SIGUSR2, signal.SIGXCPU, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
"""

HANG_THREADS = """
def sigmoid(z):
    import threading
    def spin():
        while True:
            pass
    threads = [threading.Thread(target=spin) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
"""

HANG_RECURSION = """
def propagate(w, b, X, Y):
    import sys
    sys.setrecursionlimit(10 ** 9)
    def deeper(n):
        return deeper(n + 1) + 1
    return deeper(0)
"""

C_RECURSION = """
def predict(w, b, X):
    import sys
    sys.setrecursionlimit(10 ** 9)
    left, right = [], []
    for _ in range(300_000):   # far deeper than an 8 MiB C stack can recurse through
        left, right = [left], [right]
    # Recursion in C that no Python frame limit stops. (Not repr: its cycle check scans every
    # enclosing list, so reaching the crash takes a second, close to the test's call limit.)
    return left == right
"""

HANG_AT_IMPORT = """
import time
WARMUP = time.sleep(10 ** 6)   # a module constant sigmoid needs: runs when the cell loads

def sigmoid(z):
    WARMUP
    return 1 / (1 + np.exp(-z))
"""

MEMORY_50GB = """
def sigmoid(z):
    big = np.ones(50 * 2 ** 30 // 8)     # 50 GB
    return big[: np.size(z)].reshape(np.shape(z))
"""

MEMORY_GROW = """
def propagate(w, b, X, Y):
    blocks = []
    while True:                       # address space grows by 64 MiB a step, until the cap
        blocks.append(np.empty(8 * 2 ** 20))
"""

MEMORY_AT_IMPORT = """
TABLE = np.ones(50 * 2 ** 30 // 8)   # a 50 GB lookup table, built when the cell loads

def sigmoid(z):
    TABLE
    return 1 / (1 + np.exp(-z))
"""

FORK_BOMB = """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    import os, time
    children = []
    for _ in range(50):            # bounded: a broken sandbox cannot take the machine down
        pid = os.fork()
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        children.append(pid)
    return children
"""

SPAWN_SHELL = """
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    import subprocess
    subprocess.run(["/bin/sh", "-c", "touch /tmp/ADVCANARY-$TOKEN-spawned"], check=True)
    return {}
"""

FLOOD_STDOUT = """
FLOODED = []

def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    import os, sys
    if not FLOODED:                  # once per process: 1 GiB of output, half through sys.stdout
        FLOODED.append(1)
        chunk = "y" * (1 << 20)
        for _ in range(512):
            sys.stdout.write(chunk)
        raw = b"z" * (1 << 20)
        for _ in range(512):         # and half straight into file descriptor 1
            os.write(1, raw)
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
            "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}
"""

FLOOD_PRINTS = """
PRINTED = []

def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    if not PRINTED:                  # once per process: two million tiny prints
        PRINTED.append(1)
        for i in range(2_000_000):
            print(i % 10)
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
            "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}
"""

FILL_DISK = """
def initialize_with_zeros(dim):
    block = b"\\0" * (1 << 20)
    for i in range(40):              # bounded: at most 40 files of 15 MiB
        with open(f"fill-{i}.bin", "wb") as handle:
            for _ in range(15):
                handle.write(block)
    return np.zeros((dim, 1)), 0.0
"""

BIG_FILE = """
def predict(w, b, X):
    block = b"\\0" * (1 << 20)
    with open("big.bin", "wb") as handle:
        for _ in range(600):         # bounded: at most 600 MiB
            handle.write(block)
    return np.zeros((1, X.shape[1]))
"""

SYS_EXIT = """
def sigmoid(z):
    import sys
    sys.exit(0)
"""

OS_EXIT = """
def propagate(w, b, X, Y):
    import os
    os._exit(0)
"""

RAISE_SYSTEMEXIT = """
def predict(w, b, X):
    raise SystemExit(0)
"""

RAISE_KEYBOARD_INTERRUPT = """
def initialize_with_zeros(dim):
    raise KeyboardInterrupt
"""

SEGFAULT = """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    import ctypes
    ctypes.string_at(0)      # read address 0: SIGSEGV
"""

EXIT_AT_IMPORT = """
import os
BOOT = os._exit(0)           # a module constant propagate needs: runs when the cell loads

def propagate(w, b, X, Y):
    BOOT
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    cost = np.squeeze(np.array(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m))
    return {"dw": np.dot(X, (A - Y).T) / m, "db": float(np.sum(A - Y) / m)}, cost
"""

ATEXIT = """
import atexit

@atexit.register
def goodbye():
    import os, sys
    sys.stdout.write('{"score": 100, "tests": []}\\nPASSED\\n')
    for target in ("$OUT/gradebook.csv", "$OUT/ADVCANARY-$TOKEN-atexit", "/tmp/ADVCANARY-$TOKEN-atexit"):
        try:
            with open(target, "w") as handle:
                handle.write("student,total\\ndie_atexit,999\\n")
        except OSError:
            pass
    try:
        os.kill(os.getppid(), 9)
    except OSError:
        pass

def sigmoid(z):
    atexit.register(goodbye)
    goodbye.__name__            # keeps the registered helper in the graded code
    return 1 / (1 + np.exp(-z))
"""

KILL_THE_ZYGOTE = """
def predict(w, b, X):
    import os, signal
    done = []
    for attempt in (lambda: os.kill(os.getppid(), signal.SIGKILL),
                    lambda: os.killpg(os.getpgid(os.getppid()), signal.SIGKILL),
                    lambda: os.kill(1, signal.SIGTERM)):
        try:
            attempt()
            done.append(attempt)
        except OSError:
            pass
    if done:
        raise RuntimeError(f"{len(done)} kill(s) of other processes succeeded")
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    return (A > 0.5).astype(float)
"""

FORGE_PRINT = """
import sys
BANNER = sys.stdout.write('{"score": 100.0, "output": "all tests passed"}\\n')

def sigmoid(z):
    import sys
    print('{"score": 100, "tests": [{"name": "sigmoid", "score": 5, "max_score": 5, "status": "passed"}]}')
    print("tests/test_sigmoid.py::test_values PASSED")
    print("============================== 42 passed in 0.01s ==============================")
    print('<?xml version="1.0"?><testsuite tests="42" failures="0"><testcase name="all"/></testsuite>')
    print("student,total,max\\nforge_print,999,31")
    sys.stderr.write("PASSED\\n")
    return 1 / (1 + np.exp(-z))
"""

FORGE_WRITE_OUT = """
def propagate(w, b, X, Y):
    import os, json
    forged = "student,total,max,status\\nforge_write_out,999,31,ok\\n"
    written = []
    targets = ["$OUT/gradebook.csv", "$OUT/forge_write_out/results.json", "$OUT/honest/results.json",
               "$OUT/.cache/forge_write_out.json", "$OUT/.cache/honest.json",
               "$OUT/ADVCANARY-$TOKEN-out", os.path.relpath("$OUT/gradebook.csv", os.getcwd())]
    for target in targets:
        try:
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            with open(target, "w") as handle:
                handle.write(json.dumps({"score": 999}) if target.endswith(".json") else forged)
            written.append(target)
        except OSError:
            pass
    if written:
        raise RuntimeError("wrote outside scratch: " + ", ".join(written))
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    cost = np.squeeze(np.array(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m))
    return {"dw": np.dot(X, (A - Y).T) / m, "db": float(np.sum(A - Y) / m)}, cost
"""

FORGE_MONKEYPATCH = """
import builtins, math
import numpy.testing
PATCHED = [
    setattr(np, "allclose", lambda *a, **k: True), setattr(np, "isclose", lambda a, b, *r, **k: np.ones(np.shape(a), bool)),
    setattr(np, "array_equal", lambda *a, **k: True), setattr(np.testing, "assert_allclose", lambda *a, **k: None),
    setattr(np.testing, "assert_array_equal", lambda *a, **k: None), setattr(math, "isclose", lambda *a, **k: True),
    setattr(builtins, "all", lambda *a, **k: True), setattr(builtins, "any", lambda *a, **k: False),
    setattr(builtins, "abs", lambda x: 0),
]

def sigmoid(z):
    PATCHED
    return np.zeros_like(z, dtype=float)   # wrong, and every comparison in this process says "equal"
"""

FORGE_TRACEBACK = """
def predict(w, b, X):
    import sys, traceback
    traceback.format_exception_only = lambda *a, **k: ["all good\\n"]
    traceback.format_exception = lambda *a, **k: ["all good\\n"]
    traceback.extract_tb = lambda *a, **k: []
    traceback.format_list = lambda *a, **k: []
    sys.excepthook = lambda *a: None
    raise ValueError("a hidden error")
"""

LIARS_A = {
    "sigmoid": """
        class Sigmoids(np.ndarray):
            def __eq__(self, other):
                return True
            __ne__ = lambda self, other: False

        def sigmoid(z):
            return np.asarray(np.zeros_like(np.asarray(z, dtype=float))).view(Sigmoids)
        """,
    "initialize_with_zeros": """
        class Anything:
            shape = (2, 1)
            dtype = np.dtype(float)
            def __eq__(self, other):
                return True
            def __array__(self, dtype=None, copy=None):
                return np.zeros((2, 1))
            def __float__(self):
                return 0.0

        def initialize_with_zeros(dim):
            return Anything(), Anything()
        """,
    "propagate": """
        class Half:
            def __float__(self):
                return 0.5
            def __eq__(self, other):
                return True
            def __array__(self, dtype=None, copy=None):
                return np.array(0.5)

        def propagate(w, b, X, Y):
            return {"dw": np.zeros_like(w), "db": Half()}, Half()
        """,
    "optimize": """
        class Agreeable(dict):
            def __getitem__(self, key):
                return np.zeros((1, 1))
            def __eq__(self, other):
                return True
            def get(self, key, default=None):
                return np.zeros((1, 1))

        def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
            return Agreeable(w=1), Agreeable(dw=1), []
        """,
    "predict": """
        class LooksLikeAnArray:
            def __array__(self, dtype=None, copy=None):
                return np.ones((1, 1))
            def __len__(self):
                return 1
            def __eq__(self, other):
                return True

        def predict(w, b, X):
            return LooksLikeAnArray()
        """,
    "model": """
        def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
            loop = []
            loop.append(loop)                 # a list that contains itself
            return {"costs": loop}
        """,
}

LIARS_B = {
    "sigmoid": """
        class Truthy:
            def __eq__(self, other):
                return True

        def sigmoid(z):
            return np.array([[Truthy()]], dtype=object)
        """,
    "initialize_with_zeros": """
        class Zero(float):
            def __eq__(self, other):
                return True
            __hash__ = float.__hash__

        def initialize_with_zeros(dim):
            return np.zeros((dim, 1)), Zero(0.0)   # b: a float subclass
        """,
    "propagate": """
        def propagate(w, b, X, Y):
            grads = {"dw": np.zeros_like(w), "db": 0.0}
            records = np.zeros(1, dtype=[("cost", float), ("note", "U10")])   # a structured array
            return grads, records
        """,
    "predict": """
        def predict(w, b, X):
            deep = []
            for _ in range(100_000):       # far deeper than any honest result
                deep = [deep]
            return deep
        """,
}

FRAMES = """
def sigmoid(z):
    import inspect, sys
    found = None
    for info in inspect.stack():
        for name, value in info.frame.f_locals.items():
            if isinstance(value, np.ndarray) and value is not z and np.shape(value) == np.shape(z):
                found = value
    frame = sys._getframe(0)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name in ("expected", "reference", "answer", "want") and value is not None:
                found = value
        frame = frame.f_back
    return found if found is not None else np.zeros_like(np.asarray(z, dtype=float))
"""

GC_SCAN = """
def predict(w, b, X):
    import gc
    m = X.shape[1]
    for obj in gc.get_objects():
        if type(obj) is np.ndarray and obj.shape == (1, m) and obj is not X \\
                and obj.dtype == float and set(np.unique(obj)) <= {0.0, 1.0}:
            return obj                           # someone's expected predictions?
        if isinstance(obj, dict):
            for value in list(obj.values())[:50]:
                if type(value) is np.ndarray and value.shape == (1, m) and value is not X \\
                        and set(np.unique(value)) <= {0.0, 1.0}:
                    return value
    return np.full((1, m), 0.5)                  # never a right answer
"""

PEEK_CAUGHT = """
def sigmoid(z):
    import os
    secrets = ["$ROOT/solutions/logreg/logreg.py", "$ROOT/config.yaml", "$CONFIG",
               "$ROOT/solutions/logreg/test_hidden_properties.py", "$SUBS/honest.ipynb", "/etc/passwd",
               "/etc/shadow", "../../../../../../../../etc/passwd"]
    targets = list(secrets)
    targets += [os.path.relpath(path, os.getcwd()) for path in secrets if path.startswith("/")]
    targets += ["/proc/self/root" + path for path in secrets if path.startswith("/")]
    targets += [f"/proc/{os.getppid()}/cwd/solutions/logreg/logreg.py", f"/proc/{os.getppid()}/environ",
                "/proc/1/root/etc/passwd", "/proc/self/environ"]
    leaked = []
    for i, path in enumerate(secrets):
        if path.startswith("/"):
            try:
                os.symlink(path, f"link-{i}")
                targets.append(f"link-{i}")
            except OSError:
                pass
            try:
                os.link(path, f"hard-{i}")
                targets.append(f"hard-{i}")
            except OSError:
                pass
    for path in targets:
        try:
            with open(path, "rb") as handle:
                data = handle.read(4000)
            if data:                # a denied path may be covered by an empty file: nothing leaks
                leaked.append(f"{path}: {data!r}")
        except OSError:
            pass
    for folder in ("$ROOT/solutions/logreg", "$SUBS", "$OUT", "$ROOT"):
        try:
            leaked.append(f"{folder}: {os.listdir(folder)}")
        except OSError:
            pass
    if "$TOKEN" in repr(dict(os.environ)):
        leaked.append(f"environment: {dict(os.environ)}")
    if leaked:
        print("\\n".join(leaked))
        raise RuntimeError("LEAKED " + " | ".join(leaked))
    return 1 / (1 + np.exp(-z))
"""

PEEK_UNCAUGHT = """
def propagate(w, b, X, Y):
    with open("$ROOT/solutions/logreg/logreg.py") as handle:
        print(handle.read())
"""

NETWORK_CAUGHT = """
def predict(w, b, X):
    import socket
    reached = []
    attempts = {
        "tcp": lambda: socket.create_connection(("127.0.0.1", $PORT), timeout=0.5).sendall(b"hello tcp"),
        "tcp localhost": lambda: socket.create_connection(("localhost", $PORT), timeout=0.5).sendall(b"hi"),
        "udp": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hello udp", ("127.0.0.1", $UDP_PORT)),
        "unix": lambda: socket.socket(socket.AF_UNIX).connect("$UNIX_PATH"),
        "dns": lambda: socket.getaddrinfo("example.com", 80),
    }
    for name, attempt in attempts.items():
        try:
            attempt()
            reached.append(name)
        except OSError:
            pass
    if reached:
        raise RuntimeError("network reached: " + ", ".join(reached))
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    return (A > 0.5).astype(float)
"""

NETWORK_UNCAUGHT = """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    import socket
    connection = socket.create_connection(("127.0.0.1", $PORT), timeout=0.5)
    connection.sendall(b"give me the answers")
"""

ESCAPE_WRITES = """
def initialize_with_zeros(dim):
    import os, time
    name = "ADVCANARY-$TOKEN-write"
    escaped = []
    for folder in ("$ROOT", "$ROOT/solutions/logreg", "$SUBS", "$OUT", "/tmp", "/var/tmp", "/dev/shm", "/root",
                   "..", "../..", os.path.dirname(os.getcwd()), os.path.expanduser("~")):
        target = os.path.join(folder, name)
        if os.path.abspath(os.path.dirname(target)) == os.getcwd():
            continue                                # the scratch folder itself is allowed
        try:
            with open(target, "w") as handle:
                handle.write("escaped")
            escaped.append(target)
        except OSError:
            pass
    try:                                            # through a symbolic link made in scratch
        os.symlink("/tmp", "tmp-link")
        with open(os.path.join("tmp-link", name), "w") as handle:
            handle.write("escaped")
        escaped.append("tmp-link")
    except OSError:
        pass
    # Metadata and namespace changes, aimed at the test's own copies (the project is not put at
    # risk if the sandbox is broken; the snapshots of those folders catch any change).
    attempts = {
        "utime": lambda: os.utime("$CONFIG", (0, 0)),
        "chmod": lambda: os.chmod("$CONFIG", 0o777),
        "setxattr": lambda: os.setxattr("$SUBS/honest.ipynb", "user.grade", b"100"),
        "chown": lambda: os.chown("$CONFIG", 65534, 65534),
        "truncate": lambda: os.truncate("$SUBS/honest.ipynb", 0),
        "rename": lambda: os.rename("$SUBS/honest.ipynb", "$SUBS/honest.moved"),
        "unlink": lambda: os.unlink("$CONFIG"),
        "mkdir": lambda: os.mkdir("$ROOT/ADVCANARY-$TOKEN-dir"),
        "mkfifo": lambda: os.mkfifo("$SUBS/ADVCANARY-$TOKEN-fifo"),
    }
    for label, attempt in attempts.items():
        try:
            attempt()
            escaped.append(label)
        except OSError:
            pass
    # Write access to the grader's own code, the solutions and the venv, probed without writing:
    # an O_APPEND open that is never written to changes neither content nor mtime.
    site = [p for p in __import__("sys").path if p.endswith("site-packages")]
    for target in ["$ROOT/grader/__init__.py", "$ROOT/grader/grade.py", "$ROOT/solutions/logreg/logreg.py",
                   "$ROOT/config.yaml", "$ROOT/Makefile", "$ROOT/tests/conftest.py", "$ROOT/.git/config"]:
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_APPEND))
            escaped.append("writable " + target)
        except OSError:
            pass
    for folder in site + ["$ROOT/grader", "$ROOT/tests", "$ROOT/.git/hooks"]:
        try:
            with open(os.path.join(folder, name + ".pth"), "w") as handle:
                handle.write("import os")
            escaped.append(folder)
        except OSError:
            pass
    status = os.system("touch /tmp/ADVCANARY-$TOKEN-system")
    if status == 0:
        escaped.append("os.system")
    with open("scratch.txt", "w") as handle:        # the scratch folder is writable
        handle.write("notes")
    with open("scratch.txt") as handle:
        assert handle.read() == "notes"
    if escaped:
        raise RuntimeError("escaped: " + ", ".join(escaped))
    return np.zeros((dim, 1)), 0.0
"""

PROXY_ORACLE = """
def propagate(w, b, X, Y):
    # With reference attribution, sigmoid here is a stub that calls back the grader. Reuse its
    # channel to ask the grader for the reference *propagate* instead.
    cells = {cell.cell_contents.__class__.__name__: cell.cell_contents for cell in sigmoid.__closure__ or ()}
    server = next(value for value in cells.values() if hasattr(value, "make_stub"))
    oracle = server.make_stub("propagate")
    return oracle(w, b, X, Y)
"""


def _hardcoded(values: dict) -> dict:
    """sigmoid and predict that return the public expected outputs when the inputs match."""
    return {
        "sigmoid": fill("""
            PUBLIC = $SIGMOID_PUBLIC

            def sigmoid(z):
                for given, answer in PUBLIC:
                    if np.shape(z) == np.shape(given) and np.array_equal(np.asarray(z), np.asarray(given)):
                        return np.asarray(answer) if np.ndim(answer) else answer
                return np.zeros_like(np.asarray(z, dtype=float))
            """, values),
        "predict": fill("""
            PUBLIC_PREDICTIONS = $PREDICT_PUBLIC

            def predict(w, b, X):
                for given, answer in PUBLIC_PREDICTIONS:
                    if np.shape(X) == np.shape(given) and np.array_equal(X, np.asarray(given)):
                        return np.asarray(answer)
                return np.full((1, X.shape[1]), 0.5)
            """, values),
    }


# --------------------------------------------------------------------------- the corpus


def hostile_corpus(values: dict) -> list:
    """Every hostile submission, its cells filled in with ``values`` (see the module docstring)."""
    def case(student, function, source, expect, what, **kw):
        return Hostile(student, replacing(function, source, values, **kw), expect=expect, what=what)

    liars_a = honest_cells({f: textwrap.dedent(s).strip("\n") for f, s in LIARS_A.items()})
    liars_b = honest_cells({f: textwrap.dedent(s).strip("\n") for f, s in LIARS_B.items()})
    corpus = [
        Hostile("honest", honest_cells(extra=[("code", f"# {OTHER_STUDENT_MARKER} {values['TOKEN']}\nprint('done')")]),
                expect=Expect(), what="the reference pasted in: what honest work earns"),
        # hang
        case("hang_loop", "sigmoid", HANG_LOOP, Expect({"sigmoid": TIMEOUT}), "while True: pass"),
        case("hang_sleep", "propagate", HANG_SLEEP, Expect({"propagate": TIMEOUT}), "time.sleep for days"),
        case("hang_ignoring_signals", "predict", HANG_IGNORING_SIGNALS, Expect({"predict": TIMEOUT}),
             "ignores SIGTERM/SIGINT/..., blocks signals, spins"),
        case("hang_threads", "sigmoid", HANG_THREADS, Expect({"sigmoid": TIMEOUT}), "four threads spinning forever"),
        case("hang_recursion", "propagate", HANG_RECURSION, Expect({"propagate": f"{MEMORY}|{KILLED}|{TIMEOUT}"}),
             "unbounded Python recursion after sys.setrecursionlimit(10**9)"),
        case("crash_c_recursion", "predict", C_RECURSION, Expect({"predict": rf"{KILLED}.*(SIGSEGV|segmentation)"}),
             "comparing 300000-deep lists after sys.setrecursionlimit(10**9): C stack overflow"),
        case("hang_at_import", "sigmoid", HANG_AT_IMPORT, Expect({"sigmoid": LOAD_TIMEOUT}),
             "a module constant that sleeps for days when the cell loads"),
        # exhaust
        case("exhaust_memory_50gb", "sigmoid", MEMORY_50GB, Expect({"sigmoid": MEMORY}), "np.ones of 50 GB"),
        case("exhaust_memory_grow", "propagate", MEMORY_GROW, Expect({"propagate": MEMORY}), "64 MiB blocks forever"),
        case("exhaust_memory_at_import", "sigmoid", MEMORY_AT_IMPORT, Expect({"sigmoid": r"MemoryError|" + MEMORY}),
             "a 50 GB module constant built when the cell loads"),
        case("exhaust_fork_bomb", "optimize", FORK_BOMB, Expect({"optimize": FORBIDDEN}), "up to 50 forks"),
        case("exhaust_spawn_shell", "model", SPAWN_SHELL, Expect({"model": FORBIDDEN}), "subprocess.run of a shell"),
        case("exhaust_stdout_1gb", "model", FLOOD_STDOUT, Expect(), "1 GiB of stdout (once), then correct"),
        case("exhaust_two_million_prints", "model", FLOOD_PRINTS, Expect(),
             "two million tiny prints (once), then correct"),
        case("exhaust_fill_disk", "initialize_with_zeros", FILL_DISK,
             Expect({"initialize_with_zeros": FORBIDDEN + r".*(No space left|File too large|Errno 28|Errno 27)"}),
             "40 files of 15 MiB in the scratch folder"),
        case("exhaust_big_file", "predict", BIG_FILE, Expect({"predict": FORBIDDEN + r".*(File too large|No space)"}),
             "one 600 MiB file"),
        # die
        case("die_sys_exit", "sigmoid", SYS_EXIT, Expect({"sigmoid": r"raised an error: SystemExit"}), "sys.exit(0)"),
        case("die_os_exit", "propagate", OS_EXIT, Expect({"propagate": KILLED + r".*exited with status 0"}),
             "os._exit(0)"),
        case("die_raise_systemexit", "predict", RAISE_SYSTEMEXIT, Expect({"predict": r"raised an error: SystemExit"}),
             "raise SystemExit(0)"),
        case("die_keyboard_interrupt", "initialize_with_zeros", RAISE_KEYBOARD_INTERRUPT,
             Expect({"initialize_with_zeros": r"raised an error: KeyboardInterrupt"}), "raise KeyboardInterrupt"),
        case("die_segfault", "optimize", SEGFAULT, Expect({"optimize": KILLED + r".*SIGSEGV"}), "ctypes.string_at(0)"),
        case("die_at_import", "propagate", EXIT_AT_IMPORT, Expect({"propagate": r"died while loading|" + KILLED}),
             "os._exit(0) in a module constant, when the cell loads"),
        case("die_atexit", "sigmoid", ATEXIT, Expect(), "an atexit hook that forges files, output and kills"),
        case("die_kill_the_zygote", "predict", KILL_THE_ZYGOTE, Expect(),
             "SIGKILL to its parent (the zygote), its group, and pid 1"),
        # forge
        case("forge_print", "sigmoid", FORGE_PRINT, Expect(),
             "prints score JSON, PASSED lines, JUnit XML and gradebook rows"),
        case("forge_write_out", "propagate", FORGE_WRITE_OUT, Expect(),
             "writes gradebook.csv, results.json and cache entries into OUT"),
        case("forge_monkeypatch", "sigmoid", FORGE_MONKEYPATCH,
             Expect(zero_checks=(("sigmoid", "values", False), ("sigmoid", "values", True)), below=("sigmoid",)),
             "patches np.allclose/isclose/testing, math.isclose, builtins, returns zeros"),
        case("forge_traceback", "predict", FORGE_TRACEBACK, Expect({"predict": r"raised an error"}),
             "patches the traceback printer and sys.excepthook, then raises"),
        Hostile("forge_liars_a", liars_a, expect=Expect({f: WRONG_TYPE for f in LIARS_A}, honest=False),
                what="ndarray subclass, __eq__/__array__/__float__ liars, lying dict subclass, self-containing list"),
        Hostile("forge_liars_b", liars_b, expect=Expect({f: WRONG_TYPE for f in LIARS_B}),
                what="object-dtype array, float subclass, structured array, 100000-deep nesting"),
        case("forge_frames", "sigmoid", FRAMES,
             Expect(zero_checks=(("sigmoid", "values", False), ("sigmoid", "values", True)), below=("sigmoid",)),
             "searches inspect.stack() and sys._getframe() for the expected output"),
        case("forge_gc_scan", "predict", GC_SCAN,
             Expect(zero_checks=(("predict", "values", False), ("predict", "values", True)), below=("predict",)),
             "searches gc.get_objects() for the expected predictions"),
        case("forge_proxy_oracle", "propagate", PROXY_ORACLE, Expect({"propagate": r"raised an error: NameError"}),
             "asks the grader's call-back channel for the reference propagate"),
        # peek and escape
        case("peek_caught", "sigmoid", PEEK_CAUGHT, Expect(),
             "reads solutions, configs, hidden tests, another student, /etc/passwd, /proc, via links; env"),
        case("peek_uncaught", "propagate", PEEK_UNCAUGHT, Expect({"propagate": FORBIDDEN}),
             "opens the reference solution"),
        case("escape_network_caught", "predict", NETWORK_CAUGHT, Expect(), "TCP, UDP, Unix socket, DNS"),
        case("escape_network_uncaught", "optimize", NETWORK_UNCAUGHT, Expect({"optimize": FORBIDDEN}),
             "TCP connect to the test's listener"),
        case("escape_writes", "initialize_with_zeros", ESCAPE_WRITES, Expect(),
             "writes, links, renames, chmods, utimes outside scratch; os.system"),
        # hard-coding
        Hostile("hardcode_public", honest_cells(_hardcoded(values)),
                expect=Expect(zero_checks=(("sigmoid", "values", True), ("predict", "values", True)),
                              below=("sigmoid", "predict")),
                what="returns the public expected outputs when the inputs match"),
    ]
    return corpus


# --------------------------------------------------------------------------- broken notebooks


def broken_corpus(values: dict) -> list:
    from advkit import notebook_text, reference_functions

    ref = reference_functions()
    honest = honest_cells()
    text = notebook_text(honest)

    def with_cell(function, new_type=None, source=None, drop=False, duplicate_first=None):
        cells = []
        for kind, src in honest:
            if src.startswith(f"# GRADED FUNCTION: {function}\n"):
                if drop:
                    continue
                if duplicate_first is not None:
                    cells.append(("code", f"# GRADED FUNCTION: {function}\n\n{duplicate_first}\n"))
                cells.append((new_type or kind, source if source is not None else src))
            else:
                cells.append((kind, src))
        return cells

    big_output_nb = notebook_text(honest + [("code", "print('training...')")])
    import nbformat

    nb = nbformat.reads(big_output_nb, as_version=4)
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (50 * 1024 * 1024))]
    big_output = nbformat.writes(nb)

    non_utf8 = text.encode("utf-8").replace(b"My submission.", b"Ma soumission \xe9t\xe9 \xff.")
    sigmoid_renamed = ref["sigmoid"].replace("def sigmoid(z):", "def sigmoid_function(z):")
    wrong_sigmoid = "def sigmoid(z):\n    return z\n"
    input_top = f"name = input('Your name: ')\n\n{ref['sigmoid']}"
    input_inside = ref["predict"].replace("    m = X.shape[1]\n", "    m = X.shape[1]\n    input('press enter')\n", 1)
    syntax = ref["propagate"].replace("m = X.shape[1]", "m = X.shape[1", 1)

    return [
        Hostile("nb_empty", raw=b"", expect=Expect({f: r"empty|no code|nothing to grade" for f in ref},
                                                    honest=False, status="empty"), what="a 0-byte file"),
        Hostile("nb_invalid_json", raw=b'{"cells": [ {"cell_type": "code", "source": "def sigmoid(z):',
                expect=Expect({f: r"JSON|not a notebook|damaged|truncated" for f in ref}, honest=False,
                              status="unreadable"), what="cut in the middle"),
        Hostile("nb_not_a_notebook", raw=b"PK\x03\x04 this is a zip file, renamed",
                expect=Expect({f: r"JSON|not a notebook" for f in ref}, honest=False, status="unreadable"),
                what="binary bytes"),
        Hostile("nb_format_v3", raw=notebook_text(honest, version=3).encode(), expect=Expect(),
                what="nbformat 3, read by conversion"),
        Hostile("nb_50mb_output", raw=big_output.encode(),
                expect=Expect({f: r"more than the 32 MiB the grader reads.*clear the outputs" for f in ref},
                              honest=False, status="unreadable"),
                what="a 50 MB output cell: over the cap, not read, the student told how to shrink it"),
        Hostile("nb_non_utf8", raw=non_utf8, expect=Expect({f: r"UTF-8|encoding" for f in ref}, honest=False,
                                                           status="unreadable"),
                what="Latin-1 bytes in a Markdown cell"),
        Hostile("nb_cell_type_markdown", with_cell("sigmoid", new_type="markdown"),
                expect=Expect({"sigmoid": r"[Mm]arkdown"}), what="the sigmoid cell turned Markdown"),
        Hostile("nb_cell_type_raw", with_cell("predict", new_type="raw"),
                expect=Expect({"predict": r"[Rr]aw"}), what="the predict cell turned Raw"),
        Hostile("nb_cell_deleted", with_cell("propagate", drop=True),
                expect=Expect({"propagate": r"propagate"}), what="the propagate cell deleted"),
        Hostile("nb_cell_duplicated", with_cell("sigmoid", duplicate_first=wrong_sigmoid),
                expect=Expect(notes=r"(?i)twice|duplicate|more than once|defined \d+ times"),
                what="a wrong sigmoid cell, then the right one: the last wins"),
        Hostile("nb_renamed_function", with_cell("sigmoid", source=f"# GRADED FUNCTION: sigmoid\n\n{sigmoid_renamed}\n"),
                expect=Expect({"sigmoid": r"sigmoid_function|sigmoid"}), what="def sigmoid_function(z)"),
        Hostile("nb_input_top_level", with_cell("sigmoid", source=f"# GRADED FUNCTION: sigmoid\n\n{input_top}\n"),
                expect=Expect(notes=r"input\(\)"), what="input() at the top of a graded cell"),
        Hostile("nb_input_in_function", with_cell("predict", source=f"# GRADED FUNCTION: predict\n\n{input_inside}\n"),
                expect=Expect({"predict": r"input|EOFError"}), what="input() inside predict"),
        Hostile("nb_syntax_error", with_cell("propagate", source=f"# GRADED FUNCTION: propagate\n\n{syntax}\n"),
                expect=Expect({"propagate": r"(?i)syntax|never closed|was not closed"}),
                what="an unclosed bracket in one cell"),
    ]
