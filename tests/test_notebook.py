"""The generated notebook, with the reference pasted into its graded cells, runs top to bottom."""
import ast
import shutil

import nbformat
import pytest

from grader.generate import GRADED_HEADER, generate_assignment
from helpers_logreg import logreg_assignment

pytestmark = pytest.mark.notebook


def reference_sources(solution_path) -> dict:
    source = solution_path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    return {node.name: ast.get_source_segment(source, node) for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_notebook_with_reference_solutions_runs_and_its_public_tests_pass(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    assignment = logreg_assignment()
    out = tmp_path / "logreg"
    generate_assignment(assignment, out)
    notebook = nbformat.read(out / "logreg.ipynb", as_version=4)
    references = reference_sources(assignment.solution)
    pasted = 0
    for cell in notebook.cells:
        grader = cell.metadata.get("grader", {})
        if cell.cell_type == "code" and grader.get("graded"):
            name = grader["function"]
            assert cell.source.startswith(GRADED_HEADER.format(name=name))
            cell.source = GRADED_HEADER.format(name=name) + "\n\n" + references[name]
            pasted += 1
    assert pasted == len(assignment.functions)

    # The synthetic data set: no course files reachable from the kernel.
    monkeypatch.delenv("CATVNONCAT_DIR", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(out)}})
    client.execute()

    outputs = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"cell {cell.id} failed: {errors[0].ename}: {errors[0].evalue}"
            outputs[cell.id] = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                                       for o in cell.outputs)
    for name in assignment.functions:
        points = f"{assignment.functions[name].max_points:g}"
        assert outputs[f"tests-{name}"].startswith(f"{name}: {points} of {points} points on the public cases"), \
            outputs[f"tests-{name}"]
        assert "FAIL" not in outputs[f"tests-{name}"]
    text = "\n".join(outputs.values())
    assert "synthetic" in text
    assert "test accuracy" in text


def test_stub_notebook_public_tests_fail_with_a_clear_message(tmp_path):
    """Without the student's code, the check cells say so and what to do (Run All goes on)."""
    from nbclient import NotebookClient

    assignment = logreg_assignment()
    out = tmp_path / "logreg"
    generate_assignment(assignment, out)
    notebook = nbformat.read(out / "logreg.ipynb", as_version=4)
    first_test = next(i for i, c in enumerate(notebook.cells) if c.get("id") == "tests-sigmoid")
    notebook.cells = notebook.cells[:first_test + 1]
    client = NotebookClient(notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(out)}})
    client.execute()
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in notebook.cells[first_test].outputs)
    assert "sigmoid is not written yet" in shown
