"""values: every output matches the reference within the configured tolerance.

Compared structurally (dict keys, list lengths, tuple arity). Arrays are compared only
when their shapes agree, or differ by size-1 dimensions alone (then the shapes check
has already taken its points, and values are judged on their own, so one mistake is
not charged twice). A NaN where the reference has none fails.
"""
from __future__ import annotations

import numpy as np

from grader import structure
from grader.checks import Check, FunctionRun
from grader.checks.analysis import hidden as words
from grader.checks.analysis.failures import call_failure
from grader.checks.analysis.rendering import render, render_inputs
from grader.outcomes import CaseRun, Finding


def _squeezed(shape: tuple) -> tuple:
    return tuple(d for d in shape if d != 1)


def compare_leaf(leaf: structure.Leaf, rtol: float, atol: float, hidden: bool = False) -> str | None:
    """Why this output's value differs from the reference's, or None when it matches.

    ``hidden``: in words that reveal neither the case (sizes, entry counts, expected values)
    nor what the student's code chose to return (keys, lengths, shapes)."""
    e, a = leaf.expected, leaf.actual
    path = words.general_path(leaf.path) if hidden else leaf.path
    kind = words.value_kind(a) if hidden else structure.kind(a)
    if e is None or isinstance(e, str):
        if type(a) is type(e) and a == e:
            return None
        return f"{path} differs from the reference's value" if hidden else f"{path} should be {e!r}"
    numeric = (bool, int, float, complex, np.generic, np.ndarray)
    if not isinstance(a, numeric) or isinstance(a, np.ndarray) and a.dtype.kind not in "biufc":
        return f"{path} is {kind}, which cannot be compared with a number"
    e_arr, a_arr = np.asarray(e), np.asarray(a)
    if e_arr.shape != a_arr.shape:
        if e_arr.size != a_arr.size or _squeezed(e_arr.shape) != _squeezed(a_arr.shape):
            if hidden:
                return f"{path} cannot be compared: its shape differs from the reference's (see the shapes check)"
            return f"{path} cannot be compared: it has shape {a_arr.shape}, expected {e_arr.shape} (see the shapes check)"
        a_arr = a_arr.reshape(e_arr.shape)
    e_f, a_f = e_arr.astype(np.complex128 if "c" in (e_arr.dtype.kind, a_arr.dtype.kind) else np.float64), a_arr
    try:
        a_f = a_arr.astype(e_f.dtype)
    except (TypeError, ValueError):
        return f"{path} is {kind}, which cannot be compared with a number"
    new_nan = np.isnan(a_f) & ~np.isnan(e_f)
    if new_nan.any():
        where = "" if hidden else f" at {int(new_nan.sum())} of {a_f.size} entries"
        return (f"{path} contains NaN{where} where the reference has a number "
                f"(often log(0) or 0/0: check the formula)")
    close = np.isclose(a_f, e_f, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    wrong = int((~close).sum())
    if a_f.ndim == 0 or hidden:  # entry counts would reveal a hidden case's sizes
        return f"{path} differs from the reference beyond the tolerance (rtol={rtol:g}, atol={atol:g})"
    return f"{path} differs from the reference at {wrong} of {a_f.size} entries (rtol={rtol:g}, atol={atol:g})"


class ValuesCheck(Check):
    name = "values"
    title = "outputs match the reference"
    order = 30

    def judge(self, run: FunctionRun) -> list:
        return self.judge_cases(run, lambda case_run: self.judge_case(run, case_run))

    def judge_case(self, run: FunctionRun, case_run: CaseRun) -> Finding | None:
        if not case_run.outcome.ok:
            return call_failure(run, case_run)
        tol = run.spec.tolerance
        hidden = case_run.case.hidden
        problems = []
        for item in structure.leaves(case_run.expected, case_run.outcome.value, run.output_names):
            if isinstance(item, structure.Mismatch):
                problems.append(words.structure_problem(item) if hidden else f"{item.path}: {item.message}")
            else:
                problem = compare_leaf(item, tol.rtol, tol.atol, hidden=hidden)
                if problem:
                    problems.append(problem)
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
            finding.fix = ("this case's inputs are hidden; the public tests pass? then check sizes they do not "
                           "cover (n or m equal to 1, n different from m) and non-default arguments")
        return finding


CHECK = ValuesCheck()
