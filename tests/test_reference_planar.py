"""The planar assignment (week 3): the reference reproduces the course's published values, the
flower data set is the course's, the committed material is in sync, the examples get their
grades, and the notebook runs top to bottom.

Published values come from the course's notebooks and public tests (2021 version, where
initialize_parameters sets np.random.seed(2) and nn_model np.random.seed(3); the hidden-layer
study gives the same accuracies with the later placement of the seeds, see the report).
"""
import ast
import csv
import re
import sys

import nbformat
import numpy as np
import pytest

from grader.config import load_config
from grader.generate import GRADED_HEADER, build_assignment
from grader.reference import load_reference
from helpers_logreg import ASSIGNMENTS, CONFIG, ROOT

SOLUTION_DIR = ROOT / "solutions" / "planar"
SOLUTION = SOLUTION_DIR / "planar.py"
FUNCTIONS = ["layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
             "update_parameters", "nn_model", "predict"]
MARKER_LINE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+SOLUTION")

# The course's test inputs: np.random.seed(1), then randn (the same stream as RandomState(1)).
_COURSE = np.random.RandomState(1)
COURSE_X = _COURSE.randn(2, 3)
COURSE_B1 = _COURSE.randn(4, 1)
SMALL_W1 = np.array([[-0.00416758, -0.00056267], [-0.02136196, 0.01640271],
                     [-0.01793436, -0.00841747], [0.00502881, -0.01245288]])
SMALL_W2 = np.array([[-0.01057952, -0.00909008, 0.00551454, 0.02292208]])


@pytest.fixture(scope="module")
def ref():
    return load_reference(SOLUTION, FUNCTIONS).module


@pytest.fixture(scope="module")
def utils():
    sys.path.insert(0, str(SOLUTION_DIR))
    try:
        import planar_utils
    finally:
        sys.path.remove(str(SOLUTION_DIR))
    return planar_utils


@pytest.fixture(scope="module")
def assignment():
    return load_config(CONFIG).assignment("planar")


def accuracy(predictions, Y) -> float:
    return float(np.mean(predictions == Y) * 100)


# --------------------------------------------------------------------------- the data set


def test_the_flower_has_the_course_shapes_and_labels(utils):
    state = np.random.get_state()[1].copy()
    X, Y = utils.load_planar_dataset()
    assert X.shape == (2, 400) and X.dtype == np.float64
    assert Y.shape == (1, 400) and Y.dtype == np.uint8
    assert set(np.unique(Y)) == {0, 1} and int(Y.sum()) == 200
    assert (Y[0, :200] == 0).all() and (Y[0, 200:] == 1).all()
    assert np.abs(X).max() < 5  # petals of reach 4, plus noise
    assert np.array_equal(np.random.get_state()[1], state), "loading must not reseed numpy's global generator"
    again, _ = utils.load_planar_dataset()
    assert np.array_equal(X, again)
    assert not np.array_equal(X, utils.load_planar_dataset(seed=2)[0])


def test_the_flower_is_the_course_construction_with_seed_1(utils):
    """r = 4 sin(4t) + noise along angle t + noise, class by class, angle noise drawn first."""
    X, _ = utils.load_planar_dataset()
    rng = np.random.RandomState(1)
    t = np.linspace(0, 3.12, 200) + rng.randn(200) * 0.2
    r = 4 * np.sin(4 * t) + rng.randn(200) * 0.2
    np.testing.assert_array_equal(X[:, :200], np.vstack([r * np.sin(t), r * np.cos(t)]))


