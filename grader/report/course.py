"""The course gradebook: the assignments' gradebooks side by side, one column per assignment.

``grader gradebook build/grades/logreg build/grades/planar`` (or ``name=folder`` to name an
assignment other than by its folder) reads each folder's ``gradebook.csv`` and writes one row
per student found in any of them: each assignment's total (empty where the student has no
row), and the sum. The first row after the header is ``max``: what each column is out of.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.errors import UserError
from grader.layout import GRADEBOOK
from grader.report.files import number

MAX_ROW = "max"


def read_gradebooks(specs: list) -> dict:
    """assignment -> (max points, {student: total}) from ``name=folder`` or ``folder`` specs."""
    books = {}
    for spec in specs:
        name, _, folder = spec.rpartition("=") if "=" in spec else ("", "", spec)
        folder = Path(folder)
        name = name or folder.name
        if name in books:
            raise UserError(f"two gradebooks are named {name!r}", path=folder, hint="name one: NAME=FOLDER")
        path = folder / GRADEBOOK
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as exc:
            raise UserError(f"cannot read the gradebook ({exc.strerror})", path=path,
                            hint="pass the OUT folders of `grader grade` runs") from None
        if rows and not {"student", "total", "max"} <= set(rows[0]):
            raise UserError("not a gradebook written by grader grade (no student, total, max columns)", path=path)
        maximum = max((float(row["max"]) for row in rows), default=0.0)
        books[name] = (maximum, {row["student"]: float(row["total"]) for row in rows})
    return books


def course_csv(books: dict) -> str:
    students = sorted({student for _, totals in books.values() for student in totals})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *books, "total"])
    writer.writerow([MAX_ROW, *(number(m) for m, _ in books.values()), number(sum(m for m, _ in books.values()))])
    for student in students:
        cells = [totals.get(student) for _, totals in books.values()]
        writer.writerow([student, *("" if c is None else number(c) for c in cells),
                         number(sum(c for c in cells if c is not None))])
    return buffer.getvalue()
