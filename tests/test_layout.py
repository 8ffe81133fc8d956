"""The package's layout holds: stages import only below them, with no cycle, also counting the
imports inside functions (so none there dodges one); modules and functions fit in one reading."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "grader"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, tree: ast.Module) -> list:
    """(grader module imported, line, inside a function?) for every import in ``tree``."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            targets = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in child.names]
            for target in targets:
                while target and target not in MODULES:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append((target, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def graph() -> dict:
    edges = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = imported(name, tree)
    return edges


def test_no_import_cycle_among_grader_modules_counting_imports_inside_functions():
    edges = {name: {target for target, _, _ in found} for name, found in graph().items()}
    # A package's __init__ re-exporting its own modules is not a cycle of stages.
    for name in edges:
        edges[name] = {t for t in edges[name] if not (name.startswith(t + ".") and MODULES[t].name == "__init__.py")}
    cycles = []
    state: dict = {}

    def walk(node, stack):
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                walk(target, stack + [target])
        state[node] = "done"

    for name in sorted(edges):
        if name not in state:
            walk(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_modules_and_functions_fit_in_one_reading():
    long_modules, long_functions = [], []
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            long_modules.append(f"{path.relative_to(PACKAGE.parent)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {length} lines")
    assert not long_modules + long_functions, "\n".join(long_modules + long_functions)


# Parsed only where no other grading thread runs at the same time: the command line's own
# steps (generate, import, export), the student's kernel, and the sandboxed child.
SINGLE_THREADED = {"grader.bundle", "grader.check_module", "grader.generate", "grader.kernel_check",
                   "grader.importers", "grader.importers.infer", "grader.importers.solved",
                   "grader.importers.write", "grader.sandbox.imports", "grader.syntax"}


def test_grading_parses_through_the_lock_that_keeps_two_threads_from_parsing_at_once():
    """CPython 3.11's AST conversion is not thread-safe (grader/syntax.py): a raw ast.parse in a
    module grading threads reach fails now and then with a SystemError under load."""
    raw = []
    for name, path in MODULES.items():
        if name in SINGLE_THREADED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "parse" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "ast":
                raw.append(f"{name}:{node.lineno}")
    assert not raw, f"use grader.syntax.parse: {raw}"
