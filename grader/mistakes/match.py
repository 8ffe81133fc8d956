"""Which mistake a student's outputs show, if exactly one does.

A model *explains* a function's run when, on every case where the student's call returned or
raised, its outcome agrees with the student's: the same outputs within the function's tolerance
(compared as the shapes and values checks compare, the model's output taking the reference's
place), or the same exception (type and message, as its first line reads). It must agree on at
least one failed case (a case where the student's outputs differ from the reference's), and
never differ from the student where the student passed. Cases without evidence (a timeout, a
call never run) count neither way.

A diagnosis is given only when it is unambiguous: the models that explain the run all give the
same outputs on every case (two models that agree on all inputs are one mistake: the first, in
the models' order, names it). Models that agree with the reference on every case explain nothing
and are never candidates.
"""
from __future__ import annotations

from grader import outcomes as st
from grader.checks.analysis import compare

EVIDENCE = (st.OK, st.ERROR)


def same(first, second, tolerance, output_names) -> bool | None:
    """Whether outcome ``second`` agrees with ``first`` (first as the expected side); None when
    one of them is no evidence."""
    if first.status not in EVIDENCE or second.status not in EVIDENCE:
        return None
    if first.status != second.status:
        return False
    if first.status == st.ERROR:
        said = _first_line(first.error)
        if not said.partition(":")[2].strip():
            return None   # a bare exception (an assert without a message) tells nothing apart
        other = _first_line(second.error)
        # the sandbox may add a note after "; " (what a cell that failed to load left undefined)
        return other == said or other.startswith(said + "; ")
    try:
        return not compare.compare(first.value, second.value, tolerance.rtol, tolerance.atol, output_names)
    except Exception:  # noqa: BLE001 - a value no comparison can take (the student's): no agreement
        return False


def _first_line(error: str) -> str:
    return (error or "").strip().splitlines()[0] if (error or "").strip() else ""


def failed(case_run, tolerance, output_names) -> bool:
    """The case fails the shapes or the values check (its call failed, or its outputs differ)."""
    if not case_run.outcome.ok:
        return True
    try:
        return bool(compare.compare(case_run.expected, case_run.outcome.value, tolerance.rtol, tolerance.atol,
                                    output_names))
    except Exception:  # noqa: BLE001 - an output the comparison cannot take is a failure
        return True


def explains(model_outcomes: list, runs: list, failing: list, tolerance, output_names) -> bool:
    """Whether the model's outcomes (one per case) explain the student's ``runs`` (CaseRuns)."""
    evidence = False
    # the failed cases first: a model that does not explain them is dropped at the first one
    for index in sorted(range(len(runs)), key=lambda i: not failing[i]):
        agreement = same(model_outcomes[index], runs[index].outcome, tolerance, output_names)
        if agreement is False:
            return False
        if agreement is None and runs[index].outcome.status in EVIDENCE:
            return False          # the student's call has evidence, the model's has none (it hung)
        evidence = evidence or (agreement is True and failing[index])
    return evidence


def like_reference(model_outcomes: list, expected: list, tolerance, output_names) -> bool:
    """The model gives the reference's outputs (``expected``) on every case: it explains nothing."""
    return all(outcome.ok and not _differs(value, outcome.value, tolerance, output_names)
               for outcome, value in zip(model_outcomes, expected))


def _differs(expected, value, tolerance, output_names) -> bool:
    try:
        return bool(compare.compare(expected, value, tolerance.rtol, tolerance.atol, output_names))
    except Exception:  # noqa: BLE001
        return True


def one_mistake(candidates: list, outcomes: dict, tolerance, output_names):
    """The first of ``candidates`` (Mistakes that explain a run) when they all give the same outcomes
    on every case, else None (ambiguous)."""
    if not candidates:
        return None
    first = outcomes[candidates[0].id]
    for other in candidates[1:]:
        for a, b in zip(first, outcomes[other.id]):
            if same(a, b, tolerance, output_names) is not True and not (a.status == b.status and a.status
                                                                         not in EVIDENCE):
                return None
    return candidates[0]
