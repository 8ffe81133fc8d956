"""Turn verdicts into scored tests, with points from config.yaml.

A check's points for a function are shared between its verdicts by their weight (for
case-based checks: the share of cases that are public or hidden). Scores are rounded
to 4 decimals so that reruns are byte-identical.
"""
from __future__ import annotations

from grader.outcomes import Finding, TestResult, Verdict


def test_name(verdict: Verdict, per_case: bool) -> str:
    if verdict.name:
        return verdict.name
    if per_case:
        group = "hidden cases" if verdict.hidden else "public cases"
        return f"{verdict.function}: {verdict.check} ({group})"
    return f"{verdict.function}: {verdict.check}"


def score_verdict(verdict: Verdict, points: float, per_case: bool) -> TestResult:
    max_score = round(points * verdict.weight, 4)
    score = round(max_score * max(0.0, min(1.0, verdict.fraction)), 4)
    return TestResult(
        name=test_name(verdict, per_case), function=verdict.function, check=verdict.check,
        hidden=verdict.hidden, score=score, max_score=max_score, passed=verdict.passed,
        output=summarize(verdict), findings=list(verdict.findings),
    )


def summarize(verdict: Verdict) -> str:
    """One line for the test's output; details live in the findings (and feedback.md)."""
    if verdict.total_cases:
        head = f"{verdict.passed_cases}/{verdict.total_cases} {'hidden' if verdict.hidden else 'public'} cases passed"
    else:
        head = "passed" if verdict.passed else "failed"
    lines = [head]
    for finding in verdict.findings:
        lines.append(describe(finding))
    return "\n".join(lines)


def describe(finding: Finding) -> str:
    """A finding as plain text. Hidden cases carry no inputs or expected values by construction."""
    where = f"[{finding.case}] " if finding.case else ""
    text = f"- {where}{finding.message}"
    if finding.line:
        text += f"\n  at line {finding.line}" + (f": {finding.excerpt}" if finding.excerpt else "")
    if finding.fix:
        text += f"\n  how to fix: {finding.fix}"
    return text
