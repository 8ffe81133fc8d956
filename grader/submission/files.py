"""Reading a submission's files safely: regular files only, never blocking, never past a cap.

A submission folder is written by students, so any entry in it may be a FIFO (opening it for
reading waits for a writer), a device (``/dev/zero`` never ends), a symbolic link to anything
on the grading machine (``/proc/kmsg`` blocks, the reference solutions leak) or a file far too
big to hold in memory. :func:`read_regular` is the one way the grader reads a submission's
bytes: it looks at the entry without following it (``lstat``), opens only a regular file,
without following a link and without blocking, checks again what it opened (``fstat``) and
reads at most the cap plus one byte. :func:`members` lists a submission folder without
following links, to a bounded depth and number of entries.

Everything that goes wrong becomes a :class:`ReadFailure` whose message names the file, says
what happened and what to do.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from grader.config import Limits
from grader.submission.formats import format_of

EMPTY = "empty"
UNREADABLE = "unreadable"
TOO_LARGE = "too_large"   # a problem kind: over one of the caps (status stays unreadable)

MIB = 2**20
DEFAULT_MAX_BYTES = Limits.submission_mib * MIB
FOLDER_DEPTH = 3           # how deep a submission folder is searched (the folder, then two levels)
MAX_FOLDER_ENTRIES = 10_000  # entries examined in one submission folder: a course upload holds a few
SKIPPED_DIRS = frozenset({".ipynb_checkpoints", "__pycache__", "__MACOSX", ".git", "node_modules",
                          ".venv", "venv", "site-packages"})
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0))
_CHUNK = MIB


class ReadFailure(Exception):
    """Why a submission cannot be graded. ``status`` is the submission's (unreadable, empty);
    ``kind`` the problem's (unreadable, empty, too_large)."""

    def __init__(self, status: str, message: str, kind: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind or status


def printable(name: str) -> str:
    """A file name safe in a one-line message (and in UTF-8): as it is, or quoted with escapes
    when it holds control characters or bytes that are not UTF-8."""
    return name if name.isprintable() else ascii(name)


def size_text(size: int) -> str:
    """A size as people read it: ``190.7 MiB``, ``32 MiB``, ``900 KiB``, ``12 bytes``."""
    for unit, name in ((MIB, "MiB"), (1024, "KiB")):
        if size >= unit:
            return f"{size / unit:.1f}".removesuffix(".0") + f" {name}"
    return f"{size} bytes"


def kind_of(mode: int) -> str:
    """What a non-regular entry is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def too_large(shown: str, size: int | None, max_bytes: int) -> ReadFailure:
    """Over the cap; ``size`` None when the file only turned out longer while being read."""
    fmt = format_of(shown)
    if fmt is not None and fmt.cells:
        fix = ("It probably holds large outputs (images, printed arrays): open it in Jupyter, clear the "
               "outputs (Kernel > Restart & Clear Output), save it, and submit it again.")
    else:
        fix = "A file this large holds data, not code: remove the data (load it from a file instead) and submit it again."
    amount = f"is {size_text(size)}, more than" if size is not None else "holds more than"
    return ReadFailure(UNREADABLE, f"{shown} {amount} the {size_text(max_bytes)} the grader reads of one "
                                   f"submission, so it was not read. {fix}", TOO_LARGE)


def examine(path: Path, shown: str) -> os.stat_result:
    """``lstat`` with the failures as messages."""
    try:
        return os.lstat(path)
    except ValueError:  # a NUL in the name
        raise ReadFailure(UNREADABLE, f"{ascii(shown)} is not a usable file name; rename the file") from None
    except FileNotFoundError:
        raise ReadFailure(UNREADABLE, f"{shown} does not exist (it was moved or deleted before grading); "
                                      "submit it again") from None
    except OSError as exc:
        raise ReadFailure(UNREADABLE, f"{shown} cannot be opened ({exc.strerror}); submit it again") from None


def _refuse_special(info: os.stat_result, shown: str) -> None:
    if stat.S_ISLNK(info.st_mode):
        # A link could point at anything on the grading machine (the reference solutions...).
        raise ReadFailure(UNREADABLE, f"{shown} is a symbolic link, which the grader does not follow; "
                                      "submit the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise ReadFailure(UNREADABLE, f"{shown} is not a regular file but {kind_of(info.st_mode)}, which the "
                                      "grader does not open; submit the notebook file itself")


def read_regular(path: Path, max_bytes: int, *, shown: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes``; else a :class:`ReadFailure`.

    ``shown`` is how messages name the file (default: its name). Never opens anything but a
    regular file, never follows a link, never blocks, never reads more than ``max_bytes + 1``.
    """
    path = Path(path)
    shown = shown if shown is not None else printable(path.name)
    before = examine(path, shown)
    _refuse_special(before, shown)
    if before.st_size > max_bytes:
        raise too_large(shown, before.st_size, max_bytes)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link since the lstat
            raise ReadFailure(UNREADABLE, f"{shown} is a symbolic link, which the grader does not follow; "
                                          "submit the file itself") from None
        raise ReadFailure(UNREADABLE, f"{shown} cannot be read ({exc.strerror}); submit it again") from None
    try:
        opened = os.fstat(fd)
        _refuse_special(opened, shown)  # replaced by a FIFO or device since the lstat
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise ReadFailure(UNREADABLE, f"{shown} changed while the grader was reading it; submit it again")
        return _read_capped(fd, opened.st_size, max_bytes, shown)
    finally:
        os.close(fd)


def _read_capped(fd: int, size_hint: int, max_bytes: int, shown: str) -> bytes:
    """Up to ``max_bytes`` bytes; a file that turns out longer (it grew, or its size lied, as
    files under /proc do) is refused once one byte past the cap has been read."""
    chunks, total = [], 0
    want = min(size_hint, max_bytes) + 1
    while total <= max_bytes:
        try:
            chunk = os.read(fd, min(max(want, 1), _CHUNK, max_bytes + 1 - total))
        except BlockingIOError:
            raise ReadFailure(UNREADABLE, f"{shown} cannot be read without waiting (it is not an ordinary "
                                          "file); submit the notebook file itself") from None
        except OSError as exc:
            raise ReadFailure(UNREADABLE, f"{shown} cannot be read ({exc.strerror}); submit it again") from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        want = _CHUNK
    raise too_large(shown, None, max_bytes)


def members(folder: Path) -> list[Path]:
    """The entries of a submission folder that are not folders, sorted by relative path: not
    hidden, not in checkpoints or caches, at most :data:`FOLDER_DEPTH` levels deep, links not
    followed (a link is listed, as itself). More than :data:`MAX_FOLDER_ENTRIES` entries is a
    :class:`ReadFailure`: listing a huge tree would cost the batch its time."""
    folder = Path(folder)
    found, seen = [], 0
    todo = [(folder, 0)]
    while todo:
        current, depth = todo.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    seen += 1
                    if seen > MAX_FOLDER_ENTRIES:
                        raise ReadFailure(UNREADABLE, f"the folder {printable(folder.name)}/ holds more than "
                                                      f"{MAX_FOLDER_ENTRIES:,} files and folders, too many to look "
                                                      "through; submit only your notebook", TOO_LARGE)
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIPPED_DIRS and depth + 1 < FOLDER_DEPTH:
                            todo.append((Path(entry.path), depth + 1))
                    else:
                        found.append(Path(entry.path))
        except OSError as exc:
            if current == folder:
                raise ReadFailure(UNREADABLE, f"the folder {printable(folder.name)}/ cannot be read ({exc.strerror}); "
                                              "submit it again") from None
            continue  # a subfolder that cannot be listed holds nothing we can grade
    found.sort(key=lambda p: str(p.relative_to(folder)))
    return found


def folder_digest(path: Path) -> str:
    """A digest of a folder that could not be graded (names and sizes), so a cache sees when it changes."""
    digest = hashlib.sha256()
    try:
        for file in members(path):
            digest.update(str(file.relative_to(path)).encode("utf-8", "surrogateescape") + b"\0")
            digest.update(str(os.lstat(file).st_size).encode() + b"\0")
    except (OSError, ValueError, ReadFailure):
        pass  # what could be read is digested; the failure itself was reported
    return digest.hexdigest()


def read_all(path: Path, max_bytes: int) -> dict:
    """A submission's bytes as the loader would find them, for a grader elsewhere (a cluster
    worker): ``{"": bytes}`` for a file, ``{relative name: bytes}`` for a folder's notebooks
    and modules, within ``max_bytes`` in all. What the loader would refuse (links, special
    files, anything over the cap) is left out; an empty dict when nothing can be read."""
    path = Path(path)
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return {"": read_regular(path, max_bytes)}
        found, budget = {}, max_bytes
        for member in members(path):
            if format_of(member.name) is not None:
                data = read_regular(member, budget)
                found[str(member.relative_to(path))] = data
                budget -= len(data)
        return found
    except (OSError, ValueError, ReadFailure):
        return {}
