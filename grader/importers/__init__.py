"""``grader import KIND SOURCE.ipynb --name NAME``: an assignment from another tool's notebook.

One module per kind, each with ``read(path) -> Imported``: ``nbgrader`` (a source notebook
with solution regions and autograded test cells in nbgrader's cell metadata), ``otter`` (an
Otter-Grader assign notebook: ``# BEGIN QUESTION`` raw cells, solution and test cells), and
``solved`` (the course's own solved notebook: ``# GRADED FUNCTION:`` cells, tests in cells that
assert). :mod:`grader.importers.write` turns what was read into ``solutions/NAME/`` and a
``config.yaml`` entry. A new kind is a module here and one line in :data:`KINDS`.

What is read is plain data (:class:`Imported`): the notebook's cells in order, the graded
functions (their cells hold the reference, with solution regions), and the source's tests,
each with its points, whether students saw it, and the function it grades.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UserError

KINDS = ("nbgrader", "otter", "solved")


class ImportProblem(UserError):
    """The source notebook cannot be imported: names the cell and what is missing."""


@dataclass
class Cell:
    kind: str                     # "markdown", "code" (the author's code), "graded" (a solution), "test"
    source: str
    index: int                    # 1-based position in the source notebook
    label: str = ""               # its id in the source tool (nbgrader grade_id, Otter question)
    functions: tuple = ()         # for graded cells: the functions it defines


@dataclass
class Test:
    name: str                     # a Python identifier, unique
    source: str                   # the test's code, as in the source (hidden parts included)
    points: float
    function: str                 # the graded function it is counted under
    hidden: bool                  # students never saw it
    cell: int                     # where it was in the source notebook
    visible: str = ""             # the part students saw (nbgrader strips its hidden tests)
    expression: bool = False      # its last line's output is compared (Otter's doctest-style tests)


@dataclass
class Imported:
    kind: str
    source: Path
    title: str
    cells: list = field(default_factory=list)
    tests: list = field(default_factory=list)
    attribution: str = "as_submitted"   # the source tool runs each function with the student's own callees

    @property
    def functions(self) -> list:
        return [name for cell in self.cells if cell.kind == "graded" for name in cell.functions]

    def where(self, index: int, label: str = "") -> str:
        return f"cell {index}" + (f" ({label})" if label else "")


def strip_magics(source: str) -> str:
    """Code without IPython's ``%magic`` and ``!shell`` lines (they are not Python)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def parse_cell(imported: Imported, index: int, source: str, label: str = "") -> ast.Module:
    try:
        return ast.parse(strip_magics(source))
    except SyntaxError as exc:
        raise ImportProblem(f"{imported.where(index, label)}: syntax error at line {exc.lineno}: {exc.msg}",
                            path=imported.source, hint="fix the cell in the source notebook") from None


def defined_functions(tree: ast.Module) -> tuple:
    return tuple(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))


def called_functions(source: str, functions) -> list:
    """The graded functions a test's code names, in the order it first names them."""
    try:
        tree = ast.parse(strip_magics(source))
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in functions and node.id not in found:
            found.append(node.id)
    return sorted(found, key=lambda name: source.find(name))


def test_function(imported: Imported, index: int, label: str, source: str, earlier) -> str:
    """The function a test is counted under: the one its id names, else the first it calls."""
    named = [name for name in earlier if label and name in label]
    called = called_functions(source, earlier)
    if named:
        return max(named, key=len)
    if called:
        return called[0]
    raise ImportProblem(f"{imported.where(index, label)}: this test calls none of the functions defined in "
                        f"solution cells before it ({', '.join(earlier) or 'none yet'})", path=imported.source,
                        hint="the grader grades functions: a test must call the function it grades")


def identifier(text: str, taken: set) -> str:
    base = "".join(c if c.isalnum() else "_" for c in text).strip("_").lower() or "test"
    name = f"test_{base}" if not base.startswith("test") else base
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}_{n}", n + 1
    taken.add(unique)
    return unique


def title_of(cells: list, fallback: str) -> str:
    for cell in cells:
        if cell.kind == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback
