"""What the LMS exports share: the grades of OUT folders, the instructor's roster, and who is who.

``grader export canvas|moodle|csv OUT... --out FILE [--roster ROSTER.csv]``:

- each ``OUT`` is a ``grader grade`` output folder (``NAME=OUT`` names its column other than
  by the folder's name); its ``gradebook.csv`` gives each student's total, the maximum and the status;
- the roster is a CSV the instructor exports from the LMS (Canvas's gradebook export, Moodle's
  participants or grades export, or any CSV with a header): a graded student (an id made from
  the submission's file name) is matched to the roster row whose identifying column holds that
  id, compared without case and accents' encoding; e-mail addresses match by the part before
  the ``@`` too, names with spaces and punctuation made ``_`` (``Alice Correct`` is ``alice_correct``);
- a graded student matched by no row (or by several) is never dropped: it is written to
  ``FILE``'s sibling ``<stem>-unmatched.csv`` with its scores and why, and named in a warning;
- a student whose grading did not finish (status ``error``) gets no score (an empty cell, which
  the LMSs leave alone) and a warning, never a 0 that looks like a grade.
"""
from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UserError
from grader.layout import GRADEBOOK
from grader.report.files import atomic_write, make_folder, number

NOT_GRADED = "error"


@dataclass
class Grades:
    """One assignment's gradebook: its name (the column), the maximum and each student's row."""

    name: str
    folder: Path
    maximum: float
    rows: dict            # student -> {"total": float, "status": str}

    def score(self, student: str) -> str:
        """The total as text, or "" when the student has no row or was not graded."""
        row = self.rows.get(student)
        if row is None or row["status"] == NOT_GRADED:
            return ""
        return number(row["total"])


@dataclass
class Match:
    roster: list                               # the roster's rows (dicts), in its order
    columns: list                              # the roster's header
    by_row: dict = field(default_factory=dict)  # roster row index -> student
    unmatched: dict = field(default_factory=dict)  # student -> why


def add_common_arguments(parser, *, roster_required: bool) -> None:
    parser.add_argument("outs", nargs="+", metavar="OUT",
                        help="grader grade output folders, one per assignment (NAME=OUT names its column)")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file to write")
    parser.add_argument("--roster", type=Path, required=roster_required, metavar="CSV",
                        help="the class list exported from the LMS, to match students" +
                             ("" if roster_required else " (optional: fills names and e-mail)"))
    parser.add_argument("--match", action="append", default=None, metavar="COLUMN",
                        help="a roster column holding the ids grader gives students (the submissions' "
                             "file names); repeat for several; default: the usual identifying columns")
    parser.add_argument("--title", action="append", default=[], metavar="NAME=TEXT",
                        help="the column header of assignment NAME (default: NAME)")


def read_grades(specs: list) -> list:
    books, seen = [], set()
    for spec in specs:
        name, _, folder = spec.rpartition("=") if "=" in spec else ("", "", spec)
        folder = Path(folder)
        name = name or folder.resolve().name
        if name in seen:
            raise UserError(f"two OUT folders are named {name!r}", path=folder, hint="name one: NAME=OUT")
        seen.add(name)
        path = folder / GRADEBOOK
        rows = _read_csv(path, "the gradebook", "pass the OUT folders of `grader grade` runs")[1]
        if rows and not {"student", "total", "max", "status"} <= set(rows[0]):
            raise UserError("not a gradebook written by grader grade (no student, total, max, status columns)",
                            path=path)
        try:
            table = {r["student"]: {"total": float(r["total"]), "status": r["status"]} for r in rows}
            maximum = max((float(r["max"]) for r in rows), default=0.0)
        except ValueError as exc:
            raise UserError(f"a number in the gradebook cannot be read ({exc})", path=path) from None
        books.append(Grades(name, folder, maximum, table))
    return books


def titles(books: list, given: list) -> dict:
    """name -> column header, from ``--title NAME=TEXT`` (default: the name)."""
    chosen = {book.name: book.name for book in books}
    for spec in given:
        name, sep, text = spec.partition("=")
        if not sep or name not in chosen:
            raise UserError(f"--title {spec!r}: expected NAME=TEXT with NAME one of {', '.join(chosen)}")
        chosen[name] = text
    return chosen


