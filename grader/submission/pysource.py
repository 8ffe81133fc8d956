"""Python source analysis with ``ast`` only: nothing here ever runs student code.

- :func:`blank_magics` turns IPython-only lines (``!ls``, ``%matplotlib``, ``%%bash`` cells,
  ``np.dot?``) into blank lines, so the rest parses and line numbers do not move;
- :func:`parse` returns a tree or a :class:`SyntaxIssue` (never raises);
- :func:`needed_names` is a small scope analysis: the module-level names a top-level
  statement needs (a function's locals and parameters are not needed, its globals are);
- :func:`module_bindings` / :func:`constant_needs` say what a top-level statement binds and
  whether it is a harmless constant the grader may keep;
- :func:`render` rebuilds a cell from the statements kept, every other line blank.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from grader import syntax

# Cell magics whose body is Python (Jupyter runs it); any other cell magic (%%bash,
# %%writefile, %%html...) makes the whole cell something else than Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})

_CELL_MAGIC = re.compile(r"[ \t]*%%(\w*)")
_LINE_MAGIC = re.compile(
    r"""[ \t]*(?:
        [!%?]                                   # !ls  %matplotlib inline  ?np.dot
      | (?:pip|conda|mamba)[ \t]+install\b      # automagic pip
      | [\w.]+[ \t]*\?\??[ \t]*$                # np.dot?  np.dot??
      | [\w.,\[\]()* \t]+=[ \t]*[!%]            # files = !ls   t = %timeit -o f()
    )""",
    re.VERBOSE,
)

# ast.iter_child_nodes also yields every Load()/Store() context and operator: walking only the
# fields that can hold names halves the nodes visited (loading must take about a millisecond).
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "type_ignores"})
# Lists of children may hold None (dict unpacking, keyword-only defaults) or str (match
# keywords): they are pushed as they are and have no children.
_FIELDS: dict[type, tuple] = {type(None): (), str: ()}
_AST = ast.AST


def _add_children(node: ast.AST, todo: list) -> None:
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = tuple(f for f in getattr(kind, "_fields", ()) if f not in _SKIPPED_FIELDS)
    for name in fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            todo.extend(value)
        elif isinstance(value, _AST):
            todo.append(value)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_SCOPE_TYPES = frozenset(_SCOPES)
_DEF_TYPES = frozenset(_DEFS)
_NAMED_BINDERS = frozenset({ast.ExceptHandler, ast.MatchAs, ast.MatchStar})  # `except E as name`...


@dataclass(frozen=True)
class SyntaxIssue:
    """Why a piece of code does not parse, with its position (1-based line and column)."""

    kind: str            # SyntaxError, IndentationError, TabError...
    message: str
    lineno: int | None
    offset: int | None   # 1-based character column, when Python gives one
    end_offset: int | None


def blank_magics(code: str) -> tuple[str, str | None]:
    """Blank IPython-only lines; return (code, name of a non-Python cell magic or None).

    Only called on code that does not parse as it is, so a ``%`` that begins a line
    inside a valid multi-line string is never touched.
    """
    lines = code.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        magic = _CELL_MAGIC.match(lines[first])
        if magic:
            if magic.group(1) not in PYTHON_CELL_MAGICS:
                return "\n".join("" for _ in lines), magic.group(1) or "%%"
            lines[first] = ""
    continued = False
    for i, line in enumerate(lines):
        if continued or _LINE_MAGIC.match(line):
            continued = line.endswith("\\")  # `!pip install \` goes on on the next line
            indent = line[: len(line) - len(line.lstrip())]
            # An indented magic may be the only statement of a block: keep the block valid.
            lines[i] = indent + "pass" if indent and not continued else ""
    return "\n".join(lines), None


def parse(code: str, filename: str) -> ast.Module | SyntaxIssue:
    """Parse; callers silence SyntaxWarnings once around many calls (see ``selection.select``)."""
    try:
        return syntax.parse(code, filename=filename)
    except SyntaxError as exc:
        lineno, offset = exc.lineno, exc.offset
        if "\x00" in code and not lineno:  # Python does not say where the NUL character is
            nul = code.index("\x00")
            lineno, offset = code.count("\n", 0, nul) + 1, nul - code.rfind("\n", 0, nul)
        return SyntaxIssue(type(exc).__name__, exc.msg or "invalid syntax", lineno, offset,
                           exc.end_offset if exc.end_lineno == exc.lineno else None)
    except (RecursionError, MemoryError) as exc:  # how CPython's parser fails on extreme nesting
        return SyntaxIssue("SyntaxError", "the code is nested too deeply for Python to read", None, None, None)
    except ValueError as exc:
        return SyntaxIssue(type(exc).__name__, str(exc), None, None, None)


# --------------------------------------------------------------------------- scopes


def _argument_names(args: ast.arguments) -> list[str]:
    names = [a.arg for a in args.posonlyargs + args.args]
    if args.vararg:
        names.append(args.vararg.arg)
    names += [a.arg for a in args.kwonlyargs]
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names


def _outer_parts(node: ast.AST) -> list[ast.AST]:
    """The parts of a def, class or lambda evaluated in the enclosing scope."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        parts = [d for d in args.defaults + args.kw_defaults if d is not None]
        if not isinstance(node, ast.Lambda):
            parts += node.decorator_list
            parts += [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs
                      + [args.vararg, args.kwarg] if a is not None and a.annotation is not None]
            if node.returns is not None:
                parts.append(node.returns)
        return parts
    if isinstance(node, ast.ClassDef):
        return node.decorator_list + node.bases + node.keywords
    # comprehension: its first iterable is evaluated outside
    return [node.generators[0].iter]


