"""The mistake worker: ``python -m grader.mistakes.worker`` runs one function's mistake models
on its cases, in a process of its own, and answers with their outputs as plain data.

Trusted code on trusted data (the reference, the instructor's models, the cases' inputs), yet
a model may be slow (an argument left at a default of 10000 iterations) or hungry (a broadcast
blow-up): so it runs here, never in the grader's process, under ``RLIMIT_AS`` and
``RLIMIT_CPU``, each call under a timer; the grader kills the whole process at its deadline.
What the models print goes nowhere (``print_cost``): the answer has a descriptor of its own.

Request on stdin, answer on the saved stdout, each one frame of ``grader.sandbox.frames``:
request ``{"solution", "mistakes", "function", "models": [{"id", "source", "compute",
"float32"}], "cases": [{"args", "kwargs", "np_seed"}], "call_floor", "call_factor", "call_cap",
"budget", "memory_mib", "cpu_seconds"}``; answer ``{"reference_seconds": [...],
"results": [{"id", "outcomes": [{"status", "value" | "error"}, ...]}], "stopped": bool,
"broken": why mistakes.py could not be imported, or ""}``, or ``{"failed": why}``.
Statuses: ``ok``, ``error`` (the first line of the exception), ``timeout``, ``memory``,
``not_run`` (after a timeout, when the budget was spent, or for a model that could not be made).
"""
from __future__ import annotations

import copy
import os
import resource
import signal
import sys
import time
import traceback
import warnings

from grader.sandbox import frames, wire

MIB = 1024 * 1024


class Slow(BaseException):
    """A model's call went over its time: a BaseException, so no ``except Exception`` swallows it."""


def _on_alarm(signum, frame):
    raise Slow()


def main() -> int:
    answer_fd = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):                    # whatever the models print goes nowhere
        os.dup2(null, fd)
    try:
        header, buffers = _parse(sys.stdin.buffer.read())
        _limit(header)
        warnings.simplefilter("ignore")     # overflow in exp, division by zero: the model's own business
        signal.signal(signal.SIGALRM, _on_alarm)
        answer, parts = run(header, buffers)
    except BaseException as exc:  # noqa: BLE001 - told to the grader, which gives no diagnosis then
        answer, parts = {"failed": _first_line(exc)[:2000]}, []
    data = b"".join(bytes(p) if not isinstance(p, bytes) else p for p in frames.pack(answer, parts))
    with os.fdopen(answer_fd, "wb") as out:
        out.write(data)
    return 0


def _parse(data: bytes) -> tuple[dict, list]:
    json_len, buf_len = frames.check_prefix(data[:frames.PREFIX.size])
    body = data[frames.PREFIX.size:frames.PREFIX.size + json_len]
    return frames.unpack(body, data[frames.PREFIX.size + json_len:frames.PREFIX.size + json_len + buf_len])


def _limit(header: dict) -> None:
    cpu = int(header["cpu_seconds"])
    for which, value in ((resource.RLIMIT_AS, (int(header["memory_mib"]) * MIB,) * 2),
                         (resource.RLIMIT_CPU, (cpu, cpu + 1)), (resource.RLIMIT_CORE, (0, 0))):
        try:
            resource.setrlimit(which, value)
        except (OSError, ValueError):
            pass   # a limit the system refuses: the grader's deadline still bounds the time


def run(header: dict, buffers: list) -> tuple[dict, list]:
    from pathlib import Path

    from grader.reference import import_solution

    solution = Path(header["solution"])
    module = import_solution(solution)
    sys.path.insert(0, str(solution.parent))     # helpers the functions import when they run
    name = header["function"]
    reference = getattr(module, name)
    cases = [(wire.decode(c["args"], buffers), wire.decode(c["kwargs"], buffers), c["np_seed"]) for c in header["cases"]]
    reference_seconds = [_timed(reference, case, None)[1] for case in cases]
    limits = [min(header["call_cap"], max(header["call_floor"], header["call_factor"] * s)) for s in reference_seconds]
    declared, broken = None, ""
    if any(m["compute"] for m in header["models"]):
        try:
            declared = _declared(header["mistakes"])
        except Exception as exc:  # noqa: BLE001 - the declared models cannot run; the others can
            broken = f"importing {header['mistakes']} failed: {_first_line(exc)}"
    deadline = time.monotonic() + header["budget"]
    parts: list = []
    results, stopped = [], False
    for mistake in header["models"]:
        if time.monotonic() > deadline:
            stopped = True
            results.append({"id": mistake["id"], "outcomes": [{"status": "not_run"}] * len(cases)})
            continue
        function = _callable(mistake, module, name, declared)
        results.append({"id": mistake["id"], "outcomes": _outcomes(function, mistake["id"], cases, limits, parts)})
    return {"reference_seconds": reference_seconds, "results": results, "stopped": stopped, "broken": broken}, parts


def _declared(path: str):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_grader_mistakes", Path(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _callable(mistake: dict, module, name: str, declared):
    """The model's function, or the exception that making it raised (every case: not run)."""
    try:
        if mistake["compute"]:
            if declared is None:
                return RuntimeError("mistakes.py could not be imported")
            return getattr(declared, mistake["compute"])
        if mistake["float32"]:
            reference = getattr(module, name)
            return lambda *args, **kwargs: reference(*_float32(args), **_float32(kwargs))
        import math

        namespace = dict(vars(module))
        namespace.setdefault("math", math)   # for the model that writes math.exp for np.exp
        exec(compile(mistake["source"], f"<mistake {mistake['id']}>", "exec"), namespace)
        return namespace[name]
    except Exception as exc:  # noqa: BLE001 - reported as the model's outcome
        return exc


def _float32(value):
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    if isinstance(value, dict):
        return {k: _float32(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_float32(v) for v in value)
    return value


def _outcomes(function, ident: str, cases: list, limits: list, parts: list) -> list:
    outcomes = []
    for case, limit in zip(cases, limits):
        if isinstance(function, Exception):     # a model that could not be made is no evidence
            outcomes.append({"status": "not_run", "error": _first_line(function)})
            continue
        if outcomes and outcomes[-1]["status"] in ("timeout", "not_run"):
            outcomes.append({"status": "not_run"})
            continue
        outcomes.append(_call(function, case, limit, parts, ident))
    return outcomes


def _timed(function, case, limit):
    args, kwargs, np_seed = copy.deepcopy(case)
    if np_seed is not None:
        import numpy as np

        np.random.seed(np_seed)
    if limit:
        signal.setitimer(signal.ITIMER_REAL, limit)
    started = time.perf_counter()
    try:
        value = function(*args, **kwargs)
    finally:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return value, time.perf_counter() - started


def _call(function, case, limit: float, parts: list, ident: str) -> dict:
    try:
        value, _ = _timed(function, case, limit)
    except Slow:
        return {"status": "timeout"}
    except MemoryError:
        return {"status": "memory"}
    except RecursionError:
        return {"status": "error", "error": "RecursionError"}
    except Exception as exc:  # noqa: BLE001 - the mistaken code raised: that is its outcome
        return {"status": "error", "error": _first_line(exc)}
    try:
        return {"status": "ok", "value": wire.encode(value, parts, f"the output of {ident}")}
    except wire.NotPlainData as exc:
        return {"status": "error", "error": f"not plain data: {exc}"}


def _first_line(exc: BaseException) -> str:
    """``Type: message`` as the sandbox reports a student's exception (its first line)."""
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[0]


if __name__ == "__main__":
    sys.exit(main())
