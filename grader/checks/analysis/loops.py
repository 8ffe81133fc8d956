"""Where could a function iterate in Python over its data? (AST of it and every helper it calls.)

``for`` / ``while``, comprehensions and generator expressions, ``map``/``filter``/
``functools.reduce``, ``np.vectorize``/``np.frompyfunc``/``np.apply_along_axis``/``np.fromiter``,
recursion, code run from strings or built as code objects (``exec``/``eval``/``compile``,
``types.FunctionType``, ``__code__``), builtins that iterate in C (``sum(map(...))``,
``list(arr)``), and code that touches the tracer (``sys.settrace``...). A spot is a *suspect*:
the vectorized check decides with the dynamic and timing evidence whether it scales with the
data, except for tracer and string-code spots, which hide the evidence itself.
"""
from __future__ import annotations

import ast
import builtins

from grader.checks.analysis.submission_code import Definition, SubmissionCode, make_spot, walk

# Calls that iterate in Python over what they are given (resolved through imports).
FUNCTIONAL = {
    "map": "map()", "filter": "filter()",
    "functools.reduce": "functools.reduce()", "reduce": "reduce()",
    "itertools.starmap": "itertools.starmap()", "itertools.accumulate": "itertools.accumulate()",
}
ELEMENTWISE_NUMPY = {
    "numpy.vectorize": "np.vectorize", "numpy.frompyfunc": "np.frompyfunc",
    "numpy.apply_along_axis": "np.apply_along_axis", "numpy.apply_over_axes": "np.apply_over_axes",
    "numpy.fromiter": "np.fromiter", "numpy.fromfunction": "np.fromfunction",
    "numpy.piecewise": None,  # vectorized by design: not a spot
}
# Code the grader cannot read: run from a string, or assembled as a code object.
STRING_CODE = {"exec": "exec()", "eval": "eval()", "compile": "compile()", "builtins.exec": "exec()",
               "builtins.eval": "eval()", "builtins.compile": "compile()",
               "types.CodeType": "types.CodeType", "types.FunctionType": "types.FunctionType",
               "types.LambdaType": "types.LambdaType"}
CODE_ATTRIBUTES = {"__code__": "a function's __code__"}
# Builtins and stdlib functions that iterate over an array element by element in C: fast
# enough to emit no Python line events, slow enough for the timing layer to see.
C_ITERATION = {
    "sum": "sum()", "min": "min()", "max": "max()", "sorted": "sorted()", "list": "list()",
    "tuple": "tuple()", "set": "set()", "zip": "zip()", "enumerate": "enumerate()", "iter": "iter()",
    "any": "any()", "all": "all()", "math.fsum": "math.fsum()", "math.prod": "math.prod()",
    "statistics.mean": "statistics.mean()", "statistics.fmean": "statistics.fmean()",
}
# Touching the tracer or the frames: a graded numpy function has no reason to.
TRACER = {
    "sys.settrace": "sys.settrace", "sys.setprofile": "sys.setprofile", "sys.gettrace": "sys.gettrace",
    "sys.getprofile": "sys.getprofile", "threading.settrace": "threading.settrace",
    "threading.setprofile": "threading.setprofile", "sys._getframe": "sys._getframe",
    "sys.monitoring": "sys.monitoring", "sys.modules": "sys.modules", "gc.get_referrers": "gc.get_referrers",
    "gc.get_objects": "gc.get_objects", "inspect.currentframe": "inspect.currentframe",
    "__import__": "__import__", "importlib.import_module": "importlib.import_module",
}
TRACER_NAMES = ("sys.settrace", "sys.setprofile", "sys.gettrace", "sys.monitoring", "sys._getframe",
                "threading.settrace")

# The generic fixes, by what a loop's body does (config.yaml's hints add the assignment's own
# advice under these kinds: vectorized: {sum: ..., product: ..., elementwise: ...}).
SUM_FIX = ("do the sum in one numpy call on the whole array: np.sum(..., axis=..., keepdims=True) along a "
           "dimension, or a matrix product (np.dot or @) for a sum of products")
