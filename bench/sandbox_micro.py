"""Microbenchmark of the sandbox's message paths: a plain small call and a proxy call-back.

    .venv/bin/python bench/sandbox_micro.py [--calls 2000] [--callbacks 4000] [--repeat 5]

Prints, per figure, the best of ``--repeat`` runs (medians hide nothing here: the runs are
long loops, and the best one is the least disturbed by the rest of the machine):

- *small call*: ``session.call`` of a function taking a 5x10 float64 array and returning it,
  wall time per call and this process's CPU per call;
- *call-back*: one call of a student function that calls a proxy ``--callbacks`` times with
  propagate-sized data (w (5,1), b float, X (5,12), Y (1,12)); the proxy returns what the
  reference ``propagate`` returns (a dict with a (5,1) array and a float, and a 0-d array).
  Wall time per round trip, the grader's CPU per round trip (this process, measured with
  ``time.process_time``: it is single-threaded here) and the child's CPU per round trip
  (measured inside the child by the student function itself with ``time.process_time``).

Figures only, never a timed assertion (see DEVELOPERS.md).
"""
from __future__ import annotations

import argparse
import os
import sys
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


def reference_propagate(w, b, X, Y):
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = X @ (A - Y).T / m
    db = float(np.sum(A - Y) / m)
    return {"dw": dw, "db": db}, np.squeeze(np.array(cost))


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
    proxies = {"propagate": reference_propagate}
    session.call("loop", (w, 0.0, X, Y, 50), proxies=proxies)          # warm up
    base = session.call("loop", (w, 0.0, X, Y, 0), proxies=proxies)    # the call without call-backs
    wall, cpu = time.perf_counter(), time.process_time()
    out = session.call("loop", (w, 0.0, X, Y, n), proxies=proxies)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert out.status == "ok" and base.status == "ok", (out, base)
    return (wall - base.seconds) / n, cpu / n, out.value / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--callbacks", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    calls, callbacks = [], []
    with Sandbox(LIMITS, jobs=1) as sandbox, sandbox.open([Chunk("<cell 1>", STUDENT)]) as session:
        assert all(r.ok for r in session.load_report), session.load_report
        for _ in range(opts.repeat):
            calls.append(measure_calls(session, opts.calls))
            callbacks.append(measure_callbacks(session, opts.callbacks))
    call_wall, call_cpu = min(calls)
    cb_wall, cb_cpu, cb_child = min(callbacks)
    us = 1e6
    print(f"small call (5x10 float64 in and out): {call_wall * us:6.1f} us wall, "
          f"{call_cpu * us:6.1f} us grader CPU   (best of {opts.repeat} x {opts.calls})")
    print(f"call-back round trip (propagate-sized): {cb_wall * us:6.1f} us wall, "
          f"{cb_cpu * us:6.1f} us grader CPU, {cb_child * us:6.1f} us child CPU   "
          f"(best of {opts.repeat} x {opts.callbacks})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
