"""The backend protocol and what every backend shares: the job, its deadline, the split."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Iterator, Protocol

from grader.engine import student_bound

# Preparing a batch (importing the reference, computing its outputs on every case) and
# starting processes, beyond the submissions' own bounds.
PREPARE_SECONDS = 300.0
# Below this many submissions per process, starting processes costs more than it saves.
MIN_PER_PROCESS = 24


@dataclass
class Job:
    assignment: object            # grader.config.AssignmentSpec
    work: list                    # items with .path, .student, .source (grader.submission.discover.Found)
    jobs: int                     # submissions graded at once
    deadline: float               # time.monotonic() by which every result must be in
    deny_paths: tuple = ()        # more folders student code must not read (submissions, OUT)
    stats: dict | None = None     # filled with stage timings, for `make bench`
    batch: object = None          # a prepared grader.grading.Batch, to grade in this process
    # A folder of the grader's (in deny_paths: student code never reaches it) where work that
    # outlives one grader process is kept: the mistake models' outputs (grader/mistakes/evaluate.py).
    store: str | None = None


class Backend(Protocol):
    name: str

    def grade(self, job: Job) -> Iterator[tuple]:
        """Yield (position in job.work, StudentResult) as each submission finishes."""


def batch_seconds(assignment, count: int, jobs: int) -> float:
    """The longest a batch may take: every submission using its whole bound, ``jobs`` at a time."""
    return PREPARE_SECONDS + math.ceil(count / max(1, jobs)) * student_bound(assignment.limits)


def default_jobs() -> int:
    """Submissions graded at once by default: one more than the cores. Each grader process
    alternates with its sandboxed child (a call, a call-back, a call...), so one extra keeps
    the cores busy in the gaps."""
    return (os.cpu_count() or 1) + 1


def plan_processes(jobs: int, count: int, cores: int, processes: int | None = None) -> tuple[int, int]:
    """(processes, submissions at once per process) for ``jobs`` at once and ``count``
    submissions; ``processes`` fixes their number instead of deciding it from the batch."""
    if processes is None:
        processes = min(jobs, cores + 1, count // MIN_PER_PROCESS)
    processes = max(1, processes)
    return processes, max(1, -(-jobs // processes))


__all__ = ["Job", "Backend", "batch_seconds", "default_jobs", "plan_processes"]
