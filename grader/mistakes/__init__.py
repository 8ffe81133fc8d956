"""Name the mistake: which known misconception a failed function's outputs show.

For a function whose shapes or values check fails, the grader runs a set of mistake models on
the same inputs the student's function received and, when exactly one of them gives the
student's outputs (within tolerance, on every failed case, and not the reference's outputs), the
failed tests carry a :class:`Diagnosis`: the mistake's id and a message for the student that
names it and says how to fix it (``results.json``: ``extra_data.diagnosis``).

- ``models.py``: where models come from: generated from the reference's solution regions by
  small changes of its syntax tree (``kinds_values``, ``kinds_arrays``, ``kinds_calls``, on the
  helpers of ``sites``), declared in ``config.yaml`` or in ``mistakes.py`` beside the reference;
- ``evaluate.py`` + ``worker.py``: the models' outputs on a function's cases, computed once per
  batch, the first time one of its submissions fails that function, in a killable worker process
  (never in the sandbox, never in the grader's own process);
- ``match.py``: which model explains a run, and whether that is unambiguous.

A diagnosis depends only on the cases and the student's outcomes, so a hidden case's diagnosis
is the model's message alone: it names no input, size or expected value.
"""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from functools import partial

from grader.errors import ConfigError
from grader.mistakes import match
from grader.mistakes.evaluate import Evaluation, evaluate
from grader.mistakes.models import Mistake, configured, from_file, generated, mistakes_file, solution_ranges

DIAGNOSED_CHECKS = ("shapes", "values")   # the checks whose failure a mistake model can explain
MAX_ERRORS = 20


@dataclass(frozen=True)
class Diagnosis:
    mistake: str                  # the model's id, e.g. "sign:dw"
    message: str                  # for the student: what the mistake is and how to fix it

    def as_dict(self) -> dict:
        return {"mistake": self.mistake, "message": self.message}


