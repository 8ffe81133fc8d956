"""The planar week's vectorization check: nn_model's loop over iterations is allowed, however it is
written, and nothing else is (a loop over the examples or the hidden units inside it fails)."""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import nbformat
import pytest

from grader.config import load_config
from grader.pipeline import grade_folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))
import make_examples  # noqa: E402

sys.path.remove(str(ROOT / "examples"))

ASSIGNMENT = load_config(ROOT / "config.yaml").assignment("planar")
LOOP = "    for i in range(0, num_iterations):\n"
FORWARD = "        A2, cache = forward_propagation(X, parameters)\n"
UPDATE = "        parameters = update_parameters(parameters, grads)\n"
NN_MODEL_VARIANTS = {
    "for_over_iterations": [],
    "while_over_iterations": [(LOOP, "    i = 0\n    while i < num_iterations:\n        i += 1\n")],
    "loops_over_examples": [(FORWARD, "        columns = [forward_propagation(X[:, j:j + 1], parameters)[1] "
                                      "for j in range(X.shape[1])]\n"
                                      "        cache = {key: np.hstack([c[key] for c in columns]) for key in columns[0]}\n"
                                      "        A2 = cache['A2']\n")],
    "loops_over_hidden_units": [(UPDATE, UPDATE + "        for k in range(n_h):\n"
                                                  "            parameters['W1'][k] = parameters['W1'][k] * 1.0\n")],
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    correct = nbformat.reads(make_examples.build(ASSIGNMENT)["alice_correct"], as_version=4)
    submissions = tmp_path_factory.mktemp("submissions")
    for student, edits in NN_MODEL_VARIANTS.items():
        notebook = copy.deepcopy(correct)
        cell = next(c for c in notebook.cells if c.get("metadata", {}).get("grader", {}).get("function") == "nn_model")
        for old, new in edits:
            assert old in cell.source, old
            cell.source = cell.source.replace(old, new)
        nbformat.write(notebook, submissions / f"{student}.ipynb")
    out = tmp_path_factory.mktemp("out")
    grade_folder(ASSIGNMENT, submissions, out, jobs=2, quiet=True)
    return {student: json.loads((out / student / "results.json").read_text())["tests"] for student in NN_MODEL_VARIANTS}


def vectorized(tests, function="nn_model"):
    return next(t for t in tests if t["extra_data"]["function"] == function and t["extra_data"]["check"] == "vectorized")


def test_only_the_loop_over_iterations_is_allowed(graded):
    scores = {student: vectorized(tests)["score"] for student, tests in graded.items()}
    assert scores == {"for_over_iterations": 1.0, "while_over_iterations": 1.0,
                      "loops_over_examples": 0.0, "loops_over_hidden_units": 0.0}, scores
    assert "once for each of the m examples" in vectorized(graded["loops_over_examples"])["output"]
    assert "n_h" in vectorized(graded["loops_over_hidden_units"])["output"]
    for tests in graded.values():     # nn_model's loop costs nn_model only
        assert all(t["score"] == t["max_score"] for t in tests if t["extra_data"]["function"] != "nn_model")


def test_the_finding_points_at_the_inner_loop(graded):
    """The loop over the iterations came with the template: never blamed, the student's loop inside it is."""
    output = vectorized(graded["loops_over_hidden_units"])["output"]
    assert "`for k in range(n_h):`" in output.split("- note:")[0], output
