"""A small assignment written as nbgrader and Otter-Grader would have it, and students' answers.

Four functions (``predict`` calls ``sigmoid``, as nbgrader and Otter run it: the student's own),
tests with public and hidden parts and points, and, per function, answers that are right,
wrong, raise, or left as the stub. ``students(n)`` picks a fixed mix of them per student.
Also: ``tool_env(name, packages)``, a test-only virtual environment under ``build/`` (the
benchmark's, bench/nbgrader_side.py, shared with ``make bench``), and ``bench_module(name)``.
"""
from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

ROOT = Path(__file__).resolve().parents[1]

SETUP = "import numpy as np"
TITLE = "# Vectors and activations\n\nA short practice assignment."

SOLUTIONS = {
    "sigmoid": '''def sigmoid(z):
    """Compute the sigmoid of z, a scalar or an array of any shape."""
    {open}
    s = 1 / (1 + np.exp(-z))
    {close}
    return s''',
    "normalize_rows": '''def normalize_rows(x):
    """Divide each row of the matrix x by its norm."""
    {open}
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / norm
    {close}
    return x''',
    "softmax": '''def softmax(x):
    """The softmax of each row of x, of shape (m, n)."""
    {open}
    x_exp = np.exp(x)
    s = x_exp / np.sum(x_exp, axis=1, keepdims=True)
    {close}
    return s''',
    "predict": '''def predict(w, X):
    """1.0 where sigmoid(w.T X) > 0.5, else 0.0, for each column of X."""
    {open}
    A = sigmoid(np.dot(w.T, X))
    Y = (A > 0.5).astype(float)
    {close}
    return Y''',
}

# (points, visible code, hidden code) per test, per function.
TESTS = {
    "sigmoid": [(2, "assert np.allclose(sigmoid(np.array([0.0, 2.0])), [0.5, 0.88079708])",
                 "assert np.allclose(sigmoid(np.array([[-1.0, 0.0, 3.0]])), [[0.26894142, 0.5, 0.95257413]])")],
    "normalize_rows": [
        (2, "x = np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0]])\nout = normalize_rows(x)\nassert out.shape == (2, 3)\n"
            "assert np.allclose(out, [[0.0, 0.6, 0.8], [0.13736056, 0.82416338, 0.54944226]])", ""),
        (1, "", "out = normalize_rows(np.array([[1.0, 2.0], [3.0, 4.0], [0.5, 0.5]]))\n"
                "assert np.allclose(np.linalg.norm(out, axis=1), 1.0)")],
    "softmax": [(3, "s = softmax(np.array([[9.0, 2.0, 5.0, 0.0, 0.0], [7.0, 5.0, 0.0, 0.0, 0.0]]))\n"
                    "assert s.shape == (2, 5)\nassert np.allclose(s.sum(axis=1), 1.0)",
                 "s = softmax(np.array([[1.0, 2.0], [3.0, 3.0]]))\n"
                 "assert np.allclose(s, [[0.26894142, 0.73105858], [0.5, 0.5]])")],
    "predict": [(2, "w = np.array([[0.1124579], [0.23106775]])\nX = np.array([[-1.1, -3.2], [1.2, 2.0]])\n"
                    "assert np.array_equal(predict(w, X), [[1.0, 1.0]])",
                 "assert np.array_equal(predict(np.array([[1.0], [-1.0]]), np.array([[2.0, -3.0, 0.5], [1.0, 1.0, 2.0]])), "
                 "[[1.0, 0.0, 0.0]])")],
}

# Bodies of the student's answers, per function: the stub first, then the right one, then mistakes.
ANSWERS = {
    "sigmoid": ["    raise NotImplementedError()\n    return s", "    s = 1 / (1 + np.exp(-z))\n    return s",
                "    s = 1 / (1 + np.exp(z))\n    return s", "    s = 1 / (1 + math.exp(-z))\n    return s"],
    "normalize_rows": ["    raise NotImplementedError()\n    return x",
                       "    return x / np.linalg.norm(x, axis=1, keepdims=True)",
                       "    return x / np.linalg.norm(x, axis=1)",
                       "    return x / np.linalg.norm(x, axis=0, keepdims=True)"],
    "softmax": ["    raise NotImplementedError()\n    return s",
                "    e = np.exp(x)\n    return e / e.sum(axis=1, keepdims=True)",
                "    e = np.exp(x)\n    return e / e.sum()",
                "    e = np.exp(x)\n    return e / e.sum(axis=0, keepdims=True)"],
    "predict": ["    raise NotImplementedError()\n    return Y",
                "    return (sigmoid(np.dot(w.T, X)) > 0.5).astype(float)",
                "    return (sigmoid(np.dot(w.T, X)) >= 0.6).astype(float)",
                "    return sigmoid(np.dot(w.T, X)) > 0.5"],
}


def signature(name: str) -> str:
    return SOLUTIONS[name].split("\n", 1)[0] + "\n" + SOLUTIONS[name].split('"""')[0].split("\n", 1)[1] \
        + '"""' + SOLUTIONS[name].split('"""')[1] + '"""\n'


