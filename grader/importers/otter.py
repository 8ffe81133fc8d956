"""An Otter-Grader assign notebook (its "v1" format): raw cells delimit the parts.

- ``# ASSIGNMENT CONFIG`` (YAML): the assignment's settings, not needed here;
- ``# BEGIN QUESTION`` (YAML: ``name``, ``points``) ... ``# END QUESTION``: one question, whose
  ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` raw cells hold the solution code cells (with
  ``# BEGIN SOLUTION`` / ``# END SOLUTION`` or ``# SOLUTION`` inside them) and whose
  ``# BEGIN TESTS`` ... ``# END TESTS`` raw cells hold one test per code cell;
- a test cell whose first line is ``# HIDDEN`` is hidden; a docstring at its top between
  ``# BEGIN TEST CONFIG`` and ``# END TEST CONFIG`` may give ``points`` and ``hidden``;
- a question's ``points`` (a number) is shared evenly by its tests that give none; a list
  gives each test its own.

A test passes when it runs without an error and, when its last line is an expression, prints
what the solution notebook printed (Otter's tests are doctests made from the cells).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import yaml

from grader.importers import (Cell, Imported, ImportProblem, Test, defined_functions, identifier, parse_cell,
                              strip_magics, test_function, title_of)

CONFIG = re.compile(r'^\s*"""\s*#\s*BEGIN TEST CONFIG\s*\n(.*?)"""\s*#\s*END TEST CONFIG\s*\n?', re.S)


def _raw_marker(cell) -> tuple[str, str]:
    """("begin question", yaml text), ("end tests", "")... for a raw delimiter cell, else ("", "")."""
    if cell.cell_type != "raw":
        return "", ""
    first, _, rest = cell.source.strip().partition("\n")
    match = re.match(r"^#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\s*$", first.strip(), re.I)
    if match:
        return f"{match.group(1).lower()} {match.group(2).lower()}", rest
    if re.match(r"^#\s*ASSIGNMENT CONFIG\s*$", first.strip(), re.I):
        return "config", rest
    return "", ""


def read(path: Path) -> Imported:
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    imported = Imported("otter", path, title="")
    question, part, pending, taken = None, None, [], set()
    for index, cell in enumerate(notebook.cells, 1):
        marker, text = _raw_marker(cell)
        if marker == "begin question":
            if question is not None:
                raise ImportProblem(f"question {question['name']!r} (cell {question['cell']}) has no # END QUESTION "
                                    f"before the next question (cell {index})", path=path,
                                    hint="close it with a raw cell holding # END QUESTION")
            question = _question(imported, index, text)
            pending = []
        elif marker == "end question":
            _points(imported, question, pending, index)
            question = None
        elif marker.startswith("begin "):
            part = marker[6:]
            if question is None and part in ("solution", "tests"):
                raise ImportProblem(f"cell {index}: # BEGIN {part.upper()} outside a question", path=path,
                                    hint="put it between # BEGIN QUESTION and # END QUESTION raw cells")
        elif marker.startswith("end ") or marker == "config":
            part = None if marker.startswith("end ") else part
        elif cell.cell_type == "markdown":
            imported.cells.append(Cell("markdown", cell.source, index, question["name"] if question else ""))
        elif cell.cell_type == "code" and part == "solution":
            functions = defined_functions(parse_cell(imported, index, cell.source, question["name"]))
            if not functions:
                raise ImportProblem(f"{imported.where(index, question['name'])}: this solution cell defines no "
                                    "function; the grader grades functions", path=path,
                                    hint="put the solution inside a def, and test that function")
            imported.cells.append(Cell("graded", cell.source, index, question["name"], functions))
        elif cell.cell_type == "code" and part == "tests":
            pending.append(_test(imported, index, cell.source, question, taken))
        elif cell.cell_type == "code":
            parse_cell(imported, index, cell.source)
            imported.cells.append(Cell("code", cell.source, index))
    if question is not None:
        raise ImportProblem(f"question {question['name']!r} (cell {question['cell']}) has no # END QUESTION",
                            path=path, hint="close it with a raw cell holding # END QUESTION")
    if not imported.functions:
        raise ImportProblem("no solution cell of a question defines a function", path=path,
                            hint="put each question's solution code between # BEGIN SOLUTION and # END SOLUTION")
    imported.title = title_of(imported.cells, path.stem)
    return imported


def _question(imported, index: int, text: str) -> dict:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ImportProblem(f"cell {index}: the question's settings are not valid YAML ({exc})",
                            path=imported.source) from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ImportProblem(f"cell {index}: # BEGIN QUESTION without a name", path=imported.source,
                            hint="write 'name: q1' on the line after # BEGIN QUESTION")
    return {"name": data["name"], "points": data.get("points"), "cell": index}


def _test(imported, index: int, source: str, question: dict, taken: set) -> Test:
    config = {}
    match = CONFIG.match(source)
    if match:
        config = yaml.safe_load(match.group(1)) or {}
        source = source[match.end():]
    hidden = bool(config.get("hidden"))
    if source.lstrip().startswith("# HIDDEN"):
        hidden, source = True, source.lstrip().split("\n", 1)[1] if "\n" in source.lstrip() else ""
    tree = parse_cell(imported, index, source, question["name"])
    function = test_function(imported, index, question["name"], source, imported.functions)
    expression = bool(tree.body) and isinstance(tree.body[-1], ast.Expr)
    points = config.get("points")
    test = Test(identifier(f"{question['name']} {index}", taken), strip_magics(source),
                float(points) if isinstance(points, (int, float)) else -1.0, function, hidden, index,
                visible="" if hidden else source, expression=expression)
    imported.cells.append(Cell("test", source, index, question["name"]))
    imported.tests.append(test)
    return test


def _points(imported, question, tests: list, index: int) -> None:
    """Each test's points: its own, else its share of the question's (a number, or one per test)."""
    if question is None:
        raise ImportProblem(f"cell {index}: # END QUESTION without # BEGIN QUESTION", path=imported.source)
    given = question["points"]
    if isinstance(given, list):
        if len(given) != len(tests):
            raise ImportProblem(f"question {question['name']!r} (cell {question['cell']}) lists {len(given)} "
                                f"points for {len(tests)} tests", path=imported.source,
                                hint="give one number per test, or one number for the question")
        for test, points in zip(tests, given):
            test.points = float(points)
        return
    unset = [test for test in tests if test.points < 0]
    share = (float(given or 0) - sum(t.points for t in tests if t.points >= 0)) / len(unset) if unset else 0.0
    for test in unset:
        test.points = share