class _Scope:
    """One scope being walked: what it binds, reads, declares global, and its children's needs."""

    __slots__ = ("node", "bound", "loaded", "declared", "nested", "todo")

    def __init__(self, node: ast.AST):
        self.node = node
        self.bound: set[str] = set()
        self.loaded: set[str] = set()
        self.declared: set[str] = set()   # global / nonlocal: never local
        self.nested: set[str] = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self.bound.update(_argument_names(node.args))
            self.todo = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
        elif isinstance(node, ast.ClassDef):
            self.todo = list(node.body)
        else:  # a comprehension: its own loop variables; its first iterable belongs outside
            self.todo = []
            for i, gen in enumerate(node.generators):
                self.todo += [gen.target, *gen.ifs] + ([gen.iter] if i else [])
            self.todo += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]

    def free(self) -> set[str]:
        local = self.bound - self.declared
        if isinstance(self.node, ast.ClassDef):
            return (self.loaded - local) | self.nested  # methods do not see the class body's names
        return (self.loaded | self.nested) - local


def _scope_free(scope: ast.AST) -> set[str]:
    """Names a scope (function, lambda, class or comprehension) reads from outside itself.

    Iterative, nested scopes included: a student's 2000 nested lambdas are valid Python and
    must not hit the interpreter's recursion limit here."""
    stack = [_Scope(scope)]
    name_type, load_type = ast.Name, ast.Load
    while True:
        frame = stack[-1]
        if not frame.todo:
            free = frame.free()
            stack.pop()
            if not stack:
                return free
            stack[-1].nested |= free
            continue
        node = frame.todo.pop()
        kind = type(node)
        if kind is name_type:
            (frame.loaded if type(node.ctx) is load_type else frame.bound).add(node.id)
        elif kind in _SCOPE_TYPES:
            if kind in _DEF_TYPES:
                frame.bound.add(node.name)
            frame.todo.extend(_outer_parts(node))
            stack.append(_Scope(node))
        elif kind is ast.Global or kind is ast.Nonlocal:
            frame.declared.update(node.names)
            frame.loaded.update(node.names)
        elif kind is ast.Import or kind is ast.ImportFrom:
            frame.bound.update(_import_names(node))
        else:
            if kind is ast.AugAssign and type(node.target) is name_type:
                frame.loaded.add(node.target.id)  # x += 1 reads x
            elif kind in _NAMED_BINDERS and node.name:
                frame.bound.add(node.name)
            elif kind is ast.MatchMapping and node.rest:
                frame.bound.add(node.rest)
            _add_children(node, frame.todo)


def _loads(node: ast.AST) -> set[str]:
    """Names an expression evaluated in the current scope reads (lambdas etc. included)."""
    names: set[str] = set()
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                names.add(node.id)
        elif isinstance(node, _SCOPES):
            todo.extend(_outer_parts(node))
            names |= _scope_free(node)
        else:
            _add_children(node, todo)
    return names


def needed_names(node: ast.AST) -> set[str]:
    """Module-level names a top-level def or class needs to be defined and to run."""
    names = _scope_free(node)
    for part in _outer_parts(node):
        names |= _loads(part)
    return names


# --------------------------------------------------------------------------- bindings


def _import_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.asname or a.name.split(".")[0] for a in node.names]
    return [a.asname or a.name for a in node.names]  # "*" stands for "whatever it exports"


def module_bindings(stmt: ast.stmt) -> set[str]:
    """Module-level names a top-level statement binds (without entering nested scopes)."""
    if isinstance(stmt, _DEFS):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return set(_import_names(stmt))
    names: set[str] = set()
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                names.add(node.id)
        elif isinstance(node, _SCOPES):
            if isinstance(node, _DEFS):
                names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(_import_names(node))
        else:
            if type(node) in _NAMED_BINDERS and node.name:
                names.add(node.name)
            _add_children(node, todo)
    return names


_CONSTANT_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.Tuple,
                   ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.BoolOp, ast.Compare,
                   ast.IfExp, ast.JoinedStr, ast.FormattedValue, ast.Starred, ast.keyword,
                   ast.Call, ast.Lambda, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop,
                   ast.boolop)
_KEEPABLE_SIMPLE = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                    ast.ClassDef, ast.Pass)


