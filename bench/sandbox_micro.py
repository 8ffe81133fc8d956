"""Microbenchmark of the sandbox's message paths: a plain small call and a proxy call-back.

    .venv/bin/python bench/sandbox_micro.py [--calls 2000] [--callbacks 4000] [--repeat 5] [--spawns 200]

Prints, per figure, the best of ``--repeat`` runs (medians hide nothing here: the runs are
long loops, and the best one is the least disturbed by the rest of the machine):

- *small call*: ``session.call`` of a function taking a 5x10 float64 array and returning it,
  wall time per call and this process's CPU per call;
- *call-back*: one call of a student function that calls the proxied reference ``propagate``
  ``--callbacks`` times with propagate-sized data (w (5,1), b float, X (5,12), Y (1,12)); it
  returns a dict with a (5,1) array and a float, and a 0-d array. The reference runs in the
  session's reference process. Wall time per round trip, the grader's CPU per round trip
  (this process, measured with ``time.process_time``: it is single-threaded here) and the
  child's CPU per round trip (measured inside the child by the student function itself with
  ``time.process_time``) and the reference process's (``/proc/<pid>/stat``, clock ticks).
- *child*: ``--spawns`` sessions opened (fork from the zygote, every lockdown layer, one
  small chunk loaded) and closed one after the other, per child: wall time; this process's
  CPU; the zygote's own CPU and its reaped children's user and system CPU (``/proc/<zygote>/stat``
  utime/stime and cutime/cstime); and system-wide busy CPU from ``/proc/stat`` (all CPUs,
  so kernel work done outside our processes counts too, e.g. a network namespace's teardown
  in a kernel worker), measured until that work settled, minus the machine's background rate
  measured just before (other load on the machine makes this figure noisy).

Figures only, never a timed assertion (see DEVELOPERS.md).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grader.config import Limits  # noqa: E402
from grader.sandbox import Sandbox  # noqa: E402

LIMITS = Limits(call_seconds=60.0, submission_seconds=600.0, cpu_seconds=600, memory_mib=1024,
                output_kib=64, file_size_mib=4, open_files=64)

STUDENT = textwrap.dedent("""
    import time
    import numpy as np

    def echo(a):
        return a

    def loop(w, b, X, Y, k):
        cpu = time.process_time()
        for _ in range(k):
            grads, cost = propagate(w, b, X, Y)
            w = w - 0.01 * grads["dw"]
            b = b - 0.01 * grads["db"]
        return time.process_time() - cpu
""")


@dataclass
class Chunk:
    filename: str
    source: str


REFERENCE = textwrap.dedent("""
    import numpy as np

    def propagate(w, b, X, Y):
        m = X.shape[1]
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        dw = X @ (A - Y).T / m
        db = float(np.sum(A - Y) / m)
        return {"dw": dw, "db": db}, np.squeeze(np.array(cost))
