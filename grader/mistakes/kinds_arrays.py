"""Mistakes with arrays: a reduction over the wrong axis or without ``keepdims``, a transposed
operand or result, an element-wise product for a matrix product and back, a missing
``squeeze``, a rank-1 shape, the wrong ``shape`` index, ``math`` for ``np``.

Finders as in :mod:`grader.mistakes.kinds_values`.
"""
from __future__ import annotations

import ast

from grader.mistakes.sites import Context, Edit, call_name, constant, keyword, name_text, replace_keyword, target_of

TEMPLATES = {
    "axis": "{target}: {func} runs over axis {used} where axis {meant} is meant, so it combines the wrong "
            "entries. Use axis={meant}",
    "axis/none": "{target}: {func} reduces the whole array to one number where one result along axis "
                 "{meant} is meant. Pass axis={meant}",
    "keepdims": "{target}: {func} without keepdims=True drops the reduced dimension, so the result is a "
                "rank-1 array that has the wrong shape or broadcasts the wrong way. Pass keepdims=True",
    "transposed": "{target} uses {operand} where its transpose is meant: transpose it (.T) in the product",
    "transposed/extra": "{target} uses the transpose of {operand} where {operand} itself is meant: drop "
                        "its .T",
    "transposed/result": "{target} comes out transposed (its rows and columns swapped): swap the operands "
                         "of the matrix product, or transpose them",
    "product": "{target} uses an element-wise product where a matrix product is meant: use np.dot (or @), "
               "which sums over the shared dimension",
    "product/elementwise": "{target} uses a matrix product where an element-wise product is meant: use * "
                           "(np.multiply), which multiplies entry by entry",
    "squeeze": "{target} keeps its size-1 dimensions: np.squeeze(...) drops them, as the docstring's shape "
               "asks",
    "squeeze/float": "{target} stays a numpy array where a plain number is meant: convert it with float(...)",
    "rank1": "{target} is made as a rank-1 array (a single dimension) where a 2-D {orientation} is meant: "
             "give {func} both dimensions, the 1 included",
    "rank1/flattened": "{target} comes out flattened to one dimension where the reference keeps two: keep "
                       "reductions 2-D with keepdims=True, or compute it with a matrix product (np.dot)",
    "shape_index": "{target} reads {array}.shape[{used}] where {array}.shape[{meant}] is meant: shape[0] "
                   "counts the rows, shape[1] the columns",
    "shape_index/unnamed": "{target} reads shape[{used}] of an array where shape[{meant}] is meant: shape[0] "
                           "counts the rows, shape[1] the columns",
    "math": "{target} uses math.{name}, which takes a single number: use np.{name}, which works on whole "
            "arrays",
}
REDUCTIONS = {"sum", "mean", "max", "min", "norm", "std", "var", "prod", "argmax", "argmin", "average"}
MAKERS = {"zeros", "ones", "empty", "full"}         # take the shape as one tuple
DRAWS = {"randn", "rand", "reshape"}                 # take the dimensions one by one
MATH = {"exp", "log", "sqrt", "tanh", "cos", "sin"}


def _constant_int(node) -> int | None:
    return node.value if isinstance(node, ast.Constant) and type(node.value) is int else None


def axes(context: Context) -> list:
    """axis=0 for axis=1 and back; the axis left out."""
    edits = []
    for site in context.region_sites(ast.Call):
        call = site.node
        given = keyword(call, "axis")
        meant = _constant_int(given.value) if given else None
        if meant not in (0, 1) or call_name(call) not in REDUCTIONS:
            continue
        target, func = target_of(site.stmt), name_text(call.func) or "the reduction"
        fields = {"target": target, "func": func, "meant": meant, "used": 1 - meant}
        edits.append(Edit("axis", f"{target}:{func}:{1 - meant}", fields,
                          ((site.path, replace_keyword("axis", 1 - meant)),)))
        # without an axis, a norm's ord=2 is a matrix norm: the student who leaves the axis out
        # leaves the ord out too (the norm of all the entries)
        dropped = (replace_keyword("axis", None),) + ((replace_keyword("ord", None),) if keyword(call, "ord") else ())
        edits.append(Edit("axis", f"{target}:{func}:none", fields, ((site.path, _both(dropped)),), variant="none"))
    return edits


