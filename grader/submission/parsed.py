"""A submission's code units as the selection sees them: parsed on demand, indexed by word.

:class:`Parsed` wraps a :class:`~grader.submission.reading.Unit` and parses it on first use;
:class:`Definition` and :class:`Binding` are the top-level ``def``s and statements the
selection chooses from; :func:`word_index` says which units mention a name, so that looking a
name up costs the units that mention it, not every unit of the notebook.
"""
from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from grader.submission import pysource
from grader.submission.pysource import SyntaxIssue
from grader.submission.reading import Unit

_SEGMENT_START = re.compile(r"(?:@|def\s|async\s+def\s|class\s|# ?%%|# In\[)")
_WORD = re.compile(r"\w+")


class Parsed:
    """A code unit, parsed on first use (magics blanked; a .py file piece by piece).

    Most cells of a notebook (test calls, prints, plots) turn out not to matter, and parsing
    is most of the cost of loading: a cell is parsed only when its text shows it may define a
    graded function or bind a needed name (see :func:`binding_pattern`), or when a rare message
    needs everything.
    """

    def __init__(self, unit: Unit):
        self.unit = unit
        self.defines: set[str] = set()  # graded names its text may define at the top level
        self.position = 0               # its place among the code units, in notebook order

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


def binding_pattern(name: str) -> re.Pattern:
    """See :func:`_binding_pattern`; long names (students' own) are not kept in the cache."""
    return _binding_pattern(name) if len(name) <= 64 else _binding_pattern.__wrapped__(name)


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
def _def_pattern(name: str) -> re.Pattern:  # only graded names: a short, fixed set
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
        # Each piece parsed alone, then moved to its lines: padding it with the lines above
        # would make a file of many small pieces quadratic to parse.
        tree = pysource.parse("\n".join(lines[start:stop]), unit.filename)
        if isinstance(tree, ast.Module):
            body += ast.increment_lineno(tree, start).body
        else:
            lineno = tree.lineno + start if tree.lineno else None
            broken.append((start + 1, stop, dataclasses.replace(tree, lineno=lineno)))
    return lines, body, broken, magic


def _def_lines(parsed: Parsed, first: int, last: int, name: str) -> list[int]:
    """Lines of code that does not parse which look like a top-level ``def name(``."""
    pattern = _def_pattern(name)
    lines = parsed.text_lines
    return [n for n in range(first, min(last, len(lines)) + 1) if pattern.match(lines[n - 1])]


@lru_cache(maxsize=64)
def defs_pattern(functions: tuple) -> re.Pattern:
    names = "|".join(re.escape(name) for name in sorted(functions, key=len, reverse=True))
    return re.compile(rf"^(?:async[ \t]+)?def[ \t]+({names})[ \t]*\(", re.MULTILINE)


def definitions(parsed: list[Parsed], name: str) -> list[Definition]:
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




def word_index(parsed: list[Parsed]) -> dict[str, list[int]]:
    """Word -> positions, in order, of the units whose text holds it. A unit that binds or
    defines an ASCII name holds it as a word; see :meth:`~grader.submission.selection.Chooser.bindings`."""
    index: dict[str, list[int]] = {}
    for position, p in enumerate(parsed):
        for word in set(_WORD.findall(p.unit.text)):
            index.setdefault(word, []).append(position)
    return index