def test_plot_decision_boundary_evaluates_the_model_on_a_grid(utils, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, Y = utils.load_planar_dataset()
    seen = []

    def model(points):
        seen.append(points.shape)
        return points[:, 0] > 0

    utils.plot_decision_boundary(model, X, Y, resolution=0.1)
    plt.close("all")
    assert len(seen) == 1 and seen[0][1] == 2 and seen[0][0] > 1000


# --------------------------------------------------------------------------- published values


def test_layer_sizes_published(ref):
    np.random.seed(1)
    X, Y = np.random.randn(5, 3), np.random.randn(2, 3)
    assert ref.layer_sizes(X, Y) == (5, 4, 2)
    assert ref.layer_sizes(np.random.randn(7, 5), np.random.randn(5, 5)) == (7, 4, 5)
    assert all(type(n) is int for n in ref.layer_sizes(X, Y))


def test_initialize_parameters_published(ref):
    parameters = ref.initialize_parameters(2, 4, 1)
    np.testing.assert_allclose(parameters["W1"], SMALL_W1, atol=1e-8)
    np.testing.assert_allclose(parameters["W2"], SMALL_W2, atol=1e-8)
    assert parameters["b1"].shape == (4, 1) and not parameters["b1"].any()
    assert parameters["b2"].shape == (1, 1) and not parameters["b2"].any()
    parameters = ref.initialize_parameters(3, 5, 2)
    np.testing.assert_allclose(parameters["W1"][4], [0.00041539, -0.01117925, 0.00539058], atol=1e-8)
    np.testing.assert_allclose(parameters["W2"][1], [-8.78107893e-03, -1.56434170e-03, 2.56570452e-03,
                                                     -9.88779049e-03, -3.38821966e-03], atol=1e-10)


def test_forward_propagation_published(ref):
    parameters = {"W1": SMALL_W1, "b1": COURSE_B1, "W2": SMALL_W2, "b2": np.array([[-1.3]])}
    A2, cache = ref.forward_propagation(COURSE_X, parameters)
    np.testing.assert_allclose(A2, [[0.21292656, 0.21274673, 0.21295976]], atol=1e-8)
    np.testing.assert_allclose(cache["Z2"], [[-1.30737426, -1.30844761, -1.30717618]], atol=1e-8)
    np.testing.assert_allclose(cache["A1"][1], [-0.67151964, -0.62547205, -0.65709025], atol=1e-8)
    assert list(cache) == ["Z1", "A1", "Z2", "A2"] and cache["Z1"].shape == (4, 3)


def test_compute_cost_published(ref):
    np.random.seed(1)
    Y = np.random.randn(1, 3) > 0
    cost = ref.compute_cost(np.array([[0.5002307, 0.49985831, 0.50023963]]), Y)
    assert type(cost) is float and cost == pytest.approx(0.6930587610394646, rel=1e-12)
    np.random.seed(1)
    Y = np.random.randn(1, 5) > 0
    cost = ref.compute_cost(np.array([[0.5002307, 0.49985831, 0.50023963, 0.25, 0.7]]), Y)
    assert cost == pytest.approx(0.5447066599017815, rel=1e-12)


def test_backward_propagation_published(ref):
    """The notebook's example and the public test's, with their published gradients."""
    np.random.seed(1)
    X = np.random.randn(2, 3)
    Y = np.random.randn(1, 3) > 0
    parameters = {"W1": SMALL_W1, "b1": np.zeros((4, 1)), "W2": SMALL_W2, "b2": np.zeros((1, 1))}
    cache = {"A1": np.array([[-0.00616578, 0.0020626, 0.00349619], [-0.05225116, 0.02725659, -0.02646251],
                             [-0.02009721, 0.0036869, 0.02883756], [0.02152675, -0.01385234, 0.02599885]]),
             "A2": np.array([[0.5002307, 0.49985831, 0.50023963]])}
    grads = ref.backward_propagation(parameters, cache, X, Y)
    np.testing.assert_allclose(grads["dW1"], [[0.00301023, -0.00747267], [0.00257968, -0.00641288],
                                              [-0.00156892, 0.003893], [-0.00652037, 0.01618243]], atol=1e-8)
    np.testing.assert_allclose(grads["db1"], [[0.00176201], [0.00150995], [-0.00091736], [-0.00381422]], atol=1e-8)
    np.testing.assert_allclose(grads["dW2"], [[0.00078841, 0.01765429, -0.00084166, -0.01022527]], atol=1e-8)
    np.testing.assert_allclose(grads["db2"], [[-0.16655712]], atol=1e-8)

    np.random.seed(1)
    X = np.random.randn(3, 7)
    Y = np.random.randn(1, 7) > 0
    parameters = {"W1": np.random.randn(9, 3), "W2": np.random.randn(1, 9)}
    cache = {"A1": np.random.randn(9, 7), "A2": np.random.randn(1, 7)}
    grads = ref.backward_propagation(parameters, cache, X, Y)
    np.testing.assert_allclose(grads["dW1"][0], [-0.24468458, -0.24371232, 0.15959609], atol=1e-8)
    np.testing.assert_allclose(grads["dW2"][0, :3], [-0.35768529, 0.22046323, -0.29551566], atol=1e-8)
    np.testing.assert_allclose(grads["db2"], [[-0.78032466]], atol=1e-8)


def test_update_parameters_published(ref):
    parameters = {"W1": np.array([[-0.00615039, 0.0169021], [-0.02311792, 0.03137121],
                                  [-0.0169217, -0.01752545], [0.00935436, -0.05018221]]),
                  "W2": np.array([[-0.0104319, -0.04019007, 0.01607211, 0.04440255]]),
                  "b1": np.array([[-8.97523455e-07], [8.15562092e-06], [6.04810633e-07], [-2.54560700e-06]]),
                  "b2": np.array([[9.14954378e-05]])}
    grads = {"dW1": np.array([[0.00023322, -0.00205423], [0.00082222, -0.00700776],
                              [-0.00031831, 0.0028636], [-0.00092857, 0.00809933]]),
             "dW2": np.array([[-1.75740039e-05, 3.70231337e-03, -1.25683095e-03, -2.55715317e-03]]),
             "db1": np.array([[1.05570087e-07], [-3.81814487e-06], [-1.90155145e-07], [5.46467802e-07]]),
             "db2": np.array([[-1.08923140e-05]])}
    before = {key: value.copy() for key, value in parameters.items()}
    updated = ref.update_parameters(parameters, grads)
    np.testing.assert_allclose(updated["W1"], [[-0.00643025, 0.01936718], [-0.02410458, 0.03978052],
                                               [-0.01653973, -0.02096177], [0.01046864, -0.05990141]], atol=1e-8)
    np.testing.assert_allclose(updated["b1"], [[-1.02420756e-06], [1.27373948e-05], [8.32996807e-07],
                                               [-3.20136836e-06]], atol=1e-13)
    np.testing.assert_allclose(updated["W2"], [[-0.01041081, -0.04463285, 0.01758031, 0.04747113]], atol=1e-8)
    np.testing.assert_allclose(updated["b2"], [[0.00010457]], atol=1e-8)
    assert all(np.array_equal(parameters[key], before[key]) for key in before), "the input must not change"


def test_nn_model_published(ref, capsys):
    np.random.seed(1)
    X = np.random.randn(2, 3)
    Y = np.random.randn(1, 3) > 0
    parameters = ref.nn_model(X, Y, 4, num_iterations=10000, print_cost=True)
    np.testing.assert_allclose(parameters["W1"], [[-0.65848169, 1.21866811], [-0.76204273, 1.39377573],
                                                  [0.5792005, -1.10397703], [0.76773391, -1.41477129]], atol=1e-6)
    np.testing.assert_allclose(parameters["b1"], [[0.287592], [0.3511264], [-0.2431246], [-0.35772805]], atol=1e-6)
    np.testing.assert_allclose(parameters["W2"], [[-2.45566237, -3.27042274, 2.00784958, 3.36773273]], atol=1e-6)
    np.testing.assert_allclose(parameters["b2"], [[0.20459656]], atol=1e-6)
    printed = capsys.readouterr().out
    assert "Cost after iteration 0: 0.692739" in printed
    assert "Cost after iteration 9000: 0.000023" in printed


def test_predict_published(ref):
    parameters = {"W1": np.array([[-0.00615039, 0.0169021], [-0.02311792, 0.03137121],
                                  [-0.0169217, -0.01752545], [0.00935436, -0.05018221]]),
                  "W2": np.array([[-0.0104319, -0.04019007, 0.01607211, 0.04440255]]),
                  "b1": np.array([[-8.97523455e-07], [8.15562092e-06], [6.04810633e-07], [-2.54560700e-06]]),
                  "b2": np.array([[9.14954378e-05]])}
    predictions = ref.predict(parameters, COURSE_X)
    np.testing.assert_array_equal(predictions, [[True, False, True]])
    zeros = {"W1": np.zeros((4, 2)), "b1": np.zeros((4, 1)), "W2": np.zeros((1, 4)), "b2": np.zeros((1, 1))}
    assert not ref.predict(zeros, COURSE_X).any(), "an output of exactly 0.5 predicts 0"


# --------------------------------------------------------------------------- training on the flower


def test_training_on_the_flower_reproduces_the_published_cost_and_accuracy(ref, utils, capsys):
    X, Y = utils.load_planar_dataset()
    parameters = ref.nn_model(X, Y, n_h=4, num_iterations=10000, print_cost=True)
    costs = [float(v) for v in re.findall(r"Cost after iteration \d+: ([\d.]+)", capsys.readouterr().out)]
    # Published to 6 decimals; past 7000 iterations the published runs differ in the 5th.
    assert costs[:8] == [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504]
    np.testing.assert_allclose(costs[8:], [0.21946, 0.21859], atol=2e-4)
    assert int(accuracy(ref.predict(parameters, X), Y)) == 90   # published "Accuracy: 90%"


@pytest.mark.slow
def test_the_hidden_layer_size_study_reproduces_the_published_accuracies(ref, utils):
    X, Y = utils.load_planar_dataset()
    published = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25}
    found = {n_h: accuracy(ref.predict(ref.nn_model(X, Y, n_h, num_iterations=5000), X), Y) for n_h in published}
    assert found == published


