"""The course's own solved notebook: ``# GRADED FUNCTION: NAME`` cells hold complete solutions.

A graded cell's function body becomes its solution region (after the docstring; marked
``### BEGIN SOLUTION`` / ``### END SOLUTION``) unless the cell already marks one. A code cell
after a graded cell that ``assert``\\ s about graded functions is a test of the last one it
calls, worth 1 point, or what a ``# points: N`` line in it says; public, since students saw it.
Other code cells are the author's.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from grader.importers import (Cell, Imported, ImportProblem, Test, defined_functions, identifier, parse_cell,
                              strip_magics, test_function, title_of)

HEADER = re.compile(r"^\s*#\s*GRADED FUNCTION:\s*(\w+)\s*$")
POINTS = re.compile(r"^\s*#\s*points:\s*([0-9.]+)\s*$", re.M | re.I)
MARKED = re.compile(r"^\s*#+\s*(BEGIN SOLUTION|.*#\s*SOLUTION\s*$)", re.M)


def with_region(source: str, name: str) -> str:
    """``source`` with the body of ``def name`` (after its docstring) as a solution region."""
    if MARKED.search(source):
        return source
    tree = ast.parse(strip_magics(source))
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    body = node.body[1:] if ast.get_docstring(node) is not None and len(node.body) > 1 else node.body
    lines = source.splitlines()
    first, last = body[0].lineno, body[-1].end_lineno
    indent = lines[first - 1][:len(lines[first - 1]) - len(lines[first - 1].lstrip())]
    return "\n".join(lines[:first - 1] + [f"{indent}### BEGIN SOLUTION"] + lines[first - 1:last]
                     + [f"{indent}### END SOLUTION"] + lines[last:])


def read(path: Path) -> Imported:
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    imported = Imported("solved", path, title="")
    taken: set = set()
    for index, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "markdown":
            imported.cells.append(Cell("markdown", cell.source, index))
            continue
        if cell.cell_type != "code":
            continue
        first = cell.source.lstrip().split("\n", 1)[0]
        header = HEADER.match(first)
        tree = parse_cell(imported, index, cell.source)
        if header:
            name = header.group(1)
            if name not in defined_functions(tree):
                raise ImportProblem(f"cell {index}: '# GRADED FUNCTION: {name}' but the cell defines no function "
                                    f"{name}", path=path, hint=f"define {name} in this cell, or fix its header")
            imported.cells.append(Cell("graded", with_region(cell.source, name), index, name, (name,)))
        elif imported.functions and any(isinstance(n, ast.Assert) for n in ast.walk(tree)) \
                and set(_names(tree)) & set(imported.functions):
            function = test_function(imported, index, "", cell.source, imported.functions)
            points = POINTS.search(cell.source)
            imported.cells.append(Cell("test", cell.source, index))
            imported.tests.append(Test(identifier(f"{function} cell {index}", taken), strip_magics(cell.source),
                                       float(points.group(1)) if points else 1.0, function, False, index,
                                       visible=cell.source))
        else:
            imported.cells.append(Cell("code", cell.source, index))
    if not imported.functions:
        raise ImportProblem("no cell starts with '# GRADED FUNCTION: NAME'", path=path,
                            hint="begin each cell that holds a graded function with # GRADED FUNCTION: <name>")
    imported.title = title_of(imported.cells, path.stem)
    return imported


def _names(tree) -> list:
    return [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
