"""An assignment written as a notebook: ``solution: solutions/NAME/NAME.ipynb`` in config.yaml.

The instructor writes one notebook instead of ``NAME.py`` + ``notebook.md``: Markdown cells are
the text students read; a code cell holding a solution region (``### BEGIN SOLUTION``, Otter's
``# BEGIN SOLUTION`` or a trailing ``# SOLUTION``), or starting with ``# GRADED FUNCTION: NAME``,
is a graded cell (its functions are the reference, and students get their stubs there); any
other code cell is the notebook's own code (shown to students, and its imports and definitions
are part of the reference too).

:func:`paired` writes the two files the rest of the grader reads, beside the notebook:
``NAME.py`` (the reference, a paired ``.py`` view in jupytext's spirit, marked as made from the
notebook) and ``.NAME.notebook.md``, each only when its text changes, so loading the config
twice writes nothing. A hand-written ``NAME.py`` there is never overwritten: that is an error.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import nbformat

from grader.errors import ConfigError

MADE = "# Made by the grader from {notebook}: edit the notebook, not this file.\n"
_REGION = re.compile(r"^\s*#+\s*BEGIN SOLUTION|#\s*SOLUTION\s*$|^\s*#\s*GRADED FUNCTION:", re.M)


def read(path: Path):
    """The notebook as an :class:`~grader.importers.Imported` (no tests: those stay test_*.py files)."""
    from grader.importers import Cell, Imported, defined_functions, parse_cell, title_of
    from grader.importers.solved import HEADER, with_region

    notebook = nbformat.read(path, as_version=4)
    imported = Imported("authored", Path(path), title="")
    for index, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "markdown":
            imported.cells.append(Cell("markdown", cell.source, index))
        elif cell.cell_type == "code":
            tree = parse_cell(imported, index, cell.source)
            if _REGION.search(cell.source):
                source, header = cell.source, HEADER.match(cell.source.lstrip().split("\n", 1)[0])
                if header and not re.search(r"BEGIN SOLUTION|#\s*SOLUTION\s*$", source, re.M):
                    source = with_region(source, header.group(1))
                imported.cells.append(Cell("graded", source, index, functions=defined_functions(tree)))
            else:
                imported.cells.append(Cell("code", cell.source, index))
    imported.title = title_of(imported.cells, Path(path).stem)
    return imported


def paired(notebook: Path, where: str, config: Path) -> tuple[Path, Path]:
    """Write (when changed) and return ``NAME.py`` and ``.NAME.notebook.md`` made from ``notebook``."""
    from grader.importers import ImportProblem
    from grader.importers.write import notebook_source, reference_source

    try:
        imported = read(notebook)
    except ImportProblem as exc:
        raise ConfigError(f"{where}: {exc.message}", path=notebook, hint=exc.hint) from None
    except Exception as exc:  # not a notebook nbformat can read
        raise ConfigError(f"{where}: not a readable notebook ({type(exc).__name__}: {exc})", path=notebook,
                          hint="save it from Jupyter, or point solution: at a .py file") from None
    header = MADE.format(notebook=notebook.name)
    module = notebook.with_suffix(".py")
    text = header + reference_source(imported).split("\n", 1)[1]
    if module.is_file() and not module.read_text(encoding="utf-8").startswith(header):
        raise ConfigError(f"{where}: {module.name} exists beside {notebook.name} and was not made from it",
                          path=config, hint=f"keep one of them: remove {module.name}, or point solution: at it")
    markdown = notebook.with_name(f".{notebook.stem}.notebook.md")
    for path, content in ((module, text), (markdown, notebook_source(imported))):
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            _atomic_write(path, content)
    return module, markdown


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
