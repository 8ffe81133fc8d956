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
from pathlib import Path

from grader import __version__
from grader.outcomes import StudentResult
from grader.report.files import atomic_write

CACHE_DIR = ".cache"


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


def submission_key(base: str, path: Path) -> str:
    digest = hashlib.sha256(base.encode())
    path = Path(path)
    members = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for member in members:
        digest.update(member.name.encode() + b"\0")
        try:
            digest.update(member.read_bytes())
        except OSError as exc:  # unreadable now: never reuse a result for it
            digest.update(f"unreadable {exc}".encode())
    return digest.hexdigest()


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
    data = {"key": key, "result": result.to_dict()}
    atomic_write(folder / f"{result.student}.json", json.dumps(data, indent=1, sort_keys=True) + "\n")
