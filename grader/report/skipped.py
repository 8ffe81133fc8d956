"""OUT/skipped.txt and the console warning: what in SUBMISSIONS was not graded, and why.

Entries are objects with ``.name`` (the entry in the submissions folder) and ``.reason``.
Both can hold anything a file name can (newlines, tabs, escape sequences): each entry is
written as one line of visible characters, so the file stays one line per entry and a
terminal shows it as it is.
"""
from __future__ import annotations

from pathlib import Path

from grader.layout import SKIPPED
from grader.report.budgets import LINE_CHARS, MESSAGE_CHARS
from grader.report.files import atomic_write, make_folder
from grader.report.text import one_line

SKIPPED_FILE = SKIPPED
MAX_LINES = 10_000     # a folder of a million stray files still gives a readable file
SHOWN_ON_CONSOLE = 5


def skipped_lines(skipped: list) -> list:
    entries = sorted((one_line(item.name, LINE_CHARS), one_line(item.reason, MESSAGE_CHARS)) for item in skipped)
    lines = [f"{name}\t{reason}" for name, reason in entries[:MAX_LINES]]
    if len(entries) > MAX_LINES:
        lines.append(f"... and {len(entries) - MAX_LINES:,} more entries, not listed")
    return lines


def write_skipped(out: Path, skipped: list) -> None:
    """Write OUT/skipped.txt (name, tab, reason per line); with nothing skipped, remove it."""
    path = Path(out) / SKIPPED_FILE
    if not skipped:
        path.unlink(missing_ok=True)
        return
    make_folder(path.parent)
    atomic_write(path, "\n".join(skipped_lines(skipped)) + "\n")


def skipped_warning(skipped: list, out: Path) -> str:
    """The console warning for skipped entries ("" when there are none)."""
    if not skipped:
        return ""
    names = sorted(one_line(item.name, LINE_CHARS) for item in skipped)
    shown = ", ".join(names[:SHOWN_ON_CONSOLE])
    more = f" and {len(names) - SHOWN_ON_CONSOLE:,} more" if len(names) > SHOWN_ON_CONSOLE else ""
    return (f"warning: {len(names):,} entr{'y' if len(names) == 1 else 'ies'} in the submissions folder "
            f"{'was' if len(names) == 1 else 'were'} not graded: {shown}{more}. "
            f"See {Path(out) / SKIPPED_FILE} for why; a submission is <student>.ipynb, <student>.py "
            f"or a folder <student>/ holding one")
