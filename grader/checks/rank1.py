"""rank1: no rank-1 arrays ``(n,)`` where the course wants 2-D vectors, and no broadcasting accidents.

Evidence, judged in the parent:
- **outputs** (the case runs): a returned array that is rank-1 where the reference's is 2-D
  (the shapes check already charges the shape; this message names rank-1 and the fix);
- **locals** (the ``locals`` observer on one probe whose sizes are distinct, so every length
  names its dimension): rank-1 arrays bound to the function's (or its helpers') local
  variables, and arrays whose shape repeats a dimension, ``(m, m)``;
- **broadcasting** (the probe's operand shapes, line by line, put through the line's AST):
  an arithmetic whose result is larger than both operands, e.g. ``(m,)`` minus ``(m, 1)``;
- **static spots** (``grader.static.rank1_spots``): ``np.zeros(dim)``, ``np.random.randn(n)``,
  ``np.sum(x, axis=k)`` without ``keepdims`` in arithmetic, ``.ravel()`` not reshaped back. They
  name the line and the fix; alone (nothing observed) they are notes.

Anything the reference itself does on the same inputs (observed in the trusted parent with
the same observer) is allowed: a later assignment may use rank-1 arrays on purpose.
"""
from __future__ import annotations

import ast
import copy
import threading
from functools import lru_cache

import numpy as np

from grader import static, structure
from grader.checks import Check, FunctionRun, Probe
from grader.checks.vectorized import probe_case, probe_kwargs, returns_nothing, submission_code
from grader.outcomes import Finding, Verdict

PROBE_SIZES = (5, 7, 11, 13, 17, 19, 23)   # distinct primes: each length names one dimension
MAX_FINDINGS = 6
DEFAULTS = {"kwargs": {}}


def probe_sizes(spec) -> dict:
    return {dim: PROBE_SIZES[i % len(PROBE_SIZES)] for i, dim in enumerate(spec.size_names)}


def symbolic(shape, sizes: dict) -> str:
    """(7,) with m = 7 -> "(m,)"; (5, 1) with n = 5 -> "(n, 1)"."""
    by_value = {}
    for name, value in sizes.items():
        by_value.setdefault(int(value), name)
    parts = [by_value.get(int(d), str(int(d))) if int(d) != 1 else "1" for d in shape]
    return "(" + parts[0] + ",)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def broadcast(left, right):
    """numpy's broadcast of two shapes, or None when they do not broadcast."""
    try:
        return tuple(np.broadcast_shapes(tuple(left), tuple(right)))
    except ValueError:
        return None


def expands_both(left, right) -> tuple | None:
    """The result shape when a broadcast is larger than both operands (an outer product), else None."""
    result = broadcast(left, right)
    if result is None:
        return None
    size = int(np.prod(result, dtype=np.int64))
    if size > int(np.prod(left, dtype=np.int64)) and size > int(np.prod(right, dtype=np.int64)) \
            and len(left) > 0 and len(right) > 0:
        return result
    return None


# --------------------------------------------------------------------------- shapes of expressions

ELEMENTWISE = {"exp", "log", "abs", "absolute", "sqrt", "tanh", "square", "negative", "log1p", "expm1",
               "sin", "cos", "maximum", "minimum", "where", "power", "multiply", "add", "subtract", "divide",
               "clip", "round", "floor", "ceil", "sign", "logaddexp", "copy", "array", "asarray", "float32",
               "float64"}


class ShapeEval:
    """Shapes of expression nodes, from the shapes of the names they read (None when unknown)."""

    def __init__(self, code_qualname, env: dict):
        self.qualname = code_qualname
        self.env = env

    def shape(self, node):
        if isinstance(node, ast.Name):
            value = self.env.get(node.id)
            return tuple(value) if value is not None else None
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return ()
        if isinstance(node, ast.UnaryOp):
            return self.shape(node.operand)
        if isinstance(node, ast.Attribute) and node.attr == "T":
            inner = self.shape(node.value)
            return tuple(reversed(inner)) if inner is not None else None
        if isinstance(node, ast.BinOp):
            left, right = self.shape(node.left), self.shape(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.MatMult):
                return _matmul(left, right)
            return broadcast(left, right)
        if isinstance(node, ast.Call):
            qual = self.qualname(node.func) or ""
            last = qual.split(".")[-1]
            if qual.startswith("numpy.") and last in ("dot", "matmul") and len(node.args) == 2:
                left, right = self.shape(node.args[0]), self.shape(node.args[1])
                return _matmul(left, right) if left is not None and right is not None else None
            if qual.startswith("numpy.") and last in ELEMENTWISE and node.args:
                shapes = [self.shape(a) for a in node.args[:3 if last == "where" else 2]]
                if any(s is None for s in shapes):
                    return None
                result = shapes[0]
                for s in shapes[1:]:
                    result = broadcast(result, s) if result is not None else None
                return result
        return None

    def accidents(self, statement) -> list:
        """(node, left shape, right shape, result) for every arithmetic that expands both operands."""
        found = []
        for node in ast.walk(statement):
            if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.MatMult):
                left, right = self.shape(node.left), self.shape(node.right)
                if left is None or right is None:
                    continue
                result = expands_both(left, right)
                if result is not None:
                    found.append((node, left, right, result))
        return found


