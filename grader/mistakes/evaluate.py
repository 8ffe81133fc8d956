"""Run a function's mistake models on its cases in a worker process, within a deadline.

The worker (``python -m grader.mistakes.worker``) is started for one function, gets the models
and the cases' inputs as one frame on stdin, and answers with one frame on its stdout: the
outputs of every model on every case, as plain data (decoded with the sandbox's codec; nothing
is unpickled). It runs in a process group of its own, under the assignment's memory and CPU
limits; each model call has a time limit of its own (a multiple of the reference's time on the
case, within the function's call limit), and the grader kills the whole group when the
worker's deadline passes. What a model prints never reaches the grader's console.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from grader import outcomes as st
from grader.outcomes import CallOutcome
from grader.sandbox import frames, wire

CALL_FLOOR_SECONDS = 1.0    # a model call may always take this long...
CALL_FACTOR = 25.0          # ...or this many times the reference's time on the case, within the call limit
BUDGET_CALLS = 2.0          # all of a function's models: this many of its call limits
START_SECONDS = 15.0        # the worker's start (an interpreter, numpy, the reference) beyond its budget
STDERR_CHARS = 2000


@dataclass
class Evaluation:
    """Every model's outcome on every case of one function (in the order of the batch's cases)."""

    outcomes: dict = field(default_factory=dict)   # mistake id -> [CallOutcome per case]
    complete: bool = True         # False: the worker stopped early or failed; no diagnosis then
    error: str = ""               # why it is not complete, or why the declared models could not run
    seconds: float = 0.0


def budget_seconds(spec) -> float:
    return BUDGET_CALLS * float(spec.timeout_seconds)


def evaluate(solution, mistakes_path, spec, models: list, cases: list, limits,
             deadline_seconds: float | None = None) -> Evaluation:
    """Run ``models`` (grader.mistakes.models.Mistake) on ``cases`` (grader.outcomes.Case); the
    worker is killed after ``deadline_seconds`` (default: its budget and its start)."""
    started = time.perf_counter()
    if not models:
        return Evaluation(seconds=0.0)
    budget = budget_seconds(spec)
    buffers: list = []
    request = {
        "solution": str(solution), "mistakes": str(mistakes_path), "function": spec.name,
        "models": [mistake.request() for mistake in models],
        "cases": [{"args": wire.encode(case.args, buffers, "args"), "kwargs": wire.encode(case.kwargs, buffers, "kwargs"),
                   "np_seed": case.np_seed} for case in cases],
        "call_floor": CALL_FLOOR_SECONDS, "call_factor": CALL_FACTOR, "call_cap": float(spec.timeout_seconds),
        "budget": budget, "memory_mib": int(limits.memory_mib), "cpu_seconds": int(budget + START_SECONDS) + 1,
    }
    data = b"".join(bytes(part) for part in frames.pack(request, buffers))
    answer, error = _run_worker(data, deadline_seconds or budget + START_SECONDS)
    evaluation = Evaluation(seconds=0.0)
    if answer is not None and "failed" in answer[0]:
        answer, error = None, f"the mistake worker failed: {answer[0]['failed']}"
    if answer is None:
        evaluation.complete, evaluation.error = False, error
    else:
        header, payload = answer
        evaluation.complete = not header.get("stopped")
        evaluation.error = header.get("broken", "") or ("" if evaluation.complete else
                                                        f"the models took longer than {budget:g} s in all")
        for result in header["results"]:
            evaluation.outcomes[result["id"]] = [_outcome(o, payload) for o in result["outcomes"]]
    evaluation.seconds = time.perf_counter() - started
    return evaluation


def _outcome(data: dict, buffers: list) -> CallOutcome:
    status = data["status"]
    if status == "ok":
        return CallOutcome(st.OK, value=wire.decode(data["value"], buffers))
    if status == "error":
        return CallOutcome(st.ERROR, error=data["error"])
    return CallOutcome({"timeout": st.TIMEOUT, "memory": st.MEMORY}.get(status, st.NOT_RUN))


def _run_worker(data: bytes, deadline_seconds: float) -> tuple:
    """((header, buffers), "") from the worker, or (None, why not)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    try:
        process = subprocess.Popen([sys.executable, "-m", "grader.mistakes.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
    except OSError as exc:
        return None, f"the mistake worker could not start: {exc}"
    try:
        out, err = process.communicate(data, timeout=deadline_seconds)
    except subprocess.TimeoutExpired:
        _kill(process)
        return None, f"the mistake models did not finish within {deadline_seconds:g} s"
    except BaseException:
        _kill(process)
        raise
    if process.returncode != 0:
        tail = err.decode("utf-8", "replace")[-STDERR_CHARS:].strip()
        return None, f"the mistake worker failed (exit status {process.returncode}): {tail}"
    try:
        json_len, buf_len = frames.check_prefix(out[:frames.PREFIX.size])
        start = frames.PREFIX.size
        return frames.unpack(out[start:start + json_len], out[start + json_len:start + json_len + buf_len]), ""
    except (wire.WireError, ValueError) as exc:
        return None, f"the mistake worker's answer could not be read: {exc}"


def _kill(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass
