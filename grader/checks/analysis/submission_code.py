"""A submission's kept code, parsed once per batch: top-level defs, import aliases, lines.

Runs in the trusted parent on the kept chunks of a submission (AST only, never exec). Line
numbers are those of the chunk's file (``"<cell 7>"``): the loader keeps them. The
reference's own code is read the same way, from its already-parsed tree
(:meth:`SubmissionCode.from_reference`), so that the rank1 check can compare like with like.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from grader import syntax


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
    hint: str = ""       # the kind of mistake config.yaml's hints may add advice for ("sum", "product"...)
    in_c: bool = False   # iterates in C (map(math.exp, ...), sum(arr)): no Python line event shows a round

    @property
    def where(self) -> str:
        inside = "" if not self.function else f" (in {self.function})"
        return f"line {self.line}{inside}"


@dataclass
class Definition:
    name: str
    filename: str
    node: ast.AST        # FunctionDef / AsyncFunctionDef (or a module-level assignment)
    lines: list          # the chunk's source lines
    _statements: dict | None = field(default=None, repr=False)

    def statements_at(self, line: int) -> list:
        """The simple statements starting at ``line`` (indexed once: the locals observer asks
        for every line it reports)."""
        if self._statements is None:
            index: dict = {}
            for node in walk(self.node):
                if isinstance(node, ast.stmt) and not isinstance(
                        node, (ast.FunctionDef, ast.For, ast.While, ast.If, ast.With)):
                    index.setdefault(node.lineno, []).append(node)
            self._statements = index
        return self._statements.get(line, [])

    def contains(self, filename: str, line: int) -> bool:
        node = self.node
        return self.filename == filename and node.lineno <= line <= (node.end_lineno or node.lineno)


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
                tree = syntax.parse(chunk.source, filename=chunk.filename)
            except (SyntaxError, ValueError):
                code.unparsable.append(chunk.filename)
                continue
            code.add_module(tree, chunk.filename, chunk.source.splitlines())
        return code

    @classmethod
    def from_source(cls, source: str, filename: str = "<cell 1>") -> "SubmissionCode":
        """For tests and tools: one chunk of code."""
        return cls.from_chunks([_Chunk(filename, source)])

    @classmethod
    def from_reference(cls, source, filename: str) -> "SubmissionCode":
        """The reference's code from its :class:`~grader.reference.ReferenceSource` (no re-parse)."""
        code = cls()
        code.add_module(source.tree, filename, source.text.splitlines())
        return code

    def add_module(self, tree: ast.Module, filename: str, lines: list) -> None:
        self.lines[filename] = lines
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defs[node.name] = Definition(node.name, filename, node, lines)
                self.globals_.pop(node.name, None)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                # module-level values a function may use: _sig = np.frompyfunc(lambda v: ..., 1, 1)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.globals_[target.id] = Definition(target.id, filename, node, lines)
                        self.defs.pop(target.id, None)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

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

    def definition_at(self, filename: str, line: int) -> Definition | None:
        """The top-level def whose lines hold ``line`` of ``filename``."""
        for definition in self.defs.values():
            if definition.contains(filename, line):
                return definition
        return None

    def call_graph(self, names) -> dict:
        names = set(names) & set(self.defs)
        return {n: called_names(self.defs[n].node) & names for n in names}


def walk(node: ast.AST) -> tuple:
    """``ast.walk(node)`` as a tuple, in the same order, made once per node and kept on it (with
    the parsed code, per batch): every spot finder of both teaching checks walks the same
    definitions again, for every function that reaches them. The trees the checks read are never
    changed after parsing."""
    nodes = getattr(node, "_walked", None)
    if nodes is None:
        nodes = tuple(ast.walk(node))
        node._walked = nodes
    return nodes


@dataclass
class _Chunk:
    filename: str
    source: str


class CodeCache:
    """Parsed submissions, kept for one batch: each submission's code is parsed once, however
    many functions and checks judge it. Bounded, so a long batch does not grow it. Keyed by the
    code chunks' names and text, which is all the parse depends on (the same bytes read for
    another assignment, or a .py file under another student's name, is other code)."""

    LIMIT = 64

    def __init__(self):
        self._entries: dict = {}

    def get(self, submission) -> SubmissionCode:
        key = tuple((chunk.filename, chunk.source) for chunk in getattr(submission, "chunks", None) or ())
        code = self._entries.get(key)
        if code is None:
            code = SubmissionCode.from_chunks(getattr(submission, "chunks", ()))
            if len(self._entries) >= self.LIMIT:
                self._entries.clear()
            self._entries[key] = code
        return code


PARSED = "(parsed code)"    # the batch's CodeCache in FunctionRun.state (no check has this name)


def code_of(run) -> SubmissionCode:
    """``run``'s submission parsed, once per batch for every check that reads code (``run.state``
    is the batch's), with the helpers each function reaches, which both teaching checks ask for."""
    cache = run.state.get(PARSED)
    if cache is None:
        cache = run.state.setdefault(PARSED, CodeCache())
    return cache.get(run.submission)


def read_names(node: ast.AST) -> set:
    """Plain names this code reads (to follow module-level values such as a frompyfunc'd lambda)."""
    return {sub.id for sub in walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def called_names(node: ast.AST) -> set:
    """Plain names this code calls or passes around as callables (``map(helper, ...)``)."""
    names = set()
    for sub in walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Name):
                names.add(sub.func.id)
            for arg in list(sub.args) + [k.value for k in sub.keywords]:
                if isinstance(arg, ast.Name):
                    names.add(arg.id)
    return names


def make_spot(code: SubmissionCode, definition: Definition, node, kind: str, what: str, *,
              constant: bool = False, fix: str = "", target: str = "", hint: str = "", in_c: bool = False) -> Spot:
    line = getattr(node, "lineno", definition.node.lineno)
    return Spot(kind=kind, what=what, filename=definition.filename, line=line,
                end_line=getattr(node, "end_lineno", line) or line, function=definition.name,
                excerpt=code.excerpt(definition.filename, line), constant=constant, fix=fix, target=target,
                hint=hint, in_c=in_c)