def _matmul(left, right):
    if len(left) == 2 and len(right) == 2:
        return (left[0], right[1]) if left[1] == right[0] else None
    if len(left) == 1 and len(right) == 2:
        return (right[1],) if left[0] == right[0] else None
    if len(left) == 2 and len(right) == 1:
        return (left[0],) if left[1] == right[0] else None
    if len(left) == 1 and len(right) == 1:
        return () if left == right else None
    if not left or not right:
        return tuple(left or right)
    return None


_STATEMENTS: dict = {}  # id(root) -> (root, {line: [statements]}); the root is kept so ids stay unique


def statements_at(root, line: int) -> list:
    """The simple statements starting at ``line`` in ``root`` (indexed once per tree: this is
    asked for every line the locals observer reports)."""
    entry = _STATEMENTS.get(id(root))
    if entry is None or entry[0] is not root:
        if len(_STATEMENTS) > 256:
            _STATEMENTS.clear()
        index: dict = {}
        for node in ast.walk(root):
            if isinstance(node, ast.stmt) and not isinstance(
                    node, (ast.FunctionDef, ast.For, ast.While, ast.If, ast.With)):
                index.setdefault(node.lineno, []).append(node)
        entry = _STATEMENTS[id(root)] = (root, index)
    return entry[1].get(line, [])


# --------------------------------------------------------------------------- the reference's own habits


@lru_cache(maxsize=64)
def _reference_module(solution: str, functions: tuple):
    from grader.reference import load_reference
    return load_reference(solution, list(functions))


def reference_habits(assignment, spec, case) -> dict:
    """Symbolic shapes of the reference's rank-1 locals, repeated-dimension locals and expanding broadcasts."""
    key = (str(assignment.solution), spec.name, case.name, tuple(sorted(case.sizes.items())))
    with _HABITS_LOCK:  # the observers' hub is one per process: judge threads take turns
        if key not in _HABITS:
            _HABITS[key] = _observe_reference(assignment, spec, case)
        return _HABITS[key]


def _observe_reference(assignment, spec, case) -> dict:
    from grader.sandbox.observers import LocalShapes

    habits = {"rank1": set(), "square": set(), "accidents": set()}
    try:
        reference = _reference_module(str(assignment.solution), tuple(assignment.functions))
        function = reference.function(spec.name)
        filename = function.__code__.co_filename
        observer = LocalShapes()
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        observer.start({filename})
        try:
            function(*args, **kwargs)
        finally:
            report = observer.stop()
        source = open(filename, encoding="utf-8").read()
        code = static.SubmissionCode.from_source(source, filename)
        habits = _habits_from(report, code, spec.name, case.sizes, set())
    except Exception:  # the reference always runs in Batch.prepare; here a failure only loses the allowance
        pass
    return habits


_HABITS: dict = {}
_HABITS_LOCK = threading.Lock()


def _habits_from(report, code, name, sizes, exclude) -> dict:
    habits = {"rank1": set(), "square": set(), "accidents": set()}
    parsed = parse_locals_report(report)
    if parsed is None:
        return habits
    for filename, line, fn, var, shape in parsed["bound"]:
        if len(shape) == 1 and shape[0] > 1:
            habits["rank1"].add(symbolic(shape, sizes))
        if _repeats_dimension(shape, sizes):
            habits["square"].add(symbolic(shape, sizes))
    for filename, line, fn, env in parsed["before"]:
        definition = code.defs.get(fn) if fn in code.defs else _def_containing(code, filename, line)
        if definition is None:
            continue
        evaluator = ShapeEval(code.qualname, env)
        for statement in statements_at(definition.node, line):
            for node, left, right, result in evaluator.accidents(statement):
                habits["accidents"].add(symbolic(result, sizes))
    return habits


def _repeats_dimension(shape, sizes) -> bool:
    values = set(int(v) for v in sizes.values())
    seen = [d for d in shape if d in values and d > 1]
    return len(seen) != len(set(seen))


def _def_containing(code, filename, line):
    for definition in code.defs.values():
        node = definition.node
        if definition.filename == filename and node.lineno <= line <= (node.end_lineno or node.lineno):
            return definition
    return None


