"""pytest is the engine: every (student, function) is a test item, judged by our checks.

``run_engine`` starts one pytest session in-process for the whole batch, with
:class:`GradingPlugin`. The plugin parametrizes ``grader/hidden_items.py`` over
(student, graded function) and the instructor's own hidden tests
(``solutions/<a>/test_*.py`` or ``hidden_tests:`` in config.yaml) over students, and it
provides their fixtures:

- ``student``: the student's functions as sandboxed callables (``student.propagate(w, b, X, Y)``
  returns plain data, or raises :class:`StudentCallFailed`, an AssertionError);
- ``reference``: the trusted reference module;
- ``cases``: ``{function: [Case]}`` with every case's inputs (public and hidden).

An instructor test declares what it is worth with
``@pytest.mark.grade(function="propagate", points=1, check="values")``.

Submissions are executed ahead of the items that judge them, ``jobs`` at a time, in
worker threads that each drive one sandboxed child; the main thread judges. Items are
coarse on purpose (one per student × function): pytest costs a fraction of a
millisecond per item, the checks' sub-results are recorded by the plugin.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader import outcomes as st
from grader.checks import all_checks
from grader.outcomes import StudentResult, TestResult
from grader.submission.students import ids_for_paths

ITEMS_MODULE = Path(__file__).with_name("hidden_items.py")
CHECK_NAMES = ("values", "shapes", "rank1", "vectorized", "runs")
INSTRUCTOR_SUFFIX = " (hidden test)"  # ends the name of every instructor test's result


class StudentCallFailed(AssertionError):
    """A sandboxed call of the student's function did not return a value."""

    def __init__(self, function: str, outcome):
        self.function = function
        self.outcome = outcome
        super().__init__(f"{function}() {outcome.status}: {outcome.error}")


class GradedFunction:
    """The parameter of one engine item: judge one student's function."""

    def __init__(self, engine: "Engine", index: int, function: str):
        self.engine = engine
        self.index = index
        self.function = function

    def judge(self) -> None:
        from grader.grade import judge

        runs = self.engine.function_runs(self.index)
        run = runs[self.function]
        started = time.perf_counter()
        tests = judge(self.engine.batch, run)
        self.engine.add_time("checks", time.perf_counter() - started)
        self.engine.record(self.index, tests)
        self.engine.record_printed(self.index, self.function, run)
        self.engine.done_with(self.index, self.function)
        failed = [t.name for t in tests if not t.passed]
        if failed:
            pytest.fail("failed: " + ", ".join(failed), pytrace=False)

    def __repr__(self) -> str:
        return f"{self.engine.student_id(self.index)}::{self.function}"


class StudentFunctions:
    """The ``student`` fixture: attribute access gives the student's functions, run sandboxed."""

    def __init__(self, engine: "Engine", index: int):
        self._engine = engine
        self._index = index

    @property
    def id(self) -> str:
        return self._engine.student_id(self._index)

    def __getattr__(self, function: str):
        if function.startswith("_"):
            raise AttributeError(function)
        engine = self._engine

        def call(*args, **kwargs):
            submission = engine.submission(self._index)
            if submission.status != "ok" or function not in submission.functions:
                from grader.grade import missing_reason
                raise StudentCallFailed(function, st.CallOutcome(st.MISSING, error=missing_reason(submission, function)))
            spec = engine.batch.assignment.functions.get(function)
            timeout = spec.timeout_seconds if spec else engine.batch.assignment.limits.call_seconds
            proxies = engine.batch.reference.proxies_for(function, engine.batch.assignment.attribution)
            outcome = engine.live_session(self._index).call(function, args, kwargs, proxies=proxies, timeout=timeout)
            if not outcome.ok:
                raise StudentCallFailed(function, outcome)
            return outcome.value

        return call


