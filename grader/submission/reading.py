"""From a path to the code units of a submission: find the file, read it, split it in cells.

Everything that can go wrong with the file itself (missing, not a regular file, too large,
empty, not UTF-8, not JSON, not a notebook) becomes a :class:`ReadFailure` whose message tells
the student what happened and what to do; nothing here raises anything else for bad input.
Reading is bounded: the bytes by the caller's cap (:func:`files.read_regular`), the JSON by a
count of its values taken before parsing, the cells and the code by caps whose limits no
course notebook comes near, so that no file can make loading slow or large.
"""
from __future__ import annotations

import codecs
import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader import syntax
from grader.submission import files, students
from grader.submission.files import EMPTY, TOO_LARGE, UNREADABLE, ReadFailure, folder_digest, read_regular
from grader.submission.formats import Format, format_of, register_format

__all__ = ["EMPTY", "UNREADABLE", "TOO_LARGE", "ReadFailure", "Unit", "UnitList", "locate", "read_regular",
           "folder_digest", "student_id", "decode", "notebook_units", "module_unit", "cell_unit"]

# Each JSON value costs the parser 50 to 70 bytes of memory, so a 32 MiB file of `{}` or `"ab"`
# would need 0.5-0.8 GiB; a course notebook holds some thousands of values, one with a long
# printed output some hundred thousand.
MAX_JSON_VALUES = 2_000_000
MAX_CELLS = 10_000            # a course notebook has tens of cells
# Parsing costs Python about 600 bytes of memory per byte of dense code; a course notebook
# holds about 10 KiB of code.
MAX_CODE_BYTES = 256 * 1024
REDOWNLOAD = ("re-download the notebook from Jupyter with File > Download "
              "(File > Download as > Notebook (.ipynb) in the classic interface) and submit that file")
CLEAR_OUTPUTS = "open it in Jupyter, clear the outputs (Kernel > Restart & Clear Output), save it, and submit it again"

_HEADER = re.compile(r"#+[ \t]*GRADED[ \t_]+FUNCTION[ \t]*:?[ \t]*([A-Za-z_]\w*)", re.IGNORECASE)
# A JSON string, or what is left of an unterminated one: it matches wherever a quote starts,
# so that stripping strings never retries (and never turns quadratic) on a damaged file.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)


class UnitList(list):
    """The units of a notebook, with the notebook's own ``metadata`` (what version it is can show
    there); a plain list of units serves every format that has none."""

    metadata: dict = {}


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
    """The file or folder name without its extension, safe as a folder name (before clashes
    with other submissions are resolved: :mod:`grader.submission.students`)."""
    return students.student_id(Path(path).name)


def locate(path: Path, ignored_names: set[str]) -> Path:
    """The one file to grade: ``path`` itself, or the single notebook/module in the folder.
    Nothing is opened here; :func:`read_regular` refuses what is not a regular file."""
    info = files.examine(path, files.printable(path.name))
    if not stat.S_ISDIR(info.st_mode):
        return path
    found = [f for f in files.members(path) if format_of(f.name) is not None
             and f.name not in ignored_names]  # course files students upload with their work (lr_utils.py)
    best = [f for f in found if format_of(f.name).rank == min(format_of(g.name).rank for g in found)]
    if len(best) == 1:
        found = best  # a notebook and scratch .py files: the notebook is the work
    if len(found) == 1:
        return found[0]
    listing = ", ".join(files.printable(str(f.relative_to(path))) for f in found)
    folder = files.printable(path.name)
    if not found:
        raise ReadFailure(UNREADABLE, f"the folder {folder}/ holds no notebook (.ipynb) or module (.py); "
                                      "submit your notebook (File > Download in Jupyter)")
    raise ReadFailure(UNREADABLE, f"the folder {folder}/ holds {len(found)} notebooks or modules "
                                  f"({listing}) and the grader cannot tell which one is your work; "
                                  "submit exactly one notebook")


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
                      if text[:8].encode("utf-8", "surrogatepass").startswith(magic)), None)
    conflict = re.search(r"^<<<<<<< ", text, re.MULTILINE)
    if head.lower().startswith(("<!doctype html", "<html")):
        what = "is a web page (HTML), not a notebook: it was probably saved from the browser's page"
    elif conflict:
        what = (f"is not valid JSON: it holds unresolved merge-conflict markers "
                f"(<<<<<<< on line {text.count(chr(10), 0, conflict.start()) + 1})")
    elif signature:
        what = f"is {signature}, not a notebook"
    elif not head.startswith("{") and len(text) < 64 * 1024 and _looks_like_python(text):
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
    try:
        syntax.parse(text)
    except Exception:  # any failure just means "no"
        return False
    return True


