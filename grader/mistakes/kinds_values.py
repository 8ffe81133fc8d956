"""Mistakes in a formula's arithmetic: a sign, a division by a size, a term or a factor left
out, a comparison that includes its threshold, an int for a float.

Each finder takes a :class:`~grader.mistakes.sites.Context` and returns
:class:`~grader.mistakes.sites.Edit` s; ``TEMPLATES`` holds each kind's message for students,
filled with the names of the reference's code (never its values or a case's).
"""
from __future__ import annotations

import ast
import re

from grader.mistakes.sites import Context, Edit, constant, is_size, name_text, target_of

TEMPLATES = {
    "sign": "{target} has the wrong sign: check the minus signs and the order of each subtraction in its "
            "formula",
    "sign/gradient": "{target} has the opposite sign: as computed, this gradient points the other way. Check "
                     "the order of the subtraction in its formula (which value is subtracted from which)",
    "update": "the update of {target} goes the wrong way: gradient descent steps against the gradient, so "
              "the step (learning rate times gradient) is subtracted from {target}, not added",
    "update/all": "the updates of {targets} go the wrong way: gradient descent steps against the gradient, "
                  "so each step (learning rate times gradient) is subtracted, not added",
    "division": "{target} is not divided by {size}: it comes out {size} times too large (a sum where the "
                "average over {size} is meant). Divide it by {size}",
    "division/doubled": "{target} is divided by {size} twice: it comes out {size} times too small. Divide "
                        "by {size} once",
    "division/mean": "{target} adds the values up where their mean is meant: take the mean ({mean}), or "
                     "divide the sum by the number of values",
    "term": "{target} is missing the term {term}: add it to the formula",
    "term/bias": "{target} leaves out the bias {term}: add {term} after the weighted sum",
    "term/update": "{target} is not updated: gradient descent subtracts the step (learning rate times "
                   "gradient) from {target} at every iteration",
    "term/unnamed": "{target} is missing the {side} term of a sum in its formula: compare each term with "
                    "the formula you were given",
    "factor": "{target} is missing the factor {factor}: multiply by it as the formula says",
    "factor/unnamed": "{target} is missing the {side} factor of a product in its formula: compare each "
                      "factor with the formula you were given",
    "minus": "{target} is missing the minus sign before {operand}: check the signs inside its formula",
    "minus/unnamed": "{target} is missing a minus sign inside its formula: check each sign of the formula",
    "comparison": "{target} compares with {used} where {meant} is meant: a value exactly equal to "
                  "{threshold} lands on the wrong side. Compare with {meant}",
    "comparison/unnamed": "{target} compares with {used} where {meant} is meant: a value exactly at the "
                          "threshold lands on the wrong side. Compare with {meant}",
    "int_literal": "{target} is the int {number} where a float is meant: write {decimal} (an int makes "
                   "later arithmetic and the output's type wrong)",
}
ORDINALS = {"left": "first", "right": "second"}
GRADIENT = re.compile(r"^d[A-Za-z_]\w*$")
OPS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}
FLIPPED = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}


def is_gradient(name: str, context: Context) -> bool:
    """``dw``, ``dZ2``: d followed by a name the module uses (the course's naming of gradients)."""
    return bool(GRADIENT.match(name)) and name[1:] in context.module_names


def is_bias(node: ast.AST) -> bool:
    code = ast.unparse(node)
    name = code.split("[")[-1].strip("'\"]") if isinstance(node, ast.Subscript) else code
    return bool(re.match(r"^b\d*$", name)) or "bias" in name.lower()


