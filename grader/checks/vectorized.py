"""vectorized: the Python-level work a function does must not grow with the data size.

Three layers of evidence, because each alone can be fooled:

- **static** (``grader.checks.analysis.loops``, parent-side AST of the function and every
  helper it calls): for/while, comprehensions, map/filter/reduce, np.vectorize & co.,
  recursion, exec/eval/compile, builtins that iterate in C, code that touches the tracer. It
  says *where*.
- **dynamic** (the ``lines`` observer in the child, probes at a base size and with each size
  dimension grown in turn): Python line events and calls in the student's code, which is any
  code the student's cells made, whatever file name it claims (see the observers' code
  origins). Events that grow with ``n`` or ``m`` are a loop over the data wherever it hides;
  a loop over ``num_iterations`` does not grow (the probes keep the keyword arguments
  fixed). A tracer switched off or replaced during the call is suspicious, never clean.
- **timing** (parent-side round trips, minimum of repeats): the student's extra time from a
  tiny to a large input against the reference's on the same inputs. It catches C-level
  iteration (``list(map(math.exp, z.ravel()))``) that emits no line events, but correct code
  written differently can be several times slower, and a loaded machine slows anything, so
  timing only decides together with a static spot that could iterate *and* that the line
  counts could not vouch for: one iterating in C, or one the probes never ran. A loop the line
  counts saw run and not grow is allowed, whatever the clock says: the same submission gets the
  same grade on an idle and on a loaded machine.

Verdict: fail on growth, on a tampered trace, on tracer manipulation or code run from a string
found statically (both hide the evidence), or on an unwatched static spot together with a slow
timing ratio; no point when the function ran on none of the probes (no evidence); otherwise
pass, with notes for spots that did not grow (e.g. a loop over a fixed 3-tuple; not for a loop
inside one already blamed, which is part of that mistake). Messages say what a loop runs over in
the assignment's words (``sizes:`` in config.yaml) and add its ``hints:`` to the fixes. Measured
times never appear in a message (reruns must give byte-identical feedback), and a slow timing
alone is never reported.
"""
from __future__ import annotations

import ast
import math

from grader.checks import Check, FunctionRun, Probe
from grader.checks.analysis.advice import once_per, sizes_named, with_hint
from grader.checks.analysis.failures import HEADLINES
from grader.checks.analysis.hidden import exception_name
from grader.checks.analysis.loops import ELEMENTWISE_FIX, SUM_FIX, loop_spots, needed_by_the_task
from grader.checks.analysis.probing import probe_case, probe_kwargs, returns_nothing
from grader.checks.analysis.submission_code import code_of, walk
from grader.checks.analysis.templates import grown_in, template_spots
from grader.checks.analysis.traces import parse_lines_report
from grader.outcomes import Finding, Verdict

BASE = 4                # every size dimension in the base probe
GROWN = 32              # the grown dimension in the other probes
TIMING_ELEMENTS = 1 << 16   # elements of the largest input in the large timing probe
TIMING_REPEAT = 3
SLOW_RATIO = 6.0        # the student's extra time over the reference's, with a static spot
TIME_FLOOR = 1e-4       # seconds: below this, the reference's marginal time is noise
TRANSFER_SECONDS_PER_BYTE = 2e-9   # the child encodes its result, the parent decodes it

DEFAULTS = {"timing": None, "kwargs": {}, "base": BASE, "grown": GROWN, "slow_ratio": SLOW_RATIO,
            "template_loops": "allow"}
# What to do with a loop the assignment's template handed out (analysis.templates): never charge
# it (allow), never charge it but say how to do without it (advise), or treat it as the student's.
TEMPLATE_LOOPS = ("allow", "advise", "charge")
# Spots that can iterate over the data; with a slow timing ratio they fail the function.
ITERATING = ("loop", "comprehension", "functional", "elementwise", "recursion", "exec", "c_iteration")
# Spots whose every round is a Python event the line counts see (unless it iterates in C).
WATCHABLE = ("loop", "comprehension", "functional", "elementwise", "recursion")
PRIORITY = {"loop": 0, "comprehension": 0, "functional": 1, "elementwise": 1, "recursion": 1, "exec": 1}


