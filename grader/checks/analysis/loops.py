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

from grader.checks.analysis.submission_code import Definition, SubmissionCode, make_spot

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

SUM_FIX = ("sum over examples in one call: np.dot(X, (A - Y).T) or X @ (A - Y).T for a matrix product, "
           "np.sum(..., axis=1, keepdims=True) for a sum along a dimension")
ELEMENTWISE_FIX = ("apply numpy's functions to the whole array at once: np.exp(z), np.log(a), "
                   "a > 0.5, np.where(cond, x, y) are all elementwise already")
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
    for node in ast.walk(definition.node):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            spots.append(make_spot(code, definition, node, "loop", "a for loop",
                                   constant=_fixed_iterable(node.iter), fix=_loop_fix(node)))
        elif isinstance(node, ast.While):
            spots.append(make_spot(code, definition, node, "loop", "a while loop", fix=_loop_fix(node)))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            what = {ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
                    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression"}[type(node)]
            constant = all(_fixed_iterable(gen.iter) for gen in node.generators)
            spots.append(make_spot(code, definition, node, "comprehension", what, constant=constant,
                                   fix=ELEMENTWISE_FIX))
        elif isinstance(node, ast.Call):
            spot = _call_spot(code, definition, node)
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


def _call_spot(code: SubmissionCode, definition: Definition, node: ast.Call):
    qual = code.qualname(node.func)
    if qual is None:
        return None
    if qual in FUNCTIONAL:
        return make_spot(code, definition, node, "functional", FUNCTIONAL[qual],
                         constant=all(_fixed_iterable(a) for a in node.args[1:]) and len(node.args) > 1,
                         fix=ELEMENTWISE_FIX)
    if qual in ELEMENTWISE_NUMPY and ELEMENTWISE_NUMPY[qual]:
        return make_spot(code, definition, node, "elementwise", ELEMENTWISE_NUMPY[qual],
                         fix=ELEMENTWISE_FIX + f"; {ELEMENTWISE_NUMPY[qual]} is a Python loop in disguise")
    if qual in STRING_CODE:
        return make_spot(code, definition, node, "exec", STRING_CODE[qual], fix=STRING_CODE_FIX)
    if qual in TRACER or any(qual.startswith(t + ".") for t in TRACER):
        return make_spot(code, definition, node, "tracer", qual,
                         fix="remove it: graded functions must not touch the interpreter's tracer, frames or modules")
    if qual.split(".")[0] == "grader":
        return make_spot(code, definition, node, "tracer", qual,
                         fix="remove it: graded code must not use the grader's internals")
    if qual in C_ITERATION and node.args and not _fixed_iterable(node.args[0]) and not _is_scalar_pair(qual, node):
        return make_spot(code, definition, node, "c_iteration", C_ITERATION[qual],
                         fix=f"use numpy's own reduction instead of the builtin {C_ITERATION[qual]} "
                             f"(np.sum, np.max, np.min, np.any, np.all work on the whole array)")
    return None


def _is_scalar_pair(qual: str, node: ast.Call) -> bool:
    # max(a, b) / min(a, b) with several arguments compares scalars, it does not iterate.
    return qual in ("min", "max") and len(node.args) > 1


def _fixed_iterable(node: ast.AST) -> bool:
    """A literal collection or range(<constants>): iterating it cannot grow with the data."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(not isinstance(e, ast.Starred) for e in node.elts)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("range", "enumerate", "zip"):
        return bool(node.args) and all(_fixed_iterable(a) or (isinstance(a, ast.Constant) and isinstance(a.value, int))
                                       for a in node.args)
    if isinstance(node, ast.Dict):
        return True
    return False


def _loop_fix(node: ast.AST) -> str:
    """Guess the vectorized form from what the loop body does."""
    body = ast.unparse(node)
    if "+=" in body or "sum" in body:
        return SUM_FIX
    return ELEMENTWISE_FIX


def _recursion_spots(code: SubmissionCode, definitions: list) -> list:
    names = [d.name for d in definitions]
    graph = code.call_graph(names)
    spots = []
    for definition in definitions:
        if _reaches(graph, definition.name, definition.name):
            for node in ast.walk(definition.node):
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
