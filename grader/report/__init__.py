"""Reports: the edge where plain results become files and text.

- ``gradebook.csv``: a row per student (``gradebook.py``);
- ``<student>/results.json``: Gradescope's results schema (``gradescope.py``);
- ``<student>/feedback.md`` and ``feedback.html`` (``feedback.py``);
- the summary table printed at the end of ``make grade`` (``summary.py``).
Every file is written atomically (temp file + rename), so a killed run leaves either the
old file or the new one, never half of one. Nothing here holds a timestamp or a timing:
the same results give byte-identical files.
"""
from __future__ import annotations

from pathlib import Path

from grader.report.files import atomic_write
from grader.report.gradebook import gradebook_csv
from grader.report.gradescope import results_json
from grader.report.feedback import feedback_markdown, feedback_html
from grader.report.summary import print_summary


def write_student(assignment, result, out: Path) -> None:
    folder = Path(out) / result.student
    folder.mkdir(parents=True, exist_ok=True)
    markdown = feedback_markdown(assignment, result)
    atomic_write(folder / "results.json", results_json(assignment, result))
    atomic_write(folder / "feedback.md", markdown)
    atomic_write(folder / "feedback.html", feedback_html(assignment, result, markdown))


def write_gradebook(assignment, results: list, out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "gradebook.csv", gradebook_csv(assignment, results), durable=True)


def write_reports(assignment, results: list, out: Path) -> None:
    for result in results:
        write_student(assignment, result, out)
    write_gradebook(assignment, results, out)


__all__ = ["write_reports", "write_student", "write_gradebook", "print_summary", "gradebook_csv", "results_json",
           "feedback_markdown", "feedback_html", "atomic_write"]
