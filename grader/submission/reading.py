"""From a path to the code units of a submission: find the file, read it, split it in cells.

Everything that can go wrong with the file itself (missing, not a regular file, empty,
not UTF-8, not JSON, not a notebook) becomes a :class:`ReadFailure` whose message tells
the student what happened and what to do; nothing here raises anything else for bad input.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

EMPTY = "empty"
UNREADABLE = "unreadable"

MAX_BYTES = 256 * 1024 * 1024  # far above a notebook with big outputs (50 MB), far below a mistake
_FOLDER_DEPTH = 3               # how deep a submission folder is searched
_SKIPPED_DIRS = {".ipynb_checkpoints", "__pycache__", "__MACOSX", ".git", "node_modules",
                 ".venv", "venv", "site-packages"}
REDOWNLOAD = ("re-download the notebook from Jupyter with File > Download "
              "(File > Download as > Notebook (.ipynb) in the classic interface) and submit that file")

_HEADER = re.compile(r"#+[ \t]*GRADED[ \t_]+FUNCTION[ \t]*:?[ \t]*([A-Za-z_]\w*)", re.IGNORECASE)


class ReadFailure(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Unit:
    """A piece of the submission that parses on its own: a notebook cell, or a .py file."""

    label: str                   # "cell 7" / "bob.py": how messages name it
    filename: str                # "<cell 7>" / "<bob.py>": what tracebacks show
    cell_index: int | None       # 1-based position in the notebook; None for a .py file
    cell_type: str               # code, markdown, raw (or whatever the file says)
    text: str                    # the source as the student wrote it ("\n" line ends)
    marks: dict = field(default_factory=dict)  # graded function -> how the cell says so
    other_marks: list = field(default_factory=list)  # GRADED FUNCTION headers naming no graded function

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"


def student_id(path: Path) -> str:
    """The file or folder name without its extension, safe as a folder name."""
    name = path.name
    for suffix in (".ipynb.json", ".ipynb.txt", ".ipynb", ".py", ".json", ".txt"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[^\w.-]+", "_", name).strip("._-")[:100]
    return name or "submission"


def locate(path: Path, ignored_names: set[str]) -> Path:
    """The one file to grade: ``path`` itself, or the single notebook/module in the folder."""
    try:
        info = os.lstat(path)
    except ValueError:  # a NUL in the name
        raise ReadFailure(UNREADABLE, f"{path.name!r} is not a usable file name; rename the file") from None
    except FileNotFoundError:
        raise ReadFailure(UNREADABLE, f"{path.name} does not exist (it was moved or deleted before "
                                      "grading); submit the notebook again") from None
    except OSError as exc:
        raise ReadFailure(UNREADABLE, f"{path.name} cannot be opened ({exc.strerror}); "
                                      "submit the notebook again") from None
    if stat.S_ISLNK(info.st_mode):
        # A link could point at anything on the grading machine (the reference solutions...).
        raise ReadFailure(UNREADABLE, f"{path.name} is a symbolic link, which the grader does not "
                                      "follow; submit the notebook file itself")
    if stat.S_ISREG(info.st_mode):
        return path
    if not stat.S_ISDIR(info.st_mode):
        raise ReadFailure(UNREADABLE, f"{path.name} is not a regular file or folder; "
                                      "submit the notebook file itself")
    found = [f for f in _walk(path) if f.name.lower().endswith((".ipynb", ".py"))
             and f.name not in ignored_names]  # course files students upload with their work (lr_utils.py)
    found.sort(key=lambda f: str(f.relative_to(path)))
    notebooks = [f for f in found if f.suffix.lower() == ".ipynb"]
    if len(notebooks) == 1:
        found = notebooks  # a notebook and scratch .py files: the notebook is the work
    if len(found) == 1:
        if os.path.islink(found[0]):
            raise ReadFailure(UNREADABLE, f"{found[0].relative_to(path.parent)} is a symbolic link, "
                                          "which the grader does not follow; submit the file itself")
        return found[0]
    listing = ", ".join(str(f.relative_to(path)) for f in found)
    if not found:
        raise ReadFailure(UNREADABLE, f"the folder {path.name}/ holds no notebook (.ipynb) or module (.py); "
                                      "submit your notebook (File > Download in Jupyter)")
    raise ReadFailure(UNREADABLE, f"the folder {path.name}/ holds {len(found)} notebooks or modules "
                                  f"({listing}) and the grader cannot tell which one is your work; "
                                  "submit exactly one notebook")


def _walk(folder: Path):
    """Files of a submission folder: not hidden, not in checkpoints or caches, not too deep,
    symbolic links to folders not followed."""
    for root, dirs, files in os.walk(folder):
        depth = len(Path(root).relative_to(folder).parts)
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith(".")
                         and depth + 1 < _FOLDER_DEPTH)
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def folder_digest(path: Path) -> str:
    """A digest of a folder that could not be graded (names and sizes), so a cache sees when it changes."""
    digest = hashlib.sha256()
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            for file in _walk(path):
                digest.update(str(file.relative_to(path)).encode("utf-8", "surrogateescape") + b"\0")
                digest.update(str(os.lstat(file).st_size).encode() + b"\0")
    except (OSError, ValueError):
        pass  # what could be read is digested; the failure itself was reported
    return digest.hexdigest()


def read_bytes(file: Path) -> bytes:
    """The file's bytes. Opened without following a link and without blocking (a FIFO put in
    place of the file would hang a plain open), then checked to be a regular file."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        what = "is a symbolic link, which the grader does not follow" if exc.errno == errno.ELOOP \
            else f"cannot be read ({exc.strerror})"
        raise ReadFailure(UNREADABLE, f"{file.name} {what}; submit the notebook file itself") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ReadFailure(UNREADABLE, f"{file.name} is not a regular file; submit the notebook file itself")
        if info.st_size > MAX_BYTES:
            raise ReadFailure(UNREADABLE, f"{file.name} is {info.st_size / 2**20:.0f} MB, too large to be a "
                                          "notebook; clear the outputs (Edit > Clear Outputs of All Cells), "
                                          "save, and submit it again")
        try:
            return handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ReadFailure(UNREADABLE, f"{file.name} cannot be read ({exc.strerror}); "
                                          "submit the notebook again") from None


