"""Probe calls the teaching checks add to the configured cases, and what they share in judging.

A probe's inputs are drawn at sizes the check chooses (never a hidden case's), with a fixed
seed, so every run of a batch asks the same questions.
"""
from __future__ import annotations

from grader.cases import make_args
from grader.outcomes import Case

PROBE_SEED = 7001


def probe_kwargs(spec, override: dict | None = None) -> dict:
    """The keyword arguments of the function's first case that has any, e.g. num_iterations."""
    kwargs = {}
    for case in spec.cases:
        if case.kwargs:
            kwargs = dict(case.kwargs)
            break
    kwargs.update(override or {})
    return kwargs


def probe_case(spec, name: str, sizes: dict, kwargs: dict) -> Case:
    return Case(function=spec.name, name=name, hidden=True, args=make_args(spec, sizes, PROBE_SEED),
                kwargs=dict(kwargs), sizes=dict(sizes))


def returns_nothing(run) -> bool:
    """Every call returned None where the reference returns something: an unfinished stub."""
    oks = [c for c in run.cases if c.outcome.ok]
    return bool(oks) and all(c.outcome.value is None and c.expected is not None for c in oks)
