"""Reference call-backs are the calling student's time and memory, never the grader's: they run in
a killable reference process per session, bounded by the call's deadline and an address-space limit,
and what they print is that call's output. Real children and reference processes, no mocks."""
from __future__ import annotations

import os
import textwrap
import threading
import tracemalloc
from dataclasses import dataclass, replace

import numpy as np
import pytest

from grader.config import Limits
from grader.reference import parse_reference
from grader.sandbox import Sandbox
from grader.sandbox.callbacks import Board, WorkerLink

LIMITS = Limits(call_seconds=5.0, submission_seconds=120.0, cpu_seconds=60, memory_mib=1024,
                output_kib=16, file_size_mib=4, open_files=64)

REFERENCE = """
    import numpy as np

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        costs = []
        for i in range(num_iterations):
            A = sigmoid(w.T @ X + b)
            cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
            w = w - learning_rate * (X @ (A - Y).T) / X.shape[1]
            b = b - learning_rate * float(np.mean(A - Y))
            if i % 100 == 0:
                costs.append(cost)
            # Every iteration (the course prints every 100th): a reference process that a busy
            # machine slows tenfold still fills its output buffer long before the call's deadline.
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
        return {"w": w, "b": b}, costs

    def compute_cost(A, Y):
        return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / Y.shape[1]

    def widen(z):
        return np.repeat(z, 1000)
"""

STUDENT = """
    import numpy as np

    def model(X, Y, num_iterations, print_cost):
        params, costs = optimize(np.zeros((X.shape[0], 1)), 0.0, X, Y, num_iterations=num_iterations,
                                 print_cost=print_cost)
        return params["w"]

    def propagate(w, X):
        return sigmoid(w.T @ X)

    def cost_of(A, Y):
        return compute_cost(A, Y)
"""


@dataclass
class Chunk:
    filename: str
    source: str


def chunk(source: str) -> list:
    return [Chunk("<cell 1>", textwrap.dedent(source))]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("solution") / "solution.py"
    path.write_text(textwrap.dedent(REFERENCE))
    return parse_reference(path, ["sigmoid", "optimize", "compute_cost", "widen"])


def data(n=3, m=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, m)), (rng.random((1, m)) > 0.5).astype(float)


def honest_calls(sandbox, results: list, errors: list, count: int = 40) -> None:
    """Another student's session: sigmoid and a short optimize through call-backs."""
    try:
        with sandbox.open(chunk(STUDENT), student="honest") as session:
            X, Y = data()
            w = np.full((3, 1), 0.1)
            for _ in range(count):
                results.append(session.call("propagate", (w, X), proxies=("sigmoid",)))
            results.append(session.call("model", (X, Y, 200, False), proxies=("optimize", "sigmoid")))
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_a_billion_iterations_call_back_times_out_as_the_students_and_spares_the_others(reference, capfd):
    with Sandbox(LIMITS, jobs=2, reference=reference) as sb:
        results, errors = [], []
        other = threading.Thread(target=honest_calls, args=(sb, results, errors))
        with sb.open(chunk(STUDENT), student="greedy") as session:
            X, Y = data()
            other.start()
            out = session.call("model", (X, Y, 10**9, True), proxies=("optimize", "sigmoid"), timeout=3.0)
            other.join(120)
            assert out.status == "timeout", out
            assert "did not return within 3 s" in out.error and "reference optimize()" in out.error
            assert out.seconds >= 3.0
            # What the reference printed is this call's output, capped like the student's own.
            assert "Cost after iteration 0:" in out.stdout and len(out.stdout) < 16 * 1024 + 200
            # The reference process was killed with the child; the next call gets new ones.
            again = session.call("propagate", (np.zeros((3, 1)), X), proxies=("sigmoid",))
            assert again.status == "ok" and np.allclose(again.value, 0.5)
    assert not other.is_alive() and not errors, errors
    assert [r.status for r in results] == ["ok"] * 41, [r.error for r in results if not r.ok]
    X, _ = data()
    assert np.allclose(results[0].value, 1 / (1 + np.exp(-(np.full((3, 1), 0.1).T @ X))))
    captured = capfd.readouterr()
    assert "Cost after iteration" not in captured.out + captured.err    # never on the grader's console


def test_a_reference_computation_that_blows_up_memory_fails_the_call_back_not_the_grader(reference):
    # (m, 1) minus (1, m) in the reference: 16000 x 16000 float64, 2 GB, on 128 KB of inputs.
    m = 16_000
    A = np.full((m, 1), 0.5)
    Y = np.ones((1, m))
    with Sandbox(LIMITS, jobs=1, reference=reference) as sb, sb.open(chunk(STUDENT)) as session:
        tracemalloc.start()
        try:
            out = session.call("cost_of", (A, Y), proxies=("compute_cost",), timeout=30.0)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert out.status == "memory", out
        assert "reference compute_cost() ran out of memory" in out.error and "1024 MiB" in out.error
        assert peak < 64 * 2**20, peak          # the grader never held the 2 GB
        fine = session.call("cost_of", (np.full((1, 4), 0.5), np.ones((1, 4))), proxies=("compute_cost",))
        assert fine.status == "ok" and np.isclose(fine.value, np.log(2))
        assert session.children_started == 1   # a MemoryError there is an answer, not a crash


