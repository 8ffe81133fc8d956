"""Our pytest plugin: collects the batch, parametrizes the instructor's tests over students,
provides their fixtures, runs each student's items as soon as its calls have run, and
records the instructor tests' results.

Fixtures for the instructor's tests (``solutions/<a>/test_*.py``):

- ``student``: the student's functions as sandboxed callables (``student.propagate(w, b, X, Y)``
  returns plain data, or raises :class:`StudentCallFailed`, an AssertionError);
- ``reference``: the trusted reference module;
- ``cases``: ``{function: [Case]}`` with every case's inputs (public and hidden).

An instructor test declares what it is worth with
``@pytest.mark.grade(function="propagate", points=1, check="values")``.
"""
from __future__ import annotations

import pytest

from grader import outcomes as st
from grader.checks import check_names
from grader.engine.items import ENGINE, BatchFile, FunctionItem
from grader.engine.results import INSTRUCTOR_SUFFIX
from grader.grading import missing_reason
from grader.outcomes import TestResult


class StudentCallFailed(AssertionError):
    """A sandboxed call of the student's function did not return a value."""

    def __init__(self, function: str, outcome):
        self.function = function
        self.outcome = outcome
        super().__init__(f"{function}() {outcome.status}: {outcome.error}")


class StudentFunctions:
    """The ``student`` fixture: attribute access gives the student's functions, run sandboxed."""

    def __init__(self, engine, index: int):
        self._engine = engine
        self._index = index

    @property
    def id(self) -> str:
        return self._engine.work[self._index].student

    def __getattr__(self, function: str):
        if function.startswith("_"):
            raise AttributeError(function)
        engine, index = self._engine, self._index

        def call(*args, **kwargs):
            submission = engine.store.submissions.get(index)
            if engine.scheduler.abandoned(index) or submission is None:
                raise StudentCallFailed(function, st.CallOutcome(st.NOT_RUN, error="the submission was not graded"))
            if submission.status != "ok" or function not in submission.functions:
                raise StudentCallFailed(function, st.CallOutcome(st.MISSING, error=missing_reason(submission, function)))
            spec = engine.batch.assignment.functions.get(function)
            timeout = spec.timeout_seconds if spec else engine.batch.assignment.limits.call_seconds
            outcome = engine.live_session(index).call(function, args, kwargs, proxies=engine.batch.proxies(function),
                                                      timeout=timeout)
            if not outcome.ok:
                raise StudentCallFailed(function, outcome)
            return outcome.value

        return call


