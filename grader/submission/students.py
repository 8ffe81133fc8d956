"""Student ids: safe folder names, one per submission, that cannot break the output folder.

The id of ``alice.ipynb``, ``alice.py`` or ``alice/`` is ``alice``: the name without its
suffix, Unicode NFC, every run of characters other than letters, digits, ``_``, ``.`` and ``-``
turned into ``_``, at most :data:`MAX_ID_BYTES` bytes. Two ids are the same when they are equal
after NFC and case folding (``José`` spelled NFC or NFD, ``Alice`` and ``alice``: some file
systems cannot hold both as folders). When several submissions share an id, one keeps it and
the others get ``-2``, ``-3``..., in a fixed order: notebooks, then folders, then modules; the
NFC spelling first; then by name. An id that is, or is the stem of, an entry the grader writes
in the output folder (:data:`OUT_ENTRIES`) is suffixed the same way. Every clash and rename
is described in a note for the instructor.
"""
from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from grader.layout import OUT_ENTRIES
from grader.submission.formats import FOLDER_RANK, format_of, suffixes

# Ids never start with "." (a temporary file, the cache); the entries and their stems are taken.
RESERVED_IDS = frozenset(n.casefold() for e in OUT_ENTRIES for n in (e, e.split(".")[0]) if n)

MAX_ID_BYTES = 100   # far below NAME_MAX (255 bytes) with a suffix and ".json.<random>.tmp" added
# Suffixes browsers add to a downloaded notebook, besides the formats' own.
_DOWNLOAD_SUFFIXES = (".ipynb.json", ".ipynb.txt", ".json", ".txt")
_UNSAFE = re.compile(r"[^\w.-]+")


def student_id(name: str) -> str:
    """The id a file or folder name gives, before clashes are resolved (see the module docstring)."""
    for suffix in sorted((*_DOWNLOAD_SUFFIXES, *suffixes()), key=len, reverse=True):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).strip("._-")
    name = name.encode("utf-8", "surrogateescape")[:MAX_ID_BYTES].decode("utf-8", "ignore").strip("._-")
    return name or "submission"


def same_id_key(student: str) -> str:
    """What two ids must differ in: NFC, then case folded (``ß`` and ``ss`` are one id)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", student).casefold())


def source_name(name: str, is_dir: bool) -> str:
    """How a submission is named to people: ``alice.ipynb``, or ``alice/`` for a folder."""
    return f"{name}/" if is_dir else name


def shown(name: str) -> str:
    """A name safe to print on one line and in UTF-8: as it is, or quoted with escapes."""
    return name if name.isprintable() else ascii(name)


def _rank(name: str, is_dir: bool) -> int:
    """Who keeps a shared id: by format rank (notebooks first), folders between."""
    if is_dir:
        return FOLDER_RANK
    fmt = format_of(name)
    return fmt.rank if fmt is not None else FOLDER_RANK + 1


def assign_ids(entries: list[tuple[str, bool]]) -> tuple[list[str], list[str]]:
    """Ids for ``entries`` ((file or folder name, is a folder), in any order), in their order,
    unique after NFC and case folding and never reserved; and the notes that explain clashes
    and renames. The same entries give the same ids whatever their order."""
    bases = [student_id(name) for name, _ in entries]
    order = sorted(range(len(entries)), key=lambda i: (
        _rank(*entries[i]), entries[i][0] != unicodedata.normalize("NFC", entries[i][0]),
        entries[i][0], i))
    ids: list = [None] * len(entries)
    taken: set[str] = set()
    for i in order:  # first, every id that is free keeps its base
        key = same_id_key(bases[i])
        if key not in taken and key not in RESERVED_IDS:
            taken.add(key)
            ids[i] = bases[i]
    for i in order:  # then the others get the first free suffix
        if ids[i] is None:
            number = 2
            while same_id_key(f"{bases[i]}-{number}") in taken:
                number += 1
            ids[i] = f"{bases[i]}-{number}"
            taken.add(same_id_key(ids[i]))
    return ids, _notes(entries, bases, ids, order)


def _notes(entries, bases, ids, order) -> list[str]:
    groups: dict[str, list[int]] = {}
    for i in order:
        groups.setdefault(same_id_key(bases[i]), []).append(i)
    notes = []
    for key, members in groups.items():
        graded = ", ".join(f"{shown(source_name(*entries[i]))} as `{ids[i]}`" for i in members)
        if key in RESERVED_IDS:
            notes.append(f"{graded}: the student id `{bases[members[0]]}` is a name the grader uses for its own "
                         "files in the output folder, so it was changed.")
        if len(members) > 1:
            notes.append(f"{len(members)} submissions have the same student id `{bases[members[0]]}` (ids ignore "
                         "case, how accents are encoded and characters not allowed in folder names): graded "
                         f"{graded}. Check which one is the student's work and remove the others.")
    return notes


def ids_for_paths(paths: list) -> list[str]:
    """Ids for submission paths (see :func:`assign_ids`); a path that cannot be examined counts
    as a file."""
    entries = []
    for path in paths:
        try:
            is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
        except (OSError, ValueError):
            is_dir = False
        entries.append((Path(path).name, is_dir))
    return assign_ids(entries)[0]
