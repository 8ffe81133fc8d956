"""What grading needs, computed once per batch in the trusted process.

:class:`Batch` holds the parsed and imported reference, every case's inputs and the
reference's outputs on them, the checks configured for each function and their probes.
Nothing here runs student code.
"""
from __future__ import annotations

import copy
import dataclasses
import inspect
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from grader.cases import draw, make_cases
from grader.checks import all_checks
from grader.config import AssignmentSpec
from grader.errors import SolutionError, UserError
from grader.mistakes import MistakeBook
from grader.reference import Reference, ReferenceSource, load_reference
from grader.silence import quiet
from grader.versions import CallShapes


@dataclass
class PreparedProbe:
    probe: object                 # grader.checks.Probe
    expected: object = None
    reference_seconds: list = field(default_factory=list)


@dataclass
class Batch:
    """Everything trusted that grading needs, computed once and shared by all submissions."""

    assignment: AssignmentSpec
    reference: Reference
    cases: dict                   # function -> [Case]
    expected: dict                # function -> [reference output per case]
    checks: dict                  # function -> [Check] configured for it (with points)
    probes: dict                  # function -> {check name: [PreparedProbe]}
    observers: dict               # function -> tuple of observer names for its case calls
    stats: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)  # check name -> Check.prepare(assignment, reference)
    mistakes: object = None       # grader.mistakes.MistakeBook: names a failed function's mistake (None: off)
    arguments: dict = field(default_factory=dict)  # (version, function, parameter) -> its value, made once
    # With reference attribution, hidden cases and probes call a student's own callee once it passed
    # everything (grading/callees.py); False: always the reference's, by call-back (same verdicts, slower).
    own_callees: bool = True

    @classmethod
    def prepare(cls, assignment: AssignmentSpec, source: ReferenceSource | None = None) -> "Batch":
        """``source``: the solution already parsed (by default parsed here)."""
        started = time.perf_counter()
        reference = load_reference(source or assignment.solution, list(assignment.functions))
        registry = all_checks()
        cases, expected, checks, probes, observers = {}, {}, {}, {}, {}
        for name, spec in assignment.functions.items():
            _check_inputs_match_parameters(reference, assignment, spec)
            cases[name] = make_cases(spec)
            expected[name] = [_reference_output(reference, assignment, case) for case in cases[name]]
            checks[name] = [check for check_name, check in registry.items() if check_name in spec.points]
            probes[name] = {check.name: _prepare_probes(reference, check, spec, assignment)
                            for check in checks[name]}
            observers[name] = tuple(dict.fromkeys(o for check in checks[name] for o in check.observers))
        used = {check.name: check for function_checks in checks.values() for check in function_checks}
        states = {name: check.prepare(assignment, reference) for name, check in used.items()}
        mistakes = MistakeBook.prepare(assignment, reference, cases, expected)
        batch = cls(assignment, reference, cases, expected, checks, probes, observers, states=states, mistakes=mistakes)
        batch.stats["prepare_seconds"] = time.perf_counter() - started
        return batch

    def proxies(self, function: str) -> tuple:
        """Names of the reference functions a student's ``function`` reaches by call-back."""
        return self.reference.proxy_names(function, self.assignment.attribution)

    def call_shapes(self, submission) -> CallShapes | None:
        """How the calls of ``submission``'s version differ from the reference's (None: they don't)."""
        match = getattr(submission, "version", None)
        version = match.version if match is not None else None
        if version is None or version.current:
            return None
        ours = self.reference.source.signatures
        fill = {}
        for name, source in submission.functions.items():
            given = version.arguments.get(name) or {}
            own = set(ours[name].params) if name in ours else set()
            extra = tuple((position, param, self._argument(version, name, param))
                          for position, param in enumerate(source.params) if param in given and param not in own)
            if extra:
                fill[name] = extra
        adapt = {}
        for name, template in version.functions.items():
            theirs, reference = template.signature.params, ours[name].params if name in ours else None
            if reference is not None and theirs != reference and set(reference) <= set(theirs):
                adapt[name] = (tuple(theirs), tuple(reference))
        return CallShapes(fill, adapt) if fill or adapt else None

    def _argument(self, version, function: str, param: str):
        """The value a version's own parameter gets: drawn once per batch, the same for every call."""
        key = (version.name, function, param)
        if key not in self.arguments:
            self.arguments[key] = draw(np.random.default_rng(0), version.arguments[function][param], {})
        return self.arguments[key]


def _prepare_probes(reference: Reference, check, spec, assignment) -> list:
    prepared = []
    for probe in check.probes(spec, assignment, reference):
        if probe.case.np_seed is None and spec.np_seed is not None:   # the function's default
            probe = dataclasses.replace(probe, case=dataclasses.replace(probe.case, np_seed=spec.np_seed))
        item = PreparedProbe(probe)
        if probe.with_reference:
            item.expected, item.reference_seconds = _time_reference(reference, probe)
        prepared.append(item)
    return prepared


def _check_inputs_match_parameters(reference: Reference, assignment: AssignmentSpec, spec) -> None:
    """Inputs are passed by position, so config.yaml must list them in the reference's order."""
    params = list(inspect.signature(reference.function(spec.name)).parameters)
    inputs = list(spec.inputs)
    if params[: len(inputs)] != inputs:
        raise UserError(
            f"assignments.{assignment.name}.functions.{spec.name}.inputs lists {', '.join(inputs)}, but the "
            f"reference {spec.name}() takes ({', '.join(params)})",
            path=assignment.root / "config.yaml",
            hint="list the inputs in the order of the function's parameters; pass the others as kwargs")


def _reference_output(reference: Reference, assignment: AssignmentSpec, case):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. overflow in exp for |z| = 1000: expected, harmless
            return reference.run(case.function, case.args, case.kwargs, np_seed=case.np_seed)
    except Exception as exc:
        raise SolutionError(
            f"the reference {case.function}() raised {type(exc).__name__}: {exc} on case {case.name!r}",
            path=assignment.solution,
            hint="fix the reference, or the case's inputs in config.yaml") from exc


def _time_reference(reference: Reference, probe):
    seconds = []
    result = None
    for _ in range(max(1, probe.repeat)):
        args, kwargs = copy.deepcopy(probe.case.args), copy.deepcopy(probe.case.kwargs)
        if probe.case.np_seed is not None:
            np.random.seed(probe.case.np_seed)
        with quiet():   # what it prints (a probe's print_cost) never reaches the console
            start = time.perf_counter()
            result = reference.function(probe.case.function)(*args, **kwargs)
            seconds.append(time.perf_counter() - start)
    return result, seconds
