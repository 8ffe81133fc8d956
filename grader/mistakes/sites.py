"""Where a reference function can be changed, and the words its code gives the changes.

A mistake model is the reference function with a small change (an :class:`Edit`): one or more
nodes of its syntax tree replaced. Edits are found on the original tree by their *path* (the
fields and indices from the ``def`` down to the node) and applied to a copy, so the reference's
own tree is never touched. :class:`Context` says what the finders need to know about the
function: which lines are its solution regions (what students write), its parameters and their
defaults, which names hold sizes (``m = X.shape[1]``), the statement around each node (whose
target names the output a change affects), and the other functions of the module (callees'
defaults).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Iterator

SHORT = 28        # an expression longer than this is named in words, not quoted


@dataclass(frozen=True)
class Edit:
    """One mistake model: ``changes`` (path, make) applied together; ``make(node)`` returns the
    node that replaces the one at ``path`` (a fresh copy: it may reuse the node's children)."""

    kind: str
    detail: str                   # what it changes, for the model's id ("dw", "cost/m")
    fields: dict                  # the names that fill the kind's message template
    changes: tuple                # ((path, make), ...)
    variant: str = ""             # which template of the kind ("" for its first)
    line: int = 0                 # the line of the statement it changes (orders models of a kind)


@dataclass
class Site:
    node: ast.AST
    path: tuple
    stmt: ast.stmt | None         # the innermost statement holding the node
    in_region: bool


@dataclass
class Context:
    """What the finders know about one reference function."""

    function: ast.FunctionDef
    regions: tuple                # (first, last) solution line ranges, inclusive
    module_names: frozenset       # every identifier and string constant of the module
    signatures: dict              # top-level function name -> its ast.FunctionDef
    sites: list = field(default_factory=list)
    sizes: frozenset = frozenset()

    @classmethod
    def of(cls, function: ast.FunctionDef, regions, module: ast.Module) -> "Context":
        names = set()
        for node in ast.walk(module):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 40:
                names.add(node.value)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
        signatures = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}
        context = cls(function, tuple(regions), frozenset(names), signatures)
        context.sites = list(_walk(function, (), None, context))
        context.sizes = frozenset(_size_names(function))
        return context

    @property
    def name(self) -> str:
        return self.function.name

    def in_region(self, node: ast.AST) -> bool:
        line = getattr(node, "lineno", None)
        end = getattr(node, "end_lineno", line)
        return line is not None and any(first <= line and end <= last for first, last in self.regions)

    def region_sites(self, *types) -> Iterator[Site]:
        for site in self.sites:
            if site.in_region and isinstance(site.node, types):
                yield site

    def all_sites(self, *types) -> Iterator[Site]:
        for site in self.sites:
            if isinstance(site.node, types):
                yield site

    def params(self) -> dict:
        """Parameter name -> its default value (a constant), for parameters with constant defaults."""
        args = self.function.args
        defaults = dict(zip([a.arg for a in args.args][len(args.args) - len(args.defaults):], args.defaults))
        defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
        return {name: node.value for name, node in defaults.items() if isinstance(node, ast.Constant)}


def _walk(node: ast.AST, path: tuple, stmt, context: Context) -> Iterator[Site]:
    if isinstance(node, ast.stmt):
        stmt = node
    yield Site(node, path, stmt, context.in_region(node) if path else False)
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield from _walk(item, path + ((name, index),), stmt, context)
        elif isinstance(value, ast.AST):
            yield from _walk(value, path + ((name, None),), stmt, context)


def _size_names(function: ast.FunctionDef) -> set:
    """Names the function binds to a size: ``m = X.shape[1]``, ``n = len(y)``, ``k = a.size``."""
    return {target.id for node in ast.walk(function) if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name) and is_size(node.value, set())}


def is_size(node: ast.AST, sizes) -> bool:
    if isinstance(node, ast.Name):
        return node.id in sizes
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        return node.value.attr == "shape"
    if isinstance(node, ast.Attribute):
        return node.attr == "size"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


# ------------------------------------------------------------------ applying edits


def resolve(root: ast.AST, path: tuple) -> ast.AST:
    node = root
    for name, index in path:
        value = getattr(node, name)
        node = value[index] if index is not None else value
    return node


