"""``grader export csv OUT... --out FILE [--roster ROSTER.csv]``: nbgrader's export columns.

The CSV ``nbgrader export`` writes, so that scripts and spreadsheets made for nbgrader read
ours unchanged: ``assignment, duedate, timestamp, student_id, last_name, first_name, email,
raw_score, late_submission_penalty, score, max_score``, one row per assignment and graded
student. ``duedate`` and ``timestamp`` are empty (the grader knows neither) and the late
penalty is 0 (the grader applies none). With a roster (any CSV with a header: nbgrader's
``nbgrader db student list`` columns ``id, last_name, first_name, email`` work, as do
Canvas's and Moodle's exports), names and e-mail are filled in; ``student_id`` is always the
grader's id. A student whose grading did not finish has empty scores.
"""
from __future__ import annotations

from grader.exports import lms

COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
           "raw_score", "late_submission_penalty", "score", "max_score")
MATCH_BY = ("id", "student_id", "SIS Login ID", "Username", "ID number", "email", "Email address", "Email")
FIELDS = {"last_name": ("last_name", "Last name", "Surname"), "first_name": ("first_name", "First name"),
          "email": ("email", "Email address", "Email")}


def add_arguments(kinds) -> None:
    parser = kinds.add_parser("csv", help="grades in nbgrader's export CSV columns",
                              description=__doc__.split("\n\n", 1)[1])
    lms.add_common_arguments(parser, roster_required=False)


def run(args) -> int:
    books = lms.read_grades(args.outs)
    people: dict = {}
    unmatched = []
    if args.roster is not None:
        header, roster = lms.read_roster(args.roster)
        columns = args.match or lms.default_columns(header, MATCH_BY)
        match = lms.match_students(lms.all_students(books), header, roster, columns)
        people = {student: roster[position] for position, student in match.by_row.items()}
        unmatched = [[s, why, *(b.score(s) for b in books)] for s, why in sorted(match.unmatched.items())]
    names = lms.titles(books, args.title)
    rows = []
    for book in books:
        for student in sorted(book.rows):
            person = people.get(student, {})
            score = book.score(student)
            rows.append([names[book.name], "", "", student, *(_field(person, f) for f in ("last_name", "first_name",
                                                                                           "email")),
                         score, "0" if score else "", score, lms.number(book.maximum)])
    # Unmatched students are still in the file (student_id is the grader's own): the roster
    # only adds names; the side file says whose are missing.
    lms.write_outputs(args.out, list(COLUMNS), rows, unmatched, books, "score", unmatched_in_file=True)
    print(f"{args.out}: {len(rows)} row(s) for {len(books)} assignment(s)")
    return 0


def _field(person: dict, name: str) -> str:
    for column in FIELDS[name]:
        if person.get(column):
            return person[column]
    return ""
