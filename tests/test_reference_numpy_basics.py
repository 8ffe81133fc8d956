"""numpy_basics ("Python Basics with Numpy"): the reference reproduces the course's published
values, its notebook runs top to bottom with the solutions pasted in, and the committed student
material is in sync and leak-free."""
import ast
import warnings

import nbformat
import numpy as np
import pytest

from grader.config import load_config
from grader.generate import GRADED_HEADER, build_assignment, generate_assignment
from grader.reference import load_reference
from helpers_logreg import ASSIGNMENTS, CONFIG

NAME = "numpy_basics"
FUNCTIONS = ["basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector", "normalize_rows",
             "softmax", "L1", "L2"]

# The course's 3 x 3 x 2 example picture and its unrolled column, as published.
IMAGE = np.array([[[0.67826139, 0.29380381], [0.90714982, 0.52835647], [0.4215251, 0.45017551]],
                  [[0.92814219, 0.96677647], [0.85304703, 0.52351845], [0.19981397, 0.27417313]],
                  [[0.60659855, 0.00533165], [0.10820313, 0.49978937], [0.34144279, 0.94630077]]])
IMAGE_COLUMN = [0.67826139, 0.29380381, 0.90714982, 0.52835647, 0.4215251, 0.45017551,
                0.92814219, 0.96677647, 0.85304703, 0.52351845, 0.19981397, 0.27417313,
                0.60659855, 0.00533165, 0.10820313, 0.49978937, 0.34144279, 0.94630077]
YHAT = np.array([.9, .2, .1, .4, .9])
Y = np.array([1, 0, 0, 1, 1])


@pytest.fixture(scope="module")
def assignment():
    return load_config(CONFIG).assignment(NAME)


@pytest.fixture(scope="module")
def ref(assignment):
    return load_reference(assignment.solution, FUNCTIONS).module


def test_the_configured_functions_are_the_weeks_eight(assignment):
    assert list(assignment.functions) == FUNCTIONS


def test_basic_sigmoid_published_values(ref):
    # The current notebook prints basic_sigmoid(1), an older one basic_sigmoid(3).
    assert ref.basic_sigmoid(1) == 0.7310585786300049
    assert ref.basic_sigmoid(3) == 0.9525741268224334
    assert type(ref.basic_sigmoid(1)) is float
    with pytest.raises(TypeError):  # math.exp takes one number: why the course moves to numpy
        ref.basic_sigmoid(np.array([1.0, 2.0, 3.0]))


def test_sigmoid_and_its_derivative_published_values(ref):
    x = np.array([1, 2, 3])
    np.testing.assert_allclose(ref.sigmoid(x), [0.73105858, 0.88079708, 0.95257413], atol=5e-9)
    ds = ref.sigmoid_derivative(x)
    assert ds.shape == (3,)
    np.testing.assert_allclose(ds, [0.19661193, 0.10499359, 0.04517666], atol=5e-9)
    assert ref.sigmoid_derivative(0.0) == 0.25


def test_image2vector_published_example(ref):
    v = ref.image2vector(IMAGE)
    assert v.shape == (18, 1)
    np.testing.assert_array_equal(v, np.array(IMAGE_COLUMN).reshape(18, 1))


def test_normalize_rows_published_and_worked_examples(ref):
    out = ref.normalize_rows(np.array([[0, 3, 4], [1, 6, 4]]))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, [[0, 0.6, 0.8], [0.13736056, 0.82416338, 0.54944226]], atol=5e-9)
    # The notebook's worked example: norms 5 and sqrt(56).
    out = ref.normalize_rows(np.array([[0.0, 3.0, 4.0], [2.0, 6.0, 4.0]]))
    np.testing.assert_allclose(out, [[0, 3 / 5, 4 / 5], np.array([2, 6, 4]) / np.sqrt(56)], rtol=1e-15)


def test_softmax_published_values(ref):
    s = ref.softmax(np.array([[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]]))
    assert s.shape == (2, 5)
    assert s[0, 0] == pytest.approx(0.980897665, abs=5e-10)
    np.testing.assert_allclose(s, [[9.80897665e-01, 8.94462891e-04, 1.79657674e-02, 1.21052389e-04, 1.21052389e-04],
                                   [8.78679856e-01, 1.18916387e-01, 8.01252314e-04, 8.01252314e-04, 8.01252314e-04]],
                               rtol=1e-8)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)


