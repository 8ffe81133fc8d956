"""The mistake models of a function: generated from the reference, and declared by the instructor.

- **generated**: each finder of ``kinds_*`` proposes small changes of the reference function's
  solution regions (:mod:`grader.mistakes.sites`); each change is a model whose source is the
  changed function and whose message is its kind's template, filled with the names of the
  reference's code. One more model runs the reference itself on float32 inputs.
- **declared in config.yaml** (``functions.<f>.mistakes.declared``): an id, a message, and
  ``replace``: text replacements that turn the reference function into the mistaken one.
- **declared in mistakes.py** beside the reference: ``MISTAKES``, a list of dicts with
  ``function``, ``id``, ``message`` and ``compute`` (a function of that module taking the
  graded function's arguments and returning the mistaken output).

Declared models come first: when two models give the same outputs on every case, the first
names the mistake. Models run only in a worker process of the grader (``worker.py``), never in
the sandbox and never in the grader's own process.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from grader import syntax
from grader.errors import ConfigError, SolutionError
from grader.markers import find_regions
from grader.mistakes import kinds_arrays, kinds_calls, kinds_values
from grader.mistakes.sites import Context, source_of

MISTAKES_FILE = "mistakes.py"
TEMPLATES = {**kinds_values.TEMPLATES, **kinds_arrays.TEMPLATES, **kinds_calls.TEMPLATES,
             "float32": "{function} computes in float32 (single precision), which keeps too few digits: keep "
                        "numpy's default float64 (no astype(np.float32) or dtype=np.float32)"}
# Which kind names a mistake when several give the same outputs: the likelier misconception first.
ORDER = ("sign", "update", "division", "comparison", "axis", "keepdims", "rank1", "transposed", "product",
         "squeeze", "shape_index", "default", "recording", "swapped", "factor", "term", "minus", "math",
         "int_literal")
FINDERS = {finder.__name__: finder for finder in (*kinds_values.FINDERS, *kinds_arrays.FINDERS, *kinds_calls.FINDERS)}
KINDS = ORDER + ("float32",)


@dataclass(frozen=True)
class Mistake:
    """One mistake model of a graded function. Exactly one of ``source`` (the mistaken function,
    run in the reference module's namespace), ``compute`` (a function of mistakes.py) or
    ``float32`` (the reference on float32 inputs) says how its output is computed."""

    id: str
    kind: str
    message: str
    source: str = ""
    compute: str = ""
    float32: bool = False

    def request(self) -> dict:
        """What the worker needs to run it."""
        return {"id": self.id, "source": self.source, "compute": self.compute, "float32": self.float32}


def solution_ranges(text: str, path, function: str) -> list:
    """The solution lines of ``function``'s regions, as inclusive (first, last) line ranges."""
    ranges = []
    for region in _regions(text, str(path)):
        if region.function == function:
            ranges.append((region.start + 1, region.end - 1) if region.kind == "block" else (region.start, region.end))
    return ranges


@lru_cache(maxsize=8)
def _regions(text: str, path: str) -> tuple:
    # Every function of a module asks for the same module's regions: parsed once, not per function.
    return tuple(find_regions(text, path))


def generated(source, function: str, ignore=()) -> list:
    """The generated models of ``function`` (``source``: the batch's ReferenceSource), in ORDER;
    ``ignore``: kinds or ids to leave out (config ``mistakes.ignore``)."""
    definition = source.def_of(function)
    context = Context.of(definition, solution_ranges(source.text, source.path, function), source.tree)
    edits = [edit for finder in FINDERS.values() for edit in _found(finder, context)]
    # by kind; a sign by the last statement first: equal outputs from negating an intermediate
    # value and the output it makes (logprobs, cost) are named by the output
    edits.sort(key=lambda edit: (ORDER.index(edit.kind), -edit.line if edit.kind == "sign" else 0))
    models, seen, sources = [], set(), {ast.unparse(definition)}
    for edit in edits:
        template = TEMPLATES[f"{edit.kind}/{edit.variant}" if edit.variant else edit.kind]
        ident = _unique(f"{edit.kind}:{edit.detail}", seen)
        if edit.kind in ignore or ident in ignore:
            continue
        try:
            code = source_of(definition, edit)
            compile(code, f"<mistake {ident}>", "exec")
        except (SyntaxError, ValueError, TypeError, AttributeError, IndexError):
            continue   # a change the tree does not take (an unusual construct): no model
        if code in sources:
            continue   # the same code as the reference or as an earlier model
        sources.add(code)
        models.append(Mistake(ident, edit.kind, template.format(**edit.fields), source=code))
    if "float32" not in ignore:
        models.append(Mistake("float32", "float32", TEMPLATES["float32"].format(function=function), float32=True))
    return models


def _found(finder, context) -> list:
    try:
        return list(finder(context))
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return []   # a construct the finder does not expect: it proposes nothing there


def _unique(ident: str, seen: set) -> str:
    candidate, number = ident, 2
    while candidate in seen:
        candidate, number = f"{ident}#{number}", number + 1
    seen.add(candidate)
    return candidate


def configured(source, function: str, spec, config_path, key: str = "mistakes.declared") -> list:
    """The models config.yaml declares for ``function`` (``spec``: its MistakeSpec; ``key``: the
    key path of its ``declared``, for errors)."""
    definition = source.def_of(function)
    lines = source.text.splitlines(keepends=True)
    text = "".join(lines[definition.lineno - 1:definition.end_lineno])
    models = []
    for declared in spec.declared:
        where = f"{key}.{declared.id}"
        changed = text
        for old, new in declared.replace:
            if old not in changed:
                raise ConfigError(f"{where}.replace: {old!r} is not in the reference {function}()", path=config_path,
                                  hint="copy the text to replace exactly from the reference, indentation aside")
            changed = changed.replace(old, new)
        try:
            compile(changed, f"<mistake {declared.id}>", "exec")
        except SyntaxError as exc:
            raise ConfigError(f"{where}.replace: the replaced {function}() is not valid Python ({exc.msg}, line "
                              f"{exc.lineno})", path=config_path, hint="replace whole expressions or lines") from None
        models.append(Mistake(declared.id, "declared", declared.message, source=changed))
    return models


def mistakes_file(solution: Path) -> Path:
    return Path(solution).parent / MISTAKES_FILE


def from_file(solution: Path, functions) -> dict:
    """function -> the models ``mistakes.py`` beside the reference declares ({} without one).

    Read from its syntax tree, never imported here: its functions run in the worker only. So
    ``MISTAKES`` is a list of dict literals whose function, id and message are strings and
    whose compute is the name of a function defined at the top level of the file."""
    path = mistakes_file(solution)
    if not path.is_file():
        return {}
    try:
        tree = syntax.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, ValueError, SyntaxError) as exc:
        raise SolutionError(f"cannot be read as Python: {exc}", path=path) from None
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    listed = [node.value for node in tree.body if isinstance(node, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == "MISTAKES" for t in node.targets)]
    if len(listed) != 1 or not isinstance(listed[0], (ast.List, ast.Tuple)):
        raise SolutionError("defines no MISTAKES list (or more than one)", path=path, hint=FILE_HINT)
    found: dict = {}
    for index, node in enumerate(listed[0].elts):
        entry = _entry(node, f"MISTAKES[{index}]", path)
        function, ident, compute = entry["function"], entry["id"], entry["compute"]
        where = f"MISTAKES[{index}] (line {node.lineno})"
        if function not in functions:
            raise SolutionError(f"{where}: {function!r} is not a graded function (graded: {', '.join(functions)})",
                                path=path, hint=FILE_HINT)
        if compute not in defined:
            raise SolutionError(f"{where}: compute names {compute!r}, which is not a function defined at the top "
                                f"level of {path.name}", path=path, hint=FILE_HINT)
        if any(mistake.id == ident for mistake in found.get(function, [])):
            raise SolutionError(f"{where}: the id {ident!r} is used twice for {function}", path=path, hint=FILE_HINT)
        found.setdefault(function, []).append(Mistake(ident, "declared", entry["message"], compute=compute))
    return found


FILE_HINT = ("MISTAKES = [{'function': 'NAME', 'id': 'ID', 'message': 'what is wrong and how to fix it', "
             "'compute': FUNCTION}, ...], with string literals and FUNCTION defined in the file")


def _entry(node: ast.AST, where: str, path: Path) -> dict:
    keys = ("function", "id", "message", "compute")
    if not isinstance(node, ast.Dict) or any(not isinstance(k, ast.Constant) for k in node.keys) \
            or sorted(k.value for k in node.keys) != sorted(keys):
        raise SolutionError(f"{where} (line {node.lineno}): expected a dict literal with the keys "
                            f"{', '.join(keys)}", path=path, hint=FILE_HINT)
    entry = {}
    for key, value in zip(node.keys, node.values):
        if key.value == "compute":
            if not isinstance(value, ast.Name):
                raise SolutionError(f"{where}: compute must name a function of the file", path=path, hint=FILE_HINT)
            entry["compute"] = value.id
        elif isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip():
            entry[key.value] = value.value
        else:
            raise SolutionError(f"{where}: {key.value} must be a non-empty string literal", path=path, hint=FILE_HINT)
    return entry
