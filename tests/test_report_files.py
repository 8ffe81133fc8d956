"""OUT's files and names (issue 9, item 5, the output half): gradebook.csv says which
submission each row graded, a student id can never break OUT, skipped entries are listed."""
from __future__ import annotations

import csv
import io

import pytest

from grader.outcomes import StudentResult
from grader.report import (OUT_NAMES, UnsafeStudentId, check_student_id, gradebook_csv, skipped_warning,
                           write_batch, write_skipped, write_student)
from grader.report.summary import summary_table
from test_report_injection import evil_result


def rows(text: str) -> list:
    return list(csv.DictReader(io.StringIO(text)))


def test_gradebook_has_a_source_column_after_student(assignment):
    results = [StudentResult(student="alice_py", source="alice.py", status="ok"),
               StudentResult(student="alice", source="alice/", status="ok")]
    text = gradebook_csv(assignment, results)
    header = text.splitlines()[0].split(",")
    assert header[:4] == ["student", "source", "total", "max"] and header[-1] == "status"
    assert header[4:-1] == list(assignment.functions)
    assert [(r["student"], r["source"]) for r in rows(text)] == [("alice", "alice/"), ("alice_py", "alice.py")]


def test_a_source_is_one_cell_never_a_formula(assignment):
    sources = ["=HYPERLINK(\"http://evil.example\",\"x\").py", "+1.py", "-2.py", "@sum.py", "two\nlines,\"q\".py"]
    results = [StudentResult(student=f"s{i}", source=source, status="ok") for i, source in enumerate(sources)]
    text = gradebook_csv(assignment, results)
    assert len(text.splitlines()) == len(sources) + 1           # a newline in a file name is no new row
    got = [r["source"] for r in rows(text)]
    assert got == ["'=HYPERLINK(\"http://evil.example\",\"x\").py", "'+1.py", "'-2.py", "'@sum.py",
                   "two\u240alines,\"q\".py"]


def test_write_batch_and_read_it_back(assignment, tmp_path):
    results = [StudentResult(student="bob", source="bob.ipynb", status="ok")]
    write_batch(assignment, results, tmp_path)
    book = rows((tmp_path / "gradebook.csv").read_text(encoding="utf-8"))
    assert book[0]["student"] == "bob" and book[0]["source"] == "bob.ipynb"


def test_the_summary_shows_the_source_too(assignment):
    table = summary_table(assignment, [StudentResult(student="eve", source="eve\x1b[2J.py", status="ok")])
    header, _, row = table.splitlines()
    assert header.split()[:3] == ["student", "source", "score"]
    assert row.split()[:2] == ["eve", "eve\u241b[2J.py"] and "\x1b" not in table


def test_out_names_are_one_constant():
    assert {"gradebook.csv", "skipped.txt", ".cache"} <= OUT_NAMES


@pytest.mark.parametrize("student", ["", ".", "..", ".cache", ".hidden", "a/b", "../x", "a\\b", "nul\0",
                                     "gradebook.csv", "Gradebook.CSV", "skipped.txt", "report.html"])
def test_write_student_refuses_an_id_that_cannot_name_a_folder(assignment, tmp_path, student):
    result = StudentResult(student=student, source="x.py", status="ok")
    with pytest.raises(UnsafeStudentId, match="internal grader error"):
        write_student(assignment, result, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("student", ["alice", "gradebook", "gradebook_csv", "José", "x.y", "skipped"])
def test_ordinary_ids_are_accepted(student):
    check_student_id(student)


class Entry:
    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason


def test_skipped_txt_has_one_line_per_entry(tmp_path):
    skipped = [Entry("notes.txt", "not a submission (.txt)"), Entry("evil\nname\t.pdf", "not a submission (.pdf)"),
               Entry("alice.ipynb.bak", "not a submission (.bak)")]
    write_skipped(tmp_path, skipped)
    lines = (tmp_path / "skipped.txt").read_text(encoding="utf-8").splitlines()
    assert lines == ["alice.ipynb.bak\tnot a submission (.bak)", "evil\u240aname\u2409.pdf\tnot a submission (.pdf)",
                     "notes.txt\tnot a submission (.txt)"]


def test_nothing_skipped_means_no_skipped_txt(tmp_path):
    (tmp_path / "skipped.txt").write_text("stale\n")
    write_skipped(tmp_path, [])
    assert not (tmp_path / "skipped.txt").exists()
    write_skipped(tmp_path, [])                                   # and nothing to remove is fine too


def test_the_console_warning_names_the_first_few_and_the_file(tmp_path):
    assert skipped_warning([], tmp_path) == ""
    skipped = [Entry(f"f{i}.txt", "not a submission") for i in range(8)]
    warning = skipped_warning(skipped, tmp_path)
    assert warning.startswith("warning: 8 entries in the submissions folder were not graded: ")
    assert "f0.txt, f1.txt, f2.txt, f3.txt, f4.txt and 3 more" in warning and "f5.txt" not in warning
    assert str(tmp_path / "skipped.txt") in warning and "\n" not in warning
    one = skipped_warning([Entry("x\x1b[2J.pdf", "not a submission")], tmp_path)
    assert "1 entry" in one and "was not graded" in one and "\x1b" not in one


def test_reports_are_byte_identical_for_the_same_inputs(assignment, tmp_path):
    for out in (tmp_path / "a", tmp_path / "b"):
        write_student(assignment, evil_result(), out)
        write_batch(assignment, [evil_result()], out)
        write_skipped(out, [Entry("b.txt", "r"), Entry("a.txt", "r")])
    for name in ("eve/results.json", "eve/feedback.md", "eve/feedback.html", "gradebook.csv", "skipped.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
