"""Build examples/submissions/ from the generated student notebook.

Each example is the notebook a student would hand in: the generated one, with the graded
cells filled in with the reference solution, and then one realistic mistake. Run with
``.venv/bin/python examples/make_examples.py``; a test checks the committed examples are
what this script makes, and another asserts their grades.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MARKER_LINE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+SOLUTION")
NOTEBOOK = ROOT / "assignments" / "logreg" / "logreg.ipynb"
SOLUTION = ROOT / "solutions" / "logreg" / "logreg.py"
OUT = ROOT / "examples" / "submissions"


def reference_functions() -> dict:
    """Each reference function's source, with the solution markers removed."""
    source = SOLUTION.read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            text = ast.get_source_segment(source, node)
            functions[node.name] = "\n".join(line for line in text.splitlines() if not MARKER_LINE.search(line))
    return functions


def replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise SystemExit(f"make_examples: {old!r} not found; the reference changed, update this script")
    return text.replace(old, new)


def variants(ref: dict) -> dict:
    """student -> {function: source}: the reference, with one mistake each (or none)."""
    return {
        "alice_correct": {},
        "bob_gradient_sign": {
            "propagate": replace(ref["propagate"], "dw = np.dot(X, (A - Y).T) / m", "dw = np.dot(X, (Y - A).T) / m"),
        },
        "carol_rank1_w": {
            "initialize_with_zeros": replace(ref["initialize_with_zeros"], "np.zeros((dim, 1))", "np.zeros(dim)"),
        },
        "dave_cost_1x1": {
            "propagate": replace(
                replace(ref["propagate"],
                        "cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m",
                        "cost = -(np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T)) / m"),
                "    cost = np.squeeze(np.array(cost))\n", ""),
        },
        "erin_syntax_error": {
            "predict": replace(ref["predict"], "A = sigmoid(np.dot(w.T, X) + b)", "A = sigmoid(np.dot(w.T, X) + b"),
        },
        "frank_predict_never_returns": {
            "predict": replace(ref["predict"], "    m = X.shape[1]\n",
                               "    m = X.shape[1]\n    while m > 0:  # waits for a condition that never changes\n"
                               "        m = m + 1 - 1\n"),
        },
        "grace_loops_over_examples": {
            "propagate": replace(
                ref["propagate"],
                "    dw = np.dot(X, (A - Y).T) / m\n",
                "    dw = np.zeros(w.shape)\n"
                "    for i in range(m):\n"
                "        dw += X[:, i:i + 1] * (A[0, i] - Y[0, i])\n"
                "    dw = dw / m\n"),
        },
    }


def build() -> dict:
    """student name -> notebook JSON text."""
    ref = reference_functions()
    built = {}
    for student, changes in variants(ref).items():
        nb = nbformat.read(NOTEBOOK, as_version=4)
        for cell in nb.cells:
            function = cell.get("metadata", {}).get("grader", {}).get("function")
            if cell.cell_type == "code" and function in ref:
                body = changes.get(function, ref[function])
                cell.source = f"# GRADED FUNCTION: {function}\n\n{body}\n"
        built[student] = nbformat.writes(nb) + "\n"
    return built


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for student, text in build().items():
        (OUT / f"{student}.ipynb").write_text(text, encoding="utf-8")
    print(f"wrote {len(build())} example submissions to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