# --------------------------------------------------------------------------- the generated material


def test_committed_material_is_in_sync(assignment):
    files = build_assignment(assignment)
    folder = ASSIGNMENTS / "planar"
    assert sorted(files) == sorted(p.name for p in folder.iterdir())
    for name, data in files.items():
        assert (folder / name).read_bytes() == data, f"assignments/planar/{name} is stale: run grader generate"


def reference_sources() -> dict:
    """Each reference function's source, solution markers removed."""
    source = SOLUTION.read_text(encoding="utf-8")
    return {node.name: "\n".join(line for line in ast.get_source_segment(source, node).splitlines()
                                 if not MARKER_LINE.search(line))
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def filled_notebook(changes: dict | None = None):
    """The generated notebook with the reference (or a variant of it) in its graded cells."""
    notebook = nbformat.read(ASSIGNMENTS / "planar" / "planar.ipynb", as_version=4)
    references = reference_sources()
    for cell in notebook.cells:
        name = cell.get("metadata", {}).get("grader", {}).get("function")
        if cell.cell_type == "code" and name:
            body = (changes or {}).get(name, references[name])
            cell.source = GRADED_HEADER.format(name=name) + "\n\n" + body + "\n"
    return notebook


@pytest.mark.slow
def test_examples_lose_only_their_own_functions_points(assignment, tmp_path):
    from grader.pipeline import grade_folder

    sys.path.insert(0, str(SOLUTION_DIR))
    try:
        import examples
    finally:
        sys.path.remove(str(SOLUTION_DIR))
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for student, changes in examples.variants(reference_sources()).items():
        nbformat.write(filled_notebook(changes), submissions / f"{student}.ipynb")
    grade_folder(assignment, submissions, tmp_path / "out", jobs=2, quiet=True)
    with open(tmp_path / "out" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        book = {row["student"]: row for row in csv.DictReader(handle)}
    assert sorted(book) == sorted(examples.EXPECTED)
    assert sum(examples.FULL.values()) == assignment.max_points + 3  # + the 3 instructor tests
    for student, expected in examples.EXPECTED.items():
        got = {name: float(book[student][name]) for name in expected}
        assert got == pytest.approx(expected), student
        assert book[student]["status"] == "ok"


@pytest.mark.notebook
def test_notebook_with_reference_solutions_runs_top_to_bottom(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    from grader.generate import generate_assignment

    out = tmp_path / "planar"
    generate_assignment(load_config(CONFIG).assignment("planar"), out)
    notebook = filled_notebook()
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(notebook, timeout=300, kernel_name="python3",
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
    assert "Accuracy: 90.75 %" in text
    for n_h, published in ((1, 67.5), (4, 90.5), (5, 91.25)):
        assert f"Accuracy for {n_h} hidden units: {published} %" in text