def notebook_units(data: bytes, name: str, functions) -> list[Unit]:
    if not data.strip():
        raise ReadFailure(EMPTY, f"{name} is empty ({len(data)} bytes): the upload or the save failed; "
                                 f"open your notebook in Jupyter, save it (File > Save), {REDOWNLOAD}")
    raw = _load_json(decode(data, name), name)
    cells = _notebook_cells(raw, name)
    units = UnitList(cell_unit(i, cell, functions) for i, cell in enumerate(cells, 1))
    units.metadata = raw["metadata"] if isinstance(raw.get("metadata"), dict) else {}
    code = sum(len(u.text.encode("utf-8", "surrogatepass")) for u in units if u.is_code)
    if code > MAX_CODE_BYTES:
        raise ReadFailure(UNREADABLE, f"{name} holds {files.size_text(code)} of code in its code cells, more than "
                                      f"the {files.size_text(MAX_CODE_BYTES)} the grader analyses in one notebook "
                                      "(a course notebook holds about 10 KiB): data pasted into cells is the usual "
                                      "cause; load such data from a file instead, save the notebook, and submit it "
                                      "again", TOO_LARGE)
    return units


def json_values(text: str) -> int:
    """About how many values a JSON text holds, counted in linear time before parsing it costs
    anything: outside strings, one after each comma, one first in each non-empty container."""
    bare = _JSON_STRING.sub("", text)
    return bare.count(",") + bare.count("{") + bare.count("[") - bare.count("{}") - bare.count("[]") + 1


def _load_json(text: str, name: str):
    values = json_values(text)
    if values > MAX_JSON_VALUES:
        raise ReadFailure(UNREADABLE, f"{name} holds about {values:,} JSON values, more than the "
                                      f"{MAX_JSON_VALUES:,} the grader reads in one notebook: it probably holds "
                                      f"very large outputs; {CLEAR_OUTPUTS}", TOO_LARGE)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_failure(exc, text, name) from None
    except RecursionError:
        raise ReadFailure(UNREADABLE, f"{name} is JSON nested too deeply to be a notebook; {REDOWNLOAD}") from None


def _notebook_cells(raw, name: str) -> list:
    not_a_notebook = (f"{name} is JSON but not a Jupyter notebook ({{what}}); submit the .ipynb file "
                      "that Jupyter saves (File > Download)")
    if not isinstance(raw, dict):
        raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"it is a {type(raw).__name__}, not an object"))
    if not {"cells", "worksheets", "nbformat"} & raw.keys():
        keys = ", ".join(k[:40] for k in sorted(map(str, raw))[:8]) or "none"
        raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"no 'cells'; its keys are: {keys}"))
    major = raw.get("nbformat", 1)   # as nbformat.reader.get_version reads it
    try:
        major = int(major) if major is not None else 4
    except (TypeError, ValueError, OverflowError):
        raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"its nbformat is {str(major)[:40]!r}")) from None
    if major > 4:
        raise ReadFailure(UNREADABLE, f"{name} uses notebook format {major}, newer than the grader reads (4); "
                                      "save it with a current Jupyter (File > Download) and submit that file")
    if major < 4:
        # nbformat (with jsonschema, about 0.3 s to import) only for the rare old notebook
        import nbformat

        if major not in nbformat.versions:
            raise ReadFailure(UNREADABLE, not_a_notebook.format(what=f"its nbformat is {major}"))
        _check_cell_count(sum(len(sheet.get("cells")) for sheet in _sheets(raw)
                              if isinstance(sheet.get("cells"), list)), name)
        return _upgraded_cells(raw, name, major)
    cells = raw.get("cells")
    if not isinstance(cells, list):
        raise ReadFailure(UNREADABLE, not_a_notebook.format(what="its 'cells' is not a list"))
    _check_cell_count(len(cells), name)
    return cells


