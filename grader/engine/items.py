"""The engine's pytest nodes: one item per (student, graded function), collected from the batch.

pytest's documented way to collect tests that are not Python functions is a ``File``
collector returned by the ``pytest_collect_file`` hook, whose ``collect()`` yields custom
``Item`` s. The batch is one such file (an empty manifest the engine writes in its temporary
folder); its children are the students, and theirs the graded functions.
"""
from __future__ import annotations

import pytest

from grader.grading import JudgeError, judge
from grader.mistakes import diagnose

ENGINE = pytest.StashKey()   # config.stash[ENGINE]: the batch's Engine (set by the plugin)


class BatchFile(pytest.File):
    """The batch: a collector per student ."""

    def collect(self):
        engine = self.config.stash[ENGINE]
        for index, found in enumerate(engine.work):
            yield StudentNode.from_parent(self, name=found.student, index=index)


class StudentNode(pytest.Collector):
    def __init__(self, *, index: int, **kwargs):
        super().__init__(**kwargs)
        self.index = index

    def collect(self):
        engine = self.config.stash[ENGINE]
        for function in engine.batch.assignment.functions:
            yield FunctionItem.from_parent(self, name=function, index=self.index, function=function)


class FunctionItem(pytest.Item):
    """Judge one student's function with every configured check; fails when a check fails."""

    def __init__(self, *, index: int, function: str, **kwargs):
        super().__init__(**kwargs)
        self.index = index
        self.function = function

    def runtest(self) -> None:
        engine = self.config.stash[ENGINE]
        run = engine.scheduler.runs(self.index)[self.function]
        with engine.stats.timed("checks"):
            try:
                # A failed shapes or values test names the mistake when one model explains it.
                tests = diagnose(engine.batch, run, judge(engine.batch, run))
            except JudgeError as exc:  # a bug in a check: the others' verdicts still count
                tests = exc.tests
                engine.store.note_error(self.index, f"internal grader error: {exc} (please report this)")
        engine.store.record(self.index, tests)
        engine.store.record_printed(self.index, self.function, run)
        failed = [t.name for t in tests if not t.passed]
        if failed:
            raise FunctionFailed("failed: " + ", ".join(failed))

    def repr_failure(self, excinfo, style=None) -> str:
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::{self.function}"


class FunctionFailed(AssertionError):
    """Some check of a graded function did not pass (its findings are in the results)."""
