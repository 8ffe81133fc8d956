"""Grade with several grader processes on this machine.

One grader process judges under one GIL: past about two cores, its own CPU (decoding the
children's answers, serving call-backs, judging, reports) is the ceiling. A large batch is
therefore split between ``processes`` worker processes, each running the threads backend on
every ``processes``-th submission with its own zygote, sandboxes and pytest session. They
are fresh interpreters (``spawn``: nothing inherited from this process's threads) and send
each result back as JSON text as soon as it is final; nothing they send is unpickled here.

Every wait is bounded by the job's deadline. A worker that dies takes only its unfinished
students with it: they are reported as not graded, with the reason, and graded again on the
next run; the other workers go on.
"""
from __future__ import annotations

import json
import multiprocessing
import sys
import tempfile
import time
import traceback
from multiprocessing.connection import wait
from pathlib import Path

from grader.backends.base import Job
from grader.backends.threads import ThreadsBackend
from grader.engine.results import not_graded
from grader.errors import UserError
from grader.outcomes import StudentResult


class ProcessesBackend:
    name = "processes"

    def __init__(self, processes: int, jobs_per_process: int):
        self.processes = processes
        self.jobs_per_process = jobs_per_process

    def grade(self, job: Job):
        context = multiprocessing.get_context("spawn")
        workers = {}
        # The workers share what each would otherwise compute once per process (the mistake
        # models' outputs): in the job's store, or in a private folder for this batch.
        shared = None if job.store is not None else tempfile.TemporaryDirectory(prefix="grader-shared-")
        store = job.store if shared is None else shared.name
        deny = tuple(str(p) for p in job.deny_paths) + (str(store),)
        for number in range(self.processes):
            mine = list(range(number, len(job.work), self.processes))
            if not mine:
                continue
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker_main, name=f"grader-worker-{number}", daemon=True,
                args=(job.assignment, [job.work[i] for i in mine], mine, self.jobs_per_process,
                      deny, job.deadline, send, str(store)))
            _start_without_main(process)
            send.close()
            workers[receive] = (process, set(mine))
        try:
            yield from self._collect(job, workers)
        finally:
            for process, _ in workers.values():
                if process.is_alive():
                    process.terminate()
                process.join(timeout=10.0)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=5.0)
            if shared is not None:
                shared.cleanup()

    def _collect(self, job: Job, workers: dict):
        open_pipes = dict(workers)
        while open_pipes and (remaining := job.deadline - time.monotonic()) > 0:
            for pipe in wait(list(open_pipes), timeout=min(remaining, 1.0)):
                process, unfinished = open_pipes[pipe]
                try:
                    message = pipe.recv_bytes()
                except (EOFError, OSError):
                    del open_pipes[pipe]
                    process.join(timeout=10.0)
                    reason = f"the grader process grading it stopped (exit code {process.exitcode})"
                    for index in sorted(unfinished):
                        yield index, not_graded(job.assignment, job.work[index], reason)
                    continue
                kind, _, body = message.partition(b"\n")
                if kind == b"error":
                    raise _error_from(json.loads(body))
                if kind == b"stats":
                    _merge_stats(job.stats, json.loads(body))
                    continue
                index = int(kind)
                unfinished.discard(index)
                yield index, StudentResult.from_json(body.decode("utf-8"))


def _error_from(data: dict) -> Exception:
    """A worker's failure, raised here: the instructor's errors as such, anything else as a bug."""
    if data.get("user"):
        return UserError(data["message"], path=data.get("path"), hint=data.get("hint"))
    return RuntimeError(f"a grader worker process failed:\n{data['traceback']}")


def _start_without_main(process) -> None:
    """Start a spawned worker without re-running the caller's ``__main__`` in it.

    multiprocessing's spawn re-imports the main script in every child, which runs a script's
    top-level code again (and fails) unless it has an ``if __name__ == "__main__":`` guard.
    Workers need nothing from it (their target lives in this module), so the script's path is
    hidden while the process starts."""
    main = sys.modules.get("__main__")
    hidden = {}
    for name in ("__file__", "__spec__"):
        if main is not None and name in vars(main):
            hidden[name] = vars(main)[name]
    try:
        for name in hidden:
            setattr(main, name, None) if name == "__spec__" else delattr(main, name)
        process.start()
    finally:
        for name, value in hidden.items():
            setattr(main, name, value)


def _merge_stats(stats: dict | None, worker: dict) -> None:
    """Add a worker's timings (already keyed by batch position) to the caller's ``stats``."""
    if stats is None:
        return
    for key, value in worker.items():
        if key == "stage_seconds":
            stages = stats.setdefault(key, {})
            for stage, seconds in value.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
        elif isinstance(value, dict):
            stats.setdefault(key, {}).update({int(k): v for k, v in value.items()})


def _worker_main(assignment, work, positions, jobs, deny_paths, deadline, send, store=None) -> None:
    stats: dict = {}
    try:
        # time.monotonic and perf_counter are the system's monotonic clock on Linux: the
        # deadline and the timings mean the same here as in the parent.
        job = Job(assignment, work, jobs, deadline, tuple(Path(p) for p in deny_paths), stats, store=store)
        for local, result in ThreadsBackend().grade(job):
            send.send_bytes(str(positions[local]).encode() + b"\n" + result.to_json().encode("utf-8"))
        timings = {"stage_seconds": stats.get("stage_seconds", {})}
        for key in ("started", "judged"):
            timings[key] = {positions[local]: t for local, t in stats.get(key, {}).items()}
        send.send_bytes(b"stats\n" + json.dumps(timings).encode())
    except BaseException as exc:
        error = {"user": isinstance(exc, UserError), "traceback": traceback.format_exc()}
        if isinstance(exc, UserError):
            error.update(message=exc.message, path=str(exc.path) if exc.path else None, hint=exc.hint)
        send.send_bytes(b"error\n" + json.dumps(error).encode("utf-8"))
        raise
    finally:
        send.close()
