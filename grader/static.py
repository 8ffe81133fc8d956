"""Static analysis of a student's function and the helpers it calls (AST only, never exec).

Runs in the trusted parent on the kept chunks of a submission. Two questions:

- :func:`loop_spots`: where could this function iterate in Python over its data? ``for`` /
  ``while``, comprehensions and generator expressions, ``map``/``filter``/``functools.reduce``,
  ``np.vectorize``/``np.frompyfunc``/``np.apply_along_axis``/``np.fromiter``, recursion,
  ``exec``/``eval``/``compile``, builtins that iterate in C (``sum(map(...))``, ``list(arr)``),
  and code that touches the tracer (``sys.settrace``...). A spot is a *suspect*: the
  vectorized check decides with the dynamic and timing evidence whether it scales with the data.
- :func:`rank1_spots`: where could it make a rank-1 array? ``np.zeros(dim)``,
  ``np.random.randn(n)``, ``np.sum(x, axis=k)`` without ``keepdims`` used in arithmetic,
  ``.ravel()``/``.flatten()``/``np.squeeze`` not reshaped back.

Line numbers are those of the chunk's file (``"<cell 7>"``): the loader keeps them.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

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
STRING_CODE = {"exec": "exec()", "eval": "eval()", "compile": "compile()", "builtins.exec": "exec()",
               "builtins.eval": "eval()", "builtins.compile": "compile()"}
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
RANK1_MAKERS = {
    "numpy.zeros": "np.zeros", "numpy.ones": "np.ones", "numpy.empty": "np.empty",
    "numpy.full": "np.full",
    "numpy.random.randn": "np.random.randn", "numpy.random.rand": "np.random.rand",
    "numpy.random.random": "np.random.random", "numpy.random.standard_normal": "np.random.standard_normal",
    "numpy.random.uniform": None, "numpy.random.normal": None,
}
REDUCTIONS = {"sum", "mean", "max", "min", "std", "var", "prod", "argmax", "argmin", "average"}
FLATTENERS = {"ravel", "flatten"}   # np.squeeze to a scalar is the course's idiom for the cost

SUM_FIX = ("sum over examples in one call: np.dot(X, (A - Y).T) or X @ (A - Y).T for a matrix product, "
           "np.sum(..., axis=1, keepdims=True) for a sum along a dimension")
ELEMENTWISE_FIX = ("apply numpy's functions to the whole array at once: np.exp(z), np.log(a), "
                   "a > 0.5, np.where(cond, x, y) are all elementwise already")


@dataclass(frozen=True)
class Spot:
    """One suspicious construct, with where it is and how to fix it."""

    kind: str            # loop | comprehension | functional | elementwise | recursion | exec | c_iteration | tracer | rank1
    what: str            # "a for loop", "np.vectorize", "np.zeros(dim)"...
    filename: str
    line: int
    end_line: int
    function: str        # the def it is in (the graded function or a helper it calls)
    excerpt: str
    constant: bool = False   # iterates over a fixed literal (a tuple, range(3)): cannot grow with data
    fix: str = ""
    target: str = ""     # for rank1 spots: the name it is bound to, if any

    @property
    def where(self) -> str:
        inside = "" if not self.function else f" (in {self.function})"
        return f"line {self.line}{inside}"


@dataclass
class Definition:
    name: str
    filename: str
    node: ast.AST        # FunctionDef / AsyncFunctionDef
    lines: list          # the chunk's source lines


@dataclass
class SubmissionCode:
    """The parsed kept chunks of a submission: top-level defs and import aliases."""

    defs: dict = field(default_factory=dict)      # name -> Definition (last definition wins)
    aliases: dict = field(default_factory=dict)   # local name -> dotted module path ("np" -> "numpy")
    lines: dict = field(default_factory=dict)     # filename -> source lines
    unparsable: list = field(default_factory=list)
    globals_: dict = field(default_factory=dict)  # name -> Definition of a module-level assignment
    _reachable: dict = field(default_factory=dict, repr=False)  # memo of reachable()

    @classmethod
    def from_chunks(cls, chunks) -> "SubmissionCode":
        code = cls()
        for chunk in chunks or ():
            try:
                tree = ast.parse(chunk.source, filename=chunk.filename)
            except (SyntaxError, ValueError):
                code.unparsable.append(chunk.filename)
                continue
            lines = chunk.source.splitlines()
            code.lines[chunk.filename] = lines
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    code.defs[node.name] = Definition(node.name, chunk.filename, node, lines)
                    code.globals_.pop(node.name, None)
                elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                    # module-level values a function may use: _sig = np.frompyfunc(lambda v: ..., 1, 1)
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            code.globals_[target.id] = Definition(target.id, chunk.filename, node, lines)
                            code.defs.pop(target.id, None)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        local = alias.asname or alias.name.split(".")[0]
                        code.aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    for alias in node.names:
                        code.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        return code

    @classmethod
    def from_source(cls, source: str, filename: str = "<cell 1>") -> "SubmissionCode":
        """For tests and tools: one chunk of code."""
        return cls.from_chunks([_Chunk(filename, source)])

    def excerpt(self, filename: str, line: int) -> str:
        lines = self.lines.get(filename, [])
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""

    def qualname(self, node: ast.AST) -> str | None:
        """The dotted name a call target resolves to through the imports ("np.sum" -> "numpy.sum")."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        return ".".join([head] + parts[::-1])

    def reachable(self, name: str, exclude=()) -> list:
        """The function ``name`` and every submission helper it calls, transitively.

        Other graded functions (``exclude``) are graded on their own (and, with reference
        attribution, replaced by the reference while this one runs), so they are not followed.
        """
        if name not in self.defs:
            return []
        key = (name, frozenset(exclude))
        cached = self._reachable.get(key)
        if cached is not None:  # both teaching checks ask, for every function: walk once
            return list(cached)
        order, todo = [], [name]
        seen = {name}
        while todo:
            current_name = todo.pop(0)
            current = self.defs.get(current_name) or self.globals_[current_name]
            order.append(current)
            called = called_names(current.node)
            for callee in sorted(called | read_names(current.node)):
                if callee in seen or callee in exclude:
                    continue
                if callee in self.defs and callee in called:
                    seen.add(callee)
                    todo.append(callee)
                elif callee in self.globals_:
                    seen.add(callee)
                    todo.append(callee)
        self._reachable[key] = tuple(order)
        return order

    def call_graph(self, names) -> dict:
        names = set(names) & set(self.defs)
        return {n: called_names(self.defs[n].node) & names for n in names}


