"""gradebook.csv: one row per student: id, source, total, max, one column per function, status.

``source`` is the file or folder graded (relative to the submissions folder), so a row
always says which submission it is. It is the student's own file name: shown with
visible control characters, and never as a spreadsheet formula (a leading ``=``, ``+``,
``-``, ``@`` gets a ``'`` before it, as spreadsheets themselves do for text).
"""
from __future__ import annotations

import csv
import io

from grader.report.budgets import LINE_CHARS
from grader.report.files import number
from grader.report.text import one_line

COLUMNS_BEFORE = ("student", "source", "total", "max")
COLUMNS_AFTER = ("status",)
_FORMULA_STARTS = ("=", "+", "-", "@")


def gradebook_columns(assignment) -> list:
    return [*COLUMNS_BEFORE, *assignment.functions, *COLUMNS_AFTER]


def text_cell(text: str) -> str:
    cell = one_line(text, LINE_CHARS)
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def gradebook_csv(assignment, results: list) -> str:
    functions = list(assignment.functions)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(gradebook_columns(assignment))
    for result in sorted(results, key=lambda r: r.student):
        writer.writerow([result.student, text_cell(result.source), number(result.score), number(result.max_score),
                         *(number(result.function_score(name)) for name in functions), result.status])
    return buffer.getvalue()