def decode(data: bytes, name: str, fix: str = REDOWNLOAD) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadFailure(UNREADABLE, f"{name} was saved as UTF-16 text by another program, not by Jupyter; "
                                      f"{fix}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadFailure(UNREADABLE, f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line} "
                                      "cannot be read): another program saved it in another encoding, or it was "
                                      f"damaged; {fix}") from None


def _normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# --------------------------------------------------------------------------- notebooks


_SIGNATURES = {b"PK\x03\x04": "a ZIP archive", b"%PDF": "a PDF document", b"\x89PNG": "a PNG image",
               b"\xff\xd8\xff": "a JPEG image"}


def _json_failure(exc: json.JSONDecodeError, text: str, name: str) -> ReadFailure:
    head = text.lstrip()[:200]
    signature = next((what for magic, what in _SIGNATURES.items()
                      if text.encode("utf-8", "surrogatepass")[:8].startswith(magic)), None)
    conflict = re.search(r"^<<<<<<< ", text, re.MULTILINE)
    if head.lower().startswith(("<!doctype html", "<html")):
        what = "is a web page (HTML), not a notebook: it was probably saved from the browser's page"
    elif conflict:
        what = (f"is not valid JSON: it holds unresolved merge-conflict markers "
                f"(<<<<<<< on line {text.count(chr(10), 0, conflict.start()) + 1})")
    elif signature:
        what = f"is {signature}, not a notebook"
    elif not head.startswith("{") and len(text) < 2**20 and _looks_like_python(text):
        what = ("holds Python code, not a notebook (a notebook is JSON); if you meant to submit a "
                "module, name it .py; otherwise")
    elif not head.startswith("{"):
        what = (f"is not a notebook: a notebook is JSON text that starts with '{{', this file starts with "
                f"{head[:20]!r}")
    elif not text.rstrip().endswith("}") or exc.pos >= len(text.rstrip()):
        what = (f"is cut short: its JSON ends too early (line {exc.lineno}), e.g. after an incomplete upload "
                "or with a full disk")
    else:
        what = f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    return ReadFailure(UNREADABLE, f"{name} {what}; {REDOWNLOAD}")


def _looks_like_python(text: str) -> bool:
    import ast
    try:
        ast.parse(text)
    except Exception:  # any failure just means "no"
        return False
    return True