@dataclass
class _Chunk:
    filename: str
    source: str


def read_names(node: ast.AST) -> set:
    """Plain names this code reads (to follow module-level values such as a frompyfunc'd lambda)."""
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def called_names(node: ast.AST) -> set:
    """Plain names this code calls or passes around as callables (``map(helper, ...)``)."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Name):
                names.add(sub.func.id)
            for arg in list(sub.args) + [k.value for k in sub.keywords]:
                if isinstance(arg, ast.Name):
                    names.add(arg.id)
    return names


# --------------------------------------------------------------------------- loops


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


def _spot(code, definition, node, kind, what, *, constant=False, fix="", target="") -> Spot:
    line = getattr(node, "lineno", definition.node.lineno)
    return Spot(kind=kind, what=what, filename=definition.filename, line=line,
                end_line=getattr(node, "end_lineno", line) or line, function=definition.name,
                excerpt=code.excerpt(definition.filename, line), constant=constant, fix=fix, target=target)


def _loop_spots_in(code: SubmissionCode, definition: Definition) -> list:
    spots = []
    for node in ast.walk(definition.node):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            constant = _fixed_iterable(node.iter)
            spots.append(_spot(code, definition, node, "loop", "a for loop", constant=constant,
                               fix=_loop_fix(node)))
        elif isinstance(node, ast.While):
            spots.append(_spot(code, definition, node, "loop", "a while loop", fix=_loop_fix(node)))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            what = {ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
                    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression"}[type(node)]
            constant = all(_fixed_iterable(gen.iter) for gen in node.generators)
            spots.append(_spot(code, definition, node, "comprehension", what, constant=constant,
                               fix=ELEMENTWISE_FIX))
        elif isinstance(node, ast.Call):
            qual = code.qualname(node.func)
            if qual is None:
                continue
            if qual in FUNCTIONAL:
                spots.append(_spot(code, definition, node, "functional", FUNCTIONAL[qual],
                                   constant=all(_fixed_iterable(a) for a in node.args[1:]) and len(node.args) > 1,
                                   fix=ELEMENTWISE_FIX))
            elif qual in ELEMENTWISE_NUMPY and ELEMENTWISE_NUMPY[qual]:
                spots.append(_spot(code, definition, node, "elementwise", ELEMENTWISE_NUMPY[qual],
                                   fix=ELEMENTWISE_FIX + f"; {ELEMENTWISE_NUMPY[qual]} is a Python loop in disguise"))
            elif qual in STRING_CODE:
                spots.append(_spot(code, definition, node, "exec", STRING_CODE[qual],
                                   fix="write the code itself in the function instead of running it from a string"))
            elif qual in TRACER or any(qual.startswith(t + ".") for t in TRACER):
                spots.append(_spot(code, definition, node, "tracer", qual,
                                   fix="remove it: graded functions must not touch the interpreter's tracer, "
                                       "frames or modules"))
            elif qual.split(".")[0] in ("grader",):
                spots.append(_spot(code, definition, node, "tracer", qual, fix="remove it: graded code must not "
                                   "use the grader's internals"))
            elif qual in C_ITERATION and node.args and not _fixed_iterable(node.args[0]) \
                    and not _is_scalar_pair(qual, node):
                spots.append(_spot(code, definition, node, "c_iteration", C_ITERATION[qual],
                                   fix=f"use numpy's own reduction instead of the builtin {C_ITERATION[qual]} "
                                       f"(np.sum, np.max, np.min, np.any, np.all work on the whole array)"))
        elif isinstance(node, (ast.Attribute, ast.Name)) and isinstance(getattr(node, "ctx", None), ast.Load):
            qual = code.qualname(node)
            if qual in ("sys.settrace", "sys.setprofile", "sys.gettrace", "sys.monitoring", "sys._getframe",
                        "threading.settrace"):
                spots.append(_spot(code, definition, node, "tracer", qual,
                                   fix="remove it: graded functions must not touch the interpreter's tracer"))
    return spots


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
    body = ast.unparse(node) if hasattr(ast, "unparse") else ""
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
                    spots.append(_spot(code, definition, node, "recursion",
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


# --------------------------------------------------------------------------- rank-1


def rank1_spots(code: SubmissionCode, name: str, graded=()) -> list:
    """Constructs in ``name`` and its helpers that make rank-1 arrays, in line order."""
    exclude = set(graded) - {name}
    spots = []
    for definition in code.reachable(name, exclude):
        spots.extend(_rank1_in(code, definition))
    unique = {(s.filename, s.line, s.what): s for s in spots}
    return sorted(unique.values(), key=lambda s: (s.filename, s.line))


def _rank1_in(code: SubmissionCode, definition: Definition) -> list:
    spots = []
    targets = _assignment_targets(definition.node)
    reshaped_later = _names_reshaped(definition.node)
    arithmetic = _names_in_arithmetic(definition.node)
    parents = _parents(definition.node)
    for node in ast.walk(definition.node):
        if not isinstance(node, ast.Call):
            continue
        qual = code.qualname(node.func)
        target = targets.get(id(_statement_of(node, parents)), "")
        if qual in RANK1_MAKERS and RANK1_MAKERS[qual]:
            shape_arg = _shape_argument(qual, node)
            if shape_arg is not None and _one_dimensional(shape_arg):
                arg_text = ast.unparse(shape_arg)
                maker = RANK1_MAKERS[qual]
                if maker.startswith("np.random.") and maker in ("np.random.randn", "np.random.rand"):
                    fix = f"{maker}({arg_text}, 1) makes a column vector"
                else:
                    fix = f"{maker}(({arg_text}, 1)) makes a column vector of shape ({arg_text}, 1)"
                spots.append(_spot(code, definition, node, "rank1", f"{maker}({arg_text})", fix=fix, target=target))
            continue
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        is_numpy_fn = qual is not None and qual.startswith("numpy.") and qual.split(".")[-1] in REDUCTIONS
        is_method = method in REDUCTIONS and not (qual or "").startswith("numpy.")
        if is_numpy_fn or is_method:
            keywords = {k.arg: k.value for k in node.keywords}
            axis = keywords.get("axis")
            if axis is None:
                positional = node.args[1:] if is_numpy_fn else node.args[:1]
                axis = positional[0] if positional else None
            keepdims = keywords.get("keepdims")
            kept = isinstance(keepdims, ast.Constant) and keepdims.value is True
            if axis is not None and not kept and not (isinstance(axis, ast.Constant) and axis.value is None):
                in_arithmetic = isinstance(parents.get(id(node)), ast.BinOp) or (target and target in arithmetic)
                if in_arithmetic and not (target and target in reshaped_later):
                    what = ast.unparse(node)
                    spots.append(_spot(code, definition, node, "rank1", what, target=target,
                                       fix="add keepdims=True so the result stays 2-D "
                                           f"(e.g. {_with_keepdims(node)})"))
            continue
        if method in FLATTENERS or qual == "numpy.ravel":
            parent = parents.get(id(node))
            reshaped = isinstance(parent, ast.Attribute) and parent.attr == "reshape"
            if not reshaped and not (target and target in reshaped_later):
                what = ast.unparse(node)
                spots.append(_spot(code, definition, node, "rank1", what, target=target,
                                   fix="keep it 2-D: reshape back with .reshape(-1, 1) (a column) or "
                                       ".reshape(1, -1) (a row), or don't flatten at all"))
    return spots


def _shape_argument(qual: str, node: ast.Call):
    keywords = {k.arg: k.value for k in node.keywords}
    if qual in ("numpy.random.randn", "numpy.random.rand"):
        if len(node.args) == 1 and not keywords:
            return node.args[0]
        return None
    if "shape" in keywords:
        return keywords["shape"]
    if qual in ("numpy.random.random", "numpy.random.standard_normal"):
        return keywords.get("size", node.args[0] if node.args else None)
    return node.args[0] if node.args else None


def _one_dimensional(node: ast.AST) -> bool:
    """A shape argument that is a single length: ``dim``, ``n``, ``X.shape[0]``, ``(dim,)``, ``[n]``."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return len(node.elts) == 1 and not isinstance(node.elts[0], ast.Starred)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool) and node.value > 1
    if isinstance(node, ast.Attribute) and node.attr == "shape":
        return False  # np.zeros(X.shape) keeps X's rank
    if isinstance(node, ast.Name) and node.id.lower() in ("shape", "size", "dims", "shp"):
        return False
    return isinstance(node, (ast.Name, ast.Subscript, ast.BinOp, ast.Attribute, ast.Call))


