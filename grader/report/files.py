"""Atomic file writes: a reader (or a rerun after kill -9) never sees half a file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, text: str, durable: bool = False) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``.

    The rename alone is what a killed process needs (the page cache survives it). ``durable``
    adds an fsync, against power loss: worth it for the gradebook, not for each of the four
    files per student (a lost student file is rewritten from the cache on the next run, and
    a damaged cache entry is simply regraded)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
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