def _both(makes: tuple):
    def make(node):
        for one in makes:
            node = one(node)
        return node
    return make


def keepdims(context: Context) -> list:
    edits = []
    for site in context.region_sites(ast.Call):
        given = keyword(site.node, "keepdims")
        if given is not None and isinstance(given.value, ast.Constant) and given.value.value is True:
            target, func = target_of(site.stmt), name_text(site.node.func) or "the reduction"
            edits.append(Edit("keepdims", f"{target}:{func}", {"target": target, "func": func},
                              ((site.path, replace_keyword("keepdims", None)),)))
    return edits


def _is_product(node) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return True
    return isinstance(node, ast.Call) and call_name(node) in ("dot", "matmul") and len(node.args) == 2


def _transposed(node):
    return node.value if isinstance(node, ast.Attribute) and node.attr == "T" else ast.Attribute(
        value=node, attr="T", ctx=ast.Load())


def transposes(context: Context) -> list:
    """An operand of a matrix product transposed (or its .T left out); a product's result transposed."""
    edits = []
    for site in context.region_sites(ast.BinOp, ast.Call):
        node = site.node
        if not _is_product(node):
            continue
        target = target_of(site.stmt)
        operands = ((("left", None), node.left), (("right", None), node.right)) if isinstance(node, ast.BinOp) \
            else ((("args", 0), node.args[0]), (("args", 1), node.args[1]))
        for step, value in operands:
            path = site.path + (step,)
            extra = not (isinstance(value, ast.Attribute) and value.attr == "T")
            named = name_text(value if extra else value.value)
            ordinal = "first" if step in (("left", None), ("args", 0)) else "second"
            shown = named or f"the {ordinal} operand of the product"
            # extra: the model transposes an operand the reference does not (the student added a .T)
            edits.append(Edit("transposed", f"{target}:{named or ordinal}{'.T' if extra else ''}",
                              {"target": target, "operand": shown}, ((path, _transposed),),
                              variant="extra" if extra else ""))
    for site in context.region_sites(ast.Assign):
        if len(site.node.targets) == 1 and any(_is_product(n) for n in ast.walk(site.node.value)):
            target = target_of(site.node)
            edits.append(Edit("transposed", f"{target}:result", {"target": target},
                              ((site.path + (("value", None),), _transposed),), variant="result"))
    return edits


def _elementwise(node):
    left, right = (node.left, node.right) if isinstance(node, ast.BinOp) else node.args
    return ast.BinOp(left=left, op=ast.Mult(), right=right)


def _matrix(node):
    left, right = (node.left, node.right) if isinstance(node, ast.BinOp) else node.args
    return ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="dot", ctx=ast.Load()),
                    args=[left, right], keywords=[])


def products(context: Context) -> list:
    """np.dot (or @) written as *, and np.multiply (or * of two arrays) written as np.dot."""
    edits = []
    for site in context.region_sites(ast.BinOp, ast.Call):
        node = site.node
        target = target_of(site.stmt)
        if _is_product(node):
            edits.append(Edit("product", f"{target}:*", {"target": target}, ((site.path, _elementwise),)))
        elif (isinstance(node, ast.Call) and call_name(node) == "multiply" and len(node.args) == 2) or (
                isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
                and not isinstance(node.left, ast.Constant) and not isinstance(node.right, ast.Constant)):
            edits.append(Edit("product", f"{target}:dot", {"target": target}, ((site.path, _matrix),),
                              variant="elementwise"))
    return edits


