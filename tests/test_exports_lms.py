"""``grader export canvas|moodle|csv``: every row checked against the gradebooks it came from."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("logreg", "numpy_basics")


@pytest.fixture(scope="module")
def outs(tmp_path_factory):
    from grader.config import load_config
    from grader.pipeline import grade_folder

    config = load_config(ROOT / "config.yaml")
    base = tmp_path_factory.mktemp("grades")
    for name in ASSIGNMENTS:
        assignment = config.assignment(name)
        grade_folder(assignment, assignment.examples, base / name, jobs=2, quiet=True, force=True)
    return base


def gradebook(out: Path) -> dict:
    with open(out / "gradebook.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def export(*args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "grader", "export", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def read(path: Path) -> list:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def roster_people(outs) -> tuple[list, str, str]:
    """Every graded student but one, named in the LMS's various ways, plus a student with no
    submission. Returns (people, the one left out, the name of the one without a submission)."""
    students = sorted(set().union(*(gradebook(outs / a) for a in ASSIGNMENTS)))
    left_out, people = students[-1], []
    for number, student in enumerate(students[:-1]):
        person = {"number": 1000 + number, "id": "", "email": f"x{number}@uni.example",
                  "first": f"First{number}", "last": f"Last{number}"}
        if number % 3 == 0:
            person["id"] = student.upper()                    # the id itself, in any case
        elif number % 3 == 1:
            person["email"] = f"{student}@uni.example"        # the e-mail's local part
        else:
            person["first"], person["last"] = student, ""     # only the name says who
        people.append(person)
    people.append({"number": 2000, "id": "nina", "email": "n@x", "first": "Nina", "last": "Nosubmission"})
    return people, left_out, "Nina"


def test_canvas_import_csv_matches_the_gradebooks(outs, tmp_path):
    people, left_out, absent = roster_people(outs)
    roster = tmp_path / "canvas_export.csv"
    with open(roster, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 2 (7001)"])
        writer.writerow(["    Points Possible", "", "", "", "", "10"])
        for p in people:
            name = f"{p['last']}, {p['first']}" if p["last"] else p["first"]
            login = p["id"] or (p["email"] if not p["email"].startswith("x") else "")
            writer.writerow([name, p["number"], f"S{p['number']}", login, "A", "7"])
    out = tmp_path / "canvas.csv"
    done = export("canvas", f"Week 2={outs / 'logreg'}", outs / "numpy_basics", "--roster", roster, "--out", out)
    rows = read(out)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 2 (7001)", "numpy_basics"]
    books = [gradebook(outs / "logreg"), gradebook(outs / "numpy_basics")]
    assert rows[1] == ["Points Possible", "", "", "", "", *(next(iter(b.values()))["max"] for b in books)]
    assert len(rows) == 2 + len(people)  # every roster student, in the roster's order
    students = sorted(set(books[0]) | set(books[1]))
    matched = [s for s in students if s != left_out]
    for row, person, student in zip(rows[2:], people, matched + [None]):
        assert row[1] == str(person["number"]) and row[2] == f"S{person['number']}"
        for book, cell in zip(books, row[5:]):
            expected = book[student]["total"] if student in book else ""
            assert cell == expected, (student, row)
    assert rows[-1][0] == f"Nosubmission, {absent}" and rows[-1][5:] == ["", ""]
    # The student no roster row names is listed with its scores, never dropped.
    side = read(tmp_path / "canvas-unmatched.csv")
    assert side[0] == ["student", "why", "Week 2", "numpy_basics"]
    assert [r[0] for r in side[1:]] == [left_out]
    assert side[1][2:] == [b[left_out]["total"] if left_out in b else "" for b in books]
    assert left_out in done.stderr and "matched no roster row" in done.stderr


def test_moodle_import_csv_matches_the_gradebook(outs, tmp_path):
    people, left_out, _ = roster_people(outs)
    roster = tmp_path / "moodle.csv"
    with open(roster, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Last name", "ID number", "Institution", "Email address"])
        for p in people:
            writer.writerow([p["first"], p["last"], p["id"] or f"N{p['number']}", "Uni", p["email"]])
    out = tmp_path / "moodle_import.csv"
    export("moodle", outs / "logreg", "--roster", roster, "--out", out, "--title", "logreg=Week 2 (Real)")
    rows = read(out)
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", "Week 2 (Real)"]
    book = gradebook(outs / "logreg")
    students = sorted(set().union(*(gradebook(outs / a) for a in ASSIGNMENTS)))
    assert len(rows) == 1 + len(people)  # no points row: Moodle takes the maximum from the grade item
    for row, person, student in zip(rows[1:], people, students[:-1] + [None]):
        assert row[3] == person["email"]
        assert row[4] == (book[student]["total"] if student in book else ""), (student, row)
    side = tmp_path / "moodle_import-unmatched.csv"
    if left_out in book:
        assert [r[0] for r in read(side)[1:]] == [left_out]
    else:
        assert not side.exists()


def test_nbgrader_columns_have_a_row_per_assignment_and_student(outs, tmp_path):
    out = tmp_path / "grades.csv"
    roster = tmp_path / "students.csv"
    roster.write_text("id,last_name,first_name,email\nalice_correct,Correct,Alice,alice@uni.example\n")
    export("csv", outs / "logreg", outs / "numpy_basics", "--out", out, "--roster", roster)
    rows = read(out)
    assert rows[0] == ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                       "raw_score", "late_submission_penalty", "score", "max_score"]
    expected = []
    for name in ASSIGNMENTS:
        for student, row in sorted(gradebook(outs / name).items()):
            person = ["Correct", "Alice", "alice@uni.example"] if student == "alice_correct" else ["", "", ""]
            expected.append([name, "", "", student, *person, row["total"], "0", row["total"], row["max"]])
    assert rows[1:] == expected
    # Unmatched ones stay in the file (their id is the grader's) and are listed beside it.
    side = read(tmp_path / "grades-unmatched.csv")
    assert "alice_correct" not in [r[0] for r in side] and len(side) > 2


def test_a_student_not_graded_gets_an_empty_cell_and_a_warning(outs, tmp_path):
    copy = tmp_path / "logreg"
    shutil.copytree(outs / "logreg", copy)
    lines = (copy / "gradebook.csv").read_text().splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("total")], row[head.index("status")] = "0", "error"
    (copy / "gradebook.csv").write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    out = tmp_path / "nb.csv"
    done = export("csv", copy, "--out", out)
    first = read(out)[1]
    assert first[3] == row[0] and first[7] == "" and first[9] == ""
    assert "were not graded" in done.stderr and row[0] in done.stderr


def test_a_missing_gradebook_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "grader", "export", "csv", str(tmp_path), "--out",
                           str(tmp_path / "x.csv")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "gradebook was not found" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["canvas", "moodle", "csv", "gradescope"])
def test_every_export_kind_has_help(kind):
    done = subprocess.run([sys.executable, "-m", "grader", "export", kind, "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "usage: grader export" in done.stdout