HOSTILE = """
    import os, struct, threading, time
    import numpy as np

    def oracle(z):
        # The stub's closure holds the channel; ask it for a function this call may not use.
        server = next(c.cell_contents for c in sigmoid.__closure__ if hasattr(c.cell_contents, "make_stub"))
        try:
            return server.make_stub("optimize")(np.zeros((1, 1)), 0.0, np.zeros((1, 2)), np.zeros((1, 2)))
        except NameError as exc:
            return "refused: " + str(exc)

    def leave_it_running(X, Y):
        # A call-back that outlives its call: the reference process must not go on working.
        threading.Thread(target=optimize, args=(np.zeros((X.shape[0], 1)), 0.0, X, Y),
                         kwargs={"num_iterations": 10**9}, daemon=True).start()
        time.sleep(0.2)
        return 1

    def lie_to_the_reference(z):
        os.write(4, b"GW1" + struct.pack(">IQ", 1 << 30, 1 << 40))
        try:
            return sigmoid(z)
        except RuntimeError as exc:
            return str(exc)

    def honest(z):
        return sigmoid(z)
"""


def test_only_the_calls_proxies_answer_and_nothing_outlives_its_call(reference):
    with Sandbox(LIMITS, jobs=1, reference=reference) as sb, sb.open(chunk(HOSTILE)) as session:
        X, Y = data()
        out = session.call("oracle", (0.0,), proxies=("sigmoid",))
        assert out.status == "ok" and out.value == "refused: no proxy named 'optimize'", out
        left = session.call("leave_it_running", (X, Y), proxies=("optimize",))
        assert left.status == "ok" and left.value == 1
        assert session._child is None          # the busy reference process was killed with the child
        assert session.call("honest", (np.zeros(2),), proxies=("sigmoid",)).value.tolist() == [0.5, 0.5]
        assert session.children_started == 2
        lied = session.call("lie_to_the_reference", (np.zeros(2),), proxies=("sigmoid",))
        assert lied.status == "ok" and "reference process ended" in lied.value, lied
        # The reference process hung up on the liar; the next call gets a new pair.
        again = session.call("honest", (np.zeros(2),), proxies=("sigmoid",))
        assert again.status == "ok" and session.children_started == 3


def test_a_reference_that_uses_too_much_cpu_is_killed_by_its_rlimit(reference):
    with Sandbox(replace(LIMITS, cpu_seconds=1), jobs=1, reference=reference) as sb, \
            sb.open(chunk(STUDENT)) as session:
        X, Y = data()
        out = session.call("model", (X, Y, 10**9, False), proxies=("optimize", "sigmoid"), timeout=30.0)
    # The CPU limit ends the reference process (SIGXCPU) long before the 30 s deadline; the stub
    # reports the call-back failing in the student's code.
    assert out.status == "error" and "the call-back to the reference optimize() failed" in out.error, out


def test_the_reference_runs_in_another_process_with_the_solutions_folder_on_its_path(tmp_path):
    folder = tmp_path / "solution"
    folder.mkdir()
    (folder / "helpers.py").write_text("def where():\n    import os\n    return os.getpid()\n")
    (folder / "solution.py").write_text("def pid():\n    import helpers\n    return helpers.where()\n")
    source = parse_reference(folder / "solution.py", ["pid"])
    with Sandbox(LIMITS, jobs=1, reference=source) as sb, sb.open(chunk("def f():\n    return pid()\n")) as s:
        out = s.call("f", proxies=("pid",))
        assert out.status == "ok" and out.value not in (os.getpid(), s._child.pid), out
        assert out.value == s._child.worker.pid


def test_call_back_arguments_and_results_are_held_to_the_value_budget(reference):
    source = """
        import numpy as np
        def big_argument():
            try:
                return sigmoid(np.zeros(1 << 18))          # 2 MiB
            except TypeError as exc:
                return str(exc)
        def big_result():
            try:
                return widen(np.zeros(300))                 # 2.4 MB back
            except ValueError as exc:
                return str(exc)
    """
    with Sandbox(replace(LIMITS, value_mib=1), jobs=1, reference=reference) as sb, sb.open(chunk(source)) as s:
        out = s.call("big_argument", proxies=("sigmoid",))
        assert out.status == "ok" and out.value.startswith("argument 1 of sigmoid() is too large: an array"), out
        assert "1 MiB (limits.value_mib)" in out.value
        out = s.call("big_result", proxies=("widen",))
        assert out.status == "ok" and out.value.startswith("the result of the reference widen() is too large"), out


def test_the_reference_process_does_not_import_from_the_graders_working_folder(reference, tmp_path, monkeypatch):
    # ``python -m`` puts the working folder first on sys.path: a ``grader`` package there must
    # not be what the trusted reference zygote imports.
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "__init__.py").write_text("raise SystemExit('imported from the working folder')\n")
    monkeypatch.chdir(tmp_path)
    with Sandbox(LIMITS, jobs=1, reference=reference) as sb, sb.open(chunk(STUDENT)) as session:
        out = session.call("propagate", (np.zeros((3, 1)), np.zeros((3, 2))), proxies=("sigmoid",))
    assert out.status == "ok" and np.allclose(out.value, 0.5)


def test_a_reference_process_that_said_it_is_hanging_up_is_not_reused_though_still_alive():
    # Between a reference process closing its socket and its exit, a pidfd still says alive: the
    # child has seen the hang-up, the grader must not hand that pair the next call. The process
    # marks its board first (grader/sandbox/refworker.py); here, one that lives on after marking.
    board = Board.create()
    try:
        link = WorkerLink(os.getpid(), board, ("f",))
        assert link.alive()
        board.set_gone()
        assert not link.alive()
    finally:
        link.close()
