"""``grader export canvas OUT... --roster ROSTER.csv --out FILE``: Canvas's gradebook import CSV.

The file Canvas's Gradebook > Import reads: the header ``Student, ID, SIS User ID, SIS Login ID,
Section`` then one column per assignment (``Logistic regression (4412)`` updates Canvas's
assignment 4412; a name without an id creates a new assignment on import), a ``Points
Possible`` row, then one row per roster student (in the roster's order) with each
assignment's total; an empty cell leaves Canvas's grade as it is (no submission, or not graded).

The roster is Canvas's own gradebook export (Gradebook > Export), which has those columns;
students are matched by SIS Login ID, SIS User ID, e-mail, Canvas ID or name (see
``grader.exports.lms``). When the roster already has a column for an assignment (its name,
then `` (id)``), its header is reused, so the import updates that assignment.
"""
from __future__ import annotations

import re

from grader.exports import lms

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MATCH_BY = ("SIS Login ID", "SIS User ID", "Login ID", "Email", "ID", "Student")
POINTS = "Points Possible"


def add_arguments(kinds) -> None:
    parser = kinds.add_parser("canvas", help="grades as Canvas's gradebook import CSV",
                              description=__doc__.split("\n\n", 1)[1])
    lms.add_common_arguments(parser, roster_required=True)


def run(args) -> int:
    books = lms.read_grades(args.outs)
    header, roster = lms.read_roster(args.roster)
    roster = [row for row in roster if not _is_not_a_student(row)]
    columns = args.match or lms.default_columns(header, MATCH_BY)
    match = lms.match_students(lms.all_students(books), header, roster, columns)
    names = lms.titles(books, args.title)
    for book in books:
        if not any(spec.startswith(f"{book.name}=") for spec in args.title):
            names[book.name] = _existing_column(header, book.name) or names[book.name]
    rows = [[POINTS, "", "", "", "", *(lms.number(b.maximum) for b in books)]]
    for position, row in enumerate(roster):
        student = match.by_row.get(position)
        rows.append([row.get(c, "") or "" for c in IDENTITY] +
                    [b.score(student) if student else "" for b in books])
    unmatched = [[s, why, *(b.score(s) for b in books)] for s, why in sorted(match.unmatched.items())]
    lms.write_outputs(args.out, [*IDENTITY, *(names[b.name] for b in books)], rows, unmatched, books, "Canvas")
    print(f"{args.out}: {len(match.by_row)} student(s) matched, {len(roster)} roster row(s), "
          f"{len(books)} assignment(s); import it in Canvas's Gradebook (Import)")
    return 0


def _is_not_a_student(row: dict) -> bool:
    # Canvas's export has a "Points Possible" row (and, in some versions, "Manual Posting")
    # right after the header; they are not students.
    student = (row.get("Student") or "").strip()
    return student in (POINTS, "Manual Posting", "Student Name") or not any((v or "").strip() for v in row.values())


def _existing_column(header: list, name: str) -> str | None:
    for column in header:
        found = re.fullmatch(r"(.*?)\s*\((\d+)\)", column.strip())
        if found and found.group(1).casefold() == name.casefold():
            return column
    return None
