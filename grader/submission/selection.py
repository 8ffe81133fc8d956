"""Which code of a submission the grader keeps, and what to tell the student about the rest.

The rules (see ``docs/internals.md``, ``grader.submission``):

1. A graded function's definition is the last top-level ``def NAME`` of the last *graded cell*
   of NAME (a cell starting with ``# GRADED FUNCTION: NAME``, or marked so in its metadata by
   our generator or by nbgrader); when no graded cell defines it (the student split or copied
   cells), the last top-level ``def NAME`` of any code cell. Other definitions are duplicates.
2. From there, the needed module-level names are followed transitively to the statements that
   bind them (in any code cell; a name's last binding in notebook order counts): imports,
   defs, classes, and constants (literals, arithmetic, calls of module functions such as
   ``np.finfo(float).eps``). Everything else is dropped: training runs, plots, prints, loops,
   ``input()``, test calls. A name bound only by dropped code is reported, never kept.
3. A cell that does not parse is not kept; its graded functions get a ``syntax`` problem.
"""
from __future__ import annotations

import ast
import builtins
import difflib
import importlib.util
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from grader.submission import pysource
from grader.submission.pysource import SyntaxIssue
from grader.submission.reading import Unit

BUILTINS = frozenset(dir(builtins))
# Names IPython puts in a notebook's namespace: not student bindings, not errors.
IPYTHON_NAMES = frozenset({"display", "get_ipython", "In", "Out", "exit", "quit", "_", "__", "___"})

_SEGMENT_START = re.compile(r"(?:@|def\s|async\s+def\s|class\s|# ?%%|# In\[)")
_TYPE_NAMES = {"markdown": "Markdown", "raw": "Raw"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Parsed:
    """A code unit, parsed on first use (magics blanked; a .py file piece by piece).

    Most cells of a notebook (test calls, prints, plots) turn out not to matter, and parsing
    is most of the cost of loading: a cell is parsed only when its text shows it may define a
    graded function or bind a needed name (see :func:`_binding_pattern`), or when a rare message
    needs everything.
    """

    def __init__(self, unit: Unit):
        self.unit = unit
        self.defines: set[str] = set()  # graded names its text may define at the top level

    @cached_property
    def _parsed(self) -> tuple:
        return _parse(self.unit)

    @property
    def lines(self) -> list[str]:
        """The code parsed: magics blanked, same line numbers as the student's."""
        return self._parsed[0]

    @property
    def body(self) -> list[ast.stmt]:
        return self._parsed[1]

    @property
    def broken(self) -> list[tuple[int, int, SyntaxIssue]]:
        """(first line, last line, why) of what does not parse."""
        return self._parsed[2]

    @property
    def cell_magic(self) -> str | None:
        return self._parsed[3]

    @cached_property
    def bindings(self) -> dict[str, list[ast.stmt]]:
        """Module-level name -> the top-level statements of this unit that bind it."""
        found: dict[str, list[ast.stmt]] = {}
        for stmt in self.body:
            for name in pysource.module_bindings(stmt):
                found.setdefault(name, []).append(stmt)
        return found

    @property
    def label(self) -> str:
        return self.unit.label

    @cached_property
    def text_lines(self) -> list[str]:
        """The lines as the student wrote them (for excerpts)."""
        return self.unit.text.split("\n")

    def where(self, line: int | None) -> str:
        return f"{self.unit.label}, line {line}" if line else self.unit.label


@lru_cache(maxsize=4096)
def _binding_pattern(name: str) -> re.Pattern:
    """Text that may bind ``name`` at module level. Conservative: it must match every binding
    (``name = ``, ``a, name = ``, ``for name in``, ``import x as name``, ``import name.sub``,
    ``def name(``, ``class name(``...) and may match more; it skips ``name.attr``, ``name(...)``
    and ``name[...]``, the uses that fill a notebook's test cells and never bind."""
    if name == "*":
        return re.compile(r"\bimport[ \t(]*\*")
    n = re.escape(name)
    return re.compile(rf"\b{n}\b(?![ \t]*[.(\[])|\b(?:def|class)[ \t]+{n}\b|\bimport\b[^\n]*\b{n}\b")


@lru_cache(maxsize=1024)
def _def_pattern(name: str) -> re.Pattern:
    """A line that starts a top-level ``def name(`` (so also the text of one that does not parse)."""
    return re.compile(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", re.MULTILINE)


@dataclass
class Definition:
    parsed: Parsed
    line: int
    node: ast.FunctionDef | None = None  # None: in code that does not parse
    issue: SyntaxIssue | None = None

    @property
    def where(self) -> str:
        return self.parsed.where(self.line)


@dataclass
class Binding:
    parsed: Parsed
    stmt: ast.stmt

    @cached_property
    def category(self) -> str:
        stmt = self.stmt
        if isinstance(stmt, ast.Import):
            return "module"
        if isinstance(stmt, ast.ImportFrom):
            return "other" if stmt.module == "__future__" else "import"
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return "def"
        return "constant" if self._constant is not None else "other"

    @cached_property
    def _constant(self):
        return pysource.constant_needs(self.stmt)

    @cached_property
    def needs(self) -> set[str]:
        if self.category == "def":
            return pysource.needed_names(self.stmt)
        if self.category == "constant":
            return self._constant[0]
        return set()

    @property
    def call_roots(self) -> set[str]:
        return self._constant[1] if self.category == "constant" else set()

    @property
    def where(self) -> str:
        return self.parsed.where(self.stmt.lineno)

    @property
    def name(self) -> str:
        """What the statement defines, for messages: ``helper``, or ``EPS, TINY``."""
        return getattr(self.stmt, "name", None) or ", ".join(sorted(pysource.module_bindings(self.stmt)))


@dataclass
class Note:
    function: str | None
    kind: str
    message: str


@dataclass
class Selection:
    parsed: list[Parsed]
    kept: dict = field(default_factory=dict)       # id(Parsed) -> {statement ids}
    winners: dict = field(default_factory=dict)    # function -> Definition (node set)
    notes: list = field(default_factory=list)


# --------------------------------------------------------------------------- parsing


def _parse(unit: Unit) -> tuple:
    """(lines, body, broken, cell magic) of a unit; see :class:`Parsed`."""
    code, magic = unit.text, None
    tree = pysource.parse(code, unit.filename)
    if isinstance(tree, SyntaxIssue):
        blanked, magic = pysource.blank_magics(code)
        if blanked != code:
            code, tree = blanked, pysource.parse(blanked, unit.filename)
    lines = code.split("\n")
    if isinstance(tree, ast.Module):
        return lines, tree.body, [], magic
    if unit.cell_index is not None:  # a cell is all or nothing, as in Jupyter
        return lines, [], [(1, len(lines), tree)], magic
    return _parse_pieces(unit, lines, magic)


def _parse_pieces(unit: Unit, lines: list[str], magic) -> tuple:
    """A .py file with a syntax error: parse it piece by piece (each top-level def/class, or
    each ``# %%`` cell), so that one broken function does not cost the others."""
    starts = [0]
    previous = ""
    for i, line in enumerate(lines):
        if i and _SEGMENT_START.match(line) and not previous.startswith("@"):
            starts.append(i)
        if line.strip():
            previous = line
    starts.append(len(lines))
    body, broken = [], []
    for start, stop in zip(starts, starts[1:]):
        padded = "\n" * start + "\n".join(lines[start:stop])
        tree = pysource.parse(padded, unit.filename)
        if isinstance(tree, ast.Module):
            body += tree.body
        else:
            broken.append((start + 1, stop, tree))
    return lines, body, broken, magic


# --------------------------------------------------------------------------- selection


def _def_lines(parsed: Parsed, first: int, last: int, name: str) -> list[int]:
    """Lines of code that does not parse which look like a top-level ``def name(``."""
    pattern = _def_pattern(name)
    lines = parsed.text_lines
    return [n for n in range(first, min(last, len(lines)) + 1) if pattern.match(lines[n - 1])]


@lru_cache(maxsize=64)
def _defs_pattern(functions: tuple) -> re.Pattern:
    names = "|".join(re.escape(name) for name in sorted(functions, key=len, reverse=True))
    return re.compile(rf"^(?:async[ \t]+)?def[ \t]+({names})[ \t]*\(", re.MULTILINE)


def _definitions(parsed: list[Parsed], name: str) -> list[Definition]:
    found = []
    for p in parsed:
        if name not in p.unit.marks and name not in p.defines:
            continue  # cannot define it: not worth parsing
        here = [Definition(p, s.lineno, node=s) for s in p.body
                if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == name]
        for first, last, issue in p.broken:
            lines = _def_lines(p, first, last, name)
            if not lines and name in p.unit.marks:
                lines = [issue.lineno or first]  # the graded cell of `name`, broken before its def
            here += [Definition(p, n, issue=issue) for n in lines]
        found += sorted(here, key=lambda d: d.line)
    return found


def select(units: list[Unit], functions: list[str], is_notebook: bool) -> Selection:
    selection = Selection([Parsed(u) for u in units if u.is_code])
    defs = _defs_pattern(tuple(functions))
    for p in selection.parsed:  # one scan of each cell for all the graded names it may define
        p.defines = set(defs.findall(p.unit.text)) if "def" in p.unit.text else set()
    with warnings.catch_warnings():
        # SyntaxWarnings ("\d", `x is 1`...) are the student's business, not the grader's log's.
        warnings.simplefilter("ignore", SyntaxWarning)
        Chooser(selection, functions, units, is_notebook).run()
    return selection


class Chooser:
    def __init__(self, selection: Selection, functions, units, is_notebook):
        self.s = selection
        self._index: dict[str, list[Binding]] = {}
        self._bindings: dict[int, Binding] = {}
        self.functions = functions
        self.units = units
        self.is_notebook = is_notebook
        self._resolved: dict[str, tuple] = {}
        self._stars: list | None = None

    # ---- helpers
    def bindings(self, name: str) -> list[Binding]:
        """The top-level statements that bind ``name``, in notebook order."""
        found = self._index.get(name)
        if found is None:
            pattern = _binding_pattern(name)
            found = []
            for p in self.s.parsed:
                text = p.unit.text
                if "_parsed" in p.__dict__ or (name in text or name == "*") and pattern.search(text):
                    for stmt in p.bindings.get(name, ()):
                        binding = self._bindings.get(id(stmt))
                        if binding is None:
                            binding = self._bindings[id(stmt)] = Binding(p, stmt)
                        found.append(binding)
            self._index[name] = found
        return found

    def all_names(self) -> list[str]:
        """Every name bound at the top level anywhere (parses everything: rare messages only)."""
        return sorted({name for p in self.s.parsed for name in p.bindings if name != "*"})

    def note(self, function, kind, message):
        self.s.notes.append(Note(function, kind, message))

    def keep(self, parsed: Parsed, stmt: ast.stmt) -> None:
        self.s.kept.setdefault(id(parsed), {})[id(stmt)] = stmt

    def run(self) -> None:
        for name in self.functions:
            self.choose(name)
        for name in self.functions:
            winner = self.s.winners.get(name)
            if winner is not None:
                self.follow(name, winner)

    # ---- the graded definition of each function
    def choose(self, name: str) -> None:
        changed_type = self.report_cell_types(name)
        definitions = _definitions(self.s.parsed, name)
        graded = [d for d in definitions if name in d.parsed.unit.marks]
        if graded:
            winner, why = graded[-1], f"the last cell that {graded[-1].parsed.unit.marks[name]}"
        elif definitions:
            winner, why = definitions[-1], "the last definition" + (" in the notebook" if self.is_notebook else "")
        else:
            if not changed_type:  # else that note already says why it is missing
                self.report_missing(name)
            return
        if winner.node is None:
            self.report_syntax(name, winner)
        else:
            self.s.winners[name] = winner
        others = [d for d in definitions if d is not winner]
        if others:
            places = ", ".join(d.where + (" (does not parse)" if d.node is None else "") for d in others)
            self.note(name, "duplicate",
                      f"`{name}` is defined {len(definitions)} times: in {winner.where} and in {places}. "
                      f"The one in {winner.where} is graded ({why}); delete the other copies so that "
                      "the code you run is the code that is graded.")

    def report_cell_types(self, name: str) -> bool:
        reported = False
        for unit in self.units:
            if name in unit.marks and not unit.is_code:
                kind = _TYPE_NAMES.get(unit.cell_type, f"{unit.cell_type!r}")
                found = [d for d in _definitions(self.s.parsed, name) if d.node is not None]
                then = (f" Meanwhile the definition in {found[-1].where} is graded." if found
                        else f" Until then `{name}` scores 0.")
                self.note(name, "cell_type",
                          f"{unit.label} {unit.marks[name]} but is a {kind} cell, so Jupyter does not run "
                          "its code and the grader does not grade it. Select the cell and change it back "
                          "to Code (menu Cell > Cell Type > Code, or press Y), then run it." + then)
                reported = True
        return reported

    def report_syntax(self, name: str, definition: Definition) -> None:
        p, issue = definition.parsed, definition.issue
        line = issue.lineno
        text = p.text_lines
        shown = ""
        if line and 0 < line <= len(text):
            # control characters (a NUL...) become "?" one for one, so the caret stays aligned
            excerpt = _CONTROL.sub("?", text[line - 1].expandtabs(4))
            shown = f"\n    {excerpt.rstrip()}"
            if issue.offset:
                column = len(text[line - 1][: issue.offset - 1].expandtabs(4))
                width = max(1, (issue.end_offset or issue.offset + 1) - issue.offset)
                shown += "\n    " + " " * column + "^" * min(width, max(1, len(excerpt) - column))
        where = p.where(line)
        if p.unit.cell_index is not None:
            scope = f"none of the code in {p.label} can be graded"
            check = "Jupyter shows the same error when you run the cell"
        else:
            first, last, _ = next(b for b in p.broken if b[2] is issue)
            scope = f"lines {first} to {last} of {p.label} cannot be graded"
            check = f"`python {p.label}` shows the same error"
        self.note(name, "syntax",
                  f"{issue.kind} in {where}: {issue.message}{shown}\n"
                  f"Fix {'this line' if line else 'it'} ({check}); until then {scope}, so `{name}` scores 0.")

    def report_missing(self, name: str) -> None:
        hints = []
        graded_cells = [p for p in self.s.parsed if name in p.unit.marks]
        for p in graded_cells:
            if p.cell_magic:
                hints.append(f"{p.label} {p.unit.marks[name]} but its first line is a %%{p.cell_magic} "
                             "cell magic, so its code is not run as Python: delete that line.")
                continue
            defined = [s.name for s in p.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and s.name not in self.functions]
            instead = f"; it defines `{defined[-1]}` instead: rename it back to `{name}`" if defined else ""
            hints.append(f"{p.label} {p.unit.marks[name]} but does not define `{name}`{instead}.")
        for p in self.s.parsed:
            for stmt in p.body:
                nested = next((n for n in ast.walk(stmt) if n is not stmt and isinstance(
                    n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)
                if nested is not None:
                    hints.append(f"{p.where(nested.lineno)} defines `{name}` inside {_describe(stmt)}: "
                                 "a graded function must be defined at the top level of a cell, not indented.")
        for binding in self.bindings(name):  # sigmoid = np.vectorize(...), sigmoid = lambda z: ...
            hints.append(f"{binding.where} assigns `{name} = ...`: a graded function must be written as "
                         f"`def {name}(...):`.")
        if not hints:
            names: dict[str, str] = {}
            for p in self.s.parsed:
                for stmt in p.body:
                    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name not in self.functions:
                        names[stmt.name] = p.where(stmt.lineno)
                for other in p.unit.other_marks:
                    names.setdefault(other, p.label)
            for close in difflib.get_close_matches(name, list(names), n=1, cutoff=0.75):
                hints.append(f"{names[close]} defines `{close}`: if that is your `{name}`, rename it to `{name}`.")
        hint = " " + " ".join(hints) if hints else ""
        if not self.is_notebook:
            self.note(name, "missing",
                      f"`{name}` is missing: {self.s.parsed[0].label if self.s.parsed else 'the file'} has no "
                      f"top-level `def {name}(...)`.{hint} Add it, with the parameters of the original "
                      "notebook; until then it scores 0.")
            return
        self.note(name, "missing",
                  f"`{name}` is missing: no code cell defines it at the top level.{hint} It belongs in the "
                  f"code cell that starts with `# GRADED FUNCTION: {name}`{self._place(name)}. If you "
                  "deleted or renamed that cell, copy it back from a fresh copy of the assignment "
                  f"notebook and complete it; until then `{name}` scores 0.")

    def _place(self, name: str) -> str:
        position = self.functions.index(name)
        for other in reversed(self.functions[:position]):
            if other in self.s.winners:
                return f", after {self.s.winners[other].parsed.label} (`{other}`)"
        for other in self.functions[position + 1:]:
            if other in self.s.winners:
                return f", before {self.s.winners[other].parsed.label} (`{other}`)"
        return ""

    # ---- what the graded definitions need
    def resolve(self, name: str, stack: tuple = ()) -> tuple:
        """(binding, None) when ``name`` resolves to something the grader keeps; (None, binding)
        when its last binding is dropped code; (None, None) when nothing binds it."""
        if name in self._resolved:
            return self._resolved[name]
        bindings = self.bindings(name)
        if not bindings:
            result = (None, None)
        else:
            last = bindings[-1]
            ok = last.category in ("module", "import", "def")
            if last.category == "constant" and name not in stack:
                ok = all(self._is_module(root, stack + (name,)) for root in last.call_roots) and all(
                    self._available(need, stack + (name,)) for need in last.needs)
            result = (last, None) if ok else (None, last)
        if not stack:
            self._resolved[name] = result
        return result

    def _is_module(self, name: str, stack: tuple) -> bool:
        binding, _ = self.resolve(name, stack)
        return binding is not None and binding.category == "module"

    def _available(self, name: str, stack: tuple) -> bool:
        if name in self.functions:
            return name in self.s.winners
        binding, dropped = self.resolve(name, stack)
        return binding is not None or (dropped is None and name in BUILTINS)

    def follow(self, function: str, winner: Definition) -> None:
        self.keep(winner.parsed, winner.node)
        needs = pysource.needed_names(winner.node)
        self.report_input(function, winner, needs)
        todo = [(need, None) for need in sorted(needs)]
        seen = {n for n, _ in todo}
        unfinished = None
        while todo:
            name, via = todo.pop(0)
            if name in self.functions:
                continue  # the graded definition (kept anyway) or a stand-in from the grader
            binding, dropped = self.resolve(name)
            if binding is not None:
                self.keep(binding.parsed, binding.stmt)
                for need in sorted(binding.needs | binding.call_roots):
                    if need not in seen:
                        seen.add(need)
                        todo.append((need, binding))
                continue
            if name in BUILTINS or name in IPYTHON_NAMES:
                continue
            if via is None and unfinished is None:
                unfinished = _unfinished(winner.node)
            if via is None and unfinished:
                continue  # a stub (raise NotImplementedError): the grader's runs already say so
            user = f"`{function}`" if via is None else f"`{function}` (through {_named(via)}, {via.where})"
            if dropped is not None:
                self.note(function, "dropped",
                          f"{user} uses the global name `{name}`, which {dropped.where} sets with top-level "
                          "code that is not run when grading (only functions, imports and simple constants "
                          "are kept). Pass the value as a parameter, or compute it inside the function.")
                continue
            self.report_unbound(function, user, name, winner if via is None else via)

    def _star_imports(self) -> list[Binding]:
        """``from X import *`` statements that may provide a name nothing else binds: those of
        installed libraries (``from numpy import *``); a course file next to the notebook
        (``from public_tests import *``) is not there when grading. Found, never imported."""
        if self._stars is None:
            self._stars = [b for b in self.bindings("*") if b.category == "import"
                           and b.stmt.level == 0 and b.stmt.module and _installed(b.stmt.module.split(".")[0])]
        return self._stars

    def report_unbound(self, function: str, user: str, name: str, where) -> None:
        word = re.compile(rf"\b{re.escape(name)}\b")
        for p in self.s.parsed:
            for first, last, issue in p.broken if word.search(p.unit.text) else ():
                if word.search("\n".join(p.text_lines[first - 1:last])):
                    self.note(function, "syntax",
                              f"{user} uses `{name}`, which {p.label} seems to define, but {p.where(issue.lineno)} "
                              f"has a syntax error ({issue.message}), so none of it can be used: fix it.")
                    return
        stars = self._star_imports()
        if stars:
            for star in stars:
                self.keep(star.parsed, star.stmt)
            return
        close = difflib.get_close_matches(name, self.all_names() + list(self.functions), n=1, cutoff=0.8)
        spelled = f" (or fix the spelling: did you mean `{close[0]}`?)" if close else ""
        node = where.node if isinstance(where, Definition) else where.stmt
        line = min((n.lineno for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name), default=None)
        container = f"`{node.name}`" if hasattr(node, "name") else "that code"
        self.note(function, "undefined",
                  f"{user} uses `{name}` ({where.parsed.where(line)}), which is assigned neither in {container} "
                  f"nor anywhere in the {'notebook' if self.is_notebook else 'file'}, so that line raises "
                  f"NameError. Assign it first, or define or import it{spelled}.")

    def report_input(self, function: str, winner: Definition, needs: set) -> None:
        p = winner.parsed
        for call in pysource.calls_to(winner.node, "input") if "input" in needs else ():
            self.note(function, "input",
                      f"`{function}` calls input() ({p.where(call.lineno)}). Nobody can type while grading: "
                      "input() gets no text and raises EOFError, so this call fails. Take the value as a "
                      "parameter instead.")
        if not self.is_notebook or "input" not in p.unit.text:
            return
        lines = sorted({call.lineno for stmt in p.body if stmt is not winner.node
                        and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                        for call in pysource.calls_to(stmt, "input")})
        for line in lines:
            self.note(function, "input",
                      f"{p.where(line)} calls input() outside any function. Top-level code is not run when "
                      "grading, so this line was skipped; remove it so that the notebook runs from top "
                      "to bottom without waiting for someone to type.")


def _unfinished(node: ast.AST) -> bool:
    """Does a function still hold the stub's ``raise NotImplementedError``?"""
    for n in ast.walk(node):
        if isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False


@lru_cache(maxsize=256)
def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _named(binding: Binding) -> str:
    return f"`{binding.name}`" if binding.name else "top-level code"


def _describe(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.ClassDef):
        return f"class `{stmt.name}`"
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"function `{stmt.name}`"
    keyword = {ast.If: "if", ast.For: "for", ast.While: "while", ast.Try: "try", ast.With: "with"}
    return f"an `{keyword.get(type(stmt), type(stmt).__name__.lower())}` block"
