"""``OUT/timings.csv``: how long each submission took to grade, for the class report's slowest ones.

A row per student: ``student,seconds``, the seconds from the start of the submission's run to
its last verdict (``engine.timing``'s marks), as measured by the last run that graded it (a
student whose result came from the cache keeps the figure of the run that graded it).
Timings never reach a student's results, so every other file in OUT stays byte-identical from
run to run; this one, and the class report's table made from it, are measurements.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.layout import TIMINGS
from grader.report.files import atomic_write


def measured_seconds(stats: dict, students: list) -> dict:
    """student -> seconds, from a batch's ``stats`` (``started`` / ``judged`` by position in ``students``)."""
    started, judged = stats.get("started", {}), stats.get("judged", {})
    return {students[p]: max(0.0, judged[p] - started[p]) for p in started if p in judged and p < len(students)}


def write_timings(out: Path, seconds: dict, students: list) -> None:
    """Write OUT/timings.csv for ``students``: this run's ``seconds``, else the file's earlier figure."""
    path = Path(out) / TIMINGS
    earlier = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            earlier = {row["student"]: row["seconds"] for row in csv.DictReader(handle)}
    except (OSError, KeyError, csv.Error):
        pass
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "seconds"])
    for student in sorted(students):
        if student in seconds:
            writer.writerow([student, f"{seconds[student]:.3f}"])
        elif student in earlier:
            writer.writerow([student, earlier[student]])
    atomic_write(path, buffer.getvalue())