""")


def reference_source(folder: str):
    """The reference file the call-backs reach (run by the sandbox's reference process)."""
    from grader.reference import parse_reference

    path = os.path.join(folder, "solution.py")
    with open(path, "w") as f:
        f.write(REFERENCE)
    return parse_reference(path, ["propagate"])


def measure_calls(session, n: int) -> tuple[float, float]:
    a = np.random.default_rng(0).standard_normal((5, 10))
    for _ in range(50):                       # warm up
        session.call("echo", (a,))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        out = session.call("echo", (a,))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert out.status == "ok" and np.array_equal(out.value, a), out
    return wall / n, cpu / n


def measure_callbacks(session, n: int) -> tuple[float, float, float]:
    rng = np.random.default_rng(1)
    w, X = rng.standard_normal((5, 1)), rng.standard_normal((5, 12))
    Y = (rng.random((1, 12)) > 0.5).astype(float)
    proxies = ("propagate",)
    session.call("loop", (w, 0.0, X, Y, 50), proxies=proxies)          # warm up
    base = session.call("loop", (w, 0.0, X, Y, 0), proxies=proxies)    # the call without call-backs
    worker = session._child.worker.pid      # the session's reference process
    ref0 = sum(_task_times(worker)[:2])
    wall, cpu = time.perf_counter(), time.process_time()
    out = session.call("loop", (w, 0.0, X, Y, n), proxies=proxies)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ref = (sum(_task_times(worker)[:2]) - ref0) / os.sysconf("SC_CLK_TCK")
    assert out.status == "ok" and base.status == "ok", (out, base)
    return (wall - base.seconds) / n, cpu / n, out.value / n, ref / n


def _proc_stat() -> tuple[int, int]:
    """(busy, system) jiffies over all CPUs since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait = fields[:5]
    return sum(fields[:8]) - idle - iowait, system + fields[5] + fields[6]


def _task_times(pid: int) -> tuple[int, int, int, int]:
    """(utime, stime, cutime, cstime) jiffies of ``pid``."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return tuple(int(x) for x in rest[11:15])


def _settled_stat(seconds: float = 0.25) -> tuple[int, int]:
    """/proc/stat once deferred kernel work is done: busy time per ``seconds`` stops falling."""
    last = None
    for _ in range(20):
        before = _proc_stat()
        time.sleep(seconds)
        after = _proc_stat()
        rate = after[0] - before[0]
        if last is not None and rate >= last * 0.8:
            return after
        last = rate
    return _proc_stat()


def measure_children(sandbox, n: int) -> dict:
    chunk = [Chunk("<cell 1>", "import numpy as np\ndef echo(a):\n    return a\n")]
    for _ in range(10):                       # warm up
        sandbox.open(chunk).close()
    tick = os.sysconf("SC_CLK_TCK")
    zpid = sandbox._zygote.pid
    bg0 = _settled_stat()
    time.sleep(1.0)
    bg1 = _proc_stat()
    bg_rate = ((bg1[0] - bg0[0]) / 1.0, (bg1[1] - bg0[1]) / 1.0)   # jiffies per second
    z0, s0 = _task_times(zpid), bg1
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        with sandbox.open(chunk) as session:
            assert session.load_report[0].ok, session.load_report
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    s1 = _settled_stat()
    span = wall + 0.5   # the settling adds ~0.5 s of background
    z1 = _task_times(zpid)
    per = lambda jiffies: jiffies / tick / n   # noqa: E731
    return {"wall": wall / n, "grader": cpu / n,
            "zygote": per(z1[0] - z0[0] + z1[1] - z0[1]),
            "child_user": per(z1[2] - z0[2]), "child_sys": per(z1[3] - z0[3]),
            "system_busy": per(s1[0] - s0[0] - bg_rate[0] * span),
            "system_sys": per(s1[1] - s0[1] - bg_rate[1] * span),
            "background": (bg_rate[0] / tick, bg_rate[1] / tick)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--callbacks", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--spawns", type=int, default=200)
    parser.add_argument("--only-children", action="store_true", help="measure children only")
    opts = parser.parse_args()
    ms = 1e3
    if opts.spawns:
        with Sandbox(LIMITS, jobs=1) as sandbox:
            c = measure_children(sandbox, opts.spawns)
        print(f"child (open + close, every layer): {c['wall'] * ms:5.2f} ms wall, "
              f"{c['grader'] * ms:5.2f} ms grader CPU, {c['zygote'] * ms:5.2f} ms zygote CPU, "
              f"child {c['child_user'] * ms:5.2f} ms user + {c['child_sys'] * ms:5.2f} ms sys, "
              f"system-wide {c['system_busy'] * ms:5.2f} ms busy ({c['system_sys'] * ms:5.2f} ms kernel)   "
              f"({opts.spawns} children; background {c['background'][0]:.2f} CPU busy)")
    if opts.only_children:
        return 0
    calls, callbacks = [], []
    with tempfile.TemporaryDirectory() as folder, \
            Sandbox(LIMITS, jobs=1, reference=reference_source(folder)) as sandbox, \
            sandbox.open([Chunk("<cell 1>", STUDENT)]) as session:
        assert all(r.ok for r in session.load_report), session.load_report
        for _ in range(opts.repeat):
            calls.append(measure_calls(session, opts.calls))
            callbacks.append(measure_callbacks(session, opts.callbacks))
    call_wall, call_cpu = min(calls)
    cb_wall, cb_cpu, cb_child, cb_ref = min(callbacks)
    us = 1e6
    print(f"small call (5x10 float64 in and out): {call_wall * us:6.1f} us wall, "
          f"{call_cpu * us:6.1f} us grader CPU   (best of {opts.repeat} x {opts.calls})")
    print(f"call-back round trip (propagate-sized): {cb_wall * us:6.1f} us wall, "
          f"{cb_cpu * us:6.1f} us grader CPU, {cb_child * us:6.1f} us child CPU, "
          f"{cb_ref * us:6.1f} us reference process CPU   "
          f"(best of {opts.repeat} x {opts.callbacks})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
