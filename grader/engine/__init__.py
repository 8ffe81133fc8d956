"""pytest is the engine: every (student, graded function) is a test item, judged by our checks.

:func:`run_engine` grades a list of submissions in this process: worker threads run each
submission's calls in its sandboxed child (:mod:`grader.engine.scheduler`), and one pytest
session (:mod:`grader.engine.plugin`) judges each student's items as soon as its calls have
run: one item per (student, function) (:mod:`grader.engine.items`), then the instructor's
own tests of that student (``solutions/<a>/test_*.py`` or ``hidden_tests:``). Each student's
result is emitted as soon as its last item has run. Items are coarse on purpose: pytest
costs a fraction of a millisecond per item; the checks' sub-results are recorded by us.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from grader.engine.plugin import GradingPlugin, StudentCallFailed
from grader.engine.results import INSTRUCTOR_SUFFIX, ResultStore
from grader.engine.scheduler import Scheduler, student_bound
from grader.engine.sessions import KeptSessions
from grader.engine.timing import Stats, TimedSandbox
from grader.errors import UserError
from grader.sandbox import Sandbox

__all__ = ["run_engine", "engine_sandbox", "Engine", "StudentCallFailed", "INSTRUCTOR_SUFFIX", "protected_paths",
           "instructor_tests", "student_bound"]

MANIFEST = "grading.batch"   # the file the engine's collector reads the batch from (empty)


class Engine:
    """One batch being graded: what the plugin and the items reach (``config.stash[ENGINE]``)."""

    def __init__(self, batch, work: list, sandbox, *, workers: int, instructor: bool, emit, stats: Stats,
                 cancel=None):
        self.batch, self.work, self.stats = batch, work, stats
        self.sandbox = TimedSandbox(sandbox, stats)
        self.store = ResultStore(batch, work)
        self.kept = KeptSessions(workers if instructor else 0)
        self.scheduler = Scheduler(batch, work, self.sandbox, self.store, self.kept, stats,
                                   workers=workers, keep_sessions=instructor, cancel=cancel)
        self.emit = emit
        self.live: dict = {}   # student index -> the session its instructor tests use

    def live_session(self, index: int):
        """The session the instructor's tests of one student share: the child that ran its
        cases if it was kept, else a new one; closed once the student's last item has run."""
        session = self.live.get(index)
        if session is None:
            session = self.kept.take(index)
            if session is None:
                submission = self.store.submissions[index]
                session = self.sandbox.open(submission.chunks, student=submission.student,
                                            calls=self.batch.call_shapes(submission))
            self.live[index] = session
        return session

    def finish_student(self, index: int) -> None:
        session = self.live.pop(index, None)
        if session is not None:
            session.close()
        self.kept.close(index)
        result = self.store.result(index)
        self.store.forget(index)
        self.scheduler.finish(index)
        self.emit(index, result)

    def stop(self) -> None:
        self.scheduler.stop()
        for session in list(self.live.values()):
            session.close()
        self.live.clear()
        self.kept.close_all()


def engine_sandbox(assignment, reference_source, work: list, jobs: int, deny_paths: tuple = ()) -> Sandbox:
    """The sandbox (not started) that :func:`run_engine` grades ``work`` in, ``jobs`` at once;
    ``reference_source``: the batch's :class:`~grader.reference.ReferenceSource`. It needs no
    prepared batch, so its zygotes can start while the batch is prepared."""
    workers = max(1, jobs)
    kept = workers if instructor_tests(assignment) else 0
    deny = protected_paths(assignment, [found.path for found in work], deny_paths)
    # The reference zygote serves call-backs: only needed when graded functions call the reference.
    reference = reference_source if assignment.attribution == "reference" else None
    # The assignment's extra files (public student material) are importable by graded code.
    return Sandbox(assignment.limits, deny_paths=deny, jobs=Scheduler.sandbox_slots(workers, kept),
                   reference=reference, import_files=assignment.extra_files)


def run_engine(batch, work: list, *, jobs: int, emit, deny_paths: tuple = (), stats: dict | None = None,
               cancel=None, sandbox: Sandbox | None = None) -> None:
    """Grade ``work`` (items with ``.path``, ``.student``, ``.source``) in this process, ``jobs``
    submissions at once; ``emit(position, StudentResult)`` is called as each student's result is
    final, from this thread. Returns when every student has been emitted, or soon after
    ``cancel`` (a ``threading.Event``) is set. ``sandbox``: the batch's :func:`engine_sandbox`,
    started or not (made here by default); closed on return."""
    assignment = batch.assignment
    hidden = [str(p) for p in instructor_tests(assignment)]
    workers = max(1, jobs)
    if sandbox is None:
        sandbox = engine_sandbox(assignment, batch.reference.source, work, jobs, deny_paths)
    with sandbox, tempfile.TemporaryDirectory(prefix="grader-pytest-") as tmp:
        engine = Engine(batch, work, sandbox, workers=workers, instructor=bool(hidden), emit=emit,
                        stats=Stats(stats), cancel=cancel)
        manifest = Path(tmp) / MANIFEST
        manifest.write_text("", encoding="utf-8")
        (Path(tmp) / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        plugin = GradingPlugin(engine, manifest)
        try:
            # importlib mode: each batch imports the instructor's test files afresh, by path (in
            # the default mode a second batch in this process would find the first one's
            # module of the same name in sys.modules).
            code = pytest.main(["-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:capture",
                                "-p", "no:stepwise", "--import-mode=importlib", "-c", str(Path(tmp) / "pytest.ini"),
                                "--rootdir", tmp, str(manifest), *hidden], plugins=[plugin])
        finally:
            engine.stop()
        if plugin.errors:
            raise UserError("the hidden tests could not be collected:\n" + "\n".join(plugin.errors),
                            hint="fix the instructor test files named above")
        if code not in (0, 1):
            raise RuntimeError(f"the pytest engine stopped with exit code {code}")


def instructor_tests(assignment) -> list:
    if assignment.hidden_tests:
        return list(assignment.hidden_tests)
    return sorted(assignment.solution_dir.glob("test_*.py"))


def protected_paths(assignment, paths: list, extra: tuple = ()) -> list:
    """What student code must never read: solutions, hidden tests, config, submissions, output."""
    candidates = [assignment.solution_dir, assignment.root / "config.yaml", *assignment.hidden_tests,
                  *{Path(p).resolve().parent for p in paths}, *extra]
    return sorted({Path(p).resolve() for p in candidates if Path(p).exists()})
