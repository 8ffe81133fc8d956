"""Per-student results: the tests recorded by the items, turned into a StudentResult."""
from __future__ import annotations

import threading

from grader.checks import check_names
from grader.outcomes import Finding, StudentResult, TestResult

INSTRUCTOR_SUFFIX = " (hidden test)"  # ends the name of every instructor test's result
INTERNAL = "error"                    # the status of a student the grader failed on


class ResultStore:
    def __init__(self, batch, work: list):
        self.batch = batch
        self.work = work
        self.tests: dict = {i: [] for i in range(len(work))}
        self.printed: dict = {}
        self.errors: dict = {}        # index -> [what went wrong in the grader]
        self.submissions: dict = {}   # index -> Submission, once loaded
        self._lock = threading.Lock()
        functions = list(batch.assignment.functions)
        self._function_order = {name: i for i, name in enumerate(functions)}
        self._check_order = {name: i for i, name in enumerate(check_names())}

    def record(self, index: int, tests: list) -> None:
        with self._lock:
            self.tests[index].extend(tests)

    def record_printed(self, index: int, function: str, run) -> None:
        # Only public cases: what a function prints on a hidden case can quote its inputs.
        printed = [f"[{c.case.name}]\n{c.outcome.stdout}" for c in run.cases
                   if not c.case.hidden and c.outcome.stdout]
        if printed:
            with self._lock:
                self.printed.setdefault(index, {})[function] = "\n".join(printed)

    def note_error(self, index: int, message: str) -> None:
        with self._lock:
            self.errors.setdefault(index, []).append(message)

    def result(self, index: int) -> StudentResult:
        found = self.work[index]
        submission = self.submissions.get(index)
        functions, checks = self._function_order, self._check_order
        # Per function: the generated checks in their order, then the instructor's own tests.
        tests = sorted(self.tests[index], key=lambda t: (functions.get(t.function, len(functions)),
                                                         t.name.endswith(INSTRUCTOR_SUFFIX),
                                                         checks.get(t.check, len(checks)), t.hidden, t.name))
        status = submission.status if submission is not None else INTERNAL
        notes = list(submission.notes) if submission is not None else []
        judged = {t.function for t in tests}
        unjudged = [name for name in functions if name not in judged]
        if unjudged:  # an item that never ran: never a silent loss of points
            self.note_error(index, f"internal grader error: {', '.join(unjudged)} was not judged (please report "
                                   f"this; this submission is graded again on the next run)")
        for message in self.errors.get(index, ()):
            status = INTERNAL
            notes.append(message)
        return StudentResult(student=found.student, source=found.source, status=status, tests=tests,
                             notes=notes, attribution=self.batch.assignment.attribution,
                             printed=self.printed.get(index, {}))

    def forget(self, index: int) -> None:
        """Release what a finished student's result was built from."""
        with self._lock:
            self.tests[index] = []
            self.printed.pop(index, None)
            self.submissions.pop(index, None)


def not_graded(assignment, found, reason: str) -> StudentResult:
    """A student whose grading never finished: every check of every function 0 of its points,
    with the reason, and status ``error`` (so it is never cached and the next run grades it)."""
    tests = [TestResult(name=f"{name}: {check}", function=name, check=check, hidden=False, score=0.0,
                        max_score=round(float(points), 4), output=f"not graded: {reason}", passed=False,
                        findings=[Finding(message=f"not graded: {reason}")])
             for name, spec in assignment.functions.items() for check, points in spec.points.items()]
    return StudentResult(student=found.student, source=found.source, status=INTERNAL, tests=tests,
                         notes=[f"internal grader error: {reason} (please report this; this submission is graded "
                                f"again on the next run)"], attribution=assignment.attribution)
