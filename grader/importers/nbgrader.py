"""An nbgrader source notebook: cells marked in ``metadata.nbgrader``.

- a *solution* cell (``solution: true``, ``grade: false``) holds graded functions, with
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions;
- an *autograded test* cell (``grade: true``, ``solution: false``) is worth ``points`` when it
  runs without an error; its ``### BEGIN HIDDEN TESTS`` part is removed from what students get;
- other code cells are the author's (imports, data), Markdown cells the text.

A manually graded cell (``grade`` and ``solution`` both, or a graded Markdown cell) cannot be
graded automatically: it is refused, naming the cell.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from grader.importers import (Cell, Imported, ImportProblem, Test, defined_functions, identifier, parse_cell,
                              test_function, title_of)

HIDDEN = re.compile(r"^[ \t]*###\s*BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*###\s*END HIDDEN TESTS[ \t]*$\n?", re.M | re.S)
SOLUTION = re.compile(r"^\s*#+\s*BEGIN SOLUTION", re.M)


def read(path: Path) -> Imported:
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    imported = Imported("nbgrader", path, title="")
    taken: set = set()
    for index, cell in enumerate(notebook.cells, 1):
        meta = cell.metadata.get("nbgrader") or {}
        label = str(meta.get("grade_id", ""))
        where = imported.where(index, label)
        solution, grade = bool(meta.get("solution")), bool(meta.get("grade"))
        if cell.cell_type == "markdown":
            if grade:
                raise ImportProblem(f"{where}: a manually graded answer cannot be graded automatically",
                                    path=path, hint="remove it, or make it an ungraded Markdown cell")
            imported.cells.append(Cell("markdown", cell.source, index, label))
        elif cell.cell_type != "code":
            continue
        elif solution and grade:
            raise ImportProblem(f"{where}: a manually graded code answer cannot be graded automatically",
                                path=path, hint="split it into a solution cell and an autograded test cell")
        elif solution:
            functions = defined_functions(parse_cell(imported, index, cell.source, label))
            if not functions:
                raise ImportProblem(f"{where}: this solution cell defines no function; the grader grades functions",
                                    path=path, hint="put the solution inside a def, and test that function")
            if not SOLUTION.search(cell.source):
                raise ImportProblem(f"{where}: this solution cell has no ### BEGIN SOLUTION region", path=path,
                                    hint="mark the code students write with ### BEGIN SOLUTION / ### END SOLUTION")
            imported.cells.append(Cell("graded", cell.source, index, label, functions))
        elif grade:
            if not isinstance(meta.get("points"), (int, float)):
                raise ImportProblem(f"{where}: this autograded test cell has no points", path=path,
                                    hint="set its points in nbgrader's cell toolbar (metadata nbgrader.points)")
            parse_cell(imported, index, cell.source, label)
            function = test_function(imported, index, label, cell.source, imported.functions)
            imported.cells.append(Cell("test", cell.source, index, label))
            visible = HIDDEN.sub("", cell.source)
            imported.tests.append(Test(identifier(label or f"cell {index}", taken), cell.source,
                                       float(meta["points"]), function, hidden=not visible.strip(), cell=index,
                                       visible=visible))
        else:
            parse_cell(imported, index, cell.source, label)
            imported.cells.append(Cell("code", cell.source, index, label))
    if not imported.functions:
        raise ImportProblem("no solution cell (nbgrader metadata solution: true) defines a function", path=path,
                            hint="mark the cells that hold the solutions as solution cells in nbgrader")
    imported.title = title_of(imported.cells, path.stem)
    return imported
