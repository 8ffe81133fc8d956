"""Mistakes in calls and loops: arguments swapped, an argument ignored in favour of its default
(the function's own, or one not passed on to a callee), a recording condition off by one.

Finders as in :mod:`grader.mistakes.kinds_values`.
"""
from __future__ import annotations

import ast

from grader.mistakes.sites import Context, Edit, call_name, constant, name_text, target_of

TEMPLATES = {
    "swapped": "{target}: {func} gets {first} and {second} in the wrong order: swap them",
    "swapped/unnamed": "{target}: two arguments of {func} are in the wrong order: check the order its "
                       "documentation gives",
    "default": "{function} ignores its argument {param}: it always uses {default} (the default) instead of "
               "the value it is given. Use {param}",
    "default/call": "the call to {callee} leaves out {params}, so {callee} uses its default instead of the "
                    "value {function} was given: pass {params} on",
    "recording": "{recorded} is recorded at the wrong iterations: the condition {condition} is off by one "
                 "({var} counts from 0). Record exactly when {condition}",
}
MAKERS = {"zeros", "ones", "empty", "full"}


def swapped_arguments(context: Context) -> list:
    """Two neighbouring positional arguments swapped; a 2-D shape tuple given the wrong way round."""
    edits = []
    for site in context.region_sites(ast.Call):
        call = site.node
        if any(isinstance(a, ast.Starred) for a in call.args):
            continue
        pairs = [(site.path, "args", call.args, i) for i in range(len(call.args) - 1)]
        if call_name(call) in MAKERS and call.args and isinstance(call.args[0], ast.Tuple) \
                and len(call.args[0].elts) == 2:
            pairs.append((site.path + (("args", 0),), "elts", call.args[0].elts, 0))
        target, func = target_of(site.stmt), name_text(call.func) or "the call"
        for path, name, items, i in pairs:
            first, second = name_text(items[i]), name_text(items[i + 1])
            if ast.unparse(items[i]) == ast.unparse(items[i + 1]):
                continue

            def make(node, name=name, i=i):
                values = list(getattr(node, name))
                values[i], values[i + 1] = values[i + 1], values[i]
                setattr(node, name, values)
                return node
            edits.append(Edit("swapped", f"{target}:{func}:" + (f"{first}<>{second}" if first and second else f"{i}<>{i + 1}"),
                              {"target": target, "func": func, "first": first, "second": second},
                              ((path, make),), variant="" if first and second else "unnamed"))
    return edits


def own_defaults(context: Context) -> list:
    """A parameter with a default, ignored: every use of it in the solution replaced by the default."""
    edits = []
    for param, default in context.params().items():
        uses = [site for site in context.region_sites(ast.Name)
                if site.node.id == param and isinstance(site.node.ctx, ast.Load)]
        if not uses:
            continue
        changes = tuple((site.path, lambda n, d=default: constant(d)) for site in uses)
        edits.append(Edit("default", param, {"function": context.name, "param": param, "default": repr(default)},
                          changes))
    return edits


def _optional(signature: ast.FunctionDef) -> tuple[list, int]:
    """(the callee's positional parameter names, the index of its first one with a default)."""
    names = [a.arg for a in signature.args.args]
    return names, len(names) - len(signature.args.defaults)


def _dropping(names: list, dropped: set):
    """A make() that removes the named arguments from a call, passing later ones by keyword."""
    def make(call: ast.Call) -> ast.Call:
        args, keywords = [], []
        by_keyword = False
        for name, value in zip(names, call.args):
            if name in dropped:
                by_keyword = True
            elif by_keyword:
                keywords.append(ast.keyword(arg=name, value=value))
            else:
                args.append(value)
        call.args = args
        call.keywords = keywords + [k for k in call.keywords if k.arg not in dropped]
        return call
    return make


def callee_defaults(context: Context) -> list:
    """A call to another function of the module that leaves out an argument it has a default for
    (each one alone, and all of them), so that the callee uses its default."""
    edits = []
    for site in context.region_sites(ast.Call):
        call = site.node
        signature = context.signatures.get(call.func.id) if isinstance(call.func, ast.Name) else None
        if signature is None or any(isinstance(a, ast.Starred) for a in call.args):
            continue
        names, first_default = _optional(signature)
        passed = [n for i, n in enumerate(names[:len(call.args)]) if i >= first_default]
        passed += [k.arg for k in call.keywords if k.arg in names[first_default:]]
        groups = [[name] for name in passed] + ([passed] if len(passed) > 1 else [])
        for group in groups:
            params = ", ".join(group)
            edits.append(Edit("default", f"{call.func.id}({params})",
                              {"callee": call.func.id, "params": params, "function": context.name},
                              ((site.path, _dropping(names, set(group))),), variant="call"))
    return edits


def recording_conditions(context: Context) -> list:
    """The condition of an ``if`` that appends to a list, with the loop's counter off by one."""
    counters = {site.node.target.id for site in context.all_sites(ast.For) if isinstance(site.node.target, ast.Name)}
    edits = []
    for site in context.all_sites(ast.If):
        node = site.node
        appends = [n for n in node.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                   and call_name(n.value) == "append" and isinstance(n.value.func, ast.Attribute)]
        used = sorted({n.id for n in ast.walk(node.test) if isinstance(n, ast.Name) and n.id in counters})
        if not appends or len(used) != 1:
            continue
        var = used[0]
        fields = {"recorded": name_text(appends[0].value.func.value) or "the list", "condition": ast.unparse(node.test),
                  "var": var}
        for shift, op in (("+1", ast.Add()), ("-1", ast.Sub())):
            def make(test, op=op):
                class Shift(ast.NodeTransformer):
                    def visit_Name(self, name):
                        if name.id != var:
                            return name
                        return ast.BinOp(left=name, op=op, right=constant(1))
                return Shift().visit(test)
            edits.append(Edit("recording", f"{var}{shift}", fields, ((site.path + (("test", None),), make),)))
    return edits


FINDERS = (own_defaults, callee_defaults, recording_conditions, swapped_arguments)