def apply(function: ast.FunctionDef, edit: Edit) -> ast.FunctionDef:
    """``function`` with ``edit``'s changes made (deepest paths first, so that a change inside
    another's node is made before that node is replaced), for unparsing: nodes a change made may
    lack locations. Only the nodes on the way from the ``def`` to a change are copied, and the
    nodes a change replaces: the rest is shared with ``function``, which is never changed (a
    batch makes about a hundred models, and copying each whole tree would be most of their time)."""
    changed = _shallow(function)
    owned = {id(changed): changed}
    for path, make in sorted(edit.changes, key=lambda change: -len(change[0])):
        parent = changed
        for name, index in path[:-1]:
            parent = _owned_child(parent, name, index, owned)
        name, index = path[-1]
        replacement = make(copy_tree(resolve(parent, (path[-1],))))
        if index is None:
            setattr(parent, name, replacement)
        else:
            getattr(parent, name)[index] = replacement
    return changed


def _shallow(node: ast.AST) -> ast.AST:
    """A new node with ``node``'s fields, its lists new lists of the same children."""
    copied = node.__class__.__new__(node.__class__)
    for key, value in node.__dict__.items():
        setattr(copied, key, list(value) if isinstance(value, list) else value)
    return copied


def _owned_child(parent: ast.AST, name: str, index, owned: dict) -> ast.AST:
    """The child of ``parent`` (a copy of ours) at (name, index), copied first unless it is ours."""
    value = getattr(parent, name)
    child = value[index] if index is not None else value
    if id(child) in owned:
        return child
    copied = _shallow(child)
    owned[id(copied)] = copied
    if index is None:
        setattr(parent, name, copied)
    else:
        value[index] = copied
    return copied


def copy_tree(node, memo: dict | None = None):
    """``copy.deepcopy`` of a syntax tree, several times faster: a tree holds only nodes, lists
    of them and immutable constants, so nothing else needs the generic protocol. A node reached
    twice (the shared ``Load()`` contexts) is copied once, as deepcopy does."""
    if isinstance(node, list):
        return [copy_tree(item, memo) for item in node]
    if not isinstance(node, ast.AST):
        return node
    memo = {} if memo is None else memo
    copied = memo.get(id(node))
    if copied is None:
        copied = memo[id(node)] = node.__class__.__new__(node.__class__)
        for key, value in node.__dict__.items():
            setattr(copied, key, copy_tree(value, memo))
    return copied


def source_of(function: ast.FunctionDef, edit: Edit) -> str:
    return ast.unparse(apply(function, edit))


# ------------------------------------------------------------------ words from the code


def text(node: ast.AST | None, fallback: str = "") -> str:
    """The node as code when it is short, else ``fallback``."""
    if node is None:
        return fallback
    code = ast.unparse(node)
    return code if len(code) <= SHORT else fallback


def name_text(node: ast.AST | None) -> str:
    """The node as code when it is a name (``w``, ``X.T``, ``parameters["W1"]``, ``np.sum``,
    ``0.5``), else "": messages quote names, never a formula of the solution."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return repr(node.value)
    if isinstance(node, ast.Attribute) and name_text(node.value):
        return ast.unparse(node)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and name_text(node.value):
        return ast.unparse(node)
    return ""


def target_of(stmt: ast.stmt | None) -> str:
    """What a statement computes, in the reference's words: its target, or its role."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Tuple) and all(name_text(e) for e in target.elts):
            return ", ".join(name_text(e) for e in target.elts)
        return text(target, "the value computed there")
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return text(stmt.target, "the value computed there")
    if isinstance(stmt, ast.Return):
        return "the returned value"
    if isinstance(stmt, (ast.If, ast.While)):
        return "the condition"
    return "the value computed there"


def call_name(call: ast.Call) -> str:
    """The last part of a call's function: ``sum`` for ``np.sum``."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def constant(value) -> ast.Constant:
    return ast.Constant(value=value)


def replace_keyword(name: str, value) -> Callable:
    """A make() that sets keyword ``name`` of a call to the constant ``value`` (None: removes it)."""
    def make(call: ast.Call) -> ast.Call:
        keywords = [k for k in call.keywords if k.arg != name]
        if value is not None:
            index = next(i for i, k in enumerate(call.keywords) if k.arg == name)
            keywords.insert(index, ast.keyword(arg=name, value=constant(value)))
        call.keywords = keywords
        return call
    return make
