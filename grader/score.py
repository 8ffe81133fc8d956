"""Turn verdicts into scored tests, with points from config.yaml.

A check's points for a function are shared between its verdicts by their weight (for
case-based checks: the share of cases that are public or hidden). Scores are rounded
to 4 decimals so that reruns are byte-identical.

A test keeps at most ``MAX_FINDINGS`` findings, each text clipped (``grader.report.budgets``):
a scored test is what the results cache stores and what crosses processes, so what the
student's code produced is bounded here, before it costs anything further. The report
writers apply the same caps again on their own.
"""
from __future__ import annotations

import dataclasses

from grader.outcomes import Finding, TestResult, Verdict
from grader.report.budgets import LINE_CHARS, MAX_FINDINGS, MESSAGE_CHARS, VALUE_CHARS
from grader.report.text import clip, omitted_note

FIELD_CAPS = {"message": MESSAGE_CHARS, "case": LINE_CHARS, "filename": LINE_CHARS, "excerpt": LINE_CHARS,
              "inputs": VALUE_CHARS, "expected": VALUE_CHARS, "actual": VALUE_CHARS, "fix": MESSAGE_CHARS}


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
    findings = kept_findings(verdict.findings, verdict.hidden)
    return TestResult(
        name=test_name(verdict, per_case), function=verdict.function, check=verdict.check,
        hidden=verdict.hidden, score=score, max_score=max_score, passed=verdict.passed,
        output=summarize(verdict, findings), findings=findings,
    )


def bounded(finding: Finding) -> Finding:
    """``finding`` with every text clipped to its cap (the same object when nothing is)."""
    changes = {}
    for name, cap in FIELD_CAPS.items():
        value = getattr(finding, name)
        if isinstance(value, str):
            head, left_out = clip(value, cap)
            if left_out:
                changes[name] = head + omitted_note(left_out)
    return dataclasses.replace(finding, **changes) if changes else finding


def kept_findings(findings: list, hidden: bool) -> list:
    """The first MAX_FINDINGS findings, bounded, and one more that counts the others."""
    kept = [bounded(f) for f in findings[:MAX_FINDINGS]]
    if len(findings) > MAX_FINDINGS:
        kept.append(Finding(message=f"\u2026 and {len(findings) - MAX_FINDINGS:,} more finding(s) like these, "
                                    "not shown: fix the ones above first", hidden=hidden))
    return kept


def summarize(verdict: Verdict, findings: list | None = None) -> str:
    """One line for the test's output; details live in the findings (and feedback.md)."""
    if verdict.total_cases:
        head = f"{verdict.passed_cases}/{verdict.total_cases} {'hidden' if verdict.hidden else 'public'} cases passed"
    else:
        head = "passed" if verdict.passed else "failed"
    lines = [head]
    for finding in (findings if findings is not None else kept_findings(verdict.findings, verdict.hidden)):
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
