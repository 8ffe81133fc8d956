"""Where a batch is graded: one small protocol, one implementation per file, chosen here.

A backend grades a :class:`Job` and yields ``(position, StudentResult)`` pairs as each
submission finishes, in any order, and stops at ``job.deadline`` (a ``time.monotonic()``
value): whatever has not come by then is reported as not graded by the caller. Closing the
generator (or leaving it at the deadline) stops the backend's work.

- :mod:`~grader.backends.threads`: in this process (worker threads, one pytest session);
- :mod:`~grader.backends.processes`: several grader processes on this machine, each
  running the threads backend on a share of the batch (one GIL each);
- :mod:`~grader.backends.dask`: a Dask cluster (``--scheduler tcp://HOST:8786``).

Adding one (Ray, a job queue) is a new module with a class like these, registered by name
(``register_backend("ray", lambda job, options: RayBackend(...))``, one line here or in the
caller); ``grader grade --backend NAME`` then uses it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from grader.backends.base import Backend, Job, batch_seconds, default_jobs, plan_processes
from grader.backends.dask import DaskBackend
from grader.backends.processes import ProcessesBackend
from grader.backends.threads import ThreadsBackend
from grader.errors import UserError


@dataclass(frozen=True)
class Options:
    """What the command line says about where to grade."""

    backend: str | None = None      # a registered name; None: decided from the others
    scheduler: str | None = None    # a Dask scheduler's address
    processes: int | None = None    # grader processes; None: decided from the batch and the cores


def _processes(job: Job, options: Options) -> Backend:
    processes = 1 if job.batch is not None else options.processes  # a prepared batch is graded here
    count, per_process = plan_processes(job.jobs, len(job.work), os.cpu_count() or 1, processes)
    return ProcessesBackend(count, per_process) if count > 1 else ThreadsBackend()


def _dask(job: Job, options: Options) -> Backend:
    if not options.scheduler:
        raise UserError("the dask backend needs the scheduler's address", hint="add --scheduler tcp://HOST:8786")
    return DaskBackend(options.scheduler)


BACKENDS = {
    "threads": lambda job, options: ThreadsBackend(),
    "processes": _processes,
    "dask": _dask,
}


def register_backend(name: str, factory) -> None:
    """Make ``factory(job, options) -> Backend`` available as ``--backend name``."""
    BACKENDS[name] = factory


def choose_backend(job: Job, options: Options = Options()) -> Backend:
    """The one place a backend is chosen: the one named; else a Dask cluster when given its
    address; else several grader processes for a batch large enough to pay for them (one
    otherwise, in this process)."""
    name = options.backend or ("dask" if options.scheduler else "processes")
    factory = BACKENDS.get(name)
    if factory is None:
        raise UserError(f"no backend named {name!r}", hint=f"use one of: {', '.join(sorted(BACKENDS))}")
    return factory(job, options)


__all__ = ["Job", "Backend", "Options", "choose_backend", "register_backend", "BACKENDS", "batch_seconds", "default_jobs", "plan_processes",
           "ThreadsBackend", "ProcessesBackend", "DaskBackend"]
