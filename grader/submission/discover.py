"""Which entries of a submissions folder are graded, under which student ids, and why the rest are not.

``discover(folder, max_bytes=...) -> Discovery``:

- a submission is a regular file whose name ends in ``.ipynb`` or ``.py`` (in any case:
  ``ivy.IPYNB`` is a notebook), or a folder holding at least one such name;
- names starting with ``.`` or ``_`` are ignored without a word (``.DS_Store``, ``__MACOSX``);
- every other entry is in ``skipped`` with the reason: other files (``.txt``, ``.pdf``,
  ``gus.ipynb.bak``), symbolic links (whatever they point to: a link can reach anything on
  the grading machine), FIFOs, sockets, devices, and folders with nothing to grade.

Nothing is opened here: entries are examined with ``lstat`` and folders listed without
following links (:func:`grader.submission.files.members`), so a FIFO or a device cannot block
the batch before it starts. The contents are read by the loader, through
:func:`grader.submission.files.read_regular`. Ids come from :mod:`grader.submission.students`;
``notes`` tells the instructor about shared ids, reserved names and files over the size cap.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UserError
from grader.submission import files, formats, students
from grader.submission.files import ReadFailure

NOT_A_SUBMISSION = "not a submission: only <student>.ipynb, <student>.py or a folder <student>/ are graded"
SYMLINK = ("a symbolic link: the grader does not follow links, which could point anywhere on this machine; "
           "put the file or folder itself here")
SPECIAL = ("{kind}, not a regular file: the grader opens only regular files and folders; "
           "put the student's notebook file here instead")
EMPTY_FOLDER = ("a folder holding no notebook (.ipynb) or module (.py), so there is nothing to grade in it; "
                "put the student's notebook in it, or remove the folder")
UNEXAMINABLE = "cannot be examined ({error}); check its permissions"


@dataclass
class Found:
    path: Path
    student: str        # unique in the batch, safe as a folder name, never an OUT entry
    source: str         # the file or folder as graded: "alice.ipynb", "alice/"


@dataclass
class Skipped:
    name: str           # the entry's name, as it is on disk
    reason: str         # what it is and what to do


@dataclass
class Discovery:
    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # shared ids, renamed ids, files over the cap


def discover(folder: Path, *, max_bytes: int = files.DEFAULT_MAX_BYTES) -> Discovery:
    """The submissions in ``folder``, sorted by name; see the module docstring. ``folder`` may
    also be one submission file (``grader grade alice.ipynb``): then it is the only one.
    ``max_bytes`` is the cap on one submission (``Limits.submission_mib``): a file over it is
    still a submission (its student gets a row saying why it was not read) and is noted."""
    folder = Path(folder)
    if _is_file(folder):
        return _one_file(folder, max_bytes)
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        raise UserError("submissions folder not found", path=folder,
                        hint="pass the folder that holds <student>.ipynb files") from None
    except OSError as exc:
        raise UserError(f"the submissions folder cannot be read ({exc.strerror})", path=folder,
                        hint="check its permissions") from None
    discovery = Discovery()
    candidates: list[tuple[str, bool, int | None]] = []
    for name in names:
        if name.startswith((".", "_")):
            continue
        reason, is_dir, size = _examine(folder / name)
        if reason is not None:
            discovery.skipped.append(Skipped(name, reason))
        else:
            candidates.append((name, is_dir, size))
    ids, discovery.notes = students.assign_ids([(name, is_dir) for name, is_dir, _ in candidates])
    for (name, is_dir, size), student in zip(candidates, ids):
        discovery.found.append(Found(folder / name, student, students.source_name(name, is_dir)))
        if size is not None and size > max_bytes:
            discovery.notes.append(f"{students.shown(name)} is {files.size_text(size)}, more than the "
                                   f"{files.size_text(max_bytes)} the grader reads of one submission: it is not "
                                   f"read, and the feedback of `{student}` says how to make it smaller.")
    return discovery


def work_for(paths: list) -> list[Found]:
    """Submissions given as paths rather than found in a folder, with ids made as ``discover``
    makes them (unique, safe, never an OUT entry)."""
    paths = [Path(p) for p in paths]
    ids = students.ids_for_paths(paths)
    return [Found(path, student, students.source_name(path.name, path.is_dir() and not path.is_symlink()))
            for path, student in zip(paths, ids)]


def _is_file(path: Path) -> bool:
    try:
        return not stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _one_file(path: Path, max_bytes: int) -> Discovery:
    """One submission named on the command line: graded if it is one, else a clear error."""
    reason, _, size = _examine(path)
    if reason is not None:
        raise UserError(f"cannot grade this file: {reason}", path=path,
                        hint="name a notebook (.ipynb) or module (.py), or a folder of them")
    discovery = Discovery(found=work_for([path]))
    if size is not None and size > max_bytes:
        discovery.notes.append(f"{students.shown(path.name)} is {files.size_text(size)}, more than the "
                               f"{files.size_text(max_bytes)} the grader reads of one submission: it is not read.")
    return discovery


def _examine(path: Path) -> tuple[str | None, bool, int | None]:
    """(why it is skipped or None, is a folder, size of a file)."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return UNEXAMINABLE.format(error=exc.strerror), False, None
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return SYMLINK, False, None
    if stat.S_ISDIR(mode):
        return _examine_folder(path), True, None
    if not stat.S_ISREG(mode):
        return SPECIAL.format(kind=files.kind_of(mode)), False, None
    if formats.is_submission_name(path.name):
        return None, False, info.st_size
    return NOT_A_SUBMISSION + _rename_hint(path.name), False, None


def _examine_folder(path: Path) -> str | None:
    try:
        if not any(formats.is_submission_name(member.name) for member in files.members(path)):
            return EMPTY_FOLDER
    except ReadFailure:
        pass  # too large or unreadable: graded, so that the loader tells the student why
    return None


def _rename_hint(name: str) -> str:
    """``gus.ipynb.bak`` -> "; if it is the student's work, rename it to gus.ipynb"."""
    lowered = name.lower()
    for suffix in formats.suffixes():
        at = lowered.rfind(suffix + ".")
        if at > 0:
            return f"; if it is the student's work, rename it to {students.shown(name[:at + len(suffix)])}"
    return ""
