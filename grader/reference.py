"""The instructor's reference: loaded in the trusted grader process only.

Its code never enters the sandbox. Student code reaches a reference function only
through a call back to the parent (see ``Reference.proxies_for``), which returns plain data.
"""
from __future__ import annotations

import ast
import copy
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SolutionError


@dataclass
class Reference:
    module: object
    path: Path
    calls: dict  # graded function -> the other graded functions its reference body calls
    output_names: dict  # graded function -> names of its returned values, e.g. ["grads", "cost"]

    def function(self, name: str):
        return getattr(self.module, name)

    def run(self, name: str, args: tuple, kwargs: dict):
        """Call the reference on deep copies, so a case's inputs stay pristine."""
        return self.function(name)(*copy.deepcopy(args), **copy.deepcopy(kwargs))

    def proxies_for(self, name: str, attribution: str) -> dict:
        """Graded functions that stand in for the student's own while ``name`` is graded.

        Only those the reference of ``name`` itself calls: a student's ``propagate`` may
        use the reference ``sigmoid``, but cannot reach the reference ``optimize`` (whose
        output contains the answer ``propagate`` is graded on).
        """
        if attribution != "reference":
            return {}
        return {callee: self.function(callee) for callee in sorted(self.calls.get(name, ()))}


def load_reference(solution: Path, functions) -> Reference:
    """Import the reference module from its file and check it defines every graded function."""
    solution = Path(solution)
    source = solution.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(solution))
    except SyntaxError as exc:
        raise SolutionError(f"syntax error at line {exc.lineno}: {exc.msg}", path=solution) from None
    defs = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = [name for name in functions if name not in defs]
    if missing:
        raise SolutionError(
            f"function(s) named in config.yaml but not defined at the top level: {', '.join(missing)}",
            path=solution, hint="define them in the solution file or remove them from config.yaml")
    calls = {}
    for name in functions:
        called = {n.func.id for n in ast.walk(defs[name])
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        calls[name] = sorted((called & set(functions)) - {name})

    output_names = {name: _returned_names(defs[name]) for name in functions}

    module_name = f"_grader_reference_{solution.parent.name}_{solution.stem}"
    spec = importlib.util.spec_from_file_location(module_name, solution)
    module = importlib.util.module_from_spec(spec)
    # Helpers next to the solution (e.g. lr_utils) import as plain modules.
    sys.path.insert(0, str(solution.parent))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the instructor's own file: say so, with the cause
        raise SolutionError(f"importing the reference failed: {type(exc).__name__}: {exc}", path=solution) from exc
    finally:
        sys.path.remove(str(solution.parent))
    return Reference(module=module, path=solution, calls=calls, output_names=output_names)


def _returned_names(func: ast.FunctionDef) -> list | None:
    """The variable names of the reference's final ``return``: feedback says "grads['dw']", not "[0]"."""
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value is not None]
    if not returns:
        return None
    value = returns[-1].value
    items = value.elts if isinstance(value, ast.Tuple) else [value]
    if all(isinstance(item, ast.Name) for item in items):
        return [item.id for item in items]
    return None
