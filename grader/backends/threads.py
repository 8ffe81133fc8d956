"""Grade in this process: the engine (worker threads + one pytest session) runs on a thread
of its own, and results reach the caller through a queue read with the job's deadline, so
the caller regains control at the deadline whatever the engine is doing."""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

from grader.backends.base import Job
from grader.engine import run_engine
from grader.grading import Batch

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


class ThreadsBackend:
    name = "threads"

    def grade(self, job: Job):
        results: queue.Queue = queue.Queue()
        cancel = threading.Event()

        def run() -> None:
            try:
                batch = job.batch or Batch.prepare(job.assignment)
                if job.store is not None and batch.mistakes is not None:
                    batch.mistakes.store = Path(job.store)
                run_engine(batch, job.work, jobs=job.jobs, emit=lambda i, r: results.put((i, r)),
                           deny_paths=job.deny_paths, stats=job.stats, cancel=cancel)
                results.put(_DONE)
            except BaseException as exc:  # handed to the caller's thread, raised there
                results.put(_Failed(exc))

        engine = threading.Thread(target=run, name="grader-engine", daemon=True)
        engine.start()
        try:
            while (remaining := job.deadline - time.monotonic()) > 0:
                try:
                    item = results.get(timeout=min(remaining, 1.0))
                except queue.Empty:
                    continue
                if item is _DONE:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            cancel.set()
            # The engine ends its sessions within a moment of the cancel (it kills their
            # children); a stuck judging thread is left behind as a daemon, never waited for.
            engine.join(timeout=10.0)
