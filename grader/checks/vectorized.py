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
  written differently can be several times slower, so timing only decides together with a
  static spot that could iterate.

Verdict: fail on growth, on a tampered trace, on tracer manipulation or code run from a string
found statically (both hide the evidence), or on a static spot together with a slow timing
ratio; otherwise pass, with notes for spots that did not grow (e.g. a loop over a fixed 3-tuple). Measured times never appear in a message (reruns
must give byte-identical feedback), and a slow timing alone is never reported.
"""
from __future__ import annotations

import ast
import math

from grader.checks import Check, FunctionRun, Probe
from grader.checks.analysis.loops import ELEMENTWISE_FIX, SUM_FIX, loop_spots
from grader.checks.analysis.probing import probe_case, probe_kwargs, returns_nothing
from grader.checks.analysis.submission_code import CodeCache
from grader.checks.analysis.traces import parse_lines_report
from grader.outcomes import Finding, Verdict

BASE = 4                # every size dimension in the base probe
GROWN = 32              # the grown dimension in the other probes
TIMING_ELEMENTS = 1 << 16   # elements of the largest input in the large timing probe
TIMING_REPEAT = 3
SLOW_RATIO = 6.0        # the student's extra time over the reference's, with a static spot
TIME_FLOOR = 1e-4       # seconds: below this, the reference's marginal time is noise
TRANSFER_SECONDS_PER_BYTE = 2e-9   # the child encodes its result, the parent decodes it

DEFAULTS = {"timing": None, "kwargs": {}, "base": BASE, "grown": GROWN, "slow_ratio": SLOW_RATIO}
# Spots that can iterate over the data; with a slow timing ratio they fail the function.
ITERATING = ("loop", "comprehension", "functional", "elementwise", "recursion", "exec", "c_iteration")
PRIORITY = {"loop": 0, "comprehension": 0, "functional": 1, "elementwise": 1, "recursion": 1, "exec": 1}


def uses_proxies(spec, assignment, reference) -> bool:
    """True when grading this function calls back to the parent for other graded functions."""
    return bool(reference.proxy_names(spec.name, getattr(assignment, "attribution", "reference")))


def loop_variables(node) -> set:
    """Names an iteration reads: ``range(num_iterations)`` -> {"num_iterations"}."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        target = node.iter
    elif isinstance(node, ast.While):
        target = node.test
    else:
        return {"<unknown>"}
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)} - {"range", "len", "int", "min", "max"}


