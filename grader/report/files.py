"""Atomic file writes: a reader (or a rerun after kill -9) never sees half a file.

What the grader writes is meant to be handed on (feedback to students, gradebooks to an LMS,
a web server serving OUT): files are 0644 and the folders it makes 0755, whatever the
process's umask, so another account (a TA's, a web server's) can read them. ``mkstemp``
alone would leave every file 0600.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

FILE_MODE = 0o644
FOLDER_MODE = 0o755


def make_folder(path: Path) -> None:
    """``mkdir -p path``; each folder made here gets :data:`FOLDER_MODE` (existing ones are left as they are)."""
    path = Path(path)
    missing = []
    while not path.is_dir():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by another writer: theirs to set
        os.chmod(folder, FOLDER_MODE)


def atomic_write(path: Path, text: str | bytes, durable: bool = False) -> None:
    """Write ``text`` (or bytes) to a temporary file beside ``path``, then rename it over ``path``.

    The rename alone is what a killed process needs (the page cache survives it). ``durable``
    adds an fsync, against power loss: worth it for the gradebook, not for each of the four
    files per student (a lost student file is rewritten from the cache on the next run, and
    a damaged cache entry is simply regraded)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        mode = ("wb", None, None) if isinstance(text, bytes) else ("w", "utf-8", "")
        with os.fdopen(fd, mode[0], encoding=mode[1], newline=mode[2]) as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def number(value: float) -> str:
    """A score as text: deterministic, no float noise (2.0 -> '2', 1.3333 -> '1.3333')."""
    value = round(float(value), 4)
    return str(int(value)) if value == int(value) else f"{value:.4f}".rstrip("0").rstrip(".")
