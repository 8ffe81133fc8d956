"""Submission formats: which file names are submissions, and how their bytes become code units.

Two are built in (registered where their readers live, :mod:`grader.submission.reading`): a
Jupyter notebook (``.ipynb``, whose units are its cells) and a Python module (``.py``, one
unit). Adding one (a Jupytext script, an R Markdown export) is a module with a function
``units(data: bytes, name: str, functions: list) -> [Unit]`` and one line::

    register_format(Format("rmarkdown", (".rmd",), units, cells=True, rank=1))

``cells``: the units are notebook cells (graded cells found by their header or metadata, code
after a graded cell not run). ``rank``: in a folder holding several submissions, the one of
the lowest rank is the work (a notebook beside scratch modules); a folder itself ranks 1 when
student ids clash.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

FOLDER_RANK = 1


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple             # lower case, with the dot: (".ipynb",)
    units: Callable             # (data: bytes, name: str, functions: list) -> [Unit]
    cells: bool
    rank: int


_FORMATS: list = []


def register_format(fmt: Format) -> None:
    """Make ``fmt`` a submission format (replacing one of the same name)."""
    _FORMATS[:] = [f for f in _FORMATS if f.name != fmt.name] + [fmt]
    _FORMATS.sort(key=lambda f: (f.rank, f.name))


def unregister_format(name: str) -> None:
    _FORMATS[:] = [f for f in _FORMATS if f.name != name]


def format_of(name: str) -> Format | None:
    """The format of a file by its name (``ivy.IPYNB`` is a notebook), or None."""
    lowered = name.lower()
    return next((f for f in _FORMATS if lowered.endswith(f.suffixes)), None)


def is_submission_name(name: str) -> bool:
    return format_of(name) is not None


def suffixes() -> tuple:
    return tuple(s for f in _FORMATS for s in f.suffixes)


def described() -> str:
    """``<student>.ipynb, <student>.py`` for messages."""
    return ", ".join(f"<student>{f.suffixes[0]}" for f in _FORMATS)
