"""The instructor's reference, parsed once and loaded in the trusted grader process only.

:func:`parse_reference` reads the solution file's syntax tree (never importing it): what the
loader needs to compare signatures and what the checks need to know about the reference's
own code. :func:`load_reference` adds the imported module. Both are built once per batch and
passed to everything that needs them; nothing else parses or imports the solution.

The reference's code never enters the sandbox. Student code reaches a reference function
only through a call-back to a reference process of the sandbox (see
``grader/sandbox/callbacks.py``), limited to :meth:`Reference.proxy_names`, which returns
plain data.
"""
from __future__ import annotations

import ast
import copy
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader import syntax
from grader.errors import SolutionError
from grader.signature import Signature
from grader.silence import quiet


@dataclass(frozen=True)
class ReferenceSource:
    """The solution file as text and syntax tree, and what grading reads from it."""

    path: Path
    text: str
    tree: ast.Module
    functions: tuple                  # the graded functions, in config order
    defs: dict                        # top-level function name -> its ast.FunctionDef
    signatures: dict                  # top-level function name -> Signature
    names_called: dict                # graded function -> frozenset of every plain name it calls
    calls: dict                       # graded function -> sorted other graded functions it calls
    output_names: dict                # graded function -> names of its returned values, or None

    def def_of(self, name: str) -> ast.FunctionDef | None:
        return self.defs.get(name)


@dataclass
class Reference:
    """The parsed reference plus its imported module (trusted process only)."""

    source: ReferenceSource
    module: object

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def calls(self) -> dict:
        return self.source.calls

    @property
    def output_names(self) -> dict:
        return self.source.output_names

    def function(self, name: str):
        return getattr(self.module, name)

    def run(self, name: str, args: tuple, kwargs: dict, np_seed: int | None = None):
        """Call the reference on deep copies, so a case's inputs stay pristine; with ``np_seed``,
        numpy's global RandomState is seeded right before the call, as the sandbox does for the
        student's (config ``np_seed``)."""
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        if np_seed is not None:
            np.random.seed(np_seed)
        with quiet():   # a case that asks for print_cost: nothing on the grader's console
            return self.function(name)(*args, **kwargs)

    def proxy_names(self, name: str, attribution: str) -> tuple:
        """Graded functions that stand in for the student's own while ``name`` is graded.

        Only those the reference of ``name`` itself calls: a student's ``propagate`` may
        use the reference ``sigmoid``, but cannot reach the reference ``optimize`` (whose
        output contains the answer ``propagate`` is graded on).
        """
        if attribution != "reference":
            return ()
        return tuple(sorted(self.source.calls.get(name, ())))

    def proxies_for(self, name: str, attribution: str) -> dict:
        """``proxy_names`` with the reference's callables."""
        return {callee: self.function(callee) for callee in self.proxy_names(name, attribution)}


def parse_reference(solution: Path, functions) -> ReferenceSource:
    """Parse the reference file and check it defines every graded function."""
    solution = Path(solution)
    try:
        text = solution.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise SolutionError(f"the reference solution cannot be read ({exc})", path=solution) from None
    try:
        tree = syntax.parse(text, filename=str(solution))
    except SyntaxError as exc:
        raise SolutionError(f"syntax error at line {exc.lineno}: {exc.msg}", path=solution) from None
    functions = tuple(functions)
    defs = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    missing = [name for name in functions if name not in defs]
    if missing:
        raise SolutionError(
            f"function(s) named in config.yaml but not defined at the top level: {', '.join(missing)}",
            path=solution, hint="define them in the solution file or remove them from config.yaml")
    names_called = {name: frozenset(n.func.id for n in ast.walk(node)
                                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Name))
                    for name, node in defs.items()}
    graded = set(functions)
    calls = {name: sorted((names_called[name] & graded) - {name}) for name in functions}
    return ReferenceSource(
        path=solution, text=text, tree=tree, functions=functions, defs=defs,
        signatures={name: Signature.of(node) for name, node in defs.items()},
        names_called=names_called, calls=calls,
        output_names={name: _returned_names(defs[name]) for name in functions})


def load_reference(solution: Path | ReferenceSource, functions=None) -> Reference:
    """Import the reference module (parsing it first unless given its :class:`ReferenceSource`)."""
    source = solution if isinstance(solution, ReferenceSource) else parse_reference(solution, functions)
    return Reference(source=source, module=import_solution(source.path))


def import_solution(path: Path):
    """Import the solution file by path (also what the sandbox's reference process runs)."""
    module_name = f"_grader_reference_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    # Helpers next to the solution (e.g. lr_utils) import as plain modules.
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the instructor's own file: say so, with the cause
        raise SolutionError(f"importing the reference failed: {type(exc).__name__}: {exc}", path=path) from exc
    finally:
        sys.path.remove(str(path.parent))
    return module


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