def solution(name: str, style: str) -> str:
    markers = {"nbgrader": ("### BEGIN SOLUTION", "### END SOLUTION"), "otter": ("# BEGIN SOLUTION", "# END SOLUTION")}
    opened, closed = markers[style]
    return SOLUTIONS[name].format(open=opened, close=closed)


def nbgrader_source() -> nbformat.NotebookNode:
    cells = [v4.new_markdown_cell(TITLE), _nbgrader(v4.new_code_cell(SETUP), None)]
    for name in SOLUTIONS:
        cells.append(v4.new_markdown_cell(f"## {name}\n\nWrite `{name}`."))
        cells.append(_nbgrader(v4.new_code_cell(solution(name, "nbgrader")), name, solution=True))
        for i, (points, visible, hidden) in enumerate(TESTS[name], 1):
            code = visible + (f"\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS" if hidden else "")
            cells.append(_nbgrader(v4.new_code_cell(code.strip("\n")), f"{name}_tests_{i}", points=points))
    return v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})


def _nbgrader(cell, grade_id, solution=False, points=None):
    if grade_id is None:
        return cell
    cell.metadata["nbgrader"] = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None,
                                 "schema_version": 3, "solution": solution, **({"points": points} if points else {})}
    return cell


def otter_source() -> nbformat.NotebookNode:
    cells = [v4.new_raw_cell("# ASSIGNMENT CONFIG\nrequirements: null\nexport_cell: false\ninit_cell: false\n"
                             "check_all_cell: false\nrun_tests: false\ngenerate: true"),
             v4.new_markdown_cell(TITLE), v4.new_code_cell(SETUP)]
    for name in SOLUTIONS:
        tests = TESTS[name]
        points = [float(p) for p, visible, hidden in tests for code in (visible, hidden) if code]
        shares = [p / sum(1 for code in (v, h) if code) for p, v, h in tests for code in (v, h) if code]
        cells.append(v4.new_raw_cell(f"# BEGIN QUESTION\nname: {name}\npoints: {shares!r}"))
        cells.append(v4.new_markdown_cell(f"## {name}\n\nWrite `{name}`."))
        cells += [v4.new_raw_cell("# BEGIN SOLUTION"), v4.new_code_cell(solution(name, "otter")),
                  v4.new_raw_cell("# END SOLUTION"), v4.new_raw_cell("# BEGIN TESTS")]
        for points_each, visible, hidden in tests:
            for code, secret in ((visible, False), (hidden, True)):
                if code:
                    cells.append(v4.new_code_cell(("# HIDDEN\n" if secret else "") + code))
        cells += [v4.new_raw_cell("# END TESTS"), v4.new_raw_cell("# END QUESTION")]
        assert len(points) == len(shares)
    return v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})


def students(n: int, seed: int = 15) -> dict:
    """student id -> {function: answer index}: a fixed mix (every answer of every function used)."""
    rng = random.Random(seed)
    picks = {"s01": {name: 1 for name in ANSWERS}, "s02": {name: 0 for name in ANSWERS}}   # all right; stubs
    for i in range(2, n):
        picks[f"s{i + 1:02d}"] = {name: (i + k) % len(ANSWERS[name]) if i < 8 else rng.randrange(len(ANSWERS[name]))
                                  for k, name in enumerate(ANSWERS)}
    return picks


def answered(release: nbformat.NotebookNode, choice: dict) -> nbformat.NotebookNode:
    """The released notebook with each function's cell replaced by the chosen answer."""
    notebook = nbformat.from_dict(release)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for name, pick in choice.items():
            if cell.source.lstrip().startswith(f"def {name}("):
                cell.source = signature(name) + ANSWERS[name][pick] + "\n"
    return notebook


def bench_module(name: str):
    """A module of bench/ (code the benchmark and the tests share), loaded by its path, as
    ``bench_<name>``. bench/ never stays on sys.path, and what a module imports from its siblings
    (make_submissions: ``variants``) never stays in sys.modules under its plain name: bench's
    variants.py would shadow the tests' package tests/variants/ (and the other way round)."""
    key = f"bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    bench = ROOT / "bench"
    siblings = {p.stem for p in bench.glob("*.py")}
    shadowed = {n: sys.modules.pop(n) for n in siblings if n in sys.modules}
    saved_path = list(sys.path)
    sys.path.insert(0, str(bench))
    try:
        spec = importlib.util.spec_from_file_location(key, bench / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path
        for sibling in siblings:
            sys.modules.pop(sibling, None)
        sys.modules.update(shadowed)
    return module


def tool_env(name: str, packages: list) -> Path:
    """``build/env-<name>``, a virtual environment with ``packages`` for tests and the bench only
    (never the grader's dependencies); skips the test when the package registry cannot be reached."""
    side = bench_module("nbgrader_side")
    try:
        return side.tool_env(name, packages)
    except side.ToolUnavailable as error:
        pytest.skip(str(error))