def _with_keepdims(node: ast.Call) -> str:
    copy = ast.Call(func=node.func, args=node.args, keywords=[
        k for k in node.keywords if k.arg != "keepdims"] + [ast.keyword(arg="keepdims", value=ast.Constant(True))])
    return ast.unparse(copy)


def _parents(root: ast.AST) -> dict:
    parents = {}
    for node in ast.walk(root):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def _statement_of(node: ast.AST, parents: dict):
    while node is not None and not isinstance(node, ast.stmt):
        node = parents.get(id(node))
    return node


def _assignment_targets(root: ast.AST) -> dict:
    """id(statement) -> the single name it assigns (``w = np.zeros(dim)`` -> "w")."""
    targets = {}
    for node in ast.walk(root):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            targets[id(node)] = node.targets[0].id
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            targets[id(node)] = node.target.id
    return targets


def _names_reshaped(root: ast.AST) -> set:
    """Names later given back a second dimension: ``x.reshape(...)``, ``np.reshape(x, ...)``, ``x[:, None]``."""
    names = set()
    for node in ast.walk(root):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("reshape", "resize") and isinstance(func.value, ast.Name):
                names.add(func.value.id)
            if isinstance(func, ast.Attribute) and func.attr in ("reshape", "expand_dims", "atleast_2d") and node.args \
                    and isinstance(node.args[0], ast.Name):
                names.add(node.args[0].id)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if any(isinstance(e, ast.Constant) and e.value is None for e in ast.walk(node.slice)):
                names.add(node.value.id)
    return names


def _names_in_arithmetic(root: ast.AST) -> set:
    names = set()
    for node in ast.walk(root):
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.MatMult):
            for side in (node.left, node.right):
                if isinstance(side, ast.Name):
                    names.add(side.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.value, ast.Name):
            names.add(node.value.id)
            if isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return names
