"""Where a batch is graded: one small protocol, one implementation per file, chosen here.

A backend grades a :class:`Job` and yields ``(position, StudentResult)`` pairs as each
submission finishes, in any order, and stops at ``job.deadline`` (a ``time.monotonic()``
value): whatever has not come by then is reported as not graded by the caller. Closing the
generator (or leaving it at the deadline) stops the backend's work.

- :mod:`~grader.backends.threads`: in this process (worker threads, one pytest session);
- :mod:`~grader.backends.processes`: several grader processes on this machine, each
  running the threads backend on a share of the batch (one GIL each);
- :mod:`~grader.backends.dask`: a Dask cluster (``--scheduler tcp://HOST:8786``).

Adding one (Ray, a job queue) is a new module with a class like these and a line in
:func:`choose_backend`.
"""
from __future__ import annotations

import os

from grader.backends.base import Backend, Job, batch_seconds, default_jobs, plan_processes
from grader.backends.dask import DaskBackend
from grader.backends.processes import ProcessesBackend
from grader.backends.threads import ThreadsBackend


def choose_backend(job: Job, *, scheduler: str | None = None, processes: int | None = None) -> Backend:
    """The one place a backend is chosen: a Dask cluster when given its address; several
    grader processes for a batch large enough to pay for them; else this process."""
    if scheduler:
        return DaskBackend(scheduler)
    if job.batch is not None:  # a batch prepared in this process is graded here
        processes = 1
    count, per_process = plan_processes(job.jobs, len(job.work), os.cpu_count() or 1, processes)
    if count > 1:
        return ProcessesBackend(count, per_process)
    return ThreadsBackend()


__all__ = ["Job", "Backend", "choose_backend", "batch_seconds", "default_jobs", "plan_processes",
           "ThreadsBackend", "ProcessesBackend", "DaskBackend"]
