"""A call that produced no value, as a Finding: shared by every case-based check.

On a public case the finding carries the error, the traceback and the inputs. On a hidden
case it names the kind of failure only (see :mod:`grader.checks.analysis.hidden`): the error
text, the exception's class and the file it points at are the student's code's to choose.
"""
from __future__ import annotations

from grader import outcomes as st
from grader.checks.analysis.advice import with_hint
from grader.checks.analysis.hidden import OWN_EXCEPTION, exception_name
from grader.checks.analysis.rendering import render_inputs
from grader.outcomes import CaseRun, Finding

# What to do about each way a call can fail, in the student's terms.
FIXES = {
    st.ERROR: "read the error and the line it points at; run the public tests in the notebook to reproduce it",
    st.TIMEOUT: "look for a loop that never ends or work that grows too fast; the public tests in the "
                "notebook should each finish in well under a second",
    st.MEMORY: "an array far larger than the inputs was built: check the shapes of your intermediates "
               "(a (k,) array minus a (1, k) array broadcasts to (k, k))",
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

# Statuses whose error text the grader writes itself (limits, case names).
GRADER_WORDS = (st.TIMEOUT, st.NOT_RUN)
RELOAD_FAILED = ("it was not defined when this case ran (an earlier call removed it, or ended the process "
                 "and its cell failed to load again)")
# Why a process died, by the signal the sandbox names (the rest of its text may quote the child).
DEATHS = {"SIGXCPU": "it used more than the CPU time limit",
          "SIGSEGV": "a crash in native code, or a too deep recursion"}


def call_failure(run, case_run: CaseRun) -> Finding:
    """A Finding describing why a call did not produce a value (the same whichever check asks, so
    feedback shows it once, with the assignment's ``runs`` hint)."""
    outcome, case = case_run.outcome, case_run.case
    headline = HEADLINES.get(outcome.status, outcome.status)
    if case.hidden:
        detail = hidden_detail(outcome, run)
        filename = outcome.filename if _is_chunk(run, outcome.filename) else ""
        line = outcome.line if filename else None
    else:
        detail, filename, line = outcome.error, outcome.filename, outcome.line
    message = f"{headline}: {detail}" if detail else headline
    finding = Finding(message=message, case=case.name, hidden=case.hidden, line=line, filename=filename,
                      excerpt=excerpt_of(run, filename, line),
                      fix=with_hint(FIXES.get(outcome.status, ""), run.spec, "runs"))
    if not case.hidden:
        finding.inputs = render_inputs(run.spec, case)
        finding.actual = outcome.traceback
    return finding


def hidden_detail(outcome, run) -> str:
    """The kind of failure of a hidden call, in words none of which the student's code chose."""
    if outcome.status in GRADER_WORDS:
        return outcome.error
    if outcome.status == st.MISSING:
        # The loader's reason (before anything ran) is safe to repeat; a cell that failed to
        # load again after a hidden call could say anything that call left behind.
        return outcome.error if run.missing and outcome.error == run.missing else RELOAD_FAILED
    if outcome.status in (st.ERROR, st.FORBIDDEN, st.MEMORY):
        return exception_name(outcome.error) or OWN_EXCEPTION
    if outcome.status == st.KILLED:
        return next((words for signal, words in DEATHS.items() if signal in outcome.error), "")
    return ""


def _is_chunk(run, filename: str) -> bool:
    """A file of the submission (not one named by ``compile(..., filename)`` at run time)."""
    return bool(filename) and any(chunk.filename == filename for chunk in getattr(run.submission, "chunks", ()) or ())


def excerpt_of(run, filename: str, line: int | None) -> str:
    """The student's line of code, from the submission's kept chunks."""
    if not line or run.submission is None:
        return ""
    for chunk in getattr(run.submission, "chunks", ()):
        if not filename or chunk.filename == filename:
            lines = chunk.source.splitlines()
            if 0 < line <= len(lines) and lines[line - 1].strip():
                return lines[line - 1].strip()
    return ""