def _update(stmt: ast.stmt) -> tuple | None:
    """(the step, the path field) when ``stmt`` is ``x = x - rate * g`` or ``x -= rate * g``."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, (ast.Sub, ast.Add)) \
            and isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.op, ast.Mult):
        return stmt.value, "op"
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.BinOp) \
            and isinstance(stmt.value.op, (ast.Sub, ast.Add)) and isinstance(stmt.value.right, ast.BinOp) \
            and isinstance(stmt.value.right.op, ast.Mult):
        return stmt.value.right, "value"
    return None


def _flip_operator(node):
    node.op = ast.Add() if isinstance(node.op, ast.Sub) else ast.Sub()
    return node


def _negate(node):
    return ast.UnaryOp(op=ast.USub(), operand=node)


def signs(context: Context) -> list:
    """A statement's value negated (a gradient, a cost), or an update's step added instead of
    subtracted; and every update flipped at once (students who climb, climb everywhere)."""
    edits, updates = [], []
    for site in context.region_sites(ast.Assign, ast.AugAssign):
        stmt = site.node
        target = target_of(stmt)
        update = _update(stmt)
        if update is not None:
            # ``x = x - step``: the BinOp's operator; ``x -= step``: the statement's own
            path = site.path + (("value", None),) if update[1] == "value" else site.path
            change = (path, _flip_operator)
            updates.append((target, change))
            edits.append(Edit("update", target, {"target": target}, (change,)))
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and not isinstance(stmt.targets[0], ast.Tuple):
            name = stmt.targets[0]
            gradient = isinstance(name, ast.Name) and is_gradient(name.id, context) or (
                isinstance(name, ast.Subscript) and isinstance(name.slice, ast.Constant)
                and isinstance(name.slice.value, str) and is_gradient(name.slice.value, context))
            edits.append(Edit("sign", target, {"target": target}, ((site.path + (("value", None),), _negate),),
                              variant="gradient" if gradient else "", line=stmt.lineno))
    if len(updates) > 1:
        names = ", ".join(t for t, _ in updates)
        edits.append(Edit("update", "all", {"targets": names}, tuple(c for _, c in updates), variant="all"))
    return edits


def divisions(context: Context) -> list:
    """A division by a size left out or made twice; a mean taken as a sum."""
    edits = []
    for site in context.region_sites(ast.BinOp):
        node = site.node
        if not isinstance(node.op, ast.Div) or not is_size(node.right, context.sizes):
            continue
        target, size = target_of(site.stmt), name_text(node.right) or "the number of values"
        fields, named = {"target": target, "size": size}, name_text(node.right) or "size"
        edits.append(Edit("division", f"{target}/{named}", fields, ((site.path, lambda n: n.left),)))
        edits.append(Edit("division", f"{target}/{named}/{named}", fields,
                          ((site.path, lambda n: ast.BinOp(left=n, op=ast.Div(), right=n.right)),),
                          variant="doubled"))
    for site in context.region_sites(ast.Call):
        func = site.node.func
        if isinstance(func, ast.Attribute) and func.attr == "mean":
            target = target_of(site.stmt)

            def make(call):
                call.func.attr = "sum"
                return call
            edits.append(Edit("division", f"{target}:mean", {"target": target, "mean": ast.unparse(func)},
                              ((site.path, make),), variant="mean"))
    return edits


def terms(context: Context) -> list:
    """A term of a sum left out (``a + b`` -> ``a`` or ``b``; ``a - b`` -> ``a``)."""
    edits = []
    for site in context.region_sites(ast.BinOp):
        node = site.node
        if not isinstance(node.op, (ast.Add, ast.Sub)):
            continue
        target = target_of(site.stmt)
        step = _update(site.stmt) is not None and node is getattr(site.stmt, "value", None)
        sides = [("right", node.right, lambda n: n.left)]
        if isinstance(node.op, ast.Add):
            sides.append(("left", node.left, lambda n: n.right))
        for side, dropped, make in sides:
            term = name_text(dropped)
            variant = "bias" if term and is_bias(dropped) else ("" if term else "unnamed")
            variant = "update" if step and side == "right" else variant
            edits.append(Edit("term", f"{target}:{term or side}",
                              {"target": target, "term": term, "side": ORDINALS[side]},
                              ((site.path, make),), variant=variant))
    return edits


def factors(context: Context) -> list:
    """A factor of a product left out (``a * b`` -> ``a`` or ``b``)."""
    edits = []
    for site in context.region_sites(ast.BinOp):
        node = site.node
        if not isinstance(node.op, ast.Mult):
            continue
        target = target_of(site.stmt)
        for side, dropped, make in (("right", node.right, lambda n: n.left), ("left", node.left, lambda n: n.right)):
            factor = name_text(dropped)
            edits.append(Edit("factor", f"{target}:{factor or side}",
                              {"target": target, "factor": factor, "side": ORDINALS[side]},
                              ((site.path, make),), variant="" if factor else "unnamed"))
    return edits


def minus_signs(context: Context) -> list:
    """A unary minus left out (``np.exp(-z)`` -> ``np.exp(z)``)."""
    edits = []
    for site in context.region_sites(ast.UnaryOp):
        node = site.node
        if isinstance(node.op, ast.USub) and not isinstance(node.operand, ast.Constant):
            target = target_of(site.stmt)
            operand = name_text(node.operand)
            edits.append(Edit("minus", f"{target}:-{operand}" if operand else target,
                              {"target": target, "operand": operand}, ((site.path, lambda n: n.operand),),
                              variant="" if operand else "unnamed"))
    return edits


def comparisons(context: Context) -> list:
    """``>`` for ``>=`` and back (``<`` and ``<=`` too)."""
    edits = []
    for site in context.region_sites(ast.Compare):
        node = site.node
        if len(node.ops) != 1 or type(node.ops[0]) not in FLIPPED:
            continue
        meant, used = OPS[type(node.ops[0])], OPS[FLIPPED[type(node.ops[0])]]
        target = target_of(site.stmt)

        def make(n):
            n.ops = [FLIPPED[type(n.ops[0])]()]
            return n
        threshold = name_text(node.comparators[0])
        edits.append(Edit("comparison", f"{target}:{used}", {"target": target, "used": used, "meant": meant,
                                                             "threshold": threshold},
                          ((site.path, make),), variant="" if threshold else "unnamed"))
    return edits


def int_literals(context: Context) -> list:
    """``b = 0.0`` written ``b = 0``: an int where the reference assigns a whole float."""
    edits = []
    for site in context.region_sites(ast.Assign):
        value = site.node.value
        if isinstance(value, ast.Constant) and type(value.value) is float and value.value.is_integer():
            target = target_of(site.node)
            number = int(value.value)
            edits.append(Edit("int_literal", target, {"target": target, "number": number, "decimal": repr(value.value)},
                              ((site.path + (("value", None),), lambda n, k=number: constant(k)),)))
    return edits


FINDERS = (signs, divisions, comparisons, terms, factors, minus_signs, int_literals)