def _check_cell_count(count: int, name: str) -> None:
    if count > MAX_CELLS:
        raise ReadFailure(UNREADABLE, f"{name} has {count:,} cells, more than the {MAX_CELLS:,} the grader reads in "
                                      "one notebook: a notebook this long was made by a program or by pasting cells "
                                      "many times; delete the cells you do not need (keep the graded ones), save it, "
                                      "and submit it again", TOO_LARGE)


def _sheets(raw: dict) -> list:
    sheets = raw.get("worksheets")
    return [sheet for sheet in sheets if isinstance(sheet, dict)] if isinstance(sheets, list) else []


def _upgraded_cells(raw: dict, name: str, major: int) -> list:
    """An old (v3 or older) notebook, converted by nbformat after dropping its outputs."""
    for sheet in _sheets(raw):
        for cell in sheet.get("cells") if isinstance(sheet.get("cells"), list) else []:
            if isinstance(cell, dict) and "outputs" in cell:
                cell["outputs"] = []  # never needed, possibly huge, and converted for nothing
    import nbformat

    try:
        # nbformat's own reader for that version (it rejoins split lines), then its upgrade
        old = nbformat.versions[major].to_notebook_json(raw, minor=raw.get("nbformat_minor", 0))
        notebook = nbformat.convert(old, 4)
    except Exception as exc:  # nbformat raises many types on malformed old notebooks
        raise ReadFailure(UNREADABLE, f"{name} is an old (format {major}) notebook that cannot be converted "
                                      f"({type(exc).__name__}: {str(exc)[:200]}); open it in a current Jupyter, "
                                      "save it, and submit it again") from None
    return list(notebook.get("cells") or [])


def cell_unit(index: int, cell, functions) -> Unit:
    """The unit of notebook cell ``index`` (1-based; a dict with ``cell_type``, ``source`` and
    ``metadata``), marked as the graded cell of a function when its header or metadata says so.
    Formats whose units are cells build them with this."""
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
                unit.marks.setdefault(name, f"is the graded cell of `{name}` (nbgrader id {grade_id[:60]!r})")
                break


def module_unit(data: bytes, name: str) -> Unit:
    if not data.strip():
        raise ReadFailure(EMPTY, f"{name} is empty ({len(data)} bytes): the upload or the save failed; "
                                 "submit your file again")
    if len(data) > MAX_CODE_BYTES:
        raise ReadFailure(UNREADABLE, f"{name} is {files.size_text(len(data))} of code, more than the "
                                      f"{files.size_text(MAX_CODE_BYTES)} the grader analyses in one module: data "
                                      "pasted into it is the usual cause; load such data from a file instead and "
                                      "submit it again", TOO_LARGE)
    text = decode(data, name, fix="save it as UTF-8 (your editor's Save with Encoding) and submit it again")
    return Unit(name, f"<{name}>", None, "code", _normalize(text))


def _module_units(data: bytes, name: str, functions) -> list[Unit]:
    return [module_unit(data, name)]


# The built-in formats (see grader.submission.formats): the notebook is the work in a folder
# that also holds scratch modules.
register_format(Format("notebook", (".ipynb",), notebook_units, cells=True, rank=0))
register_format(Format("module", (".py",), _module_units, cells=False, rank=2))


def header_names(text: str) -> list[str]:
    """The names in the ``# GRADED FUNCTION: name`` lines of ``text``."""
    return [m.group(1) for line in text.splitlines() if (m := _HEADER.match(line.strip()))]
