"""The table printed at the end of ``make grade``: the gradebook's columns, for a terminal."""
from __future__ import annotations

from pathlib import Path

from grader.report.budgets import LINE_CHARS
from grader.report.files import number
from grader.report.text import one_line

SOURCE_WIDTH = 40   # a long file name is shortened here; gradebook.csv has it whole


def summary_table(assignment, results: list) -> str:
    functions = list(assignment.functions)
    header = ["student", "source", "score", *functions, "status"]
    rows = []
    for r in sorted(results, key=lambda r: r.student):
        per_function = []
        for name in functions:
            got = r.function_score(name)
            total = sum(t.max_score for t in r.tests if t.function == name)
            per_function.append(f"{number(got)}/{number(total)}")
        source = one_line(r.source, LINE_CHARS)
        if len(source) > SOURCE_WIDTH:
            source = source[:SOURCE_WIDTH - 1] + "\u2026"
        rows.append([one_line(r.student, LINE_CHARS), source, f"{number(r.score)}/{number(r.max_score)}",
                     *per_function, r.status])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_summary(assignment, results: list, out: Path) -> None:
    print(f"{assignment.title}: {len(results)} submission(s) graded")
    print(summary_table(assignment, results))
    print(f"\ngradebook: {Path(out) / 'gradebook.csv'}   feedback: {Path(out)}/<student>/feedback.html   "
          f"class report: {Path(out) / 'report.html'}")
