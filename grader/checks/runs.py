"""runs: the function returns, without error, within the limits, a plain-data result."""
from __future__ import annotations

from grader import outcomes as st
from grader.checks import Check, FunctionRun
from grader.outcomes import CaseRun, Finding

# What to do about each way a call can fail, in the student's terms.
FIXES = {
    st.ERROR: "read the error and the line it points at; run the public tests in the notebook to reproduce it",
    st.TIMEOUT: "look for a loop that never ends or work that grows too fast; the public tests in the "
                "notebook should each finish in well under a second",
    st.MEMORY: "an array far larger than the inputs was built: check the shapes of your intermediates "
               "(a (m,) array minus a (1, m) array broadcasts to (m, m))",
    st.KILLED: "the Python process running your code died; remove calls to exit(), os._exit() and "
               "anything that crashes the interpreter",
    st.WRONG_TYPE: "return plain numpy arrays, Python floats/ints, and dicts, lists or tuples of those",
    st.FORBIDDEN: "graded code may not use the network, files outside its working folder, or start processes; "
                  "remove that code from the graded function",
    st.MISSING: "",
    st.NOT_RUN: "fix the earlier failures of this submission so that it finishes within the time limit",
    st.TOO_LARGE: "return numpy arrays of the expected shapes: huge arrays, long Python lists, strings or "
                  "dict keys are refused",
}

HEADLINES = {
    st.ERROR: "raised an error",
    st.TIMEOUT: "did not return in time",
    st.MEMORY: "ran out of memory",
    st.KILLED: "crashed the process",
    st.WRONG_TYPE: "returned something that is not plain data",
    st.FORBIDDEN: "tried an operation that grading forbids",
    st.MISSING: "could not be called",
    st.NOT_RUN: "was not run",
    st.TOO_LARGE: "returned more data than grading accepts",
}


def call_failure(run: FunctionRun, case_run: CaseRun) -> Finding:
    """A Finding describing why a call did not produce a value; hides details for hidden cases."""
    outcome, case = case_run.outcome, case_run.case
    excerpt = excerpt_of(run, outcome.filename, outcome.line)
    headline = HEADLINES.get(outcome.status, outcome.status)
    if case.hidden and outcome.status in (st.ERROR, st.WRONG_TYPE, st.FORBIDDEN, st.TOO_LARGE):
        # The message of an exception can quote the hidden inputs: name only its type.
        detail = outcome.error.split(":", 1)[0]
    else:
        detail = outcome.error
    message = f"{headline}: {detail}" if detail else headline
    finding = Finding(message=message, case=case.name, hidden=case.hidden, line=outcome.line,
                      filename=outcome.filename, excerpt=excerpt, fix=FIXES.get(outcome.status, ""))
    if not case.hidden:
        from grader.checks.values import render_inputs
        finding.inputs = render_inputs(run.spec, case)
        finding.actual = outcome.traceback
    return finding


def excerpt_of(run: FunctionRun, filename: str, line: int | None) -> str:
    """The student's line of code, from the submission's kept chunks."""
    if not line or run.submission is None:
        return ""
    for chunk in getattr(run.submission, "chunks", ()):
        if not filename or chunk.filename == filename:
            lines = chunk.source.splitlines()
            if 0 < line <= len(lines) and lines[line - 1].strip():
                return lines[line - 1].strip()
    return ""


class RunsCheck(Check):
    name = "runs"
    title = "runs without error"
    order = 10

    def judge(self, run: FunctionRun) -> list:
        return self.judge_cases(run, lambda case_run: None if case_run.outcome.ok else call_failure(run, case_run))


CHECK = RunsCheck()
