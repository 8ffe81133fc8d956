"""Write an imported assignment: ``solutions/NAME/`` and its entry in ``config.yaml``.

- ``NAME.py``: the reference: the notebook's imports and helper definitions, then each solution
  cell as it was (its solution regions kept, IPython's magics dropped);
- ``notebook.md``: the notebook's text (see :func:`grader.generate.parse_notebook_source`): its
  Markdown, its own code cells, and ``<!-- graded: NAME -->`` where each solution cell was; its
  tests are not in it (students get ``check()`` cells instead);
- ``test_<kind>_imported.py``: the source's tests, each a hidden instructor test worth its points
  (``@pytest.mark.grade``), running its code as the source tool does: after the notebook's own
  code cells, with the student's functions (the test passes when it raises nothing and, for an
  Otter test ending in an expression, when that prints what it printed on the solution);
- ``config.yaml``: the assignment, graded as the source tool grades it (each function calls the
  student's own: ``attribution: as_submitted``), the grader's five checks off (``points: {}``;
  switch them on per function), and inputs and cases inferred from what the tests call
  (:mod:`grader.importers.infer`), ``TODO`` where they cannot be.

Nothing is overwritten without ``force``: an existing ``solutions/NAME/`` or config entry is an error.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import yaml

from grader.errors import UserError
from grader.importers import Imported, strip_magics
from grader.importers.infer import function_entry, infer

TEST_HEADER = '''"""The tests of {source} ({kind}), imported by `grader import`; students never see this file.

Each runs as {tool} runs it: after the notebook's own code cells, with the student's functions;
it passes when it raises nothing{expression}.
"""
import pytest

SETUP = {setup!r}
FUNCTIONS = {functions!r}


def _run(student, source, filename, expected=None):
    namespace = {{"__name__": "__main__"}}
    functions = {{name: getattr(student, name) for name in FUNCTIONS}}
    for index, code in SETUP:
        namespace.update(functions)
        try:
            exec(compile(code, f"<cell {{index}}>", "exec"), namespace)
        except Exception:  # as in the notebook: a failed cell does not stop the others
            pass
    namespace.update(functions)
    import ast
    tree = ast.parse(source)
    last = tree.body.pop() if expected is not None and tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
        assert (repr(value) if value is not None else "") == expected, "the output differs from the expected one"
'''
TOOLS = {"nbgrader": "nbgrader autograde", "otter": "Otter-Grader", "solved": "the notebook"}


def reference_source(imported: Imported) -> str:
    """The reference module: the notebook's imports and definitions, then its solution cells."""
    parts = [f'"""Reference solution of "{imported.title}", imported from {imported.source.name} '
             f'by `grader import {imported.kind}`."""\n']
    for cell in imported.cells:
        if cell.kind == "code":
            source = strip_magics(cell.source)
            lines = source.splitlines()
            for node in ast.parse(source).body:
                if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
                    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
                    parts.append("\n".join(lines[first - 1:node.end_lineno]) + "\n")
    for cell in imported.cells:
        if cell.kind == "graded":
            parts.append("\n\n" + strip_magics(cell.source).strip("\n") + "\n")
    return "\n".join(parts)


def notebook_source(imported: Imported) -> str:
    parts, previous = [], None
    for cell in imported.cells:
        if cell.kind == "markdown":
            if previous == "markdown":
                parts.append("<!-- cell -->")
            parts.append(cell.source.strip("\n"))
        elif cell.kind == "code":
            fence = "~~~~" if "```" in cell.source else "```"
            parts.append(f"{fence}python\n{cell.source.strip(chr(10))}\n{fence}")
        elif cell.kind == "graded":
            parts.extend(f"<!-- graded: {name} -->" for name in cell.functions)
        previous = cell.kind if cell.kind != "test" else previous
    return "\n\n".join(parts) + "\n"


def tests_source(imported: Imported, expected: dict) -> str:
    setup = [(c.index, strip_magics(c.source)) for c in imported.cells if c.kind == "code"]
    text = TEST_HEADER.format(source=imported.source.name, kind=imported.kind, tool=TOOLS[imported.kind],
                              expression=" and, where its last line is an expression, that prints what it "
                                         "printed on the solution" if expected else "",
                              setup=setup, functions=tuple(imported.functions))
    for test in imported.tests:
        said = expected.get(test.name) if test.expression else None
        text += (f"\n\n@pytest.mark.grade(function={test.function!r}, points={test.points!r}, check=\"values\")\n"
                 f"def {test.name}(student):\n"
                 f'    """{"hidden" if test.hidden else "public"} test of cell {test.cell} of {imported.source.name}"""\n'
                 f"    _run(student, {test.source!r}, {f'<cell {test.cell}>'!r}, expected={said!r})\n")
    return text


