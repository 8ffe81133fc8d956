"""values: every output matches the reference within the configured tolerance.

Compared by :mod:`grader.checks.analysis.compare` (the comparison the students' public tests
run too): structurally (dict keys, list lengths, tuple arity), arrays only when their shapes
agree or differ by size-1 dimensions alone (then the shapes check has already taken its
points, and one mistake is not charged twice); a NaN where the reference has none fails.
Public cases are told in the comparison's words; hidden ones without sizes, counts or values.
"""
from __future__ import annotations

import numpy as np

from grader.checks import Check, FunctionRun
from grader.checks.analysis import compare
from grader.checks.analysis import hidden as words
from grader.checks.analysis.advice import hidden_advice, with_hint
from grader.checks.analysis.failures import call_failure
from grader.checks.analysis.rendering import render, render_inputs
from grader.outcomes import CaseRun, Finding


def compare_leaf(leaf: compare.Leaf, rtol: float, atol: float, hidden: bool = False) -> str | None:
    """Why this output's value differs from the reference's, or None when it matches.

    ``hidden``: in words that reveal neither the case (sizes, entry counts, expected values)
    nor what the student's code chose to return (keys, lengths, shapes)."""
    if not hidden:
        problem = compare.value_problem(leaf, rtol, atol)
        return None if problem is None else problem.what
    problem = compare.value_problem(leaf, rtol, atol, path=words.general_path(leaf.path), describe=words.value_kind)
    if problem is None:
        return None
    path = problem.where
    if problem.kind in ("value", "exact"):
        return f"{path} differs from the reference's value"
    if problem.kind == "shape":
        return f"{path} cannot be compared: its shape differs from the reference's (see the shapes check)"
    if problem.kind == "nan":
        return f"{path} contains NaN where the reference has a number (often log(0) or 0/0: check the formula)"
    if problem.kind == "tolerance" and np.asarray(leaf.expected).dtype.kind in "biu":
        return f"{path} differs from the reference's values"   # ints or bools: no tolerance to speak of
    if problem.kind == "tolerance":  # entry counts would reveal a hidden case's sizes
        return f"{path} differs from the reference beyond the tolerance (rtol={rtol:g}, atol={atol:g})"
    return problem.what


class ValuesCheck(Check):
    name = "values"
    title = "outputs match the reference"
    order = 30
    hint_kinds = ("nan",)

    def judge(self, run: FunctionRun) -> list:
        return self.judge_cases(run, lambda case_run: self.judge_case(run, case_run))

    def judge_case(self, run: FunctionRun, case_run: CaseRun) -> Finding | None:
        if not case_run.outcome.ok:
            return call_failure(run, case_run)
        tol = run.spec.tolerance
        hidden = case_run.case.hidden
        problems, nan = [], False
        for item in compare.leaves(case_run.expected, case_run.outcome.value, run.output_names):
            if isinstance(item, compare.Mismatch):
                problems.append(words.structure_problem(item) if hidden
                                else compare.structure_problem(item, self.name).what)
            else:
                problem = compare_leaf(item, tol.rtol, tol.atol, hidden=hidden)
                if problem:
                    problems.append(problem)
                    nan = nan or compare.value_problem(item, tol.rtol, tol.atol).kind == "nan"
        if not problems:
            return None
        case = case_run.case
        finding = Finding(message="; ".join(dict.fromkeys(problems)), case=case.name, hidden=case.hidden)
        if not case.hidden:
            finding.inputs = render_inputs(run.spec, case)
            finding.expected = render(case_run.expected, run.output_names)
            finding.actual = render(case_run.outcome.value, run.output_names)
            finding.fix = "compare your output with the expected one; the inputs are shown above"
        else:
            finding.fix = hidden_advice(run.spec)
        finding.fix = with_hint(finding.fix, run.spec, self.name, "nan" if nan else "")
        return finding


CHECK = ValuesCheck()
