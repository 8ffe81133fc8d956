"""Reports: the edge where plain results become files and text.

- ``gradebook.csv``: a row per student (``gradebook.py``);
- ``<student>/results.json``: Gradescope's results schema (``gradescope.py``);
- ``<student>/feedback.md`` and ``feedback.html`` (``feedback.py``, ``html.py``);
- ``skipped.txt`` and its console warning (``skipped.py``);
- the summary table printed at the end of ``make grade`` (``summary.py``).
Student text is only ever literal text in them (``text.py``), and what each file may cost
is capped (``budgets.py``). OUT's own entry names are in ``names.OUT_NAMES``.
Every file is written atomically (temp file + rename), so a killed run leaves either the
old file or the new one, never half of one. Nothing here holds a timestamp or a timing:
the same results give byte-identical files.
"""
from __future__ import annotations

from pathlib import Path

from grader.layout import GRADEBOOK
from grader.report.feedback import feedback_markdown, feedback_sections
from grader.report.files import atomic_write
from grader.report.gradebook import gradebook_csv
from grader.report.gradescope import results_json
from grader.report.html import feedback_html
from grader.report.names import OUT_NAMES, UnsafeStudentId, check_student_id
from grader.report.skipped import skipped_warning, write_skipped
from grader.report.summary import print_summary


def write_student(assignment, result, out: Path) -> None:
    check_student_id(result.student)
    folder = Path(out) / result.student
    folder.mkdir(parents=True, exist_ok=True)
    sections = feedback_sections(assignment, result)
    atomic_write(folder / "results.json", results_json(assignment, result))
    atomic_write(folder / "feedback.md", feedback_markdown(assignment, result, sections))
    atomic_write(folder / "feedback.html", feedback_html(assignment, result, sections))


def write_gradebook(assignment, results: list, out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / GRADEBOOK, gradebook_csv(assignment, results), durable=True)


def write_reports(assignment, results: list, out: Path) -> None:
    for result in results:
        write_student(assignment, result, out)
    write_gradebook(assignment, results, out)


__all__ = ["write_reports", "write_student", "write_gradebook", "write_skipped", "skipped_warning",
           "print_summary", "gradebook_csv", "results_json", "feedback_markdown", "feedback_html",
           "atomic_write", "OUT_NAMES", "UnsafeStudentId", "check_student_id"]
