"""PLACEHOLDER until the submissions branch lands: discover(folder) -> Discovery."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UserError
from grader.submission.reading import student_id


@dataclass
class Found:
    path: Path
    student: str
    source: str


@dataclass
class Skipped:
    name: str
    reason: str


@dataclass
class Discovery:
    found: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def discover(folder: Path, *, max_bytes: int = 32 << 20) -> Discovery:
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("submissions folder not found", path=folder,
                        hint="pass the folder that holds <student>.ipynb files")
    paths = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name.startswith("_"):
            continue
        if entry.is_dir() or entry.suffix in (".ipynb", ".py"):
            paths.append(entry)
    return Discovery(found=work_for(paths))


def work_for(paths: list) -> list:
    ids, seen = [], set()
    stems = [student_id(Path(p)) for p in paths]
    for path, stem in zip(paths, stems):
        name = stem
        if stems.count(stem) > 1 and Path(path).suffix:
            name = f"{stem}_{Path(path).suffix.lstrip('.')}"
        candidate, number = name, 2
        while candidate in seen:
            candidate, number = f"{name}-{number}", number + 1
        seen.add(candidate)
        ids.append(candidate)
    return [Found(Path(p), i, Path(p).name + ("/" if Path(p).is_dir() else "")) for p, i in zip(paths, ids)]


def read_submission_files(path: Path, assignment) -> dict:
    path = Path(path)
    if path.is_dir():
        return {str(m.relative_to(path)): m.read_bytes() for m in sorted(path.rglob("*")) if m.is_file()}
    return {"": path.read_bytes()}
