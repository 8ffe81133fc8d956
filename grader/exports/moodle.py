"""``grader export moodle OUT... --roster ROSTER.csv --out FILE``: Moodle's grade import CSV.

The file Moodle's Grades > Import > CSV file reads: identifying columns (``First name, Last name,
ID number, Username, Email address``, as the roster gives them) then one column per assignment,
one row per roster student. In Moodle's import form, map ``Email address`` (or ``ID number``,
``Username``) to the user, and each assignment's column to a grade item (or a new one). There is
no points row: Moodle takes each item's maximum from the item. An empty cell leaves Moodle's
grade as it is (no submission, or not graded).

The roster is Moodle's own grades or participants export; students are matched by username,
ID number, e-mail (or the part before its ``@``), or name (see ``grader.exports.lms``).
"""
from __future__ import annotations

from grader.exports import lms

IDENTITY = ("First name", "Last name", "ID number", "Username", "Email address")
MATCH_BY = ("Username", "ID number", "Email address", "Email")


def add_arguments(kinds) -> None:
    parser = kinds.add_parser("moodle", help="grades as Moodle's grade import CSV",
                              description=__doc__.split("\n\n", 1)[1])
    lms.add_common_arguments(parser, roster_required=True)


def run(args) -> int:
    books = lms.read_grades(args.outs)
    header, roster = lms.read_roster(args.roster)
    columns = args.match or lms.default_columns(header, MATCH_BY)
    if not args.match and {"First name", "Last name"} <= set(header):
        roster = [{**row, "_name": f"{row['First name']} {row['Last name']}"} for row in roster]
        header = [*header, "_name"]
        columns = [*columns, "_name"]
    match = lms.match_students(lms.all_students(books), header, roster, columns)
    identity = [c for c in IDENTITY if c in header] or list(IDENTITY)
    names = lms.titles(books, args.title)
    rows = []
    for position, row in enumerate(roster):
        student = match.by_row.get(position)
        rows.append([row.get(c, "") or "" for c in identity] + [b.score(student) if student else "" for b in books])
    unmatched = [[s, why, *(b.score(s) for b in books)] for s, why in sorted(match.unmatched.items())]
    lms.write_outputs(args.out, [*identity, *(names[b.name] for b in books)], rows, unmatched, books, "Moodle")
    print(f"{args.out}: {len(match.by_row)} student(s) matched, {len(roster)} roster row(s), "
          f"{len(books)} assignment(s); import it with Moodle's Grades > Import > CSV file")
    return 0
