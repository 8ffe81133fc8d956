"""Results cache: work already done is not redone after a crash, a kill -9, or a rerun.

A student's result is stored in ``OUT/.cache/<student>.json`` under a key made of the
submission's bytes, the configuration, the instructor's solution folder, and the
grader's version: change any of them and the student is regraded. ``--force`` ignores
the cache. The cache is written atomically right after a student is graded, so a batch
killed midway resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from grader import __version__
from grader.layout import CACHE
from grader.outcomes import StudentResult
from grader.report.files import atomic_write
from grader.report.jsontext import dumps
from grader.submission import files as reading_files
from grader.submission.formats import format_of

CACHE_DIR = CACHE


def batch_key(assignment) -> str:
    """What every student's key shares: grader version, config, solutions, hidden tests."""
    digest = hashlib.sha256(f"grader {__version__}\n".encode())
    files = [assignment.root / "config.yaml", *sorted(p for p in assignment.solution_dir.rglob("*")
                                                      if p.is_file() and "__pycache__" not in p.parts)]
    files += list(assignment.hidden_tests)
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(assignment.root) if path.is_relative_to(assignment.root)
                              else path).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def submission_key(base: str, path: Path, max_bytes: int = reading_files.DEFAULT_MAX_BYTES) -> str:
    """``base`` and what the loader would read of the submission at ``path``.

    Read as the loader reads (:func:`grader.submission.files.read_regular`): a FIFO, a device,
    a link or a file over ``max_bytes`` (the cap on one submission) is never opened or read;
    its refusal, which is all the loader would grade, goes into the key instead. In a folder,
    the notebooks and modules are read, notebooks first, within ``max_bytes`` in all; one left
    over counts by its size and modification time.
    """
    digest = hashlib.sha256(base.encode())
    path = Path(path)
    try:
        is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        is_dir = False
    if not is_dir:
        digest.update(_member_key(path, path.name, max_bytes)[0])
        return digest.hexdigest()
    try:
        members = [m for m in reading_files.members(path) if format_of(m.name) is not None]
    except reading_files.ReadFailure as failure:
        digest.update(f"refused\0{failure.message}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()
    members.sort(key=lambda m: format_of(m.name).rank)  # stable: by path within each
    budget = max_bytes
    for member in members:
        name = str(member.relative_to(path))
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        entry, read = _member_key(member, name, budget)
        digest.update(entry)
        budget -= read
    return digest.hexdigest()


def _member_key(path: Path, shown: str, budget: int) -> tuple[bytes, int]:
    """(what identifies this file's part in the key, bytes read)."""
    try:
        data = reading_files.read_regular(path, max(budget, 0), shown=shown)
    except reading_files.ReadFailure as failure:
        if failure.kind == reading_files.TOO_LARGE:
            try:  # over the budget left: its size and time say when it changes
                info = os.lstat(path)
                return f"large\0{info.st_size}\0{info.st_mtime_ns}\0{failure.message}\0".encode("utf-8", "surrogateescape"), 0
            except (OSError, ValueError):
                pass
        return f"refused\0{failure.message}\0".encode("utf-8", "surrogateescape"), 0
    return b"file\0" + hashlib.sha256(data).digest(), len(data)


def load(out: Path, student: str, key: str) -> StudentResult | None:
    file = Path(out) / CACHE_DIR / f"{student}.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("key") != key:
            return None
        return StudentResult.from_dict(data["result"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: regrade


def store(out: Path, result: StudentResult, key: str) -> None:
    folder = Path(out) / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    # As json.dumps({"key": key, "result": result.to_dict()}, indent=1, sort_keys=True) writes it.
    data = {"key": key, "result": result}
    atomic_write(folder / f"{result.student}.json", dumps(data, indent=1, sort_keys=True, as_dicts=True) + "\n")