def notebook_units(data: bytes, name: str, functions) -> list[Unit]:
    if not data.strip():
        raise ReadFailure(EMPTY, f"{name} is empty ({len(data)} bytes): the upload or the save failed; "
                                 f"open your notebook in Jupyter, save it (File > Save), {REDOWNLOAD}")
    text = decode(data, name)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_failure(exc, text, name) from None
    except RecursionError:
        raise ReadFailure(UNREADABLE, f"{name} is JSON nested too deeply to be a notebook; {REDOWNLOAD}") from None
    not_a_notebook = (f"{name} is JSON but not a Jupyter notebook ({{what}}); submit the .ipynb file "
                      "that Jupyter saves (File > Download)")
    if not isinstance(raw, dict):
        raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"it is a {type(raw).__name__}, not an object"))
    if not {"cells", "worksheets", "nbformat"} & raw.keys():
        keys = ", ".join(sorted(map(str, raw))[:8]) or "none"
        raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"no 'cells'; its keys are: {keys}"))
    major, _ = nbformat.reader.get_version(raw)
    try:
        major = int(major) if major is not None else 4
    except (TypeError, ValueError):
        raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"its nbformat is {major!r}")) from None
    if major > 4:
        raise ReadFailure(UNREADABLE, f"{name} uses notebook format {major}, newer than the grader reads (4); "
                                      "save it with a current Jupyter (File > Download) and submit that file")
    if major < 4:
        if major not in nbformat.versions:
            raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"its nbformat is {major}"))
        cells = _upgraded_cells(raw, name, major)
    else:
        cells = raw.get("cells")
        if not isinstance(cells, list):
            raise ReadFailure(UNREADABLE, not_a_notebook.format(what="its 'cells' is not a list"))
    return [_cell_unit(i, cell, functions) for i, cell in enumerate(cells, 1)]


def _upgraded_cells(raw: dict, name: str, major: int) -> list:
    """An old (v3 or older) notebook, converted by nbformat after dropping its outputs."""
    for sheet in raw.get("worksheets") or []:
        for cell in (sheet.get("cells") or []) if isinstance(sheet, dict) else []:
            if isinstance(cell, dict) and "outputs" in cell:
                cell["outputs"] = []  # never needed, possibly huge, and converted for nothing
    try:
        # nbformat's own reader for that version (it rejoins split lines), then its upgrade
        old = nbformat.versions[major].to_notebook_json(raw, minor=raw.get("nbformat_minor", 0))
        notebook = nbformat.convert(old, 4)
    except Exception as exc:  # nbformat raises many types on malformed old notebooks
        raise ReadFailure(UNREADABLE, f"{name} is an old (format {major}) notebook that cannot be converted "
                                      f"({type(exc).__name__}: {exc}); open it in a current Jupyter, "
                                      "save it, and submit it again") from None
    return list(notebook.get("cells") or [])


def _cell_unit(index: int, cell, functions) -> Unit:
    label, filename = f"cell {index}", f"<cell {index}>"
    if not isinstance(cell, dict):
        return Unit(label, filename, index, "invalid", "")
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(part for part in source if isinstance(part, str))
    elif not isinstance(source, str):
        source = ""
    cell_type = cell.get("cell_type")
    unit = Unit(label, filename, index, cell_type if isinstance(cell_type, str) else "invalid", _normalize(source))
    _mark(unit, cell.get("metadata"), functions)
    return unit


def _mark(unit: Unit, metadata, functions) -> None:
    """Which graded functions this cell is the graded cell of, and how we know."""
    for line in unit.text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("%%"):
            continue
        if not stripped.startswith("#"):
            break  # only the comments at the top of a cell are its header
        header = _HEADER.match(stripped)
        if header:
            name = header.group(1)
            if name in functions:
                unit.marks.setdefault(name, f"starts with `# GRADED FUNCTION: {name}`")
            else:
                unit.other_marks.append(name)
    if not isinstance(metadata, dict):
        return
    ours = metadata.get("grader")
    if isinstance(ours, dict):
        names = ours.get("function")
        for name in [names] if isinstance(names, str) else names if isinstance(names, list) else []:
            if name in functions:
                unit.marks.setdefault(name, f"is the graded cell of `{name}`")
    nbgrader = metadata.get("nbgrader")
    if isinstance(nbgrader, dict) and isinstance(nbgrader.get("grade_id"), str):
        if nbgrader.get("grade") and not nbgrader.get("solution"):
            return  # an nbgrader test cell: its asserts are not the student's answer
        grade_id = nbgrader["grade_id"]
        for name in sorted(functions, key=len, reverse=True):
            if grade_id == name or re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", grade_id):
                unit.marks.setdefault(name, f"is the graded cell of `{name}` (nbgrader id {grade_id!r})")
                break


def module_unit(data: bytes, name: str) -> Unit:
    if not data.strip():
        raise ReadFailure(EMPTY, f"{name} is empty ({len(data)} bytes): the upload or the save failed; "
                                 "submit your file again")
    text = decode(data, name, fix="save it as UTF-8 (your editor's Save with Encoding) and submit it again")
    return Unit(name, f"<{name}>", None, "code", _normalize(text))
