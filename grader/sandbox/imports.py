"""The course's files a child may import, and what it says when loading code failed.

An assignment's ``extra_files`` (``planar_utils.py``, ``lr_utils.py``: student material,
copied next to the notebook) must be importable by graded code, as in the notebook. They
live in ``solutions/``, which children may never read, so the grader copies them into a
folder of their own (:func:`course_folder`, read-only) that the sandbox lets children read,
and each child puts it first on ``sys.path``. Nothing else of ``solutions/`` is copied.

In the child, a cell that fails while loading (an import of a module that is not there,
most often) leaves the names of its failing statement and of those after it unbound; a call
that then fails on one of them says which cell and line failed, and why
(:class:`LoadFailures`), instead of a bare ``NameError``.
"""
from __future__ import annotations

import ast
import os
import shutil
import tempfile
from pathlib import Path

READ_ONLY_FILE, READ_ONLY_FOLDER = 0o444, 0o555


# ------------------------------------------------------------------ the grader's side


def course_folder(files) -> str | None:
    """A new read-only folder holding a copy of each of ``files`` (by file name), or None
    when there are none; :func:`remove_course_folder` removes it."""
    files = [Path(f) for f in files]
    if not files:
        return None
    folder = tempfile.mkdtemp(prefix="grader-course-files-")
    try:
        for file in files:
            target = os.path.join(folder, file.name)
            shutil.copyfile(file, target)
            os.chmod(target, READ_ONLY_FILE)
        os.chmod(folder, READ_ONLY_FOLDER)
    except BaseException:
        remove_course_folder(folder)
        raise
    return folder


def remove_course_folder(folder: str | None) -> None:
    if folder and os.path.isdir(folder):
        os.chmod(folder, 0o700)      # a read-only folder's entries cannot be removed
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ the child's side


def course_modules(folders) -> list[str]:
    """The module names the course's files give (``planar_utils`` for planar_utils.py)."""
    names = []
    for folder in folders:
        try:
            names += sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".py"))
        except OSError:
            pass
    return names


def not_available(exc: BaseException, modules: list[str]) -> str:
    """Why an import failed, in the student's terms ("" when it is not a missing module)."""
    name = getattr(exc, "name", None)
    if not isinstance(exc, ModuleNotFoundError) or not isinstance(name, str) or not name:
        return ""
    course = f", Python's standard library, and the course's files: {', '.join(modules)}" if modules \
        else " and Python's standard library"
    return (f"the module {name[:100]!r} is not available while grading (graded code runs apart from your "
            f"notebook, and can import numpy{course})")


def bound_names(statement: ast.stmt) -> set[str]:
    """The module-level names a statement binds."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in statement.names if alias.name != "*"}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    targets = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}


class LoadFailures:
    """The cells that failed while loading, and the names each left unbound."""

    def __init__(self, modules: list[str]):
        self.modules = modules
        self.failed: list = []        # (names left unbound, "<cell 2>, line 3", what went wrong)

    def record(self, filename: str, source: str, line: int | None, exc: BaseException, error: str) -> None:
        """Cell ``filename`` raised ``exc`` (its text ``error``) at ``line`` while loading."""
        try:
            body = ast.parse(source).body
        except Exception:  # noqa: BLE001 - a chunk we cannot read again: no note, nothing worse
            return
        first = line or 1
        names = set()
        for statement in body:
            if (statement.end_lineno or statement.lineno) >= first:
                names |= bound_names(statement)
        where = f"{filename}, line {line}" if line else filename
        self.failed.append((names, where, not_available(exc, self.modules) or error))

    def explain(self, exc: BaseException) -> str:
        """A note for an exception raised by a call: a missing module, or a name a failed
        cell should have bound ("" when neither)."""
        note = not_available(exc, self.modules)
        if note or not isinstance(exc, NameError):
            return note
        name = getattr(exc, "name", None)
        for names, where, reason in self.failed:
            if name in names:
                return f"{where} was to define it, but failed while loading: {reason}"
        return ""
