"""Turn verdicts into scored tests, with points from config.yaml.

A check's points for a function are shared between its verdicts by their weight (for
case-based checks: the share of cases that are public or hidden). Scores are rounded
to 4 decimals so that reruns are byte-identical, each from the exact value (never from an
already rounded maximum: 4/3 points for half the cases is 0.6667, not round(1.3333 / 2)).
:func:`score_check` scores a check's verdicts together, so that its tests add up to the
check's exact score rounded once (1/3 + 1/3 of a point is 0.6667 in all, not 0.6666).

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
    """One verdict's test: its share of ``points`` and its score, each rounded once from the exact value."""
    return _scored(verdict, per_case, round(points * verdict.weight, 4),
                   round(points * verdict.weight * _fraction(verdict), 4))


def score_check(verdicts: list, points: float, per_case: bool) -> list:
    """A check's verdicts on one function as tests whose maxima and scores add up to the check's
    exact ones rounded once (a test of every verdict, in order). Where rounding each test alone
    would leave the sum a unit of the last decimal off, that unit goes to the test whose own
    rounding moved it most among those partly passed: a passed test keeps its full maximum, a
    failed one its 0."""
    maxima = _apportion([points * v.weight for v in verdicts], [True] * len(verdicts),
                        round(points * sum(v.weight for v in verdicts) * UNITS))
    exact = [points * v.weight * _fraction(v) for v in verdicts]
    scores = _apportion(exact, [0.0 < v.fraction < 1.0 for v in verdicts], round(sum(exact) * UNITS), maxima)
    return [_scored(v, per_case, m / UNITS, s / UNITS) for v, m, s in zip(verdicts, maxima, scores)]


UNITS = 10_000   # scores are kept to 4 decimals


def _apportion(exact: list, adjustable: list, total: int, caps: list | None = None) -> list:
    """``exact`` in units of the 4th decimal, each rounded, then nudged by a unit where needed so
    that they add up to ``total`` (only ``adjustable`` items, within 0 and their cap)."""
    units = [round(v * UNITS) for v in exact]
    short = total - sum(units)
    step = 1 if short > 0 else -1
    # first the items that rounding moved most against the needed direction
    order = sorted((i for i in range(len(exact)) if adjustable[i]), key=lambda i: step * (units[i] - exact[i] * UNITS))
    for i in order * 2:
        if short == 0:
            break
        if units[i] + step >= 0 and (caps is None or units[i] + step <= caps[i]):
            units[i] += step
            short -= step
    return units


def _fraction(verdict: Verdict) -> float:
    return max(0.0, min(1.0, verdict.fraction))


def _scored(verdict: Verdict, per_case: bool, max_score: float, score: float) -> TestResult:
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
