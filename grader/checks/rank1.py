"""rank1: no rank-1 arrays ``(n,)`` where the course wants 2-D vectors, and no broadcasting accidents.

Evidence, judged in the parent:
- **outputs** (the case runs): a returned array that is rank-1 where the reference's is 2-D
  (the shapes check already charges the shape; this message names rank-1 and the fix);
- **locals** (the ``locals`` observer on one probe whose sizes are distinct, so every length
  names its dimension): rank-1 arrays bound to the function's (or its helpers') local
  variables, and arrays whose shape repeats a dimension, ``(m, m)``;
- **broadcasting** (the probe's operand shapes, line by line, put through the line's AST):
  an arithmetic whose result is larger than both operands, e.g. ``(m,)`` minus ``(m, 1)``;
- **static spots** (``grader.checks.analysis.rank1_spots``): ``np.zeros(dim)``,
  ``np.random.randn(n)``, ``np.sum(x, axis=k)`` without ``keepdims`` in arithmetic, ``.ravel()``
  not reshaped back. They name the line and the fix; alone (nothing observed) they are notes,
  unless the probe raised where the spot's array is used in arithmetic: then the error is what
  was observed (a ``(k,)`` array that does not line up with a 2-D one).

A rank-1 local inside a loop over the data (a row ``x[i]``) is that loop's business, which the
vectorized check charges: it costs rank1 only where it meets a 2-D operand. One mistake, one check.

Anything the reference itself does on the same inputs (observed once per batch, in the
trusted parent, with the same observer: :meth:`Rank1Check.prepare`) is allowed: a later
assignment may use rank-1 arrays on purpose.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

import numpy as np

from grader.checks import Check, FunctionRun, Probe
from grader.checks.analysis import compare
from grader.checks.analysis import hidden as words
from grader.checks.analysis.advice import with_hint
from grader.checks.analysis.broadcasting import ShapeEval, repeats_dimension, symbolic
from grader.checks.analysis.loops import data_loops
from grader.checks.analysis.probing import probe_case, probe_kwargs, returns_nothing
from grader.checks.analysis.rank1_spots import names_in_arithmetic, rank1_spots
from grader.checks.analysis.submission_code import SubmissionCode, code_of, walk
from grader.checks.analysis.traces import parse_locals_report
from grader.outcomes import Finding, Verdict
from grader.silence import quiet
from grader.sandbox.observers import LocalShapes

PROBE_SIZES = (5, 7, 11, 13, 17, 19, 23)   # distinct primes: each length names one dimension
MAX_FINDINGS = 6
DEFAULTS = {"kwargs": {}}


def probe_sizes(spec) -> dict:
    return {dim: PROBE_SIZES[i % len(PROBE_SIZES)] for i, dim in enumerate(spec.size_names)}


def no_habits() -> dict:
    return {"rank1": set(), "square": set(), "accidents": set()}


@dataclass
class Rank1State:
    """Per batch: what the reference does on each function's probe."""

    habits: dict = field(default_factory=dict)   # function -> symbolic shapes the reference makes itself


# --------------------------------------------------------------------------- the reference's own habits


def observe_reference(reference, spec, case) -> dict:
    """Symbolic shapes of the reference's rank-1 locals, repeated-dimension locals and expanding broadcasts."""
    try:
        function = reference.function(spec.name)
        filename = function.__code__.co_filename
        observer = LocalShapes()
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        observer.start({filename})
        try:
            with quiet():   # a probe's print_cost: nothing on the grader's console
                function(*args, **kwargs)
        finally:
            report = observer.stop()
        code = SubmissionCode.from_reference(reference.source, filename)
        return _habits_from(report, code, case.sizes)
    except Exception:  # the reference always runs in Batch.prepare; here a failure only loses the allowance
        return no_habits()


def _habits_from(report, code, sizes) -> dict:
    habits = no_habits()
    parsed = parse_locals_report(report)
    if parsed is None:
        return habits
    for filename, line, fn, var, shape in parsed["bound"]:
        if len(shape) == 1 and shape[0] > 1:
            habits["rank1"].add(symbolic(shape, sizes))
        if repeats_dimension(shape, sizes):
            habits["square"].add(symbolic(shape, sizes))
    for filename, line, fn, env in parsed["before"]:
        definition = code.defs.get(fn) if fn in code.defs else code.definition_at(filename, line)
        if definition is None:
            continue
        evaluator = ShapeEval(code.qualname, env)
        for statement in definition.statements_at(line):
            for node, left, right, result in evaluator.accidents(statement):
                habits["accidents"].add(symbolic(result, sizes))
    return habits


