"""The threads backend starts the sandbox's zygotes while it prepares the batch: whichever of the
two fails, the error is the one the sequential order gave (the batch's first), and no zygote is
left running."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader.backends import Job, threads
from grader.errors import SolutionError
from grader.grading import Batch
from grader.sandbox import Sandbox, SandboxError
from grader.submission.discover import discover

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "logreg"


@pytest.fixture
def job(assignment):
    return Job(assignment, discover(EXAMPLES).found[:1], 1, time.monotonic() + 300)


@pytest.fixture
def sandboxes(monkeypatch):
    """Every sandbox the backend makes."""
    made = []
    original = threads.engine_sandbox

    def recorded(*args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(threads, "engine_sandbox", recorded)
    return made


def test_the_batch_is_prepared_and_the_sandbox_started_together(job, sandboxes):
    batch, sandbox = threads.prepare_beside_sandbox(job)
    try:
        assert sandboxes == [sandbox]
        assert sandbox._zygote.proc is not None and sandbox._zygote.proc.poll() is None
        assert set(batch.expected) == set(job.assignment.functions)
    finally:
        sandbox.close()


def test_a_batch_that_cannot_be_prepared_leaves_no_zygote(job, sandboxes, monkeypatch):
    def broken(cls, assignment, source=None):
        time.sleep(0.2)    # the zygotes are starting meanwhile
        raise SolutionError("the reference sigmoid() raised", path=assignment.solution)

    monkeypatch.setattr(Batch, "prepare", classmethod(broken))
    with pytest.raises(SolutionError, match="raised"):
        threads.prepare_beside_sandbox(job)
    assert len(sandboxes) == 1 and sandboxes[0]._zygote.proc is None and sandboxes[0].scratch_base is None


def test_a_sandbox_that_cannot_start_is_reported_after_the_batch_is_prepared(job, sandboxes, monkeypatch):
    prepared = []
    original = Batch.prepare.__func__

    def prepare(cls, assignment, source=None):
        prepared.append(source)
        return original(cls, assignment, source)

    def fails(self):
        raise SandboxError("the sandbox's zygote did not start")

    monkeypatch.setattr(Batch, "prepare", classmethod(prepare))
    monkeypatch.setattr(Sandbox, "start", fails)
    with pytest.raises(SandboxError, match="did not start"):
        threads.prepare_beside_sandbox(job)
    assert len(prepared) == 1 and prepared[0] is not None   # given the solution parsed once


def test_generated_mistake_models_are_made_when_their_function_first_needs_them(assignment, monkeypatch):
    import grader.mistakes as mistakes

    made = []
    original = mistakes.generated
    monkeypatch.setattr(mistakes, "generated", lambda source, function, ignore=(): made.append(function) or
                        original(source, function, ignore))
    batch = Batch.prepare(assignment)
    assert made == []
    first = batch.mistakes.models_of("propagate")
    assert made == ["propagate"] and batch.mistakes.models_of("propagate") == first
    assert any(m.kind != "declared" for m in first)
    assert set(batch.mistakes.models) == set(assignment.functions)
    assert sorted(made) == sorted(assignment.functions)