class VectorizedCheck(Check):
    name = "vectorized"
    title = "vectorized (no Python loop over the data)"
    order = 70
    per_case = False
    requires = ("values", "shapes")

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
        return parsed

    def options(self, spec) -> dict:
        return spec.checks.get(self.name) or dict(DEFAULTS, kwargs={})

    # ------------------------------------------------------------------ probes

    def prepare(self, assignment, reference) -> CodeCache:
        return CodeCache()

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
        code = self.state(run).get(run.submission)
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
        failures.extend(self._growth_findings(run, code, spots, dynamic))
        more, notes = self._spot_findings(run, spots, self._allowed_loops(code, run, spots), self._timing(probes),
                                          blamed={(f.line, f.excerpt) for f in failures})
        failures.extend(more)
        if dynamic["unavailable"] and not failures:
            notes.append(Finding(message=f"note: the dynamic check of {name} could not run "
                                         f"({dynamic['unavailable']}); judged from the code and timing only"))
        if failures:
            return [self._verdict(run, 0.0, failures + notes)]
        return [self._verdict(run, 1.0, notes)]

    def _spot_findings(self, run, spots, allowed, timing, blamed) -> tuple[list, list]:
        """Failures and notes for the static spots the dynamic evidence did not already blame."""
        name = run.spec.name
        slow_ratio = self.options(run.spec)["slow_ratio"]
        slow = timing is not None and timing["ratio"] >= slow_ratio
        failures, notes = [], []
        for spot in sorted(spots, key=lambda s: (PRIORITY.get(s.kind, 2), s.line)):
            if spot.kind == "tracer" or (spot.line, spot.excerpt) in blamed:
                continue
            if spot.kind == "exec":
                # What runs from a string is out of the static layer's sight, and the dynamic
                # layer only sees what the probes happened to reach: it is not checkable code.
                failures.append(Finding(
                    message=f"{name}: {spot.what}{self._in(spot, name)} runs code the grader cannot read (kept in a "
                            f"string or built as a code object), so its vectorization cannot be checked",
                    line=spot.line, excerpt=spot.excerpt, fix=spot.fix))
            elif slow and spot.kind in ITERATING and not spot.constant and spot not in allowed:
                # No measured figures in the text: the same submission must get byte-identical
                # feedback on every run, and timings never repeat exactly.
                failures.append(Finding(
                    message=f"{name}: {spot.what}{self._in(spot, name)} iterates over the data element by element: "
                            f"on a large input {name} took more than {slow_ratio:g} times the reference's time",
                    line=spot.line, excerpt=spot.excerpt, fix=spot.fix))
            elif spot.kind != "c_iteration" and spot not in allowed:
                notes.append(Finding(
                    message=f"note: {name} has {spot.what}{self._in(spot, name)}; it did not grow with the data "
                            f"size ({', '.join(run.spec.size_names)}), so it is allowed, but if it ever iterates "
                            f"over examples or elements, vectorize it",
                    line=spot.line, excerpt=spot.excerpt, fix=spot.fix))
                continue
            blamed.add((spot.line, spot.excerpt))
        return failures, notes

    def _verdict(self, run, fraction, findings) -> Verdict:
        return Verdict(function=run.spec.name, check=self.name, hidden=False, fraction=fraction,
                       findings=findings)

    @staticmethod
    def _in(spot, name) -> str:
        if spot.function and spot.function != name:
            return f" in its helper {spot.function}()"
        return ""

    def _allowed_loops(self, code, run, spots) -> set:
        """Loops the task needs: over keyword arguments that are not data (num_iterations)."""
        params = set()
        definition = code.defs.get(run.spec.name)
        if definition is not None:
            args = definition.node.args
            params = {a.arg for a in args.args + args.kwonlyargs + args.posonlyargs}
        not_data = params - set(run.spec.inputs)
        allowed = set()
        for spot in spots:
            if spot.kind != "loop" or spot.function != run.spec.name:
                continue
            node = _node_at(definition.node, spot.line)
            reads = loop_variables(node) if node is not None else {"<unknown>"}
            if reads & not_data and not reads & set(run.spec.inputs):
                allowed.add(spot)
        return allowed

    # ------------------------------------------------------------------ dynamic

    def _dynamic(self, run, code, probes, graded) -> dict:
        result = {"tampered": "", "unavailable": "", "totals": {}, "lines": {}}
        dyn = [p for p in probes if p.probe.name.startswith("dynamic:")]
        if not dyn:
            result["unavailable"] = "no probe ran"
            return result
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

    def _growth_findings(self, run, code, spots, dynamic) -> list:
        name = run.spec.name
        options = self.options(run.spec)
        base_counts = dynamic["lines"].get("dynamic: base")
        if base_counts is None:
            return []
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
            where = self._blame(code, spots, grown)
            if not where:
                unplaced.append((dim, after))
            for spot, filename, line in where:
                key = (spot.filename, spot.line, spot.what) if spot else (filename, line, "")
                blamed.setdefault(key, (spot, filename, line, []))[3].append((dim, after))
        findings = []
        if unplaced:
            findings.append(Finding(message=f"{name} loops over the data: " + self._measured(before, unplaced, options),
                                    fix=SUM_FIX + "; " + ELEMENTWISE_FIX))
        for spot, filename, line, grew in blamed.values():
            per = self._per(grew)
            measured = self._measured(before, grew, options)
            if spot is not None:
                findings.append(Finding(
                    message=f"{name}: {self._runs(spot)}{self._in(spot, name)} runs once per {per}: {measured}",
                    line=spot.line, excerpt=spot.excerpt, fix=spot.fix))
            elif filename in code.lines:
                findings.append(Finding(
                    message=f"{name}: this line runs once per {per}: {measured}",
                    line=line, excerpt=code.excerpt(filename, line),
                    fix=SUM_FIX + "; " + ELEMENTWISE_FIX))
            else:
                findings.append(Finding(
                    message=f"{name}: code run from a string or a code object runs once per {per}: {measured}",
                    fix="write the code in the function itself, vectorized"))
        return findings

    @staticmethod
    def _runs(spot) -> str:
        """What repeats: the loop itself, or the code an exec() runs (exec is called once)."""
        return f"the code run by {spot.what}" if spot.kind == "exec" else spot.what

    @staticmethod
    def _per(grew) -> str:
        dims = [dim for dim, _ in grew]
        if len(dims) > 1:
            return f"element (it grows with {' and '.join(dims)})"
        return _dim_word(dims[0])

    @staticmethod
    def _measured(before, grew, options) -> str:
        parts = [f"{after} when {dim} went from {options['base']} to {options['grown']}" for dim, after in grew]
        return f"its Python work grew from {before} line events to " + ", and to ".join(parts)

    @staticmethod
    def _blame(code, spots, grown) -> list:
        """The spots (or bare lines) that account for the growth, most grown first, at most 3."""
        blamed = []
        for growth, (filename, line) in grown:
            line = abs(line)
            containing = [s for s in spots if s.filename == filename and s.line <= line <= s.end_line
                          and s.kind not in ("c_iteration", "tracer")]
            if not containing and filename not in code.lines:
                containing = [s for s in spots if s.kind == "exec"]
            if not containing:
                # a line of a callee with no loop of its own: blame what calls it element by element
                containing = [s for s in spots if s.kind in ("functional", "elementwise", "recursion")]
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


def _dim_word(dim: str) -> str:
    words = {"m": "example (m)", "n": "feature (n)", "m_train": "training example (m_train)",
             "m_test": "test example (m_test)"}
    return words.get(dim, f"unit of {dim}")


def _node_at(root, line: int):
    for node in ast.walk(root):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and node.lineno == line:
            return node
    return None


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
