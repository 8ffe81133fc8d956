"""gradebook.csv: one row per student: id, total, max, one column per function, status."""
from __future__ import annotations

import csv
import io

from grader.report.files import number


def gradebook_csv(assignment, results: list) -> str:
    functions = list(assignment.functions)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "total", "max", *functions, "status"])
    for result in sorted(results, key=lambda r: r.student):
        writer.writerow([result.student, number(result.score), number(result.max_score),
                         *(number(result.function_score(name)) for name in functions), result.status])
    return buffer.getvalue()