# --------------------------------------------------------------------------- the check


class Rank1Check(Check):
    name = "rank1"
    title = "no rank-1 arrays or broadcasting accidents"
    order = 65
    per_case = False
    requires = ("values", "shapes")
    hint_kinds = ("output", "local", "broadcast")

    def parse_options(self, options: dict) -> dict:
        options = self.known_options(options, DEFAULTS)
        return {"kwargs": dict(options.get("kwargs", {}))}

    def probes(self, spec, assignment, reference) -> list:
        if not spec.size_names:
            return []
        kwargs = probe_kwargs(spec, (spec.checks.get(self.name) or {}).get("kwargs"))
        case = probe_case(spec, "rank-1 probe", probe_sizes(spec), kwargs)
        return [Probe(self.name, "locals", case, observe=("locals",))]

    def prepare(self, assignment, reference) -> Rank1State:
        state = Rank1State()
        for spec in assignment.functions.values():
            probes = self.probes(spec, assignment, reference) if reference is not None else []
            if self.name in spec.points and probes:
                state.habits[spec.name] = observe_reference(reference, spec, probes[0].case)
        return state

    def judge(self, run: FunctionRun) -> list:
        name = run.spec.name
        if returns_nothing(run):
            return [self._verdict(run, 0.0, [Finding(
                message=f"{name} returns None: not judged until it computes its outputs",
                fix="write the function's body (replace the stub) and return its outputs")])]
        state = self.state(run)
        code = code_of(run)
        graded = set(run.assignment.functions)
        spots = rank1_spots(code, name, graded)
        failures = self._outputs(run, spots)
        found, local_notes = self._locals(run, code, spots, graded, failures, state.habits.get(name) or no_habits())
        failures += found
        failures += self._raised(run, code, spots, {(f.line, f.excerpt) for f in failures})
        used = {(f.line, f.excerpt) for f in failures + local_notes}
        notes = local_notes + [Finding(message=f"note: {name}: {spot.what}{self._in(spot, name)} can make a rank-1 "
                                               f"array; it did not show in the tested calls, but keep vectors 2-D",
                                       line=spot.line, excerpt=spot.excerpt,
                                       fix=with_hint(spot.fix, run.spec, self.name, "local"))
                               for spot in spots if (spot.line, spot.excerpt) not in used]
        if failures:
            return [self._verdict(run, 0.0, failures[:MAX_FINDINGS] + notes)]
        return [self._verdict(run, 1.0, notes)]

    def _verdict(self, run, fraction, findings) -> Verdict:
        return Verdict(function=run.spec.name, check=self.name, hidden=False, fraction=fraction, findings=findings)

    @staticmethod
    def _in(spot, name) -> str:
        return f" in its helper {spot.function}()" if spot.function and spot.function != name else ""

    # -- outputs -----------------------------------------------------------------

    def _outputs(self, run, spots) -> list:
        name = run.spec.name
        findings, seen = [], set()
        orientations = words.vector_orientations(run)
        for case_run in run.group(False) + run.group(True):
            outcome = case_run.outcome
            if not outcome.ok:
                continue
            for leaf in compare.leaves(case_run.expected, outcome.value, run.output_names):
                if not isinstance(leaf, compare.Leaf) or leaf.path in seen:
                    continue
                e, a = leaf.expected, leaf.actual
                if not (isinstance(e, np.ndarray) and isinstance(a, np.ndarray) and e.ndim == 2 and a.ndim == 1):
                    continue
                seen.add(leaf.path)
                spot = self._spot_for(spots, leaf.path)
                hidden = case_run.case.hidden
                if hidden:
                    # The hidden case's own shape could be (1, 1): say what the public cases show.
                    vector, reshape = words.vector_words(orientations.get(leaf.path))
                    message = f"{name} returns {leaf.path} as a rank-1 array where {vector} is expected"
                else:
                    column = e.shape[1] == 1
                    reshape = ".reshape(-1, 1)" if column else ".reshape(1, -1)"
                    message = f"{name} returns {leaf.path} as a rank-1 array: shape {a.shape}, expected {e.shape}"
                fix = with_hint(spot.fix if spot else (
                    "keep vectors 2-D: create them with two dimensions (np.zeros((k, 1)) rather than np.zeros(k)), "
                    "use keepdims=True in reductions, or reshape with " + reshape), run.spec, self.name, "output")
                findings.append(Finding(message=message, case=case_run.case.name, hidden=hidden,
                                        line=spot.line if spot else None, excerpt=spot.excerpt if spot else "",
                                        fix=fix))
        return findings

    @staticmethod
    def _spot_for(spots, path: str):
        """The static spot that made the output: bound to the returned name, else the only spot."""
        root = path.split("[")[0]
        for spot in spots:
            if spot.target and (spot.target == root or f"'{spot.target}'" in path or f'"{spot.target}"' in path):
                return spot
        return spots[0] if len(spots) == 1 else None

    def _raised(self, run, code, spots, seen) -> list:
        """Spots the probe choked on: it raised (so no locals were seen) at a line that uses the
        spot's array in arithmetic (or at the spot itself). That error is what was observed."""
        probe_runs = run.probes.get(self.name, [])
        probe = probe_runs[0].outcomes[0] if probe_runs and probe_runs[0].outcomes else None
        if probe is None or probe.status != "error" or not probe.line:
            return []
        definition = code.definition_at(probe.filename, probe.line)
        if definition is None:
            return []
        used = set()
        for statement in definition.statements_at(probe.line):
            used |= names_in_arithmetic(statement)
        return [Finding(
            message=f"{run.spec.name}: {spot.what}{self._in(spot, run.spec.name)} makes a rank-1 array, and a call "
                    f"on inputs of distinct sizes raised an error at line {probe.line}, where it is used in "
                    f"arithmetic: a (k,) array lines up with the last dimension of a 2-D one, rarely what is meant",
            line=spot.line, excerpt=spot.excerpt, fix=with_hint(spot.fix, run.spec, self.name, "local"))
            for spot in spots if (spot.line, spot.excerpt) not in seen and spot.filename == probe.filename
            and (spot.line == probe.line or spot.target and spot.target in used)]

    # -- locals and broadcasting ---------------------------------------------------------

    def _locals(self, run, code, spots, graded, earlier, reference) -> tuple[list, list]:
        probe_runs = run.probes.get(self.name, [])
        if not probe_runs or not probe_runs[0].outcomes or not probe_runs[0].outcomes[0].ok:
            return [], []
        probe_run = probe_runs[0]
        parsed = parse_locals_report(probe_run.outcomes[0].observations.get("locals"))
        if parsed is None:
            return [], []
        seen = {(f.line, f.excerpt) for f in earlier}
        lines_reported = {f.line for f in earlier if f.line}
        view = _LocalsView(run.spec, code, code.reachable(run.spec.name, graded - {run.spec.name}),
                           probe_run.probe.case.sizes, reference)
        view.in_loops(data_loops(code, run.spec.name, run.spec.inputs, graded), parsed["before"])
        findings, notes = view.bound(parsed["bound"], spots, seen, lines_reported)
        findings += view.accidents(parsed["before"], seen)
        findings.sort(key=lambda f: f.line or 0)
        return findings, notes