def parse_locals_report(report) -> dict | None:
    """Validate an untrusted ``locals`` report into plain tuples (None when malformed)."""
    if not isinstance(report, dict):
        return None
    bound, before = report.get("bound"), report.get("before")
    if not isinstance(bound, list) or not isinstance(before, list):
        return None

    def shape_ok(shape):
        return isinstance(shape, list) and len(shape) <= 32 and all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)

    parsed_bound, parsed_before = [], []
    for item in bound[:2000]:
        if not (isinstance(item, list) and len(item) == 6 and isinstance(item[0], str) and isinstance(item[1], int)
                and isinstance(item[2], str) and isinstance(item[3], str) and shape_ok(item[4])):
            return None
        parsed_bound.append((item[0], item[1], item[2], item[3], tuple(item[4])))
    for item in before[:6000]:
        if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], str) and isinstance(item[1], int)
                and isinstance(item[2], str) and isinstance(item[3], dict)):
            return None
        env = {k: tuple(v) for k, v in item[3].items() if isinstance(k, str) and shape_ok(v)}
        parsed_before.append((item[0], item[1], item[2], env))
    return {"intact": report.get("intact") is True, "bound": parsed_bound, "before": parsed_before}


# --------------------------------------------------------------------------- the check


class Rank1Check(Check):
    name = "rank1"
    title = "no rank-1 arrays or broadcasting accidents"
    order = 65
    per_case = False
    requires = ("values", "shapes")

    def parse_options(self, options: dict) -> dict:
        options = self.known_options(options, DEFAULTS)
        return {"kwargs": dict(options.get("kwargs", {}))}

    def probes(self, spec, assignment) -> list:
        if not spec.size_names:
            return []
        kwargs = probe_kwargs(spec, (spec.checks.get(self.name) or {}).get("kwargs"))
        case = probe_case(spec, "rank-1 probe", probe_sizes(spec), kwargs)
        return [Probe(self.name, "locals", case, observe=("locals",))]

    def judge(self, run: FunctionRun) -> list:
        name = run.spec.name
        if returns_nothing(run):
            return [self._verdict(run, 0.0, [Finding(
                message=f"{name} returns None: not judged until it computes its outputs",
                fix="write the function's body (replace the stub) and return its outputs")])]
        code = submission_code(run.submission)
        graded = set(run.assignment.functions)
        spots = static.rank1_spots(code, name, graded)
        failures = self._outputs(run, code, spots)
        found, local_notes = self._locals(run, code, spots, graded, failures)
        failures += found
        used = {(f.line, f.excerpt) for f in failures + local_notes}
        notes = local_notes + [Finding(message=f"note: {name}: {spot.what}{self._in(spot, name)} can make a rank-1 array; it "
                                 f"did not show in the tested calls, but keep vectors 2-D",
                         line=spot.line, excerpt=spot.excerpt, fix=spot.fix)
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

    def _outputs(self, run, code, spots) -> list:
        name = run.spec.name
        findings, seen = [], set()
        ordered = run.group(False) + run.group(True)
        for case_run in ordered:
            outcome = case_run.outcome
            if not outcome.ok:
                continue
            for leaf in structure.leaves(case_run.expected, outcome.value, run.output_names):
                if not isinstance(leaf, structure.Leaf):
                    continue
                e, a = leaf.expected, leaf.actual
                if not (isinstance(e, np.ndarray) and isinstance(a, np.ndarray) and e.ndim == 2 and a.ndim == 1):
                    continue
                if leaf.path in seen:
                    continue
                seen.add(leaf.path)
                spot = self._spot_for(spots, leaf.path)
                column = e.shape[1] == 1
                shape_text = (f"{a.shape}, expected {e.shape}" if not case_run.case.hidden
                              else f"rank-1, expected {'a column (k, 1)' if column else 'a row (1, k)'}")
                fix = spot.fix if spot else (
                    "keep vectors 2-D: create them with two dimensions (np.zeros((dim, 1)), not np.zeros(dim)), "
                    "use keepdims=True in np.sum, or reshape with " + (".reshape(-1, 1)" if column else ".reshape(1, -1)"))
                findings.append(Finding(
                    message=f"{name} returns {leaf.path} as a rank-1 array: shape {shape_text}",
                    case=case_run.case.name, hidden=case_run.case.hidden,
                    line=spot.line if spot else None, excerpt=spot.excerpt if spot else "", fix=fix))
        return findings

    @staticmethod
    def _spot_for(spots, path: str):
        """The static spot that made the output: bound to the returned name, else the only spot."""
        root = path.split("[")[0]
        for spot in spots:
            if spot.target and (spot.target == root or f"'{spot.target}'" in path or f'"{spot.target}"' in path):
                return spot
        return spots[0] if len(spots) == 1 else None

    # -- locals and broadcasting ---------------------------------------------------------

    def _locals(self, run, code, spots, graded, earlier) -> list:
        name = run.spec.name
        probe_runs = run.probes.get(self.name, [])
        if not probe_runs or not probe_runs[0].outcomes:
            return [], []
        probe_run = probe_runs[0]
        outcome = probe_run.outcomes[0]
        if not outcome.ok:
            return [], []
        parsed = parse_locals_report(outcome.observations.get("locals"))
        if parsed is None:
            return [], []
        sizes = probe_run.probe.case.sizes
        reference = reference_habits(run.assignment, run.spec, probe_run.probe.case)
        definitions = {d.name: d for d in code.reachable(name, graded - {name})}
        own = definitions.get(name)
        findings, seen = [], {(f.line, f.excerpt) for f in earlier}
        lines_reported = {f.line for f in earlier if f.line}

        def inside(filename, line):
            for definition in definitions.values():
                node = definition.node
                if definition.filename == filename and node.lineno <= line <= (node.end_lineno or node.lineno):
                    return definition
            return None

        arithmetic = {d.name: static._names_in_arithmetic(d.node) for d in definitions.values()}
        notes = []
        for filename, line, fn, var, shape in parsed["bound"]:
            definition = inside(filename, line)
            if definition is None or definition.node.lineno == line:
                continue  # parameters as passed in are the caller's arrays, not the student's choice
            if fn.startswith("<"):
                continue  # a comprehension's or lambda's loop variable: the vectorized check's business
            sym = symbolic(shape, sizes)
            spot = next((s for s in spots if s.filename == filename and s.line <= line <= s.end_line), None)
            excerpt = code.excerpt(filename, line)
            if (line, excerpt) in seen or line in lines_reported:
                continue
            if len(shape) == 1 and shape[0] > 1 and shape[0] in set(sizes.values()) and sym not in reference["rank1"]:
                seen.add((line, excerpt))
                fix = spot.fix if spot else (f"keep {var} 2-D: a column {sym[:-2]}, 1) or a row (1, {sym[1:-2]}) "
                                             f"via .reshape(-1, 1) / .reshape(1, -1), or keepdims=True in reductions")
                if var not in arithmetic.get(definition.name, ()):
                    # made and reshaped back (or returned, which the outputs judge): worth a note, not points
                    notes.append(Finding(
                        message=f"note: {name}: {var} is a rank-1 array of shape {sym}{self._helper(definition, name)} "
                                f"for a moment; it is not used in arithmetic, but keep vectors 2-D",
                        line=line, excerpt=excerpt, fix=fix))
                    continue
                findings.append(Finding(
                    message=f"{name}: {var} is a rank-1 array of shape {sym}{self._helper(definition, name)}; "
                            f"the course keeps vectors 2-D, (k, 1) or (1, k), so that broadcasting does what you mean",
                    line=line, excerpt=excerpt, fix=fix))
            elif _repeats_dimension(shape, sizes) and sym not in reference["square"] and sym not in reference["accidents"]:
                seen.add((line, excerpt))
                findings.append(Finding(
                    message=f"{name}: {var} has shape {sym}{self._helper(definition, name)}: a broadcasting accident, "
                            f"usually a rank-1 (k,) array combined with a (k, 1) or (1, k) one",
                    line=line, excerpt=excerpt,
                    fix="make both operands 2-D with the same orientation (.reshape(1, -1) or .reshape(-1, 1)), "
                        "and keep reductions 2-D with keepdims=True"))
        for filename, line, fn, env in parsed["before"]:
            definition = inside(filename, line)
            if definition is None:
                continue
            evaluator = ShapeEval(code.qualname, env)
            for statement in statements_at(definition.node, line):
                for node, left, right, result in evaluator.accidents(statement):
                    sym = symbolic(result, sizes)
                    excerpt = code.excerpt(filename, line)
                    if sym in reference["accidents"] or (line, excerpt) in seen:
                        continue
                    seen.add((line, excerpt))
                    findings.append(Finding(
                        message=f"{name}: `{ast.unparse(node)}` broadcasts {symbolic(left, sizes)} with "
                                f"{symbolic(right, sizes)} into {sym}{self._helper(definition, name)}, larger than "
                                f"both operands; the reference never builds such an array",
                        line=line, excerpt=excerpt,
                        fix="a rank-1 (k,) array meets a (k, 1) one: keep every vector 2-D in the same orientation "
                            "(use .reshape(1, -1) / .reshape(-1, 1), or keepdims=True in np.sum)"))
        findings.sort(key=lambda f: f.line or 0)
        return findings, notes

    @staticmethod
    def _helper(definition, name) -> str:
        return f" (in its helper {definition.name}())" if definition.name != name else ""


CHECK = Rank1Check()
