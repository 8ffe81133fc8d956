"""Build examples/<assignment>/ from each assignment's generated student notebook.

Each example is the notebook a student would hand in: the generated one, with the graded
cells filled in with the reference solution, and then one realistic mistake, as listed in
``solutions/<assignment>/examples.py`` (``variants(ref)``; ``EXPECTED`` holds the grades a
test asserts). Run with ``.venv/bin/python examples/make_examples.py``; a test checks the
committed examples are what this script makes.
"""
from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MARKER_LINE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+SOLUTION")


def reference_functions(solution: Path) -> dict:
    """Each reference function's source, with the solution markers removed."""
    source = solution.read_text(encoding="utf-8")
    functions = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            text = ast.get_source_segment(source, node)
            functions[node.name] = "\n".join(line for line in text.splitlines() if not MARKER_LINE.search(line))
    return functions


def examples_module(assignment):
    """``solutions/<assignment>/examples.py``, or None when the assignment has none."""
    path = assignment.solution_dir / "examples.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_examples_{assignment.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(assignment) -> dict:
    """student name -> notebook JSON text, for one assignment."""
    module = examples_module(assignment)
    if module is None:
        return {}
    ref = reference_functions(assignment.solution)
    notebook = ROOT / "assignments" / assignment.name / f"{assignment.name}.ipynb"
    built = {}
    for student, changes in module.variants(ref).items():
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            function = cell.get("metadata", {}).get("grader", {}).get("function")
            if cell.cell_type == "code" and function in ref:
                cell.source = f"# GRADED FUNCTION: {function}\n\n{changes.get(function, ref[function])}\n"
        built[student] = nbformat.writes(nb) + "\n"
    return built


def assignments():
    sys.path.insert(0, str(ROOT))
    from grader.config import load_config

    return list(load_config(ROOT / "config.yaml").assignments.values())


def main() -> None:
    for assignment in assignments():
        built = build(assignment)
        if not built:
            continue
        assignment.examples.mkdir(parents=True, exist_ok=True)
        for student, text in built.items():
            (assignment.examples / f"{student}.ipynb").write_text(text, encoding="utf-8")
        print(f"wrote {len(built)} example submissions to {assignment.examples.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