class GradingPlugin:
    def __init__(self, engine, manifest):
        self.engine = engine
        self.manifest = manifest
        self.instructor: dict = {}    # nodeid -> (index, marker kwargs, test name, docstring)
        self.items_of: dict = {}      # student index -> its items, generated ones first
        self.others: list = []        # items about no one student: run after every student's
        self.errors: list = []        # collection errors, for the instructor

    def pytest_configure(self, config):
        config.stash[ENGINE] = self.engine
        config.addinivalue_line(
            "markers", "grade(function, points=1, check='values'): what an instructor's hidden test is worth")

    def pytest_collect_file(self, file_path, parent):
        if file_path == self.manifest:
            return BatchFile.from_parent(parent, path=file_path)
        return None

    def pytest_generate_tests(self, metafunc):
        if "student" in metafunc.fixturenames:
            indices = list(range(len(self.engine.work)))
            metafunc.parametrize("student", indices, ids=[found.student for found in self.engine.work],
                                 indirect=True)

    @pytest.fixture
    def student(self, request):
        marker = request.node.get_closest_marker("grade")
        doc = getattr(getattr(request.node, "function", None), "__doc__", None)
        self.instructor[request.node.nodeid] = (request.param, dict(marker.kwargs) if marker else {},
                                                request.node.originalname or request.node.name,
                                                doc if isinstance(doc, str) else "")
        yield StudentFunctions(self.engine, request.param)

    @pytest.fixture
    def reference(self):
        return self.engine.batch.reference.module

    @pytest.fixture
    def cases(self):
        return {name: list(cases) for name, cases in self.engine.batch.cases.items()}

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(f"{report.nodeid}: {report.longreprtext}")

    def pytest_collection_modifyitems(self, session, config, items):
        for item in items:
            if isinstance(item, FunctionItem):
                self.items_of.setdefault(item.index, []).append(item)
                continue
            index = getattr(getattr(item, "callspec", None), "params", {}).get("student")
            if isinstance(index, int):
                self._check_marker(item)
                self.items_of.setdefault(index, []).append(item)
            else:
                self.others.append(item)

    def _check_marker(self, item) -> None:
        marker = item.get_closest_marker("grade")
        kwargs = dict(marker.kwargs) if marker else {}
        functions = self.engine.batch.assignment.functions
        checks = check_names()
        where = f"{item.path}::{getattr(item, 'originalname', item.name)}: @pytest.mark.grade"
        if kwargs.get("function", "") not in ("", *functions):
            self.errors.append(f"{where}(function={kwargs['function']!r}): no graded function of that name "
                               f"(the graded functions: {', '.join(functions)})")
        if kwargs.get("check", "values") not in checks:
            self.errors.append(f"{where}(check={kwargs['check']!r}): no check of that name "
                               f"(the checks: {', '.join(checks)})")
        points = kwargs.get("points", 1)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            self.errors.append(f"{where}(points={points!r}): expected a number of points, 0 or more")

    def pytest_collection_finish(self, session):
        if not self.errors:
            self.engine.scheduler.start()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        """Each student's items run as soon as its calls have run (in whatever order the
        submissions finish), generated items first, then the instructor's."""
        if self.errors or session.testsfailed:
            self.errors = list(dict.fromkeys(self.errors))  # one line per test, not per student
            raise session.Interrupted("the instructor's tests could not be collected")
        if session.config.option.collectonly:
            return True
        engine = self.engine
        while (index := engine.scheduler.next_ready()) is not None:
            items = self.items_of.get(index, [])
            for position, item in enumerate(items):
                nextitem = items[position + 1] if position + 1 < len(items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            engine.finish_student(index)
        for position, item in enumerate(self.others):
            nextitem = self.others[position + 1] if position + 1 < len(self.others) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """A failure's report without pytest's traceback formatting: nobody reads it (feedback
        comes from our findings), and formatting re-parses source files for every failed item."""
        if call.excinfo is None or call.excinfo.errisinstance(pytest.skip.Exception):
            return None
        longrepr = f"{call.excinfo.typename}: {call.excinfo.value}"[:4000]
        return pytest.TestReport(item.nodeid, item.location, {k: 1 for k in item.keywords}, "failed",
                                 longrepr, call.when, duration=call.duration, start=call.start,
                                 stop=call.stop)

    def pytest_runtest_logreport(self, report):
        entry = self.instructor.get(report.nodeid)
        if entry is None or (report.when != "call" and report.passed):
            return
        index, kwargs, test_name, doc = entry
        function = kwargs.get("function", "")
        points = float(kwargs.get("points", 1))
        passed = report.passed and report.when == "call"
        self.engine.store.record(index, [TestResult(
            name=f"{function or 'extra'}: {test_name}{INSTRUCTOR_SUFFIX}", function=function,
            check=kwargs.get("check", "values"), hidden=True, score=points if passed else 0.0,
            max_score=points, output="passed" if passed else _hidden_failure(report, doc), passed=passed)])
        self.instructor.pop(report.nodeid, None)


def _hidden_failure(report, doc: str) -> str:
    """A hidden test's failure, without its assertion text (which can quote hidden values), but
    with what the test checks: the first line of its docstring, the instructor's own words."""
    text = str(report.longrepr or "")
    if text.startswith("StudentCallFailed:"):
        # "StudentCallFailed: propagate() timeout: ..." -> the status word only
        status = text.partition("() ")[2].partition(":")[0].strip() or "error"
        return f"failed: the function did not return ({status})"
    said = next((line.strip() for line in (doc or "").strip().splitlines()), "")
    if said:
        return f"failed: an instructor's hidden test did not pass: {said}"
    return "failed: an instructor's hidden test did not pass"
