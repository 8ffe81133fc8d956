"""Where could a function make a rank-1 array? (AST of it and every helper it calls.)

``np.zeros(dim)``, ``np.random.randn(n)``, a reduction along an axis (``np.sum(x, axis=k)``,
``np.linalg.norm(x, axis=k)``...) without ``keepdims`` used in arithmetic, ``.ravel()``/
``.flatten()`` not reshaped back. Each spot names the line and the
fix; the rank1 check decides with what the locals observer saw whether it mattered.
"""
from __future__ import annotations

import ast

from grader.checks.analysis.submission_code import Definition, SubmissionCode, make_spot, walk

RANK1_MAKERS = {
    "numpy.zeros": "np.zeros", "numpy.ones": "np.ones", "numpy.empty": "np.empty",
    "numpy.full": "np.full",
    "numpy.random.randn": "np.random.randn", "numpy.random.rand": "np.random.rand",
    "numpy.random.random": "np.random.random", "numpy.random.standard_normal": "np.random.standard_normal",
    "numpy.random.uniform": None, "numpy.random.normal": None,
}
REDUCTIONS = {"sum", "mean", "max", "min", "std", "var", "prod", "argmax", "argmin", "average", "norm"}
AXIS_POSITION = {"norm": 2}   # np.linalg.norm(x, ord, axis): the axis is its third argument (else the second)
FLATTENERS = {"ravel", "flatten"}   # np.squeeze to a scalar is the course's idiom for the cost

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
    arithmetic = names_in_arithmetic(definition.node)
    parents = _parents(definition.node)
    for node in walk(definition.node):
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
                spots.append(make_spot(code, definition, node, "rank1", f"{maker}({arg_text})", fix=fix, target=target))
            continue
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        is_numpy_fn = qual is not None and qual.startswith("numpy.") and qual.split(".")[-1] in REDUCTIONS
        is_method = method in REDUCTIONS and not (qual or "").startswith("numpy.")
        if is_numpy_fn or is_method:
            keywords = {k.arg: k.value for k in node.keywords}
            axis = keywords.get("axis")
            if axis is None:
                first = AXIS_POSITION.get(qual.split(".")[-1], 1) if is_numpy_fn else 0
                positional = node.args[first:]
                axis = positional[0] if positional else None
            keepdims = keywords.get("keepdims")
            kept = isinstance(keepdims, ast.Constant) and keepdims.value is True
            if axis is not None and not kept and not (isinstance(axis, ast.Constant) and axis.value is None):
                in_arithmetic = isinstance(parents.get(id(node)), ast.BinOp) or (target and target in arithmetic)
                if in_arithmetic and not (target and target in reshaped_later):
                    what = ast.unparse(node)
                    spots.append(make_spot(code, definition, node, "rank1", what, target=target,
                                           fix="add keepdims=True so the result stays 2-D "
                                               f"(e.g. {_with_keepdims(node)})"))
            continue
        if method in FLATTENERS or qual == "numpy.ravel":
            parent = parents.get(id(node))
            reshaped = isinstance(parent, ast.Attribute) and parent.attr == "reshape"
            if not reshaped and not (target and target in reshaped_later):
                what = ast.unparse(node)
                spots.append(make_spot(code, definition, node, "rank1", what, target=target,
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
    for node in walk(root):
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
    for node in walk(root):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            targets[id(node)] = node.targets[0].id
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            targets[id(node)] = node.target.id
    return targets


def _names_reshaped(root: ast.AST) -> set:
    """Names later given back a second dimension: ``x.reshape(...)``, ``np.reshape(x, ...)``, ``x[:, None]``."""
    names = set()
    for node in walk(root):
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


def names_in_arithmetic(root: ast.AST) -> set:
    """Names used as an operand of elementwise arithmetic (where a rank-1 array broadcasts)."""
    names = set()
    for node in walk(root):
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.MatMult):
            for side in (node.left, node.right):
                if isinstance(side, ast.Name):
                    names.add(side.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.value, ast.Name):
            names.add(node.value.id)
            if isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return names