def test_losses_published_values(ref):
    l1, l2 = ref.L1(YHAT, Y), ref.L2(YHAT, Y)
    assert isinstance(l1, float) and isinstance(l2, float)  # numpy float64 is a float, as the course checks
    assert l1 == pytest.approx(1.1, abs=1e-12)
    assert l2 == pytest.approx(0.43, abs=1e-12)


def test_L2_is_one_dot_product(assignment):
    """The course asks for np.dot in L2: the reference shows students that form."""
    tree = ast.parse(assignment.solution.read_text(encoding="utf-8"))
    l2 = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "L2")
    calls = {ast.unparse(n.func) for n in ast.walk(l2) if isinstance(n, ast.Call)}
    assert calls == {"np.dot"}


def test_every_case_runs_on_the_reference(assignment, ref):
    """Public, hidden and edge cases all give finite results (no zero row to normalize...)."""
    from grader.cases import make_cases
    for name, spec in assignment.functions.items():
        for case in make_cases(spec):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # the saturation cases overflow exp
                result = getattr(ref, name)(*case.args, **case.kwargs)
            assert np.all(np.isfinite(result)), (name, case.name)


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")  # the saturation cases
def test_committed_material_is_in_sync_and_leak_free(assignment):
    from test_leaks import find_leaks

    committed = ASSIGNMENTS / NAME
    files = build_assignment(assignment)
    assert sorted(p.name for p in committed.iterdir() if p.is_file()) == sorted(files)
    stale = [name for name, data in files.items() if (committed / name).read_bytes() != data]
    assert not stale, f"assignments/{NAME}/{stale} out of date: run `grader generate --assignment {NAME}` and commit"
    assert find_leaks(assignment, committed) == []


def _reference_sources(solution) -> dict:
    source = solution.read_text(encoding="utf-8")
    return {node.name: ast.get_source_segment(source, node)
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


@pytest.mark.notebook
def test_notebook_with_reference_solutions_runs_and_its_public_tests_pass(assignment, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    out = tmp_path / NAME
    generate_assignment(assignment, out)
    notebook = nbformat.read(out / f"{NAME}.ipynb", as_version=4)
    references = _reference_sources(assignment.solution)
    pasted = 0
    for cell in notebook.cells:
        grader = cell.metadata.get("grader", {})
        if cell.cell_type == "code" and grader.get("graded"):
            name = grader["function"]
            cell.source = GRADED_HEADER.format(name=name) + "\n\n" + references[name]
            pasted += 1
    assert pasted == len(FUNCTIONS)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(out)}}).execute()
    outputs = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"cell {cell.id} failed: {errors[0].ename}: {errors[0].evalue}"
            outputs[cell.id] = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            checked = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            if cell.id.startswith("tests-"):   # check(name): every check passes, full points
                assert " points on the public cases" in checked and "FAIL" not in checked, checked
                outputs[cell.id] = checked
    for name in FUNCTIONS:
        assert outputs[f"tests-{name}"].startswith(f"{name}: "), outputs[f"tests-{name}"]
    text = "\n".join(outputs.values())
    assert "basic_sigmoid(1) = 0.7310585786300049" in text
    assert "L1 = 1.1" in text and "L2 = 0.43" in text
    assert "basic_sigmoid on an array: TypeError" in text


@pytest.mark.notebook
def test_stub_notebook_public_tests_fail_with_a_clear_message(assignment, tmp_path):
    from nbclient import NotebookClient

    out = tmp_path / NAME
    generate_assignment(assignment, out)
    notebook = nbformat.read(out / f"{NAME}.ipynb", as_version=4)
    first_test = next(i for i, c in enumerate(notebook.cells) if c.get("id") == "tests-basic_sigmoid")
    notebook.cells = notebook.cells[:first_test + 1]
    client = NotebookClient(notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(out)}})
    client.execute()   # check() says what is missing; Run All goes on
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in notebook.cells[first_test].outputs)
    assert "basic_sigmoid is not written yet" in shown
