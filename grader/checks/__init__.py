"""Checks: each judges one graded function from plain data, in the trusted parent.

A check is one module in this package that defines ``CHECK``, an instance of a
:class:`Check` subclass. Adding a check means adding one file; ``config.yaml`` then
accepts its name under ``points:`` and ``checks:`` (the schema is built from here).

A check may ask the sandbox for more than the configured cases:
- ``observers``: names of in-child observers (see ``grader/sandbox/observers.py``)
  attached to every case call of the function; their reports arrive, as plain data,
  in ``CallOutcome.observations``;
- ``probes(spec, assignment, reference)``: extra calls (other sizes, repeats for timing)
  whose outcomes arrive in ``FunctionRun.probes[check.name]``; ``wants(run, probe, done)``
  may skip one that can no longer change the verdict (it is then absent from that list).
It must treat anything from the child as untrusted evidence (the child can lie).

State that outlives one function (parsed submissions, what the reference does) is per batch,
never in module globals: ``prepare(assignment, reference)`` is called once per batch, in the
trusted process, and what it returns reaches ``judge`` as ``self.state(run)``. Analysis that
several checks share lives in ``grader.checks.analysis``; a check never imports another check.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, ClassVar

from grader.outcomes import Case, CallOutcome, CaseRun, Verdict


@dataclass(frozen=True)
class Probe:
    """An extra sandboxed call a check wants: its case, observers, and repetitions."""

    check: str
    name: str
    case: Case
    observe: tuple = ()
    repeat: int = 1               # calls in a row; the parent times each round trip
    with_reference: bool = False  # also compute (and time) the reference's output in the parent


@dataclass
class ProbeRun:
    probe: Probe
    outcomes: list                # CallOutcome per repetition (stops at the first failure)
    expected: Any = None
    reference_seconds: list = field(default_factory=list)


@dataclass
class FunctionRun:
    """Everything known about one student's function, for the checks to judge."""

    spec: Any                     # grader.config.FunctionSpec
    assignment: Any               # grader.config.AssignmentSpec
    cases: list                   # CaseRun, in config order
    source: Any = None            # grader.submission.FunctionSource, or None when missing
    submission: Any = None        # grader.submission.Submission
    probes: dict = field(default_factory=dict)  # check name -> [ProbeRun]
    missing: str = ""             # why the function could not be graded at all, if so
    output_names: list | None = None  # names of the reference's return values ("grads", "cost")
    reference: Any = None         # grader.reference.Reference of the batch (trusted)
    state: dict = field(default_factory=dict)  # check name -> its Check.prepare() for this batch

    def group(self, hidden: bool) -> list:
        return [run for run in self.cases if run.case.hidden == hidden]


class Check:
    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    order: ClassVar[int] = 50
    observers: ClassVar[tuple] = ()
    # Checks of which at least one must have passed a case before this one can earn points:
    # a stub that returns None has no loops, but has not earned "vectorized".
    requires: ClassVar[tuple] = ()
    # True when verdicts are per group of cases (public/hidden), False for one verdict per function.
    per_case: ClassVar[bool] = True
    # The kinds of mistake this check tells apart, each of which config.yaml's ``hints:`` may give
    # the assignment's own advice for (see grader/wording.py); a hint for the whole check needs none.
    hint_kinds: ClassVar[tuple] = ()

    def parse_options(self, options: dict) -> dict:
        """Validate this check's options from config.yaml; raise ValueError with a clear message."""
        if options:
            raise ValueError(f"the {self.name} check takes no options (got {', '.join(options)})")
        return {}

    def probes(self, spec, assignment, reference) -> list:
        """Extra calls of ``spec``'s function (``reference``: the batch's grader.reference.Reference)."""
        return []

    def wants(self, run: FunctionRun, probe: Probe, done: list) -> bool:
        """Whether ``probe`` can still change this check's verdict on ``run``, whose cases are
        not filled in yet, given ``done``: this check's ProbeRuns so far, in ``probes()`` order.
        A probe skipped here is absent from ``run.probes``, and ``judge`` must reach the verdict
        it would have reached with it (so a skip costs nothing but the call)."""
        return True

    def prepare(self, assignment, reference) -> Any:
        """This check's state for one batch (None: it keeps none). Called once per batch in the
        trusted process, before any submission is judged. Several threads may judge at once:
        keep the state read-only, or a cache whose races cost at most a repeated computation."""
        return None

    def state(self, run: FunctionRun) -> Any:
        """The batch's state for this check; made on first use for a FunctionRun built outside a batch."""
        if self.name not in run.state:
            run.state[self.name] = self.prepare(run.assignment, run.reference)
        return run.state[self.name]

    @staticmethod
    def known_options(options: dict | None, allowed) -> dict:
        """``options`` as a dict, after refusing unknown names and a ``kwargs`` that is not a
        mapping (the keyword arguments a check's probes pass, e.g. {num_iterations: 3})."""
        options = dict(options or {})
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})")
        if "kwargs" in options and not isinstance(options["kwargs"], dict):
            raise ValueError("kwargs: expected a mapping of keyword arguments for the probes, "
                             "e.g. {num_iterations: 5}")
        return options

    def judge(self, run: FunctionRun) -> list:
        """Return Verdicts (one per group of cases, or one for the whole function)."""
        raise NotImplementedError

    # Helpers shared by case-based checks -------------------------------------------

    def judge_cases(self, run: FunctionRun, judge_case) -> list:
        """One verdict per visibility group; ``judge_case(case_run)`` returns a Finding or None."""
        verdicts = []
        total = len(run.cases)
        for hidden in (False, True):
            group = run.group(hidden)
            if not group:
                continue
            findings = []
            passed = 0
            for case_run in group:
                finding = judge_case(case_run)
                if finding is None:
                    passed += 1
                else:
                    findings.append(finding)
            verdicts.append(Verdict(
                function=run.spec.name, check=self.name, hidden=hidden,
                fraction=passed / len(group), weight=len(group) / total,
                findings=findings, passed_cases=passed, total_cases=len(group),
            ))
        return verdicts


_REGISTRY: dict | None = None  # the checks found in this package (modules, not state: found once)


def all_checks() -> dict:
    """name -> Check, in judging order, discovered from this package's modules."""
    global _REGISTRY
    if _REGISTRY is None:
        found = []
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            check = getattr(module, "CHECK", None)
            if isinstance(check, Check):
                found.append(check)
        found.sort(key=lambda c: (c.order, c.name))
        _REGISTRY = {c.name: c for c in found}
    return _REGISTRY


def register_check(check: Check) -> None:
    """Add a check defined outside this package (a course's own): config.yaml then accepts its
    name, and it judges every function that gives it points."""
    registry = all_checks()
    registry[check.name] = check
    ordered = sorted(registry.values(), key=lambda c: (c.order, c.name))
    registry.clear()
    registry.update((c.name, c) for c in ordered)


def unregister_check(name: str) -> None:
    all_checks().pop(name, None)


def check_names() -> tuple:
    """The names of every check, in judging order: the only list of them (config.yaml's keys,
    the instructor tests' ``check=``, the reports' ``extra_data.check`` all come from here)."""
    return tuple(all_checks())


__all__ = ["Check", "FunctionRun", "Probe", "ProbeRun", "CaseRun", "CallOutcome", "Case", "Verdict", "all_checks",
           "check_names", "register_check", "unregister_check"]