class Engine:
    """State of one batch: submissions, their execution ahead of judging, and the results."""

    def __init__(self, batch, paths: list, sandbox, jobs: int, stats: dict | None, ids: list | None = None,
                 on_done=None, instructor_tests: bool = False):
        self.batch = batch
        self.paths = paths
        self.sandbox = _TimedSandbox(sandbox, self)
        self.jobs = max(1, jobs)
        # How far execution may run ahead of judging. Wide enough that while one submission
        # waits out a call's time limit (seconds), the other sandboxes keep working (each
        # submission takes a fraction of a second); each one held costs only its small results.
        self.window = max(self.jobs * 3, 32)
        self.stats = stats if stats is not None else {}
        # Timings for `make bench` (cheap: a perf_counter pair per stage). stage_seconds are
        # summed over threads; started/judged are per submission index (perf_counter values).
        for key in ("stage_seconds", "started", "judged"):
            self.stats.setdefault(key, {})
        self.executor = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="grade")
        self.futures: dict = {}
        self.submissions: dict = {}
        self.tests: dict = {i: [] for i in range(len(paths))}
        self.pending: dict = {i: set(batch.assignment.functions) for i in range(len(paths))}
        self.errors: dict = {}
        self.printed: dict = {}
        self.lock = threading.Lock()
        self.ids = list(ids) if ids is not None else student_ids(paths)
        self.progress = None
        # Called with each StudentResult as soon as it is final, so that a killed batch keeps
        # the work done; with instructor tests, once the student's items (generated and the
        # instructor's, which run together: see GradingPlugin.pytest_collection_modifyitems) have run.
        self.on_done = on_done
        self.instructor_tests = instructor_tests
        self.emitted: set = set()
        self.items_left: dict = {}   # student index -> items not run yet (set at collection)
        self.live: dict = {}         # student index -> the session its instructor tests share
        self.kept = threading.Semaphore(max(1, jobs))  # bounds the sessions kept for them
        self.permits: set = set()    # student indices holding one of those
        self.stopping = False

    def student_id(self, index: int) -> str:
        return self.ids[index]

    # Execution runs ahead of judging, at most `window` submissions in flight.
    def function_runs(self, index: int) -> dict:
        with self.lock:
            for i in range(index, min(len(self.paths), index + self.window + 1)):
                if i not in self.futures:
                    self.futures[i] = self.executor.submit(self._execute, i)
            future = self.futures[index]
        return future.result()

    def submission(self, index: int):
        with self.lock:
            loaded = self.submissions.get(index)
        if loaded is None:
            loaded = self._load(index)
        return loaded

    def _load(self, index: int):
        from grader.submission import load_submission

        submission = load_submission(self.paths[index], self.batch.assignment, self.batch.reference.source)
        submission.student = self.ids[index]
        with self.lock:
            self.submissions[index] = submission
        return submission

    def _execute(self, index: int) -> dict:
        from grader.grade import execute

        try:
            started = time.perf_counter()
            self.stats["started"][index] = started
            submission = self.submission(index)
            self.add_time("load", time.perf_counter() - started)
            if not self.instructor_tests:
                return execute(self.batch, self.sandbox, submission)
            # The instructor's tests will reuse this child: keep it, within a bound of `jobs`
            # kept sessions (released as each student's items finish), so that the judging
            # thread's own slot stays free.
            self.kept.acquire()
            with self.lock:
                self.permits.add(index)
            if self.stopping:  # the session ended early (an error): don't start more work
                self.close_live_session(index)
                return _internal_error_runs(self.batch, submission)
            return execute(self.batch, self.sandbox, submission, hand_over=lambda s: self._keep(index, s))
        except Exception as exc:  # a grader bug must cost neither the batch nor other students
            self.errors[index] = f"{type(exc).__name__}: {exc}"
            return _internal_error_runs(self.batch, self.submissions.get(index))

    def stop(self) -> None:
        """End the workers, also when pytest stopped early: tasks waiting for a kept-session
        permit are let through (and do nothing), then every kept session is closed."""
        self.stopping = True
        self.executor.shutdown(wait=False, cancel_futures=True)
        for index in list(self.live) + list(self.permits):
            self.close_live_session(index)
        self.executor.shutdown(wait=True)
        for index in list(self.live) + list(self.permits):
            self.close_live_session(index)

    def _keep(self, index: int, session) -> None:
        with self.lock:
            self.live[index] = session

    def live_session(self, index: int):
        """The sandbox session the instructor's tests of one student share: the child that ran
        its cases (or a new one if that was not kept); closed once its last item has run."""
        with self.lock:
            session = self.live.get(index)
        if session is None:
            submission = self.submission(index)
            session = self.sandbox.open(submission.chunks, student=submission.student)
            with self.lock:
                self.live[index] = session
        return session

    def close_live_session(self, index: int) -> None:
        with self.lock:
            session = self.live.pop(index, None)
            permit = index in self.permits
            self.permits.discard(index)
        if session is not None:
            session.close()
        if permit:
            self.kept.release()

    def add_time(self, stage: str, seconds: float) -> None:
        with self.lock:
            stages = self.stats["stage_seconds"]
            stages[stage] = stages.get(stage, 0.0) + seconds

    def record(self, index: int, tests: list) -> None:
        self.tests[index].extend(tests)

    def record_printed(self, index: int, function: str, run) -> None:
        # Only public cases: what a function prints on a hidden case can quote its inputs.
        printed = [f"[{c.case.name}]\n{c.outcome.stdout}" for c in run.cases
                   if not c.case.hidden and c.outcome.stdout]
        if printed:
            self.printed.setdefault(index, {})[function] = "\n".join(printed)

    def done_with(self, index: int, function: str) -> None:
        with self.lock:
            self.pending[index].discard(function)
            finished = not self.pending[index]
            if finished:
                self.futures.pop(index, None)  # release the arrays of a judged submission
                self.stats["judged"][index] = time.perf_counter()
        if self.progress is not None:
            self.progress.update(1)
        if finished and not self.instructor_tests:
            self._emit(index)

    def _emit(self, index: int) -> StudentResult:
        result = self.student_result(index)
        if self.on_done is not None and index not in self.emitted:
            self.emitted.add(index)
            self.on_done(result)
        return result

    def student_result(self, index: int) -> StudentResult:
        path = self.paths[index]
        submission = self.submissions.get(index)
        order = {name: i for i, name in enumerate(self.batch.assignment.functions)}
        checks = {name: i for i, name in enumerate(all_checks())}
        # Per function: the generated checks in their order, then the instructor's own tests.
        tests = sorted(self.tests[index], key=lambda t: (order.get(t.function, len(order)),
                                                         t.name.endswith(INSTRUCTOR_SUFFIX),
                                                         checks.get(t.check, len(checks)), t.hidden, t.name))
        status = submission.status if submission is not None else "error"
        notes = [p.message for p in submission.problems] if submission is not None else []
        if index in self.errors:
            status = "error"
            notes.append(f"internal grader error: {self.errors[index]} (please report this; "
                         f"the other students were graded normally)")
        return StudentResult(student=self.ids[index], source=path.name, status=status, tests=tests,
                             notes=notes, attribution=self.batch.assignment.attribution,
                             printed=self.printed.get(index, {}))

    def student_results(self) -> list:
        return [self._emit(index) for index in range(len(self.paths))]