def squeezes(context: Context) -> list:
    """np.squeeze(x) or float(x) left out."""
    edits = []
    for site in context.region_sites(ast.Call):
        call = site.node
        name = call_name(call)
        if len(call.args) != 1 or call.keywords or not (name == "squeeze" or name_text(call.func) == "float"):
            continue
        target = target_of(site.stmt)
        edits.append(Edit("squeeze", f"{target}:{name}", {"target": target}, ((site.path, lambda n: n.args[0]),),
                          variant="" if name == "squeeze" else "float"))
    return edits


def rank1_shapes(context: Context) -> list:
    """A shape (k, 1) or (1, k) given as k alone: np.zeros(k), np.random.randn(k), x.reshape(k)."""
    edits = []
    for site in context.region_sites(ast.Call):
        call = site.node
        name = call_name(call)
        if name in MAKERS and call.args and isinstance(call.args[0], ast.Tuple) and len(call.args[0].elts) == 2:
            dims, path = call.args[0].elts, site.path + (("args", 0),)
        elif name in DRAWS and len(call.args) == 2 and not call.keywords:
            dims, path = call.args, None
        else:
            continue
        ones = [i for i, d in enumerate(dims) if _constant_int(d) == 1]
        if len(ones) != 1:
            continue
        keep = 1 - ones[0]
        target = target_of(site.stmt)
        fields = {"target": target, "func": name_text(call.func) or "the call",
                  "orientation": "column" if keep == 0 else "row"}
        if path is not None:
            change = (path, lambda n, k=keep: n.elts[k])
        else:
            def change_args(n, k=keep):
                n.args = [n.args[k]]
                return n
            change = (site.path, change_args)
        edits.append(Edit("rank1", target, fields, (change,)))
    for site in context.region_sites(ast.Assign):   # a result made rank-1 (a sum without keepdims...)
        value = site.node.value
        if len(site.node.targets) == 1 and isinstance(site.node.targets[0], (ast.Name, ast.Subscript)) \
                and any(_is_product(n) or isinstance(n, ast.Call) and call_name(n) in REDUCTIONS for n in ast.walk(value)):
            target = target_of(site.node)
            edits.append(Edit("rank1", f"{target}:flattened", {"target": target},
                              ((site.path + (("value", None),), _ravelled),), variant="flattened"))
    return edits


def _ravelled(node):
    return ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="ravel", ctx=ast.Load()),
                    args=[node], keywords=[])


def shape_indices(context: Context) -> list:
    """``X.shape[0]`` for ``X.shape[1]`` and back."""
    edits = []
    for site in context.region_sites(ast.Subscript):
        node = site.node
        index = _constant_int(node.slice)
        if not (isinstance(node.value, ast.Attribute) and node.value.attr == "shape") or index not in (0, 1):
            continue
        target, array = target_of(site.stmt), name_text(node.value.value)
        edits.append(Edit("shape_index", f"{target}:{array}.shape[{1 - index}]",
                          {"target": target, "array": array, "used": 1 - index, "meant": index},
                          ((site.path + (("slice", None),), lambda n, k=1 - index: constant(k)),),
                          variant="" if array else "unnamed"))
    return edits


def math_functions(context: Context) -> list:
    """``np.exp`` written ``math.exp`` (which takes one number only)."""
    edits = []
    for site in context.region_sites(ast.Call):
        func = site.node.func
        if isinstance(func, ast.Attribute) and func.attr in MATH and isinstance(func.value, ast.Name) \
                and func.value.id in ("np", "numpy"):
            target = target_of(site.stmt)

            def make(call):
                call.func.value = ast.Name(id="math", ctx=ast.Load())
                return call
            edits.append(Edit("math", f"{target}:{func.attr}", {"target": target, "name": func.attr},
                              ((site.path, make),)))
    return edits


FINDERS = (axes, keepdims, rank1_shapes, transposes, products, squeezes, shape_indices, math_functions)
