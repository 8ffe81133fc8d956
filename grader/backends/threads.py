"""Grade in this process: the engine (worker threads + one pytest session) runs on a thread
of its own, and results reach the caller through a queue read with the job's deadline, so
the caller regains control at the deadline whatever the engine is doing."""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

from grader.backends.base import Job
from grader.engine import engine_sandbox, run_engine
from grader.grading import Batch
from grader.reference import parse_reference
from grader.sandbox.zygote_link import START_SECONDS, SandboxError

# Both zygotes are up and configured within START_SECONDS each, or their start has failed.
SANDBOX_START_SECONDS = 2 * START_SECONDS + 10.0

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
                batch, sandbox = (job.batch, None) if job.batch is not None else prepare_beside_sandbox(job)
                if job.store is not None and batch.mistakes is not None:
                    batch.mistakes.store = Path(job.store)
                run_engine(batch, job.work, jobs=job.jobs, emit=lambda i, r: results.put((i, r)),
                           deny_paths=job.deny_paths, stats=job.stats, cancel=cancel, sandbox=sandbox)
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


def prepare_beside_sandbox(job: Job) -> tuple:
    """(the prepared Batch, its sandbox started): the sandbox's zygotes start (a Python with
    numpy each, and the solution imported in the reference's) in processes of their own while
    this one prepares the batch, instead of after it. The solution is parsed first, so that a
    broken one is reported as before, without starting anything."""
    assignment = job.assignment
    source = parse_reference(assignment.solution, list(assignment.functions))
    sandbox = engine_sandbox(assignment, source, job.work, job.jobs, job.deny_paths)
    failed: list = []

    def start() -> None:
        try:
            sandbox.start()
        except BaseException as exc:  # raised here, after the batch's own errors
            failed.append(exc)

    starter = threading.Thread(target=start, name="grader-sandbox-start", daemon=True)
    starter.start()
    try:
        batch = Batch.prepare(assignment, source)
    except BaseException:
        starter.join(SANDBOX_START_SECONDS)
        sandbox.close()
        raise
    starter.join(SANDBOX_START_SECONDS)
    if starter.is_alive():
        failed.append(SandboxError(f"the sandbox did not start within {SANDBOX_START_SECONDS:g} s"))
    if failed:
        sandbox.close()
        raise failed[0]
    return batch, sandbox
