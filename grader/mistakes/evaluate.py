"""Run a function's mistake models on its cases in a worker process, within a deadline.

The worker (``python -m grader.mistakes.worker``) is started for one function, gets the models
and the cases' inputs as one frame on stdin, and answers with one frame on its stdout: the
outputs of every model on every case, as plain data (decoded with the sandbox's codec; nothing
is unpickled). It runs in a process group of its own, under the assignment's memory and CPU
limits; each model call has a time limit of its own (a multiple of the reference's time on the
case, within the function's call limit), and the grader kills the whole group when the
worker's deadline passes. What a model prints never reaches the grader's console.

With a ``store`` (a folder of the grader's that student code cannot reach, such as the private
one that the grader processes of one batch share), a complete answer is kept there under a key
of everything it depends on (the request, the solution's folder, the grader's and numpy's
versions): the other grader processes read it instead of starting a worker. An answer with a
timeout in it depends on the machine's load and is never kept. The answers hold outputs on the
hidden cases: a store is never a folder students may see.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import __version__
from grader import outcomes as st
from grader.outcomes import CallOutcome
from grader.sandbox import frames, wire

CALL_FLOOR_SECONDS = 1.0    # a model call may always take this long...
CALL_FACTOR = 25.0          # ...or this many times the reference's time on the case, within the call limit
BUDGET_CALLS = 2.0          # all of a function's models: this many of its call limits
START_SECONDS = 15.0        # the worker's start (an interpreter, numpy, the reference) beyond its budget
STDERR_CHARS = 2000
LOCK_POLL_SECONDS = 0.05    # how often a grader process looks whether another one has finished


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
             deadline_seconds: float | None = None, store: Path | None = None) -> Evaluation:
    """Run ``models`` (grader.mistakes.models.Mistake) on ``cases`` (grader.outcomes.Case); the
    worker is killed after ``deadline_seconds`` (default: its budget and its start). ``store``:
    where complete answers are shared (see the module's docstring)."""
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
    deadline = deadline_seconds or budget + START_SECONDS
    if store is None:
        answer, error = _run_worker(data, deadline)
    else:
        answer, error = _shared_answer(Path(store), _key(data, solution, mistakes_path), data, deadline)
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


def _key(data: bytes, solution, mistakes_path) -> str:
    import numpy

    digest = hashlib.sha256(f"grader {__version__} numpy {numpy.__version__}\n".encode())
    # the solution's folder: the helpers its functions import when they run, and mistakes.py
    folder = Path(solution).parent
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    if mistakes_path is not None and Path(mistakes_path).parent != folder:
        paths.append(Path(mistakes_path))
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError:
            content = b"\0absent"
        name = str(path).encode("utf-8", "surrogateescape")
        digest.update(len(name).to_bytes(8, "big") + name + len(content).to_bytes(8, "big") + content)
    digest.update(data)
    return digest.hexdigest()


def _shared_answer(store: Path, key: str, data: bytes, deadline_seconds: float) -> tuple:
    """The answer kept in ``store`` under ``key``, else the worker's (kept there when complete).
    One grader process computes it while the others wait for it, within the worker's deadline
    and a margin; past that they compute it themselves."""
    store.mkdir(parents=True, exist_ok=True)
    kept = store / f"{key}.frame"
    with open(store / f"{key}.lock", "a+b") as lock:
        _lock(lock, time.monotonic() + deadline_seconds + START_SECONDS)
        try:
            if kept.is_file():
                answer, error = _read_answer(kept.read_bytes())
                if answer is not None:
                    return answer, error
            out, error = _worker_bytes(data, deadline_seconds)
            if out is None:
                return None, error
            answer, error = _read_answer(out)
            if answer is not None and _keepable(answer[0]):
                _write_atomically(kept, out)
            return answer, error
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _lock(handle, deadline: float) -> bool:
    """Take the lock on ``handle`` by ``deadline`` (polling: every wait has a bound); False when
    another process still held it then."""
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(LOCK_POLL_SECONDS)


def _keepable(header: dict) -> bool:
    """Complete, and nothing in it that a loaded machine could have changed."""
    if "failed" in header or header.get("stopped") or header.get("broken"):
        return False
    return all(outcome.get("status") not in ("timeout", "memory")
               for result in header.get("results", ()) for outcome in result.get("outcomes", ()))


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        pass   # not kept: the next process computes it again


def _run_worker(data: bytes, deadline_seconds: float) -> tuple:
    """((header, buffers), "") from the worker, or (None, why not)."""
    out, error = _worker_bytes(data, deadline_seconds)
    return _read_answer(out) if out is not None else (None, error)


def _worker_bytes(data: bytes, deadline_seconds: float) -> tuple:
    """(the worker's answer frame, "") or (None, why there is none)."""
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
    return out, ""


def _read_answer(out: bytes) -> tuple:
    """((header, buffers), "") from an answer frame, or (None, why it cannot be read)."""
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