def read_roster(path: Path) -> tuple[list, list]:
    header, rows = _read_csv(path, "the roster", "export the class list from the LMS as CSV")
    return header, rows


def match_students(students: list, header: list, rows: list, columns: list) -> Match:
    """Each graded student matched to at most one roster row through ``columns`` (in order:
    the first column where the id is found decides)."""
    missing = [c for c in columns if c not in header]
    if missing and len(missing) == len(columns):
        raise UserError(f"the roster has none of the columns {', '.join(columns)} to match students by "
                        f"(it has: {', '.join(header)})", hint="name the right one: --match COLUMN")
    columns = [c for c in columns if c in header]
    index = {column: {} for column in columns}
    for position, row in enumerate(rows):
        for column in columns:
            for key in _keys(row.get(column) or "", column):
                index[column].setdefault(key, []).append(position)
    match = Match(rows, header)
    for student in students:
        key = _normal(student)
        found = None
        for column in columns:
            positions = sorted(set(index[column].get(key, [])))
            if len(positions) > 1:
                found = f"matches {len(positions)} roster rows by {column}"
                break
            if positions:
                found = positions[0]
                break
        if found is None:
            match.unmatched[student] = f"no roster row has it in {' / '.join(columns)}"
        elif isinstance(found, str):
            match.unmatched[student] = found
        elif found in match.by_row:
            match.unmatched[student] = f"its roster row is already matched by {match.by_row[found]}"
        else:
            match.by_row[found] = student
    return match


def default_columns(header: list, preferred: tuple) -> list:
    """The identifying columns to match by: ``preferred`` ones the roster has, in that order."""
    folded = {c.strip().casefold(): c for c in header}
    return [folded[p.casefold()] for p in preferred if p.casefold() in folded]


def write_outputs(path: Path, header: list, rows: list, unmatched_rows: list, books: list, kind: str, *,
                  unmatched_in_file: bool = False) -> None:
    """``path`` and, when some students matched no roster row, ``<stem>-unmatched.csv`` beside it;
    warnings for unmatched and not-graded students on stderr."""
    path = Path(path)
    make_folder(path.parent)
    atomic_write(path, to_csv([header, *rows]))
    side = path.with_name(f"{path.stem}-unmatched.csv")
    if unmatched_rows:
        atomic_write(side, to_csv([["student", "why", *(b.name for b in books)], *unmatched_rows]))
        names = ", ".join(r[0] for r in unmatched_rows[:10]) + (" ..." if len(unmatched_rows) > 10 else "")
        where = (f"are in {path} without names" if unmatched_in_file else f"are not in {path}")
        print(f"warning: {len(unmatched_rows)} graded student(s) matched no roster row and {where}: "
              f"{names}. They are listed with their scores and why in {side}; add them to the roster (or name "
              f"the column holding their ids with --match), then export again.", file=sys.stderr)
    else:
        side.unlink(missing_ok=True)
    for book in books:
        stuck = sorted(s for s, row in book.rows.items() if row["status"] == NOT_GRADED)
        if stuck:
            print(f"warning: {book.name}: {len(stuck)} student(s) were not graded ({', '.join(stuck[:10])}): "
                  f"their {kind} cells are left empty; run grader grade again, then export again.", file=sys.stderr)


def to_csv(rows: list) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(c) for c in row])
    return buffer.getvalue()


def all_students(books: list) -> list:
    return sorted({s for book in books for s in book.rows})


def _cell(value) -> str:
    # A spreadsheet (or an LMS reading through one) would take a leading =, +, -, @ as a formula.
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "@")) or (text.startswith("-") and not _is_number(text)) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _keys(value: str, column: str) -> set:
    value = _normal(value)
    if not value:
        return set()
    keys = {value, re.sub(r"[\W_]+", "_", value).strip("_")}
    if "@" in value:
        keys.add(value.split("@", 1)[0])
    if "," in value:  # "Correct, Alice" (Canvas's sortable name) is also alice_correct
        last, _, first = value.partition(",")
        keys.add(re.sub(r"[\W_]+", "_", f"{first} {last}").strip("_"))
    return keys - {""}


def _read_csv(path: Path, what: str, hint: str) -> tuple[list, list]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except FileNotFoundError:
        raise UserError(f"{what} was not found", path=path, hint=hint) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{what} cannot be read ({exc})", path=path, hint=hint) from None
    return header, rows
