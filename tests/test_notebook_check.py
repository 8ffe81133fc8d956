"""check() in the notebook: the grader's checks, in a real Jupyter kernel, with numpy alone.

A student runs the generated notebook top to bottom (nbclient, a real kernel); their propagate
loops over the examples and their initialize_with_zeros returns a rank-1 w. The cells running
check() flag both, in the words the grader's feedback uses on the same code.
"""
from __future__ import annotations

import ast
import subprocess
import sys

import nbformat
import pytest

from grader.generate import GRADED_HEADER, generate_assignment
from grader.pipeline import grade_paths
from helpers_logreg import logreg_assignment

LOOPING_PROPAGATE = '''def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.zeros((X.shape[0], 1))
    for i in range(m):
        dw += X[:, i:i + 1] * (A[0, i] - Y[0, i]) / m
    db = float(np.sum(A - Y) / m)
    cost = float(np.squeeze(cost))
    return {"dw": dw, "db": db}, cost
'''

RANK1_INITIALIZE = '''def initialize_with_zeros(dim):
    w = np.zeros(dim)
    b = 0.0
    return w, b
'''


def reference_sources(solution_path) -> dict:
    source = solution_path.read_text(encoding="utf-8")
    return {node.name: ast.get_source_segment(source, node) for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef)}


def student_notebook(assignment, out, mistakes: dict):
    notebook = nbformat.read(out / f"{assignment.name}.ipynb", as_version=4)
    functions = {**reference_sources(assignment.solution), **mistakes}
    for cell in notebook.cells:
        name = cell.metadata.get("grader", {}).get("function")
        if cell.cell_type == "code" and name:
            cell.source = GRADED_HEADER.format(name=name) + "\n\n" + functions[name]
    return notebook


def cell_text(cell) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.notebook
def test_check_in_a_real_kernel_flags_a_loop_and_a_rank1_array_in_the_graders_words(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    assignment = logreg_assignment()
    out = tmp_path / "logreg"
    generate_assignment(assignment, out)
    mistakes = {"propagate": LOOPING_PROPAGATE, "initialize_with_zeros": RANK1_INITIALIZE}
    notebook = student_notebook(assignment, out, mistakes)
    assert notebook.cells[2].source == "from grader_check import check, check_all"
    notebook.cells.append(nbformat.v4.new_code_cell("check_all()", id="summary"))
    monkeypatch.delenv("CATVNONCAT_DIR", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # Run All goes on past errors: the training cells fail with a rank-1 w, as they would for the student.
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(out)}})
    client.execute()
    cells = {cell.id: cell for cell in notebook.cells}
    for cell in notebook.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors or not cell.id.startswith(("tests-", "check-", "summary")), \
            f"cell {cell.id} failed: {errors[0].ename}: {errors[0].evalue}"
    shown = {name: cell_text(cells[f"tests-{name}"]) for name in assignment.functions}

    # What the grader says about the same code (the real pipeline, sandbox and all).
    submission = tmp_path / "student.ipynb"
    nbformat.write(notebook, submission)
    [result] = grade_paths(assignment, [submission], jobs=1)
    loop = next(f for t in result.tests if t.function == "propagate" and t.check == "vectorized" for f in t.findings)
    rank1 = next(f for t in result.tests if t.function == "initialize_with_zeros" and t.check == "rank1"
                 for f in t.findings if not t.passed and not f.hidden)
    assert "a for loop runs once for each of the m examples" in loop.message
    assert "returns w as a rank-1 array" in rank1.message
    assert loop.message in shown["propagate"] and loop.fix in shown["propagate"]
    assert rank1.message in shown["initialize_with_zeros"] and rank1.fix in shown["initialize_with_zeros"]
    assert "FAIL vectorized: 0/1" in shown["propagate"] and "FAIL rank1: 0/1" in shown["initialize_with_zeros"]
    # The functions written right pass every check, with their points.
    assert shown["sigmoid"].startswith("sigmoid: 4 of 4 points on the public cases"), shown["sigmoid"]
    assert "FAIL" not in shown["predict"]
    summary = cell_text(cells["summary"])
    assert "propagate" in summary and "vectorized" in summary and "total" in summary


@pytest.mark.notebook
def test_check_on_the_stub_says_the_function_is_not_written(tmp_path):
    from nbclient import NotebookClient

    assignment = logreg_assignment()
    out = tmp_path / "logreg"
    generate_assignment(assignment, out)
    notebook = nbformat.read(out / "logreg.ipynb", as_version=4)
    first = next(i for i, c in enumerate(notebook.cells) if c.get("id") == "tests-sigmoid")
    notebook.cells = notebook.cells[:first + 1]
    NotebookClient(notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(out)}}).execute()
    text = cell_text(notebook.cells[first])
    assert "sigmoid: 0 of 4 points" in text and "sigmoid is not written yet" in text, text


def test_the_shipped_check_imports_nothing_of_the_grader(tmp_path):
    """grader_check.py runs where only numpy is installed: importing any grader module fails here."""
    assignment = logreg_assignment()
    generate_assignment(assignment, tmp_path)
    script = '''
import sys, linecache
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "grader" or name.startswith("grader."):
            raise ImportError("the grader is not installed here: " + name)
sys.meta_path.insert(0, Refuse())
import grader_check
source = "import numpy as np\\n\\ndef sigmoid(z):\\n    return np.array([1 / (1 + np.exp(-v)) for v in z.ravel()]).reshape(z.shape)\\n"
linecache.cache["<cell 1>"] = (len(source), None, source.splitlines(True), "<cell 1>")
namespace = {"__name__": "__main__"}
exec(compile(source, "<cell 1>", "exec"), namespace)
print(grader_check.check("sigmoid", namespace=namespace))
print(sorted(n for n in sys.modules if n == "grader" or n.startswith("grader.")))
'''
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "FAIL vectorized: 0/1" in done.stdout and "a list comprehension" in done.stdout, done.stdout
    assert done.stdout.rstrip().endswith("[]")


def test_the_bundled_modules_are_the_graders_own_not_copies(tmp_path):
    """Every module in grader_check.py is the grader's file as it is (but for the package's name
    in its imports), or the config's dataclasses exactly as written: nothing to drift, nothing else."""
    from grader.bundle import PACKAGE, bundled_sources
    from grader.check_module import EMPTY_PACKAGES, PACKAGE_ROOT, module_file

    assignment = logreg_assignment()
    generate_assignment(assignment, tmp_path)
    held = bundled_sources((tmp_path / "grader_check.py").read_text(encoding="utf-8"))
    config = (PACKAGE_ROOT / "config.py").read_text(encoding="utf-8")
    assert {"_grader_check.checks.rank1", "_grader_check.checks.vectorized", "_grader_check.checks.analysis.loops",
            "_grader_check.checks.analysis.compare", "_grader_check.kernel_check"} <= set(held)
    for private, source in held.items():
        name = "grader" + private[len(PACKAGE):]
        restored = source.replace(f"from {PACKAGE}", "from grader").replace(f"import {PACKAGE}", "import grader")
        if name == "grader.config":
            classes = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]
            assert len(classes) >= 5 and all(ast.get_source_segment(source, c) in config for c in classes)
        elif name in EMPTY_PACKAGES:
            assert not ast.parse(source).body[1:]
        else:
            assert restored == module_file(name).read_text(encoding="utf-8"), name