def uses_proxies(spec, assignment, reference) -> bool:
    """True when grading this function calls back to the parent for other graded functions."""
    return bool(reference.proxy_names(spec.name, getattr(assignment, "attribution", "reference")))


class VectorizedCheck(Check):
    name = "vectorized"
    title = "vectorized (no Python loop over the data)"
    order = 70
    per_case = False
    requires = ("values", "shapes")
    hint_kinds = ("sum", "product", "elementwise")   # what a loop's body does (analysis.loops.body_kind)

    def parse_options(self, options: dict) -> dict:
        options = self.known_options(options, DEFAULTS)
        parsed = dict(DEFAULTS, kwargs={})
        if "timing" in options:
            if not isinstance(options["timing"], bool):
                raise ValueError("timing: expected true or false")
            parsed["timing"] = options["timing"]
        if "kwargs" in options:
            parsed["kwargs"] = dict(options["kwargs"])
        for key in ("base", "grown"):
            if key in options:
                if not isinstance(options[key], int) or isinstance(options[key], bool) or options[key] < 1:
                    raise ValueError(f"{key}: expected a positive integer")
                parsed[key] = options[key]
        if parsed["grown"] < parsed["base"] + 8:
            raise ValueError("grown must be at least base + 8, so that a loop over the data shows")
        if "slow_ratio" in options:
            if not isinstance(options["slow_ratio"], (int, float)) or options["slow_ratio"] <= 1:
                raise ValueError("slow_ratio: expected a number above 1")
            parsed["slow_ratio"] = float(options["slow_ratio"])
        if "template_loops" in options:
            if options["template_loops"] not in TEMPLATE_LOOPS:
                raise ValueError(f"template_loops: expected one of {', '.join(TEMPLATE_LOOPS)}")
            parsed["template_loops"] = options["template_loops"]
        return parsed

    def options(self, spec) -> dict:
        return spec.checks.get(self.name) or dict(DEFAULTS, kwargs={})

    # ------------------------------------------------------------------ probes

    def probes(self, spec, assignment, reference) -> list:
        dims = spec.size_names
        if not dims:
            return []
        options = self.options(spec)
        kwargs = probe_kwargs(spec, options["kwargs"])
        base = {d: options["base"] for d in dims}
        probes = [Probe(self.name, "dynamic: base", probe_case(spec, "vectorized probe (base sizes)", base, kwargs),
                        observe=("lines",))]
        for dim in dims:
            sizes = dict(base, **{dim: options["grown"]})
            probes.append(Probe(self.name, f"dynamic: {dim}",
                                probe_case(spec, f"vectorized probe ({dim} grown)", sizes, kwargs),
                                observe=("lines",)))
        if self.timing_enabled(spec, assignment, reference):
            small = {d: 2 for d in dims}
            for label, sizes in (("small", small), ("large", timing_sizes(spec))):
                probes.append(Probe(self.name, f"timing: {label}",
                                    probe_case(spec, f"vectorized timing ({label})", sizes, kwargs),
                                    repeat=TIMING_REPEAT, with_reference=True))
        return probes

    def wants(self, run: FunctionRun, probe, done: list) -> bool:
        """The timing probes only when a spot could fail on them (see ``_spot_findings``): an
        iterating, non-constant spot that the line counts of the dynamic probes (run before
        them) cannot vouch for. Without one, no clock reading can change the verdict."""
        if not probe.name.startswith("timing:"):
            return True
        code = code_of(run)
        graded = set(run.assignment.functions)
        spots = loop_spots(code, run.spec.name, graded)
        watched = self._watched(spots, self._dynamic(run, code, done, graded))
        return any(spot.kind in ITERATING and spot.kind != "exec" and not spot.constant and spot not in watched
                   for spot in spots)

    def timing_enabled(self, spec, assignment, reference) -> bool:
        choice = self.options(spec)["timing"]
        if choice is not None:
            return choice
        # With reference attribution the student's calls to other graded functions are round
        # trips to the parent, which the reference's own timing does not pay: no fair ratio.
        return not uses_proxies(spec, assignment, reference)

    # ------------------------------------------------------------------ judge

    def judge(self, run: FunctionRun) -> list:
        name = run.spec.name
        if returns_nothing(run):
            return [self._verdict(run, 0.0, [Finding(
                message=f"{name} returns None: not judged until it computes its outputs",
                fix="write the function's body (replace the stub) and return its outputs")])]
        code = code_of(run)
        graded = set(run.assignment.functions)
        spots = loop_spots(code, name, graded)
        probes = run.probes.get(self.name, [])
        dynamic = self._dynamic(run, code, probes, graded)

        failures = [Finding(
            message=f"{name} uses {spot.what}{self._in(spot, name)}: graded code must not touch the "
                    f"interpreter's tracer or frames, so its vectorization cannot be checked",
            line=spot.line, excerpt=spot.excerpt, fix=spot.fix) for spot in spots if spot.kind == "tracer"]
        if dynamic["tampered"]:
            failures.append(Finding(
                message=f"{name}: the line tracer the grader attaches to your call was switched off or replaced "
                        f"while {name} ran ({dynamic['tampered']}), so its work could not be measured",
                fix="remove any sys.settrace / sys.setprofile / frame manipulation from the graded code"))
        if dynamic["silent"] and not failures:
            # No evidence, no point: a function that runs on none of the probes shows nothing of
            # how its work grows (a scalar-only function passes a scalar case and loops nowhere).
            return [self._verdict(run, 0.0, [Finding(
                message=f"{name}: not judged: on every one of this check's calls it {dynamic['silent']}, so "
                        f"nothing shows how its work grows with the data",
                fix="make it work on inputs of every size first (see the runs findings); this check is judged "
                    "once it does")])]
        mode = self.options(run.spec)["template_loops"]
        handed_out = template_spots(code, run, spots) if mode != "charge" else set()
        growth, blamed, forgiven = self._growth_findings(run, code, spots, dynamic, handed_out)
        failures.extend(growth)
        more, notes = self._spot_findings(run, spots, self._allowed_loops(code, run, spots) | handed_out,
                                          self._timing(probes), blamed, self._watched(spots, dynamic))
        failures.extend(more)
        if mode == "advise":
            notes.extend(self._advice(run, forgiven))
        if dynamic["unavailable"] and not failures:
            notes.append(Finding(message=f"note: the dynamic check of {name} could not run "
                                         f"({dynamic['unavailable']}); judged from the code and timing only"))
        if failures:
            return [self._verdict(run, 0.0, failures + notes)]
        return [self._verdict(run, 1.0, notes)]

    def _spot_findings(self, run, spots, allowed, timing, blamed, watched) -> tuple[list, list]:
        """Failures and notes for the static spots the dynamic evidence did not already blame.

        Timing decides only for a spot the line counts could not vouch for (``watched``: they
        saw it run, and its iterations are Python events): iteration in C, or code the probes
        never reached. A watched spot that did not grow is allowed, whatever the clock says: a
        loaded machine must not change a grade."""
        name = run.spec.name
        slow_ratio = self.options(run.spec)["slow_ratio"]
        slow = timing is not None and timing["ratio"] >= slow_ratio
        failures, notes = [], []
        for spot in sorted(spots, key=lambda s: (PRIORITY.get(s.kind, 2), s.line)):
            if spot.kind == "tracer" or _inside(spot, blamed):
                continue  # a loop inside a loop already blamed is part of that one mistake
            fix = with_hint(spot.fix, run.spec, self.name, spot.hint)
            if spot.kind == "exec":
                # What runs from a string is out of the static layer's sight, and the dynamic
                # layer only sees what the probes happened to reach: it is not checkable code.
                failures.append(Finding(
                    message=f"{name}: {spot.what}{self._in(spot, name)} runs code the grader cannot read (kept in a "
                            f"string or built as a code object), so its vectorization cannot be checked",
                    line=spot.line, excerpt=spot.excerpt, fix=fix))
            elif spot in allowed:
                continue
            elif slow and spot.kind in ITERATING and not spot.constant and spot not in watched:
                # No measured figures in the text: the same submission must get byte-identical
                # feedback on every run, and timings never repeat exactly.
                failures.append(Finding(
                    message=f"{name}: {spot.what}{self._in(spot, name)} iterates over the data element by element: "
                            f"on a large input {name} took more than {slow_ratio:g} times the reference's time",
                    line=spot.line, excerpt=spot.excerpt, fix=fix))
            elif spot.kind != "c_iteration":
                notes.append(Finding(
                    message=f"note: {name} has {spot.what}{self._in(spot, name)}; it did not grow with the data "
                            f"({sizes_named(run.spec, run.spec.size_names)}), so it is allowed, but if it ever "
                            f"iterates over the data, vectorize it",
                    line=spot.line, excerpt=spot.excerpt, fix=fix))
                continue
            else:
                continue
            blamed.append((spot.filename, spot.line, spot.end_line))
        return failures, notes

    @staticmethod
    def _watched(spots, dynamic) -> set:
        """The spots the line counts can vouch for: seen running in the base probe, compared with
        at least one grown one, by an intact tracer, and iterating in Python (so every round
        shows as line events), not in C."""
        base = dynamic["lines"].get("dynamic: base")
        if dynamic["tampered"] or base is None or len(dynamic["lines"]) < 2:
            return set()
        return {spot for spot in spots if not spot.in_c and spot.kind in WATCHABLE
                and base.get((spot.filename, spot.line), 0) > 0}

    def _verdict(self, run, fraction, findings) -> Verdict:
        return Verdict(function=run.spec.name, check=self.name, hidden=False, fraction=fraction,
                       findings=findings)

    @staticmethod
    def _in(spot, name) -> str:
        if spot.function and spot.function != name:
            return f" in its helper {spot.function}()"
        return ""

    @staticmethod
    def _allowed_loops(code, run, spots) -> set:
        """Loops the task needs: over keyword arguments that are not data (num_iterations)."""
        definition = code.defs.get(run.spec.name)
        if definition is None:
            return set()
        loops = {node.lineno: node for node in walk(definition.node)
                 if isinstance(node, (ast.For, ast.AsyncFor, ast.While))}
        return {spot for spot in spots if spot.kind == "loop" and spot.function == run.spec.name
                and spot.line in loops and needed_by_the_task(definition, loops[spot.line], run.spec.inputs)}

    # ------------------------------------------------------------------ dynamic

    def _dynamic(self, run, code, probes, graded) -> dict:
        result = {"tampered": "", "unavailable": "", "silent": "", "totals": {}, "lines": {}}
        dyn = [p for p in probes if p.probe.name.startswith("dynamic:")]
        if not dyn:
            result["unavailable"] = "no probe ran"
            return result
        failed = [p.outcomes[0] for p in dyn if p.outcomes and not p.outcomes[0].ok]
        if len(failed) == len(dyn) and failed:
            first = failed[0]
            kind = exception_name(first.error) if first.status == "error" else ""
            result["silent"] = HEADLINES.get(first.status, first.status) + (f" ({kind})" if kind else "")
        excluded = [(d.filename, d.node.lineno, d.node.end_lineno) for n, d in code.defs.items()
                    if n in graded and n != run.spec.name]
        own = code.defs.get(run.spec.name)
        for probe_run in dyn:
            outcome = probe_run.outcomes[0] if probe_run.outcomes else None
            if outcome is None or not outcome.ok:
                status = outcome.status if outcome is not None else "not run"
                result["unavailable"] = f"the probe {probe_run.probe.case.name} ended with {status}"
                continue
            report = outcome.observations.get("lines")
            parsed = parse_lines_report(report)
            if parsed is None:
                result["tampered"] = "its report is missing or malformed"
                continue
            if not parsed["intact"]:
                result["tampered"] = "the tracer was not in place when the call returned"
            if own is not None and not any(f == own.filename and first == own.node.lineno
                                           for f, first, _name in parsed["calls"]):
                result["tampered"] = result["tampered"] or "the call itself was not seen"
            counts = {}
            for (filename, line), count in parsed["lines"].items():
                if any(f == filename and lo <= line <= hi for f, lo, hi in excluded):
                    continue
                counts[(filename, line)] = count
            for (filename, first, fname), count in parsed["calls"].items():
                if any(f == filename and lo <= first <= hi for f, lo, hi in excluded):
                    continue
                counts[(filename, -first)] = counts.get((filename, -first), 0) + count  # calls, keyed apart
            result["lines"][probe_run.probe.name] = counts
            result["totals"][probe_run.probe.name] = sum(counts.values())
        return result

    def _growth_findings(self, run, code, spots, dynamic, handed_out=frozenset()) -> tuple[list, list, dict]:
        """Findings for the code whose Python work grew with a size, the line ranges they blame,
        and the loops the template handed out that grew (spot -> sizes), which cost nothing."""
        name = run.spec.name
        options = self.options(run.spec)
        base_counts = dynamic["lines"].get("dynamic: base")
        forgiven: dict = {}
        if base_counts is None:
            return [], [], forgiven
        delta = options["grown"] - options["base"]
        threshold = max(8, delta // 2)
        before = sum(base_counts.values())
        blamed: dict = {}        # key -> (spot or None, filename, line, [(dim, after)])
        unplaced = []
        for dim in run.spec.size_names:
            counts = dynamic["lines"].get(f"dynamic: {dim}")
            if counts is None:
                continue
            after = sum(counts.values())
            if after - before < threshold:
                continue
            per_line = {key: counts.get(key, 0) - base_counts.get(key, 0) for key in set(counts) | set(base_counts)}
            grown = sorted(((g, key) for key, g in per_line.items() if g > 0), key=lambda t: (-t[0], t[1]))
            template = grown_in(handed_out, grown)
            where = self._blame(code, spots, grown, handed_out, template)
            for spot in template:
                forgiven.setdefault(spot, []).append(dim)
            if not where and not template:
                unplaced.append((dim, after))
            for spot, filename, line in where:
                key = (spot.filename, spot.line, spot.what) if spot else (filename, line, "")
                blamed.setdefault(key, (spot, filename, line, []))[3].append((dim, after))
        findings, ranges = [], []
        generic = with_hint(SUM_FIX + "; " + ELEMENTWISE_FIX, run.spec, self.name)
        if unplaced:
            findings.append(Finding(message=f"{name} loops over the data: " + self._measured(before, unplaced, options),
                                    fix=generic))
        for spot, filename, line, grew in blamed.values():
            per = once_per(run.spec, [dim for dim, _ in grew])
            measured = self._measured(before, grew, options)
            if spot is not None:
                findings.append(Finding(
                    message=f"{name}: {self._runs(spot)}{self._in(spot, name)} runs {per}: {measured}",
                    line=spot.line, excerpt=spot.excerpt, fix=with_hint(spot.fix, run.spec, self.name, spot.hint)))
                ranges.append((spot.filename, spot.line, spot.end_line))
            elif filename in code.lines:
                findings.append(Finding(message=f"{name}: this line runs {per}: {measured}",
                                        line=line, excerpt=code.excerpt(filename, line), fix=generic))
                ranges.append((filename, line, line))
            else:
                findings.append(Finding(
                    message=f"{name}: code run from a string or a code object runs {per}: {measured}",
                    fix="write the code in the function itself, vectorized"))
        return findings, ranges, forgiven

    def _advice(self, run, forgiven: dict) -> list:
        """Notes, worth no points, on the template's loops that ran once per element."""
        name = run.spec.name
        return [Finding(message=f"note (advice, no points): the {spot.what.removeprefix('a ')} of {name} came with the "
                                f"notebook's template, so it costs you nothing; it runs {once_per(run.spec, dims)}, "
                                "and numpy can do the work of all of them in one step",
                        line=spot.line, excerpt=spot.excerpt, fix=with_hint(spot.fix, run.spec, self.name, spot.hint))
                for spot, dims in sorted(forgiven.items(), key=lambda item: item[0].line)]

    @staticmethod
    def _runs(spot) -> str:
        """What repeats: the loop itself, or the code an exec() runs (exec is called once)."""
        return f"the code run by {spot.what}" if spot.kind == "exec" else spot.what

    @staticmethod
    def _measured(before, grew, options) -> str:
        parts = [f"{after} when {dim} went from {options['base']} to {options['grown']}" for dim, after in grew]
        return f"its Python work grew from {before} line events to " + ", and to ".join(parts)

    @staticmethod
    def _blame(code, spots, grown, handed_out=frozenset(), grew=frozenset()) -> list:
        """The spots (or bare lines) that account for the growth, most grown first, at most 3.
        A loop the template handed out (``handed_out``) is never blamed; growth that no loop of the
        student's own explains, while a template loop grew (``grew``), is that loop's: not blamed."""
        blamed = []
        for growth, (filename, line) in grown:
            line = abs(line)
            containing = [s for s in spots if s.filename == filename and s.line <= line <= s.end_line
                          and s.kind not in ("c_iteration", "tracer") and s not in handed_out]
            if not containing and filename not in code.lines:
                containing = [s for s in spots if s.kind == "exec"]
            if not containing:
                # a line of a callee with no loop of its own: blame what calls it element by element
                containing = [s for s in spots if s.kind in ("functional", "elementwise", "recursion")]
            if not containing and grew:
                continue  # the template's loop ran it (or a callee of its body)
            if containing:
                # the outermost construct: the loop the student wrote, not the statement inside it
                spot = min(containing, key=lambda s: (s.line, -s.end_line))
                entry = (spot, spot.filename, spot.line)
            else:
                # code made from a string has no line of the submission to show: one finding for it
                entry = (None, filename, line if filename in code.lines else 0)
            if entry[0] is None and any(e[1:] == entry[1:] for e in blamed):
                continue
            if entry[0] is not None and any(e[0] == entry[0] for e in blamed):
                continue
            blamed.append(entry)
            if len(blamed) >= 3:
                break
        return blamed

    # ------------------------------------------------------------------ timing

    @staticmethod
    def _timing(probes) -> dict | None:
        small = next((p for p in probes if p.probe.name == "timing: small"), None)
        large = next((p for p in probes if p.probe.name == "timing: large"), None)
        if small is None or large is None:
            return None
        s_small = [o.seconds for o in small.outcomes if o.ok]
        s_large = [o.seconds for o in large.outcomes if o.ok]
        if not s_small or not large.outcomes:
            return None
        if not s_large:
            # the large input did not finish (timeout): as slow as it gets
            if large.outcomes[-1].status == "timeout":
                return {"ratio": math.inf, "student": large.outcomes[-1].seconds, "reference": min(large.reference_seconds or [0])}
            return None
        if not large.reference_seconds or not small.reference_seconds:
            return None
        # Marginal times (large minus tiny input) cancel the fixed costs of a call. The student's
        # side also pays for sending the result back to the parent; that allowance is taken off.
        student = max(0.0, min(s_large) - min(s_small))
        reference = max(0.0, min(large.reference_seconds) - min(small.reference_seconds))
        allowance = TRANSFER_SECONDS_PER_BYTE * _nbytes(large.expected)
        ratio = max(0.0, student - allowance) / max(reference, TIME_FLOOR)
        return {"ratio": ratio, "student": student, "reference": reference}


def _nbytes(value) -> int:
    if hasattr(value, "nbytes"):
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    return 8


def _inside(spot, ranges) -> bool:
    """``spot`` lies within one of ``ranges`` ((filename, first line, last line)): part of it."""
    return any(spot.filename == filename and first <= spot.line <= last for filename, first, last in ranges)


def timing_sizes(spec) -> dict:
    """Sizes that give the largest input about TIMING_ELEMENTS elements, split evenly over its dims."""
    dims = spec.size_names
    best: tuple = ()
    for inp in spec.inputs.values():
        named = tuple(d for d in inp.shape if isinstance(d, str))
        if len(named) > len(best):
            best = named
    if not best:
        best = tuple(d for d in dims)
        per = TIMING_ELEMENTS
    else:
        per = int(round(TIMING_ELEMENTS ** (1.0 / len(best))))
    return {d: (per if d in best else 8) for d in dims}


CHECK = VectorizedCheck()