PRODUCT_FIX = ("multiply the whole arrays at once: one np.dot (or @) of the 2-D arrays computes every row or "
               "column that the loop computes one at a time")
ELEMENTWISE_FIX = ("apply numpy to the whole array at once: its arithmetic, comparisons and functions "
                   "(np.exp, np.log, np.abs, np.where...) work on every element already")
FIXES = {"sum": SUM_FIX, "product": PRODUCT_FIX, "elementwise": ELEMENTWISE_FIX}
PRODUCTS = {"dot", "matmul", "einsum", "tensordot", "inner", "outer", "vdot"}
STRING_CODE_FIX = ("write the code in the function itself: code kept in a string or built as a code object "
                   "cannot be read by the grader (or by the next person reading yours), and a loop hidden "
                   "in it still runs once per element")


def loop_spots(code: SubmissionCode, name: str, graded=()) -> list:
    """Every construct in ``name`` and its helpers that could iterate in Python, in line order."""
    exclude = set(graded) - {name}
    definitions = code.reachable(name, exclude)
    spots = []
    for definition in definitions:
        spots.extend(_loop_spots_in(code, definition))
    spots.extend(_recursion_spots(code, definitions))
    unique = {(s.filename, s.line, s.kind, s.what): s for s in spots}
    return sorted(unique.values(), key=lambda s: (s.filename, s.line, s.kind))