class MistakeBook:
    """A batch's mistake models per function, and their outcomes once computed (per batch: every
    submission that fails a function is compared with the same outcomes)."""

    def __init__(self, assignment, models: dict, cases: dict, expected: dict, output_names: dict | None = None,
                 calls: dict | None = None, generate: dict | None = None):
        self.assignment = assignment
        self.output_names = dict(output_names or {})   # function -> names of the reference's outputs
        self.calls = dict(calls or {})                 # function -> the graded functions it calls
        self._models = models              # function -> [Mistake], in naming order
        # function -> a callable giving the models generated from the reference, to follow its
        # declared ones: made the first time a function fails (most of a batch's preparation
        # time otherwise, for functions that may never fail), see models_of
        self._generate = dict(generate or {})
        self._making = threading.Lock()
        self.cases = cases                 # function -> [Case]
        self.expected = expected           # function -> [reference output per case]
        self._locks = {name: threading.Lock() for name in models}
        self._evaluations: dict = {}       # function -> (Evaluation, [usable Mistake])
        self.store = None                  # a folder where complete evaluations are shared (evaluate.py)
        self._lock = threading.Lock()
        self.stats = {"failed_functions": 0, "diagnosed": 0, "evaluations": 0, "evaluate_seconds": 0.0,
                      "match_seconds": 0.0, "incomplete": 0, "errors": []}

    @classmethod
    def prepare(cls, assignment, reference, cases: dict, expected: dict) -> "MistakeBook":
        """Every function's declared models (their errors are the instructor's, said now); the
        generated ones when first needed (syntax trees only; nothing runs)."""
        from_solutions = from_file(assignment.solution, list(assignment.functions))
        config_path = assignment.root / "config.yaml"
        models, generate = {}, {}
        for name, spec in assignment.functions.items():
            options = spec.mistakes
            key = f"assignments.{assignment.name}.functions.{name}.mistakes"
            found = list(from_solutions.get(name, [])) + configured(reference.source, name, options, config_path,
                                                                     f"{key}.declared")
            ids = [mistake.id for mistake in found]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ConfigError(f"{key}: the id(s) "
                                  f"{', '.join(twice)} are declared both in config.yaml and in mistakes.py",
                                  path=config_path, hint="give each declared mistake its own id")
            if options.generated:
                # a malformed solution region is the instructor's error: said now, not at a failure
                solution_ranges(reference.source.text, reference.source.path, name)
                generate[name] = partial(_generated_beyond, reference.source, name, options.ignore, frozenset(ids))
            models[name] = found
        return cls(assignment, models, cases, expected, reference.output_names, reference.calls, generate)

    @property
    def models(self) -> dict:
        """function -> [Mistake], every model made."""
        for name in list(self._generate):
            self.models_of(name)
        return self._models

    def models_of(self, function: str) -> list:
        """``function``'s models, in naming order: the declared ones, then the generated ones."""
        with self._making:
            make = self._generate.pop(function, None)
            if make is not None:
                self._models[function] = self._models[function] + make()
            return self._models[function]

    def evaluation(self, function: str) -> tuple:
        """(Evaluation, the models that do not just give the reference's outputs), computed once."""
        with self._locks[function]:
            if function not in self._evaluations:
                spec = self.assignment.functions[function]
                models = self.models_of(function)
                evaluation = evaluate(self.assignment.solution, mistakes_file(self.assignment.solution), spec,
                                      models, self.cases[function], self.assignment.limits, store=self.store)
                usable = [m for m in models if m.id in evaluation.outcomes and not match.like_reference(
                    evaluation.outcomes[m.id], self.expected[function], spec.tolerance,
                    self.output_names.get(function))]
                self._evaluations[function] = (evaluation, usable)
                with self._lock:
                    self.stats["evaluations"] += 1
                    self.stats["evaluate_seconds"] += evaluation.seconds
                    self.stats["incomplete"] += not evaluation.complete
                if evaluation.error:   # the instructor's to know: once per batch and function
                    consequence = "" if evaluation.complete else "; no mistake is named for it in this batch"
                    self.note_error(f"the mistake models of {function}: {evaluation.error}{consequence}")
            return self._evaluations[function]

    def diagnose(self, run) -> Diagnosis | None:
        """The one mistake ``run`` (a FunctionRun) shows, or None."""
        name, spec = run.spec.name, run.spec
        if name not in self._models or [r.case.name for r in run.cases] != [c.name for c in self.cases[name]]:
            return None
        if self.assignment.attribution != "reference" and self.calls.get(name):
            # graded as submitted, its outputs depend on the student's own callees, which the models
            # (written against the reference's) cannot tell from a mistake of its own
            return None
        tolerance = spec.tolerance
        failing = [match.failed(r, tolerance, run.output_names) for r in run.cases]
        if not any(f and r.outcome.status in match.EVIDENCE for f, r in zip(failing, run.cases)):
            return None        # nothing the student's function returned or raised to compare with
        with self._lock:
            self.stats["failed_functions"] += 1
        evaluation, usable = self.evaluation(name)
        if not evaluation.complete:
            return None
        started = time.perf_counter()
        candidates = [m for m in usable
                      if match.explains(evaluation.outcomes[m.id], run.cases, failing, tolerance, run.output_names)]
        chosen = match.one_mistake(candidates, evaluation.outcomes, tolerance, run.output_names)
        with self._lock:
            self.stats["match_seconds"] += time.perf_counter() - started
            self.stats["diagnosed"] += chosen is not None
        return Diagnosis(chosen.id, chosen.message) if chosen is not None else None

    def note_error(self, text: str) -> None:
        """Kept in ``stats`` and said on stderr (at most MAX_ERRORS per batch): a diagnosis is
        advice, so its failure costs no points, but the instructor should know."""
        with self._lock:
            if len(self.stats["errors"]) >= MAX_ERRORS:
                return
            self.stats["errors"].append(text)
        print(f"warning: {self.assignment.name}: {text}", file=sys.stderr)


def _generated_beyond(source, function: str, ignore, declared: frozenset) -> list:
    return [m for m in generated(source, function, ignore) if m.id not in declared]


def diagnose(batch, run, tests: list) -> list:
    """Give the failed shapes and values tests of ``run`` the diagnosis of its mistake, if one is
    unambiguous (``batch.mistakes``: the batch's MistakeBook, or None to diagnose nothing)."""
    book = getattr(batch, "mistakes", None)
    targets = [test for test in tests if test.check in DIAGNOSED_CHECKS and not test.passed]
    if book is None or not targets or run.missing:
        return tests
    try:
        diagnosis = book.diagnose(run)
    except Exception as exc:  # noqa: BLE001 - a diagnosis is advice: its failure costs no points
        book.note_error(f"naming the mistake of {run.spec.name} failed (a bug in the grader, please report it): "
                        f"{type(exc).__name__}: {exc}")
        return tests
    if diagnosis is not None:
        for test in targets:
            test.diagnosis = diagnosis.as_dict()
    return tests


__all__ = ["Diagnosis", "Evaluation", "Mistake", "MistakeBook", "diagnose", "DIAGNOSED_CHECKS"]