def config_entry(imported: Imported, name: str, folder: str, entries: dict) -> str:
    data = {"title": imported.title, "solution": f"{folder}/{name}.py", "notebook": f"{folder}/notebook.md",
            "attribution": imported.attribution, "functions": entries}
    text = yaml.safe_dump({name: data}, sort_keys=False, default_flow_style=None, width=110, allow_unicode=True)
    comment = (f"  # Imported from {imported.source.name} by `grader import {imported.kind}`: graded by its tests\n"
               f"  # ({folder}/test_{imported.kind}_imported.py); the grader's checks are off (points: {{}}),\n"
               f"  # switch them on per function, e.g. points: {{values: 2, shapes: 1, rank1: 1, vectorized: 1}}.\n")
    return comment + "".join(f"  {line}\n" for line in text.splitlines())


def write(imported: Imported, name: str, config: Path, force: bool = False) -> tuple[list, list]:
    """Write the assignment; the files written, and the TODO keys left (key path, why)."""
    if not re.match(r"^[A-Za-z_][\w-]*$", name):
        raise UserError(f"--name {name!r} is not a valid assignment name", hint="use letters, digits and _")
    root = config.resolve().parent
    folder = root / "solutions" / name
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    raw = (yaml.safe_load(text) or {}) if text else {}
    if (folder.exists() or name in (raw.get("assignments") or {})) and not force:
        raise UserError(f"{name} exists already ({'solutions/' + name if folder.exists() else config.name})",
                        hint="choose another --name, or add --force to replace it")
    module = _load_reference(reference_source(imported), imported)
    setup = [(c.index, strip_magics(c.source)) for c in imported.cells if c.kind == "code"]
    inferred = infer(imported, {f: getattr(module, f) for f in imported.functions}, setup)
    entries, todo = {}, []
    for function in imported.functions:
        entries[function], left = function_entry(function, getattr(module, function),
                                                 inferred.calls.get(function, []))
        todo += [(f"assignments.{name}.functions.{function}.{key}", why) for key, why in left]
    if force and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = {f"{name}.py": reference_source(imported), "notebook.md": notebook_source(imported),
             f"test_{imported.kind}_imported.py": tests_source(imported, inferred.expected)}
    for filename, content in files.items():
        (folder / filename).write_text(content, encoding="utf-8")
    config.write_text(_with_entry(text, raw, name, config_entry(imported, name, f"solutions/{name}", entries),
                                  imported.title), encoding="utf-8")
    return [folder / f for f in files] + [config], todo


def _load_reference(source: str, imported: Imported):
    import types
    module = types.ModuleType("imported_reference")
    try:
        exec(compile(source, f"<{imported.source.name}: solution>", "exec"), module.__dict__)
    except Exception as exc:
        raise UserError(f"the solution cells do not run: {type(exc).__name__}: {exc}", path=imported.source,
                        hint="run the source notebook top to bottom and fix what fails") from None
    return module


def _with_entry(text: str, raw: dict, name: str, entry: str, title: str) -> str:
    """config.yaml's text with the entry under ``assignments:`` (an old one of that name removed)."""
    if not text.strip():
        return f"course:\n  name: {yaml.safe_dump(title, default_style=None).splitlines()[0]}\n\nassignments:\n{entry}"
    lines = text.splitlines(True)
    start = next((i for i, line in enumerate(lines) if re.match(rf"^  {re.escape(name)}:\s*$", line)), None)
    if start is not None:   # --force: drop the old entry, up to the next line at its level or above
        end = next((j for j in range(start + 1, len(lines)) if lines[j].strip() and not lines[j].startswith("   ")
                    and not lines[j].lstrip().startswith("#")), len(lines))
        first = start   # with the comment an earlier import wrote above it
        while first > 0 and lines[first - 1].startswith("  # "):
            first -= 1
        if not lines[first].startswith("  # Imported from "):
            first = start
        lines[first:end] = []
    keys = [i for i, line in enumerate(lines) if re.match(r"^[A-Za-z_]", line)]
    heading = next((i for i in keys if lines[i].startswith("assignments:")), None)
    if heading is None:
        return "".join(lines).rstrip("\n") + f"\n\nassignments:\n{entry}"
    after = next((i for i in keys if i > heading), len(lines))
    while after > heading + 1 and not lines[after - 1].strip():
        after -= 1
    rest = "".join(lines[after:])
    return "".join(lines[:after]).rstrip("\n") + "\n\n" + entry + (rest if rest.strip() else "")