def _call_root(func: ast.expr) -> str | None:
    """``np.random.default_rng`` -> ``np``; a call of anything else is not a constant."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _constant_expr(expr: ast.expr, names: set[str], roots: set[str]) -> bool:
    todo = [expr]
    while todo:
        node = todo.pop()
        if not isinstance(node, _CONSTANT_NODES):
            return False
        if isinstance(node, ast.Lambda):
            names |= _loads(node)
            continue
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Attribute):
                return False
            root = _call_root(node.func)
            if root is None:
                return False
            roots.add(root)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.add(node.id)
        _add_children(node, todo)
    return True


def _name_targets(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, ast.Starred):
        return _name_targets(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_name_targets(t) for t in target.elts)
    return False


def constant_needs(stmt: ast.stmt) -> tuple[set[str], set[str]] | None:
    """For a statement the grader may keep although it is not a def or an import: the names
    it needs and the call roots (which must be modules), or None when it is not keepable.

    Keepable: ``EPS = 1e-8``, ``SHAPE = (2, 1)``, ``TINY = np.finfo(float).tiny``,
    ``act = lambda z: ...``, and ``try``/``if`` blocks made only of those, imports and defs
    (``try: import cupy as xp`` / ``except ImportError: import numpy as xp``).
    Not keepable: anything that calls a function other than a module's (``X, Y = load_dataset()``),
    loops, prints, comprehensions: they are the notebook's experiments, not its definitions.
    """
    names: set[str] = set()
    roots: set[str] = set()
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                return None
        elif isinstance(node, _KEEPABLE_SIMPLE):
            if isinstance(node, _DEFS):
                names |= needed_names(node)
        elif isinstance(node, ast.Assign):
            if not all(_name_targets(t) for t in node.targets) \
                    or not _constant_expr(node.value, names, roots):
                return None
        elif isinstance(node, ast.AnnAssign):
            if node.value is None or not isinstance(node.target, ast.Name) \
                    or not _constant_expr(node.value, names, roots):
                return None
        elif isinstance(node, ast.Expr):
            if not isinstance(node.value, ast.Constant):  # a docstring, nothing else
                return None
        elif isinstance(node, ast.If):
            if not _constant_expr(node.test, names, roots):
                return None
            todo += node.body + node.orelse
        elif isinstance(node, ast.Try):
            for handler in node.handlers:
                if handler.type is not None and not _constant_expr(handler.type, names, roots):
                    return None
                todo += handler.body
            todo += node.body + node.orelse + node.finalbody
        else:
            return None
    return names, roots


def runs_name(stmt: ast.stmt, name: str) -> bool:
    """Does running the top-level ``stmt`` read ``name`` (not inside a def, a class or a lambda,
    whose bodies only run later)?"""
    if isinstance(stmt, _DEFS + (ast.ClassDef,)):
        return False
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, _DEFS + (ast.ClassDef, ast.Lambda)):
            continue
        todo.extend(ast.iter_child_nodes(node))
    return False


def calls_to(node: ast.AST, name: str) -> list[ast.Call]:
    """Calls of the plain name ``name`` (e.g. ``input()``) anywhere inside ``node``."""
    found, todo = [], [node]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            found.append(node)
        _add_children(node, todo)
    return sorted(found, key=lambda call: (call.lineno, call.col_offset))


# --------------------------------------------------------------------------- rendering


def statement_span(stmt: ast.stmt) -> tuple[int, int, int, int]:
    """(first line, first column, last line, end column) of a statement, decorators included;
    columns are UTF-8 byte offsets, as ``ast`` gives them."""
    decorators = getattr(stmt, "decorator_list", None)
    if decorators:
        return decorators[0].lineno, 0, stmt.end_lineno, stmt.end_col_offset
    return stmt.lineno, stmt.col_offset, stmt.end_lineno, stmt.end_col_offset


def _char_column(line: str, byte_column: int | None) -> int | None:
    if byte_column is None or line.isascii():
        return byte_column
    return len(line.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))


def render(lines: list[str], statements: list[ast.stmt]) -> list[str]:
    """The lines of ``lines`` that the statements cover; everything else becomes blank.

    A statement keeps its line numbers. Where a kept statement shares a line with a dropped
    one (``import numpy as np; train()``), only the kept part stays on that line.
    """
    spans = sorted(statement_span(s) for s in statements)
    if not spans:
        return []
    last = max(span[2] for span in spans)
    out = [""] * last
    pieces: dict[int, list[tuple[int, int | None]]] = {}
    for first, col, end, end_col in spans:
        if first == end:
            pieces.setdefault(first, []).append((col, end_col))
            continue
        pieces.setdefault(first, []).append((col, None))
        for number in range(first + 1, end):
            out[number - 1] = lines[number - 1]
        pieces.setdefault(end, []).append((0, end_col))
    for number, parts in pieces.items():
        line = lines[number - 1]
        if len(parts) == 1 and parts[0][0] == 0 and parts[0][1] is None:
            out[number - 1] = line
            continue
        parts.sort()
        texts = [line[_char_column(line, start):_char_column(line, stop)] for start, stop in parts]
        rest = line[_char_column(line, parts[-1][1]):] if parts[-1][1] is not None else ""
        if rest.lstrip().startswith("#"):
            texts[-1] += rest  # the student's comment at the end of a kept line stays
        out[number - 1] = "; ".join(texts)
    return out
