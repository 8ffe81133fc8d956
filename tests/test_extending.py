"""Extending the grader is a new piece plus one registration line (issue 10): the tests add
each kind of piece from here, without touching the grader's files."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from grader.backends import BACKENDS, Options, ThreadsBackend, register_backend
from grader.pipeline import grade
from grader.submission.discover import discover

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"


class ReversedBackend:
    """A toy backend: grades the batch last submission first, one at a time, through the
    threads backend, and reports each result under its position in the caller's batch."""

    name = "reversed"

    def __init__(self):
        self.order = []

    def grade(self, job):
        for position in reversed(range(len(job.work))):
            single = dataclasses.replace(job, work=[job.work[position]], jobs=1)
            for _, result in ThreadsBackend().grade(single):
                self.order.append(position)
                yield position, result


def test_a_toy_backend_is_one_class_and_one_registration_line(assignment):
    made = []
    register_backend("reversed", lambda job, options: made.append(ReversedBackend()) or made[-1])
    try:
        work = discover(EXAMPLES).found[:3]
        toy = grade(assignment, work, jobs=1, options=Options(backend="reversed"))
        usual = grade(assignment, work, jobs=1, options=Options(backend="threads"))
    finally:
        BACKENDS.pop("reversed")
    assert made and made[0].order == [2, 1, 0]
    assert [r.to_json() for r in toy] == [r.to_json() for r in usual]
