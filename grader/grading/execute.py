"""Run one submission's calls in its sandboxed session; return what the checks judge.

Public cases of every function run before any hidden case or probe. Whatever a hidden call
leaves behind in the child (a global holding its inputs, state printed later) can then only
surface in hidden outcomes, whose details no student sees.

With reference attribution (and ``Batch.own_callees``), the hidden phase goes function by
function, callees first: a function's hidden cases and probes run, and it is judged, before
its callers' hidden cases, which call the student's own callee instead of the reference's
when it passed everything (``grading/callees.py``). Public cases and probes always call back
to the reference: the public phase must not wait for hidden verdicts, and the teaching checks'
probes trace the student's code line by line (a traced callee costs more than its call-backs,
and its lines and locals would become evidence about the caller). A caller whose hidden cases
then do not all end normally, or that does not pass everything, has its hidden cases run again
with the reference's callees, as without this: whatever it fails on, it fails on the
reference's callees, in the same words.
"""
from __future__ import annotations

from grader import outcomes as st
from grader.checks import FunctionRun, ProbeRun
from grader.grading.callees import Trust, callee_first, forget, passes
from grader.outcomes import CallOutcome, CaseRun


def execute(batch, session, submission) -> dict:
    """A FunctionRun per graded function. ``session`` is None when nothing can run
    (an unreadable submission, or no code in it): every function is then unrun."""
    assignment = batch.assignment
    runs, pending = {}, {}
    for name in assignment.functions:
        source = submission.functions.get(name)
        if source is None or session is None or submission.status != "ok":
            runs[name] = unrun(batch, name, submission, st.MISSING, missing_reason(submission, name), source=source)
        else:
            pending[name] = _Progress(batch, name, submission, source)
    for progress in pending.values():
        progress.run_cases(session, hidden=False)
    trust = _trust(batch, pending)
    if trust is not None:
        _hidden_callees_first(batch, session, pending, trust)
    else:
        for progress in pending.values():
            progress.run_cases(session, hidden=True)
        for progress in pending.values():
            progress.run_hidden_probes(session)
    for name, progress in pending.items():
        runs[name] = progress.finish()
    return {name: runs[name] for name in assignment.functions}


def _trust(batch, pending: dict) -> Trust | None:
    """What decides which callees stand in; None: every call of another graded function a
    call-back, as without ``own_callees``."""
    if not batch.own_callees or not any(progress.proxies for progress in pending.values()):
        return None
    try:
        return Trust(batch, {name: progress.run for name, progress in pending.items()})
    except Exception:  # code the analysis cannot read: graded on call-backs, never left ungraded
        return None


def _hidden_callees_first(batch, session, pending: dict, trust: Trust) -> None:
    for name in callee_first(batch, pending):
        progress = pending[name]
        own = trust.proxies(name)
        speculative = own != progress.proxies and progress.public_ok() and progress.time_to_spare(session)
        progress.run_cases(session, hidden=True, proxies=own if speculative else None, stop_at_failure=speculative)
        if speculative and progress.stopped:
            progress.rerun_hidden_cases(session)
            speculative = False
        progress.run_hidden_probes(session)
        if speculative and not passes(batch, progress.finish()):
            progress.rerun_hidden_cases(session)
        if trust.matters(name):
            trust.passed[name] = passes(batch, progress.finish())


