"""Judge one function's runs with every configured check, and score the verdicts."""
from __future__ import annotations

from grader import outcomes as st
from grader.checks import Check, FunctionRun
from grader.outcomes import TestResult, Verdict
from grader.score import score_check


class JudgeError(RuntimeError):
    """A check failed on a function (a bug in the grader); ``tests`` holds every other check's
    scored tests and a failed test, worth 0, for each check that failed."""

    def __init__(self, message: str, tests: list):
        super().__init__(message)
        self.tests = tests


def judge(batch, run: FunctionRun) -> list:
    """Every configured check's verdicts on one function, scored."""
    spec = run.spec
    verdicts_by_check: dict[str, list] = {}
    tests: list[TestResult] = []
    failures = []
    for check in batch.checks[spec.name]:
        try:
            verdicts = _verdicts(check, run, verdicts_by_check)
        except Exception as exc:  # a bug in a check must not cost the batch; it is reported, not hidden
            failures.append(f"the {check.name} check failed on {spec.name}: {type(exc).__name__}: {exc}")
            verdicts = [Verdict(function=spec.name, check=check.name, hidden=False, fraction=0.0, findings=[
                st.Finding(message="not judged: the grader failed while judging this check (a bug in the "
                                   "grader, not in your work); it is judged again on the next run")])]
        verdicts_by_check[check.name] = verdicts
        if run.source is not None:
            for verdict in verdicts:  # a line without a cell is in the function's own cell
                for finding in verdict.findings:
                    if finding.line and not finding.filename:
                        finding.filename = run.source.filename
        tests.extend(score_check(verdicts, spec.points[check.name], check.per_case))
    if failures:
        raise JudgeError("; ".join(failures), tests)
    return tests


def _verdicts(check: Check, run: FunctionRun, earlier: dict) -> list:
    name = run.spec.name
    if check.per_case:
        return check.judge(run)
    if run.missing:
        return [Verdict(function=name, check=check.name, hidden=False, fraction=0.0,
                        findings=[st.Finding(message=f"not judged: {run.missing}")])]
    required = [earlier[r] for r in check.requires if r in earlier]
    if required and not any(v.passed_cases for verdicts in required for v in verdicts):
        either = " or ".join(r for r in check.requires if r in earlier)
        return [Verdict(function=name, check=check.name, hidden=False, fraction=0.0, findings=[st.Finding(
            message=f"not judged yet: this check is judged once {name} passes at least one case of the "
                    f"{either} check")])]
    return check.judge(run)