def _loop_spots_in(code: SubmissionCode, definition: Definition) -> list:
    spots = []
    names = fixed_names(definition)
    for node in walk(definition.node):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            spots.append(make_spot(code, definition, node, "loop", "a for loop",
                                   constant=_fixed_iterable(node.iter, names),
                                   fix=FIXES[body_kind(node)], hint=body_kind(node)))
        elif isinstance(node, ast.While):
            spots.append(make_spot(code, definition, node, "loop", "a while loop", fix=FIXES[body_kind(node)],
                                   hint=body_kind(node)))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            what = {ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
                    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression"}[type(node)]
            constant = all(_fixed_iterable(gen.iter, names) for gen in node.generators)
            spots.append(make_spot(code, definition, node, "comprehension", what, constant=constant,
                                   fix=ELEMENTWISE_FIX, hint="elementwise"))
        elif isinstance(node, ast.Call):
            spot = _call_spot(code, definition, node, names)
            if spot is not None:
                spots.append(spot)
        elif isinstance(node, ast.Attribute) and node.attr in CODE_ATTRIBUTES:
            spots.append(make_spot(code, definition, node, "exec", CODE_ATTRIBUTES[node.attr], fix=STRING_CODE_FIX))
        elif isinstance(node, (ast.Attribute, ast.Name)) and isinstance(getattr(node, "ctx", None), ast.Load):
            qual = code.qualname(node)
            if qual in TRACER_NAMES:
                spots.append(make_spot(code, definition, node, "tracer", qual,
                                       fix="remove it: graded functions must not touch the interpreter's tracer"))
    return spots


def _call_spot(code: SubmissionCode, definition: Definition, node: ast.Call, names=frozenset()):
    qual = code.qualname(node.func)
    if qual is None:
        return None
    if qual in FUNCTIONAL:
        return make_spot(code, definition, node, "functional", FUNCTIONAL[qual],
                         constant=all(_fixed_iterable(a, names) for a in node.args[1:]) and len(node.args) > 1,
                         fix=ELEMENTWISE_FIX, hint="elementwise", in_c=_in_c(code, node))
    if qual in ELEMENTWISE_NUMPY and ELEMENTWISE_NUMPY[qual]:
        return make_spot(code, definition, node, "elementwise", ELEMENTWISE_NUMPY[qual],
                         fix=ELEMENTWISE_FIX + f"; {ELEMENTWISE_NUMPY[qual]} is a Python loop in disguise",
                         hint="elementwise", in_c=_in_c(code, node))
    if qual in STRING_CODE:
        return make_spot(code, definition, node, "exec", STRING_CODE[qual], fix=STRING_CODE_FIX)
    if qual in TRACER or any(qual.startswith(t + ".") for t in TRACER):
        return make_spot(code, definition, node, "tracer", qual,
                         fix="remove it: graded functions must not touch the interpreter's tracer, frames or modules")
    if qual.split(".")[0] == "grader":
        return make_spot(code, definition, node, "tracer", qual,
                         fix="remove it: graded code must not use the grader's internals")
    if qual in C_ITERATION and node.args and not _fixed_iterable(node.args[0], names) \
            and not _is_scalar_pair(qual, node):
        return make_spot(code, definition, node, "c_iteration", C_ITERATION[qual],
                         fix=f"use numpy's own reduction instead of the builtin {C_ITERATION[qual]} "
                             f"(np.sum, np.max, np.min, np.any, np.all work on the whole array)", in_c=True)
    return None


def _in_c(code: SubmissionCode, call: ast.Call) -> bool:
    """Whether what ``map(f, ...)``, ``np.vectorize(f)``... apply element by element runs in C (a
    builtin such as math.exp: no line event per element) rather than as Python code of the
    submission (a lambda, a def, a local callable)."""
    applied = call.args[0] if call.args else None
    if isinstance(applied, (ast.Lambda, ast.Call, ast.GeneratorExp, ast.ListComp)):
        return False
    if isinstance(applied, ast.Name):
        defined = applied.id in code.defs or applied.id in code.globals_
        return not defined and hasattr(builtins, applied.id)
    return True


def _is_scalar_pair(qual: str, node: ast.Call) -> bool:
    # max(a, b) / min(a, b) with several arguments compares scalars, it does not iterate.
    return qual in ("min", "max") and len(node.args) > 1


def _fixed_iterable(node: ast.AST, names=frozenset()) -> bool:
    """A collection whose length cannot grow with the data: a literal, range(<constants>), an
    array's ``.shape``, one of ``names`` (locals only ever bound to such collections), a copy or a
    comprehension of one, or their concatenation."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(not isinstance(e, ast.Starred) for e in node.elts)
    if isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.Dict):
        return True
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        return node.attr == "shape"   # one entry per dimension
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("range", "enumerate", "zip"):
        return bool(node.args) and all(_fixed_iterable(a, names) or
                                       (isinstance(a, ast.Constant) and isinstance(a.value, int)) for a in node.args)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1 \
            and node.func.id in ("list", "tuple", "sorted", "set", "reversed"):
        return _fixed_iterable(node.args[0], names)
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return all(_fixed_iterable(gen.iter, names) for gen in node.generators)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _fixed_iterable(node.left, names) and _fixed_iterable(node.right, names)
    return False


READ_ONLY = {"count", "index", "copy", "startswith", "endswith", "keys", "values", "items", "get", "format",
             "join", "split", "strip", "lower", "upper", "replace"}


def fixed_names(definition: Definition) -> frozenset:
    """The local names of ``definition`` that every binding makes a fixed collection (see
    :func:`_fixed_iterable`): ``paths = ["a", "b"]; paths += [p + "~" for p in paths]``. A name
    changed in place (``paths.append(...)``, ``paths[i] = ...``) is not one: that can grow it."""
    values: dict = {}
    for node in walk(definition.node):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in _bound(target):
                    values.setdefault(name, []).append(node.value if isinstance(target, ast.Name) else None)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
            values.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.NamedExpr, ast.arguments, ast.ExceptHandler)):
            for name in _bound(node):
                values.setdefault(name, []).append(None)   # bound otherwise: unknown
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.attr not in READ_ONLY:
            values.setdefault(node.func.value.id, []).append(None)   # items.append(...) can grow it
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
            values.setdefault(node.value.id, []).append(None)
    names: set = set()
    while True:
        more = {name for name, bound in values.items() if name not in names
                and all(v is not None and _fixed_iterable(v, names) for v in bound)}
        if not more:
            return frozenset(names)
        names |= more


def _bound(node: ast.AST) -> set:
    """Names a binding construct stores (its targets, its parameters)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.arguments):
        return {a.arg for a in node.args + node.kwonlyargs + node.posonlyargs + [node.vararg, node.kwarg] if a}
    if isinstance(node, ast.ExceptHandler):
        return {node.name} if node.name else set()
    targets = {ast.For: "target", ast.AsyncFor: "target", ast.NamedExpr: "target"}
    if type(node) in targets:
        node = getattr(node, targets[type(node)])
    elif isinstance(node, ast.With):
        node = ast.Tuple(elts=[item.optional_vars for item in node.items if item.optional_vars], ctx=ast.Store())
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def body_kind(node: ast.AST) -> str:
    """What a loop's body does, to suggest its vectorized form: "product" (a matrix product per
    row or column), "sum" (accumulates, or sums), or "elementwise"."""
    inner = [n for statement in node.body for n in ast.walk(statement)]
    if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult) or isinstance(n, ast.Call) and
           _called(n) in PRODUCTS for n in inner):
        return "product"
    if any(isinstance(n, ast.AugAssign) and isinstance(n.op, (ast.Add, ast.Sub)) or isinstance(n, ast.Call) and
           _called(n) in ("sum", "fsum", "nansum") for n in inner):
        return "sum"
    return "elementwise"


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def loop_reads(node) -> set:
    """Names an iteration reads: ``range(num_iterations)`` -> {"num_iterations"}."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        target = node.iter
    elif isinstance(node, ast.While):
        target = node.test
    else:
        return {"<unknown>"}
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)} - {"range", "len", "int", "min", "max"}


def needed_by_the_task(definition: Definition, loop, inputs) -> bool:
    """A loop of ``definition`` over its parameters that are not data (``range(num_iterations)``,
    where ``inputs`` are the data parameters config.yaml draws): it cannot grow with the data."""
    args = definition.node.args
    params = {a.arg for a in args.args + args.kwonlyargs + args.posonlyargs}
    reads = loop_reads(loop)
    return bool(reads & (params - set(inputs))) and not reads & set(inputs)


def data_loops(code: SubmissionCode, name: str, inputs, graded=()) -> list:
    """(filename, first line, last line) of every for/while loop in ``name`` and its helpers that
    may iterate over the data: not over a literal, and not one the task needs."""
    found = []
    for definition in code.reachable(name, set(graded) - {name}):
        for node in walk(definition.node):
            if isinstance(node, (ast.For, ast.AsyncFor)) and _fixed_iterable(node.iter, fixed_names(definition)):
                continue
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                if definition.name == name and needed_by_the_task(definition, node, inputs):
                    continue
                found.append((definition.filename, node.lineno, node.end_lineno or node.lineno))
    return found


def _recursion_spots(code: SubmissionCode, definitions: list) -> list:
    names = [d.name for d in definitions]
    graph = code.call_graph(names)
    spots = []
    for definition in definitions:
        if _reaches(graph, definition.name, definition.name):
            for node in walk(definition.node):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in graph \
                        and _reaches(graph, node.func.id, definition.name, start_inclusive=True):
                    spots.append(make_spot(code, definition, node, "recursion",
                                           f"recursion ({definition.name} calls {node.func.id})",
                                           fix="replace the recursion by operations on the whole array"))
    return spots


def _reaches(graph: dict, start: str, goal: str, start_inclusive: bool = False) -> bool:
    if start_inclusive and start == goal:
        return True
    seen, todo = set(), list(graph.get(start, ()))
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(graph.get(current, ()))
    return False