class _LocalsView:
    """The locals observer's report on one probe, read against the student's code."""

    def __init__(self, spec, code, definitions, sizes, reference):
        self.spec, self.name, self.code, self.sizes, self.reference = spec, spec.name, code, sizes, reference
        self.definitions = definitions
        self.arithmetic = {d.name: names_in_arithmetic(d.node) for d in definitions}
        self.loops: list = []          # (filename, first, last) of the loops over the data
        self.meets_2d: set = set()     # names used in arithmetic with a 2-D operand somewhere

    def in_loops(self, loops, before) -> None:
        """Learn the loops over the data, and which names meet a 2-D operand in arithmetic."""
        self.loops = loops
        for filename, line, fn, env in before:
            definition = self.inside(filename, line)
            if definition is None:
                continue
            evaluator = ShapeEval(self.code.qualname, env)
            for statement in definition.statements_at(line):
                for node in walk(statement):
                    if not isinstance(node, ast.BinOp) or isinstance(node.op, ast.MatMult):
                        continue
                    for side, other in ((node.left, node.right), (node.right, node.left)):
                        shape = evaluator.shape(other)
                        if isinstance(side, ast.Name) and shape is not None and len(shape) >= 2:
                            self.meets_2d.add(side.id)

    def in_a_data_loop(self, filename, line) -> bool:
        return any(f == filename and first <= line <= last for f, first, last in self.loops)

    def inside(self, filename, line):
        return next((d for d in self.definitions if d.contains(filename, line)), None)

    def helper(self, definition) -> str:
        return f" (in its helper {definition.name}())" if definition.name != self.name else ""

    def bound(self, bound, spots, seen, lines_reported) -> tuple[list, list]:
        """Rank-1 locals (failures when used in arithmetic, notes otherwise) and (m, m) locals."""
        findings, notes, values = [], [], set(self.sizes.values())
        for filename, line, fn, var, shape in bound:
            definition = self.inside(filename, line)
            if definition is None or definition.node.lineno == line:
                continue  # parameters as passed in are the caller's arrays, not the student's choice
            if fn.startswith("<"):
                continue  # a comprehension's or lambda's loop variable: the vectorized check's business
            sym = symbolic(shape, self.sizes)
            excerpt = self.code.excerpt(filename, line)
            if (line, excerpt) in seen or line in lines_reported:
                continue
            if len(shape) == 1 and shape[0] > 1 and shape[0] in values and sym not in self.reference["rank1"]:
                if self.in_a_data_loop(filename, line) and var not in self.meets_2d:
                    continue  # a row of the data inside a loop over it: the loop is the mistake (vectorized)
                seen.add((line, excerpt))
                spot = next((s for s in spots if s.filename == filename and s.line <= line <= s.end_line), None)
                fix = with_hint(spot.fix if spot else (
                    f"keep {var} 2-D: a column {sym[:-2]}, 1) or a row (1, {sym[1:-2]}) via .reshape(-1, 1) / "
                    f".reshape(1, -1), or keepdims=True in reductions"), self.spec, "rank1", "local")
                if var not in self.arithmetic.get(definition.name, ()):
                    # made and reshaped back (or returned, which the outputs judge): worth a note, not points
                    notes.append(Finding(
                        message=f"note: {self.name}: {var} is a rank-1 array of shape {sym}{self.helper(definition)} "
                                f"for a moment; it is not used in arithmetic, but keep vectors 2-D",
                        line=line, excerpt=excerpt, fix=fix))
                    continue
                findings.append(Finding(
                    message=f"{self.name}: {var} is a rank-1 array of shape {sym}{self.helper(definition)}; "
                            f"the course keeps vectors 2-D, (k, 1) or (1, k), so that broadcasting does what you mean",
                    line=line, excerpt=excerpt, fix=fix))
            elif repeats_dimension(shape, self.sizes) and sym not in self.reference["square"] \
                    and sym not in self.reference["accidents"]:
                seen.add((line, excerpt))
                findings.append(Finding(
                    message=f"{self.name}: {var} has shape {sym}{self.helper(definition)}: a broadcasting accident, "
                            f"usually a rank-1 (k,) array combined with a (k, 1) or (1, k) one",
                    line=line, excerpt=excerpt,
                    fix=with_hint("make both operands 2-D with the same orientation (.reshape(1, -1) or "
                                  ".reshape(-1, 1)), and keep reductions 2-D with keepdims=True",
                                  self.spec, "rank1", "broadcast")))
        return findings, notes

    def accidents(self, before, seen) -> list:
        """Arithmetic whose result is larger than both operands, which the reference never does."""
        findings = []
        for filename, line, fn, env in before:
            definition = self.inside(filename, line)
            if definition is None:
                continue
            evaluator = ShapeEval(self.code.qualname, env)
            for statement in definition.statements_at(line):
                for node, left, right, result in evaluator.accidents(statement):
                    sym = symbolic(result, self.sizes)
                    excerpt = self.code.excerpt(filename, line)
                    if sym in self.reference["accidents"] or (line, excerpt) in seen:
                        continue
                    seen.add((line, excerpt))
                    findings.append(Finding(
                        message=f"{self.name}: `{ast.unparse(node)}` broadcasts {symbolic(left, self.sizes)} with "
                                f"{symbolic(right, self.sizes)} into {sym}{self.helper(definition)}, larger than "
                                f"both operands; the reference never builds such an array",
                        line=line, excerpt=excerpt,
                        fix=with_hint("a rank-1 (k,) array meets a (k, 1) one: keep every vector 2-D in the same "
                                      "orientation (use .reshape(1, -1) / .reshape(-1, 1), or keepdims=True in "
                                      "reductions)", self.spec, "rank1", "broadcast")))
        return findings


CHECK = Rank1Check()
