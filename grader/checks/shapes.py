"""shapes: every output has exactly the reference's shape, and a sane type and dtype.

Judged by :mod:`grader.checks.analysis.compare` (the comparison the students' public tests run
too): shapes before any value (``np.allclose`` would broadcast ``(n,)`` against ``(n, 1)``
and call them equal); ints or bools where floats are meant fail, arrays and scalars alike (a
Python int for a float is the course's classic ``b = 0``). Scalars: where the reference
returns a numpy float or a 0-d array, a Python float, a numpy float scalar or a 0-d array are
all accepted, but a ``(1, 1)`` array is not; where it returns a Python float (``b``, ``db``),
a 0-d array is refused because the course fixes that type. Public cases are told in the
comparison's words; hidden ones without numbers, sizes, dtype names or keys.
"""
from __future__ import annotations

import numpy as np

from grader.checks import Check, FunctionRun
from grader.checks.analysis import compare
from grader.checks.analysis import hidden as words
from grader.checks.analysis.failures import call_failure
from grader.outcomes import CaseRun, Finding


def leaf_problem(leaf: compare.Leaf, hidden: bool = False, orientation: str | None = None) -> tuple[str, str] | None:
    """(what is wrong, how to fix) for one output, or None when its shape and type are right.

    ``hidden``: told without numbers, sizes, dtype names or keys (``orientation``: "column" or
    "row", as the public cases show the output, for a rank-1 array where a vector is expected)."""
    if not hidden:
        problem = compare.shape_problem(leaf)
        return None if problem is None else (problem.what, problem.fix)
    problem = compare.shape_problem(leaf, path=words.general_path(leaf.path), describe=words.value_kind)
    if problem is None:
        return None
    path, e, a = problem.where, problem.expected, problem.got
    if problem.kind == "not_array":
        return (f"{path} should be an array, got {words.value_kind(a)}",
                "return a numpy array with the shape the docstring gives")
    if problem.kind == "shape":
        return words.shape_problem(path, np.shape(e), a.shape, orientation)
    if problem.kind == "dtype":
        # A dtype is the student's choice, and which one can depend on a hidden input: in words.
        expected, fix = compare.dtype_expectation(e, a)
        return (f"{path} holds {words.dtype_words(a.dtype)}, expected {expected}", fix)
    return problem.what, problem.fix


class ShapesCheck(Check):
    name = "shapes"
    title = "outputs have the reference's shapes and types"
    order = 20

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
                problems.append((words.structure_problem(item) if case.hidden else problem.what, problem.fix))
            else:
                problem = leaf_problem(item, case.hidden, orientations.get(item.path))
                if problem:
                    problems.append(problem)
        if not problems:
            return None
        message = "; ".join(dict.fromkeys(p[0] for p in problems))
        fix = "; ".join(dict.fromkeys(p[1] for p in problems if p[1]))
        return Finding(message=message, case=case.name, hidden=case.hidden, fix=fix)


CHECK = ShapesCheck()