class _Progress:
    """One function's calls so far: its case outcomes in config order, and whether it hung."""

    def __init__(self, batch, name: str, submission, source):
        self.batch, self.name, self.source = batch, name, source
        self.spec = batch.assignment.functions[name]
        self.proxies = batch.proxies(name)
        self.outcomes: dict = {}        # case position -> CallOutcome
        self.timed_out = None           # name of the case that hung, if one did
        self.stopped = False            # a call ended abnormally where that stops the calls
        self.run = FunctionRun(spec=self.spec, assignment=batch.assignment, cases=[], source=source,
                               submission=submission, output_names=batch.reference.output_names.get(name),
                               reference=batch.reference, state=batch.states)

    def public_ok(self) -> bool:
        """Every public case ran and returned (a function failing one gains nothing from its callees)."""
        return self.timed_out is None and all(outcome.ok for outcome in self.outcomes.values())

    def time_to_spare(self, session) -> bool:
        """The session's budget would still hold every hidden case hanging after a speculative
        run lost one call limit: trying the student's callees never costs the fallback its time."""
        hidden = sum(case.hidden for case in self.batch.cases[self.name])
        return getattr(session, "budget_left", float("inf")) > (hidden + 1) * self.spec.timeout_seconds

    def run_hidden_probes(self, session) -> None:
        if self.timed_out is None:
            self.run_probes(session)

    def rerun_hidden_cases(self, session) -> None:
        """The hidden cases again, calling back to the reference for every proxy."""
        for position, case in enumerate(self.batch.cases[self.name]):
            if case.hidden:
                self.outcomes.pop(position, None)
        self.timed_out, self.stopped = None, False
        forget(self.run)
        self.run_cases(session, hidden=True)
        if self.timed_out is not None:
            self.run.probes = {}   # as when the hidden cases run first: no probe after a hang

    def run_cases(self, session, hidden: bool, proxies: tuple | None = None, stop_at_failure: bool = False) -> None:
        """This group's cases, calling back to the reference for ``proxies`` (None: all of them);
        with ``stop_at_failure``, none after the first that does not end normally (``stopped``)."""
        proxies = self.proxies if proxies is None else proxies
        for position, case in enumerate(self.batch.cases[self.name]):
            if case.hidden != hidden:
                continue
            if self.stopped:
                return
            if self.timed_out is not None:
                # One hang costs this function's cases, not a full timeout for each of them.
                self.outcomes[position] = CallOutcome(
                    st.TIMEOUT, error=f"not run: it did not return within {self.spec.timeout_seconds:g} s "
                                      f"on an earlier case ({self.timed_out})")
                continue
            outcome = session.call(self.name, case.args, case.kwargs, proxies=proxies,
                                   timeout=self.spec.timeout_seconds, observe=self.batch.observers[self.name],
                                   np_seed=case.np_seed)
            if outcome.status == st.MISSING:
                outcome = _load_failure(session, self.source, self.name) or outcome
            self.outcomes[position] = outcome
            if outcome.status == st.TIMEOUT:
                self.timed_out = case.name
            self.stopped = stop_at_failure and not outcome.ok

    def run_probes(self, session) -> None:
        checks = {check.name: check for check in self.batch.checks[self.name]}
        for check_name, prepared in self.batch.probes[self.name].items():
            done = self.run.probes[check_name] = []
            for item in prepared:
                # A probe whose outcome cannot change the verdict (a timing probe when no loop
                # depends on the clock) is a round trip saved.
                if checks[check_name].wants(self.run, item.probe, done):
                    done.append(_run_probe(session, item, self.proxies, self.spec.timeout_seconds))

    def finish(self) -> FunctionRun:
        self.run.cases = [CaseRun(case, expected, self.outcomes[position]) for position, (case, expected)
                          in enumerate(zip(self.batch.cases[self.name], self.batch.expected[self.name]))]
        return self.run


def _load_failure(session, source, name: str) -> CallOutcome | None:
    """Why a function is not defined in the child: its cell failed to load (hung, died, raised).

    Without this, a cell that hangs or exits while loading reads "not defined by the submission".
    """
    for report in getattr(session, "load_report", ()):
        if report.filename == source.filename and not report.ok:
            cell = source.filename.strip("<>")
            return CallOutcome(report.status, error=f"{name} was never defined: loading {cell} failed: {report.error}",
                               traceback=report.traceback, line=report.line, filename=report.filename,
                               stdout=report.stdout)
    return None


def _run_probe(session, item, proxies, timeout) -> ProbeRun:
    probe = item.probe
    outcomes = []
    for _ in range(max(1, probe.repeat)):
        outcome = session.call(probe.case.function, probe.case.args, probe.case.kwargs, proxies=proxies,
                               timeout=timeout, observe=probe.observe, np_seed=probe.case.np_seed)
        outcomes.append(outcome)
        if not outcome.ok:
            break
    return ProbeRun(probe=probe, outcomes=outcomes, expected=item.expected,
                    reference_seconds=list(item.reference_seconds))


def unrun(batch, name: str, submission, status: str, message: str, source=None) -> FunctionRun:
    """A function none of whose cases ran: each case's outcome is ``status`` with ``message``."""
    return FunctionRun(
        spec=batch.assignment.functions[name], assignment=batch.assignment, source=source,
        submission=submission, missing=message, output_names=batch.reference.output_names.get(name),
        reference=batch.reference, state=batch.states,
        cases=[CaseRun(case, expected, CallOutcome(status, error=message))
               for case, expected in zip(batch.cases[name], batch.expected[name])])


def unrun_all(batch, submission, status: str, message: str) -> dict:
    """Every function unrun for the same reason (the grader failed, or gave up on the submission)."""
    return {name: unrun(batch, name, submission, status, message) for name in batch.assignment.functions}


def missing_reason(submission, name: str) -> str:
    for problem in submission.problems:
        if problem.function == name:
            return problem.message
    if submission.status != "ok":
        return next((p.message for p in submission.problems if p.function is None),
                    f"the submission could not be read ({submission.status})")
    return f"no function named {name} was found in the submission"
