"""What an imported assignment's tests call its functions with: the config's inputs and cases.

Each test of the source runs once against the reference (trusted: the instructor's own code and
tests, in this process), with every graded function wrapped to record its calls: the visible part
of a test first (its calls become public cases), then the whole test (the calls it adds become
hidden cases). The first call of a function gives its inputs (an array's shape and dtype, a
float, an int, a dict of those); an argument of another kind cannot be drawn, and its input is
left ``TODO`` for the instructor. A test that fails on the reference is an error naming its cell:
it would fail every student.
"""
from __future__ import annotations

import ast
import copy
import inspect
from dataclasses import dataclass, field

import numpy as np

from grader.importers import ImportProblem, strip_magics

MAX_CASES = 3            # public (and again hidden) cases made per function from the recorded calls


@dataclass
class Call:
    function: str
    args: tuple
    kwargs: dict
    test: str
    key: str = ""


@dataclass
class Inferred:
    calls: dict = field(default_factory=dict)       # function -> [(Call, hidden)]
    expected: dict = field(default_factory=dict)    # test name -> repr its last expression prints


def setup_namespace(setup: list, functions: dict) -> dict:
    """The notebook's own code cells run in order (an error in one stops only that cell, as
    when a notebook is run), with the graded functions bound."""
    namespace = {"__name__": "__main__", **functions}
    for index, source in setup:
        try:
            exec(compile(source, f"<cell {index}>", "exec"), namespace)
        except Exception:  # the notebook goes on after a failed cell; the tests will show what it cost
            pass
        namespace.update(functions)
    return namespace


def run_test(source: str, namespace: dict, filename: str):
    """Run a test's code; the value of its last line when that is an expression, else None."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    return eval(compile(ast.Expression(last.value), filename, "eval"), namespace) if last else None


def infer(imported, reference: dict, setup: list) -> Inferred:
    """``reference``: graded function name -> the reference's function."""
    found = Inferred()
    for test in imported.tests:
        seen = set()
        for part, hidden in ((test.visible, False), (test.source, True)):
            if hidden is False and not part.strip():
                continue
            calls: list = []
            namespace = setup_namespace(setup, {name: _recording(name, fn, calls, test.name)
                                                for name, fn in reference.items()})
            try:
                value = run_test(strip_magics(part), namespace, f"<cell {test.cell}>")
            except Exception as exc:
                raise ImportProblem(f"{imported.where(test.cell)}: this test fails on the solution itself "
                                    f"({type(exc).__name__}: {exc})", path=imported.source,
                                    hint="fix the test or the solution: as it is, it would fail every student")
            if hidden and test.expression:
                found.expected[test.name] = repr(value) if value is not None else ""
            for call in calls:
                if call.key in seen:
                    continue
                seen.add(call.key)
                found.calls.setdefault(call.function, []).append((call, hidden or test.hidden))
    return found


def _recording(name: str, function, calls: list, test: str):
    def recorded(*args, **kwargs):
        call = Call(name, copy.deepcopy(args), copy.deepcopy(kwargs), test)
        call.key = f"{name}:{_key(args)}:{_key(kwargs)}"
        calls.append(call)
        return function(*args, **kwargs)
    return recorded


def _key(value) -> str:
    with np.printoptions(threshold=10**6, precision=17):
        return repr(value)


# --------------------------------------------------------------------------- config


def input_spec(value):
    """The config's input for a value like this one (None: it cannot be drawn)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        shape = list(value.shape)
        if value.dtype.kind == "b":
            return {"dist": "bernoulli", "shape": shape, "dtype": "bool"}
        if value.dtype.kind in "iu":
            return {"dist": "randint", "shape": shape, "low": 0, "high": 10, "dtype": "int64"}
        return {"dist": "normal", "shape": shape, "dtype": "float32" if value.dtype == np.float32 else "float64"}
    if isinstance(value, (float, np.floating)):
        return {"dist": "normal", "shape": [], "as": "float"}
    if isinstance(value, (int, np.integer)):
        return {"dist": "randint", "shape": [], "low": 0, "high": 10, "as": "int"}
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        fields = {k: input_spec(v) for k, v in value.items()}
        return {"fields": fields} if all(v is not None for v in fields.values()) else None
    return None


def plain(value):
    """A value as YAML writes it: arrays as nested lists, numpy scalars as Python numbers."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def function_entry(name: str, reference_function, recorded: list) -> tuple[dict, list]:
    """The config entry of one function, and the keys left TODO (with why)."""
    params = [p.name for p in inspect.signature(reference_function).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    entry: dict = {"points": {}}
    if not recorded:
        entry["inputs"] = "TODO"
        return entry, [("inputs", f"no test calls {name}: give its inputs and cases (docs/config.md)")]
    first = recorded[0][0]
    names = params[:len(first.args)]
    inputs = {param: input_spec(value) for param, value in zip(names, first.args)}
    todo = [(f"inputs.{param}", f"its value in the tests ({type(first.args[i]).__name__}) cannot be drawn")
            for i, (param, spec) in enumerate(inputs.items()) if spec is None]
    entry["inputs"] = {param: spec if spec is not None else "TODO" for param, spec in inputs.items()}
    edges, counts = [], {False: 0, True: 0}
    for call, hidden in recorded:
        if len(call.args) != len(names) or counts[hidden] >= MAX_CASES:
            continue
        counts[hidden] += 1
        case = {"name": f"{call.test}, call {counts[hidden]}" if not hidden else f"hidden call {counts[hidden]}",
                "hidden": hidden, "args": {param: plain(v) for param, v in zip(names, call.args)}}
        if call.kwargs:
            case["kwargs"] = plain(call.kwargs)
        edges.append(case)
    entry["edge"] = edges
    return entry, todo
