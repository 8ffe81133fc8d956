"""OUT's own entries, and the check that a student id can name a folder beside them.

``OUT`` holds the batch's files next to one folder per student, so a student id must never
be one of these names (``gradebook.csv.py`` would otherwise make ``OUT/gradebook.csv/`` a
folder and no gradebook could be written). The submissions stage makes ids safe using
:data:`OUT_NAMES`; :func:`check_student_id` is the writers' own guard, and a refusal there
is a bug in the grader, not a problem of the student's.
"""
from __future__ import annotations

import os

from grader.layout import OUT_ENTRIES

# Every name the grader itself writes (or may write) directly in OUT. Compared case-folded:
# on a case-insensitive file system (macOS, Windows) "Gradebook.CSV" is the same entry.
OUT_NAMES = frozenset(OUT_ENTRIES)

_SEPARATORS = {"/", "\\", os.sep, *((os.altsep,) if os.altsep else ())}


class UnsafeStudentId(ValueError):
    """An internal error: a student id reached the report writers that cannot be a folder in OUT."""


def check_student_id(student: str) -> None:
    """Raise :class:`UnsafeStudentId` unless ``student`` can safely name its folder in OUT."""
    reason = None
    if not isinstance(student, str) or not student:
        reason = "it is empty (or not a string)"
    elif student.startswith("."):
        reason = "it starts with '.' (hidden, or '.' / '..', or a temporary file of the grader's)"
    elif any(sep in student for sep in _SEPARATORS) or "\0" in student:
        reason = "it contains a path separator or a NUL character"
    elif student.casefold() in {name.casefold() for name in OUT_NAMES}:
        reason = f"it is one of OUT's own entries ({', '.join(sorted(OUT_NAMES))})"
    if reason:
        raise UnsafeStudentId(f"internal grader error: student id {student!r} cannot name a folder in OUT: "
                              f"{reason}. Student ids are made safe when submissions are found "
                              f"(grader.submission); please report this as a bug.")