class _TimedSandbox:
    """The sandbox, timing session starts and stops ("sandbox") and calls ("calls") into the stats."""

    def __init__(self, sandbox, engine: "Engine"):
        self._sandbox = sandbox
        self._engine = engine

    def open(self, *args, **kwargs):
        started = time.perf_counter()
        session = self._sandbox.open(*args, **kwargs)
        self._engine.add_time("sandbox", time.perf_counter() - started)
        return _TimedSession(session, self._engine)

    def __getattr__(self, name):
        return getattr(self._sandbox, name)


class _TimedSession:
    def __init__(self, session, engine: "Engine"):
        self._session = session
        self._engine = engine

    def call(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self._session.call(*args, **kwargs)
        finally:
            self._engine.add_time("calls", time.perf_counter() - started)

    def close(self):
        started = time.perf_counter()
        try:
            return self._session.close()
        finally:
            self._engine.add_time("sandbox", time.perf_counter() - started)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getattr__(self, name):
        return getattr(self._session, name)


def student_ids(paths: list) -> list:
    """Student ids from file names: see :func:`grader.submission.students.assign_ids`."""
    return ids_for_paths(paths)


def _internal_error_runs(batch, submission) -> dict:
    from grader.grade import unrun

    message = "not graded: the grader itself failed on this submission"
    return {name: unrun(batch, name, submission, st.NOT_RUN, message) for name in batch.assignment.functions}


class GradingPlugin:
    """Our pytest plugin: parametrizes the items, provides fixtures, records results."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.instructor: dict = {}   # nodeid -> (index, marker kwargs, test name)
        self.collect_errors: list = []
        self.item_student: dict = {}  # nodeid -> student index, for items about one student

    def pytest_configure(self, config):
        config.addinivalue_line(
            "markers", "grade(function, points=1, check='values'): what an instructor's hidden test is worth")

    def pytest_generate_tests(self, metafunc):
        engine = self.engine
        if "graded_function" in metafunc.fixturenames:
            params = [GradedFunction(engine, i, name)
                      for i in range(len(engine.paths)) for name in engine.batch.assignment.functions]
            metafunc.parametrize("graded_function", params, ids=[repr(p) for p in params])
        elif "student" in metafunc.fixturenames:
            indices = list(range(len(engine.paths)))
            metafunc.parametrize("student", indices, ids=[engine.student_id(i) for i in indices], indirect=True)

    @pytest.fixture
    def student(self, request):
        handle = StudentFunctions(self.engine, request.param)
        marker = request.node.get_closest_marker("grade")
        self.instructor[request.node.nodeid] = (request.param, dict(marker.kwargs) if marker else {},
                                                request.node.originalname or request.node.name)
        yield handle

    @pytest.fixture
    def reference(self):
        return self.engine.batch.reference.module

    @pytest.fixture
    def cases(self):
        return {name: list(cases) for name, cases in self.engine.batch.cases.items()}

    def pytest_collection_modifyitems(self, session, config, items):
        """Run each student's items together: generated ones, then the instructor's.

        Then a student's result is final (reports written, memory released) as soon as its
        own items have run, and the instructor's items overlap the sandboxed execution of the
        next submissions instead of running, one by one, after all of them.
        """
        last = len(self.engine.paths)
        keyed = []
        for position, item in enumerate(items):
            params = getattr(getattr(item, "callspec", None), "params", {})
            if isinstance(params.get("graded_function"), GradedFunction):
                index = params["graded_function"].index
            elif isinstance(params.get("student"), int):
                index = params["student"]
            else:
                index = last  # not about one student: after every student's items
            keyed.append((index, position, item))
        keyed.sort(key=lambda entry: (entry[0], entry[1]))
        items[:] = [item for _, _, item in keyed]
        left = self.engine.items_left
        for index, _, item in keyed:
            if index < last:
                left[index] = left.get(index, 0) + 1
                self.item_student[item.nodeid] = index

    def pytest_runtest_logfinish(self, nodeid, location):
        index = self.item_student.pop(nodeid, None)
        if index is None or not self.engine.instructor_tests:
            return
        left = self.engine.items_left
        left[index] -= 1
        if left[index] == 0:
            self.engine.close_live_session(index)
            self.engine._emit(index)

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext}")

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
        if report.when == "teardown" and report.passed:
            return
        index, kwargs, test_name = entry
        function = kwargs.get("function", "")
        check = kwargs.get("check", "values")
        points = float(kwargs.get("points", 1))
        passed = report.passed and report.when == "call"
        output = "passed" if passed else _hidden_failure(report)
        self.engine.record(index, [TestResult(
            name=f"{function or 'extra'}: {test_name}{INSTRUCTOR_SUFFIX}", function=function,
            check=check if check in CHECK_NAMES else "values", hidden=True,
            score=points if passed else 0.0, max_score=points, output=output, passed=passed)])
        self.instructor.pop(report.nodeid, None)


def _hidden_failure(report) -> str:
    """A hidden test's failure, without its assertion text (which can quote hidden values)."""
    text = str(report.longrepr or "")
    if text.startswith("StudentCallFailed:"):
        # "StudentCallFailed: propagate() timeout: ..." -> the status word only
        status = text.partition("() ")[2].partition(":")[0].strip() or "error"
        return f"failed: the function did not return ({status})"
    return "failed: an instructor's hidden test did not pass"


def protected_paths(assignment, paths: list, extra: tuple = ()) -> list:
    """What student code must never read: solutions, hidden tests, config, submissions, output."""
    candidates = [assignment.solution_dir, assignment.root / "config.yaml", *assignment.hidden_tests,
                  *{Path(p).resolve().parent for p in paths}, *extra]
    return sorted({Path(p).resolve() for p in candidates if Path(p).exists()})


def run_engine(batch, paths: list, *, jobs: int, progress: bool = False, stats: dict | None = None,
               ids: list | None = None, on_done=None, deny_paths: tuple = ()) -> list:
    """Grade ``paths`` with pytest as the engine; returns one StudentResult per path, in order."""
    import os
    import tempfile

    from grader.sandbox import Sandbox

    assignment = batch.assignment
    hidden = [str(p) for p in _instructor_tests(assignment)]
    # One more session slot when instructor tests run: their sessions are opened by the judging
    # thread, which must not wait for a worker thread's slot (the workers wait for it in turn).
    sandbox_jobs = jobs + 1 if hidden else jobs
    deny = protected_paths(assignment, paths, deny_paths)
    with Sandbox(assignment.limits, deny_paths=deny, jobs=sandbox_jobs) as sandbox, tempfile.TemporaryDirectory(prefix="grader-pytest-") as tmp:
        engine = Engine(batch, paths, sandbox, jobs, stats, ids=ids, on_done=on_done, instructor_tests=bool(hidden))
        plugin = GradingPlugin(engine)
        ini = os.path.join(tmp, "pytest.ini")
        with open(ini, "w", encoding="utf-8") as handle:
            handle.write("[pytest]\n")
        if progress:
            from tqdm import tqdm
            engine.progress = tqdm(total=len(paths) * len(assignment.functions), unit="fn", desc="grading",
                                   dynamic_ncols=True, leave=False)
        try:
            code = pytest.main(["-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:capture",
                                "-p", "no:stepwise", "-c", ini, "--rootdir", tmp,
                                str(ITEMS_MODULE), *hidden], plugins=[plugin])
        finally:
            engine.stop()
            if engine.progress is not None:
                engine.progress.close()
        if plugin.collect_errors:
            from grader.errors import UserError
            raise UserError("the hidden tests could not be collected:\n" + "\n".join(plugin.collect_errors),
                            hint="fix the instructor test files named above")
        if code not in (0, 1):
            raise RuntimeError(f"the pytest engine stopped with exit code {code}")
        return engine.student_results()


def _instructor_tests(assignment) -> list:
    if assignment.hidden_tests:
        return list(assignment.hidden_tests)
    return sorted(assignment.solution_dir.glob("test_*.py"))
