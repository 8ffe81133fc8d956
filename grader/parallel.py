"""Grade with several trusted grader processes on one machine.

One grader process judges under one GIL: past about two cores, its own CPU (decoding the
children's answers, serving call-backs to the reference, judging, reports) is the
ceiling. For a large batch, ``grade_paths`` therefore splits the submissions between
``processes`` worker processes, each running the ordinary single-process path (its own
zygote, sandboxes, pytest engine) on every ``processes``-th submission. They are fresh
interpreters (``spawn``: nothing inherited from this process's threads) and send each
result back as JSON text as soon as it is final, so ``on_done`` still persists work
student by student. Results are assembled in input order: the files do not depend on how
the work was split.

These workers are part of the trusted grader (student code runs only in their sandboxes);
still, nothing they send is unpickled here: results arrive as bytes (``recv_bytes``).
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
import traceback
from multiprocessing.connection import wait
from pathlib import Path

from grader.outcomes import StudentResult

# Below this many submissions per process, starting processes costs more than it saves.
MIN_PER_PROCESS = 24


def default_jobs() -> int:
    """Submissions graded at once by default: one more than the cores. Each grader process
    alternates with its sandboxed child (a call, a call-back, a call...), so one extra keeps
    the cores busy in the gaps (measured here: 1000 submissions in 49-51 s with 3 on 2 cores,
    53-54 s with 2 or 4)."""
    return (os.cpu_count() or 1) + 1


def plan_processes(jobs: int, count: int, cores: int, processes: int | None = None) -> tuple[int, int]:
    """(processes, sandboxes per process) for ``jobs`` sandboxes and ``count`` submissions;
    ``processes`` fixes their number instead of deciding it from the batch and the cores."""
    if processes is None:
        processes = min(jobs, cores + 1, count // MIN_PER_PROCESS)
    processes = max(1, processes)
    return processes, max(1, -(-jobs // processes))


def grade_in_processes(assignment, paths: list, ids: list, *, processes: int, jobs_per_process: int,
                       on_done=None, progress=None, deny_paths: tuple = (), stats: dict | None = None) -> list:
    """Grade ``paths`` in ``processes`` worker processes; one StudentResult per path, in order."""
    context = multiprocessing.get_context("spawn")
    workers = []
    for worker in range(processes):
        mine = list(range(worker, len(paths), processes))
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_worker_main, name=f"grader-worker-{worker}", daemon=True,
            args=(assignment, [str(paths[i]) for i in mine], [ids[i] for i in mine], mine,
                  jobs_per_process, tuple(str(p) for p in deny_paths), send))
        _start_without_main(process)
        send.close()
        workers.append((process, receive))

    results: list = [None] * len(paths)
    open_pipes = {receive: process for process, receive in workers}
    try:
        while open_pipes:
            for pipe in wait(list(open_pipes)):
                try:
                    message = pipe.recv_bytes()
                except EOFError:
                    process = open_pipes.pop(pipe)
                    process.join()
                    if process.exitcode != 0:
                        raise RuntimeError(f"{process.name} died (exit code {process.exitcode})")
                    continue
                kind, _, body = message.partition(b"\n")
                if kind == b"error":
                    raise RuntimeError(body.decode("utf-8", "replace"))
                if kind == b"stats":
                    _merge_stats(stats, json.loads(body))
                    continue
                index = int(kind)
                result = StudentResult.from_json(body.decode("utf-8"))
                results[index] = result
                if on_done is not None:
                    on_done(result)
                if progress is not None:
                    progress.update(1)
    finally:
        for process, receive in workers:
            if process.is_alive():
                process.terminate()
            process.join()
            receive.close()
    missing = [ids[i] for i, result in enumerate(results) if result is None]
    if missing:
        raise RuntimeError(f"no result came back for {', '.join(missing[:5])}")
    return results


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


def _worker_main(assignment, paths, ids, indices, jobs, deny_paths, send) -> None:
    from grader.grade import grade_paths

    position = {student: index for student, index in zip(ids, indices)}
    stats: dict = {}

    def finished(result) -> None:
        send.send_bytes(str(position[result.student]).encode() + b"\n" + result.to_json().encode("utf-8"))

    try:
        grade_paths(assignment, [Path(p) for p in paths], jobs=jobs, ids=ids, on_done=finished,
                    deny_paths=tuple(Path(p) for p in deny_paths), processes=1, stats=stats)
        # perf_counter is the system's monotonic clock: comparable across processes.
        timings = {"stage_seconds": stats.get("stage_seconds", {})}
        for key in ("started", "judged"):
            timings[key] = {indices[local]: t for local, t in stats.get(key, {}).items()}
        send.send_bytes(b"stats\n" + json.dumps(timings).encode())
    except BaseException:
        send.send_bytes(b"error\n" + traceback.format_exc().encode("utf-8", "replace"))
        raise
    finally:
        send.close()
