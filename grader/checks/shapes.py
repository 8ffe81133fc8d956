"""shapes: every output has exactly the reference's shape, and a sane type and dtype.

Judged by :mod:`grader.checks.analysis.compare` (the comparison the students' public tests run
too): shapes before any value (``np.allclose`` would broadcast ``(n,)`` against ``(n, 1)``
and call them equal); ints or bools where floats are meant fail, arrays and scalars alike (a
Python int for a float is the course's classic ``b = 0``). Scalars: where the reference
returns a numpy float or a 0-d array, a Python float, a numpy float scalar or a 0-d array are
all accepted, but a ``(1, 1)`` array is not; where it returns a Python float (``b``, ``db``),
a 0-d array is refused because the course fixes that type. Where the reference returns bools,
bools and 0/1 numbers all do. Public cases are told in the comparison's words; hidden ones
without numbers, sizes, dtype names or keys. Fixes add the assignment's words: the docstring's
line for the output, its ``hints:`` for the kind of mistake, and on hidden cases the sizes the
public cases leave untried. A scalar output the student's version of the notebook sets a type rule
for (``versions:`` in config.yaml: ``b`` may be ``0`` in the course's earlier notebooks) is judged
by that rule instead of the reference's type.
"""
from __future__ import annotations

import numpy as np

from grader.checks import Check, FunctionRun
from grader.checks.analysis import compare
from grader.checks.analysis import hidden as words
from grader.checks.analysis.advice import documented, hidden_advice, with_hint
from grader.checks.analysis.failures import call_failure
from grader.outcomes import CaseRun, Finding
from grader.versions import type_expected, type_problem

# compare's kinds of type problem, as the mistakes config.yaml's hints name (shape ones are
# told apart by compare.shape_mistake)
TYPE_KINDS = {"dtype": "dtype", "zero_d": "dtype", "not_float": "dtype", "not_int": "dtype", "not_bool": "dtype",
              "not_array": "structure", "type": "structure", "structure": "structure", "missing_key": "structure"}


def leaf_problem(leaf: compare.Leaf, hidden: bool = False, orientation: str | None = None) -> tuple | None:
    """(what is wrong, how to fix, which mistake) for one output, or None when its shape and type
    are right.

    ``hidden``: told without numbers, sizes, dtype names or keys (``orientation``: "column" or
    "row", as the public cases show the output, for a rank-1 array where a vector is expected)."""
    if not hidden:
        problem = compare.shape_problem(leaf)
        return None if problem is None else (problem.what, problem.fix, _mistake(problem))
    problem = compare.shape_problem(leaf, path=words.general_path(leaf.path), describe=words.value_kind)
    if problem is None:
        return None
    path, e, a = problem.where, problem.expected, problem.got
    if problem.kind == "not_array":
        return (f"{path} should be an array, got {words.value_kind(a)}",
                "return a numpy array with the shape the docstring gives", "structure")
    if problem.kind == "shape":
        return words.shape_problem(path, np.shape(e), a.shape, orientation)
    if problem.kind == "dtype":
        # A dtype is the student's choice, and which one can depend on a hidden input: in words.
        expected, fix = compare.dtype_expectation(e, a)
        return f"{path} holds {words.dtype_words(a.dtype)}, expected {expected}", fix, "dtype"
    return problem.what, problem.fix, _mistake(problem)


def typed_problem(rule: str, leaf: compare.Leaf, hidden: bool = False) -> tuple | None:
    """(what, fix, mistake) for a scalar output under its version's type ``rule``; an array output
    keeps the reference's shape rules."""
    if isinstance(leaf.expected, np.ndarray) and leaf.expected.ndim > 0:
        return leaf_problem(leaf, hidden)
    wanted = type_problem(rule, leaf.actual)
    if wanted is None:
        return None
    path = words.general_path(leaf.path) if hidden else leaf.path
    got = words.value_kind(leaf.actual) if hidden else compare.describe(leaf.actual)
    return f"{path} should be {wanted}, got {got}", f"return {path} as {wanted}", "dtype"


def _mistake(problem: compare.Problem) -> str:
    if problem.kind == "shape":
        return compare.shape_mistake(np.shape(problem.expected), np.shape(problem.got))
    return TYPE_KINDS.get(problem.kind, "structure")


class ShapesCheck(Check):
    name = "shapes"
    title = "outputs have the reference's shapes and types"
    order = 20
    hint_kinds = ("rank1", "scalar", "transposed", "larger", "shape", "dtype", "structure")

    def judge(self, run: FunctionRun) -> list:
        return self.judge_cases(run, lambda case_run: self.judge_case(run, case_run))

    def judge_case(self, run: FunctionRun, case_run: CaseRun) -> Finding | None:
        if not case_run.outcome.ok:
            return call_failure(run, case_run)
        case = case_run.case
        orientations = words.vector_orientations(run) if case.hidden else {}
        problems = []
        for item in compare.leaves(case_run.expected, case_run.outcome.value, run.output_names):
            if isinstance(item, compare.Mismatch):
                problem = compare.structure_problem(item, self.name)
                problems.append((words.structure_problem(item) if case.hidden else problem.what, problem.fix,
                                 "structure", item.path))
            else:
                rule = type_expected(run, run.spec.name, item.path)
                problem = (typed_problem(rule, item, case.hidden) if rule
                           else leaf_problem(item, case.hidden, orientations.get(item.path)))
                if problem:
                    problems.append((*problem, item.path))
        if not problems:
            return None
        message = "; ".join(dict.fromkeys(p[0] for p in problems))
        fix = "; ".join(dict.fromkeys(self._fix(run, case.hidden, *p[1:]) for p in problems))
        return Finding(message=message, case=case.name, hidden=case.hidden, fix=fix)

    def _fix(self, run, hidden: bool, fix: str, mistake: str, path: str) -> str:
        """The generic fix, the docstring's word on the output where the shape is unclear, the
        assignment's hint for this mistake, and on a hidden case what to try."""
        if mistake in ("shape", "larger", "structure"):
            said = documented(run.reference, run.spec.name, path)
            fix = f"{fix} (the docstring says: {said})" if said else fix
        fix = with_hint(fix, run.spec, self.name, mistake)
        if hidden and mistake in ("shape", "larger"):
            fix = f"{fix}; {hidden_advice(run.spec)}"
        return fix


CHECK = ShapesCheck()

