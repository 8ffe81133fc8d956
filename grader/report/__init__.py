"""Reports: the edge where plain results become files and text.

- ``gradebook.csv``: a row per student (``gradebook.py``);
- ``<student>/results.json``: Gradescope's results schema (``gradescope.py``);
- ``<student>/feedback.md`` and ``feedback.html`` (``feedback.py``, ``html.py``);
- ``skipped.txt`` and its console warning (``skipped.py``);
- the summary table printed at the end of ``make grade`` (``summary.py``);
- ``report.html``, the class report (``classreport.py``: figures, failure rates, frequent
  findings, slowest submissions, skipped files, similar submissions), made from OUT's files;
- the batch's progress on stderr (``progress.py``).
The files written per student and per batch are registered in :data:`STUDENT_FILES` and
:data:`BATCH_FILES`: a new report is a module with a render function and one
``register_student_file(...)`` or ``register_batch_file(...)`` line.
Student text is only ever literal text in them (``text.py``), and what each file may cost
is capped (``budgets.py``). OUT's own entry names are in ``names.OUT_NAMES``.
Every file is written atomically (temp file + rename), so a killed run leaves either the
old file or the new one, never half of one. Nothing here holds a timestamp or a timing:
the same results give byte-identical files.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.layout import GRADEBOOK, REPORT
from grader.report.classreport import render_batch_report
from grader.report.feedback import feedback_markdown, feedback_sections
from grader.report.files import atomic_write, make_folder
from grader.report.gradebook import gradebook_csv
from grader.report.gradescope import results_json
from grader.report.html import feedback_html
from grader.report.names import OUT_NAMES, UnsafeStudentId, check_student_id
from grader.report.skipped import skipped_warning, write_skipped
from grader.report.summary import print_summary


@dataclass(frozen=True)
class StudentFile:
    """A file in each student's folder: ``render(assignment, result, sections) -> str``
    (``sections``: the feedback's parts, computed once for all the student's files)."""

    name: str
    render: Callable


@dataclass(frozen=True)
class BatchFile:
    """A file in OUT for the whole batch: ``render(assignment, results) -> str``; ``durable``
    files are synced to disk (the gradebook: what a power cut must not take). A file made
    from what is already in OUT (the class report reads the students' results.json, the
    gradebook and the other batch files) sets ``reads_out`` and gets
    ``render(assignment, results, out)``; it is written after the files registered before it."""

    name: str
    render: Callable
    durable: bool = False
    reads_out: bool = False


STUDENT_FILES = [
    StudentFile("results.json", lambda assignment, result, sections: results_json(assignment, result)),
    StudentFile("feedback.md", feedback_markdown),
    StudentFile("feedback.html", feedback_html),
]
BATCH_FILES = [BatchFile(GRADEBOOK, gradebook_csv, durable=True),
               BatchFile(REPORT, render_batch_report, reads_out=True)]


def register_student_file(file: StudentFile) -> None:
    STUDENT_FILES[:] = [f for f in STUDENT_FILES if f.name != file.name] + [file]


def register_batch_file(file: BatchFile) -> None:
    BATCH_FILES[:] = [f for f in BATCH_FILES if f.name != file.name] + [file]


def write_student(assignment, result, out: Path) -> None:
    check_student_id(result.student)
    folder = Path(out) / result.student
    make_folder(folder)
    sections = feedback_sections(assignment, result)
    for file in STUDENT_FILES:
        atomic_write(folder / file.name, file.render(assignment, result, sections))


def write_batch(assignment, results: list, out: Path) -> None:
    """The batch's files: the gradebook and every registered batch report."""
    out = Path(out)
    make_folder(out)
    for file in BATCH_FILES:
        text = file.render(assignment, results, out) if file.reads_out else file.render(assignment, results)
        atomic_write(out / file.name, text, durable=file.durable)


def write_reports(assignment, results: list, out: Path) -> None:
    for result in results:
        write_student(assignment, result, out)
    write_batch(assignment, results, out)


__all__ = ["StudentFile", "BatchFile", "STUDENT_FILES", "BATCH_FILES", "register_student_file",
           "register_batch_file", "write_reports", "write_student", "write_batch", "write_skipped",
           "skipped_warning",
           "print_summary", "gradebook_csv", "results_json", "feedback_markdown", "feedback_html",
           "atomic_write", "OUT_NAMES", "UnsafeStudentId", "check_student_id"]
