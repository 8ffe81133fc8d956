"""runs: the function returns, without error, within the limits, a plain-data result."""
from __future__ import annotations

from grader.checks import Check, FunctionRun
from grader.checks.analysis.failures import call_failure


class RunsCheck(Check):
    name = "runs"
    title = "runs without error"
    order = 10

    def judge(self, run: FunctionRun) -> list:
        return self.judge_cases(run, lambda case_run: None if case_run.outcome.ok else call_failure(run, case_run))


CHECK = RunsCheck()
