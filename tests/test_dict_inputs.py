"""Inputs that are dicts of arrays (config ``fields:``): validated with their key paths, drawn per
case from the case's seed and sizes, literals inside them made arrays, written into the public
tests, and graded by the structural checks end to end."""
from __future__ import annotations

import sys

import copy
import csv
import json
import textwrap

import nbformat
import numpy as np
import pytest
import yaml

from grader.cases import make_cases
from grader.config import load_config
from grader.errors import ConfigError
from grader.generate import build_assignment
from grader.pipeline import grade_folder

SOLUTION = """
import numpy as np

def step(parameters, grads, learning_rate=0.5):
    ### BEGIN SOLUTION
    W = parameters["W"] - learning_rate * grads["dW"]
    b = parameters["b"] - learning_rate * grads["db"]
    ### END SOLUTION
    parameters = {"W": W, "b": b}
    return parameters

def affine(X, parameters):
    ### BEGIN SOLUTION
    Z = np.dot(parameters["W"], X) + parameters["b"]
    ### END SOLUTION
    return Z
"""

NETWORK = {"W": {"dist": "normal", "shape": ["n_h", "n_x"]}, "b": {"dist": "normal", "shape": ["n_h", 1], "scale": 0.5}}
CONFIG = {
    "course": {"name": "C"},
    "assignments": {"week": {
        "title": "Week", "solution": "solutions/week/week.py", "attribution": "reference",
        "functions": {
            "step": {
                "points": {"values": 2, "shapes": 1, "rank1": 1},
                "inputs": {
                    "parameters": {"fields": copy.deepcopy(NETWORK)},
                    "grads": {"fields": {"dW": {"dist": "normal", "shape": ["n_h", "n_x"]},
                                         "db": {"dist": "normal", "shape": ["n_h", 1]}}},
                },
                "public": [{"seed": 1, "sizes": {"n_x": 2, "n_h": 3}}],
                "hidden": [{"seed": 11, "sizes": {"n_x": 4, "n_h": 5}},
                           {"seed": 12, "sizes": {"n_x": 1, "n_h": 2}, "kwargs": {"learning_rate": 0.1}}],
                "edge": [{"name": "the worked example", "hidden": False,
                          "args": {"parameters": {"W": [[1, 2]], "b": [[3]]},
                                   "grads": {"dW": [[0.5, -0.5]], "db": [[1]]}}}],
            },
            "affine": {
                "points": {"values": 2, "shapes": 1},
                "inputs": {"X": {"dist": "normal", "shape": ["n_x", "m"]},
                           "parameters": {"fields": copy.deepcopy(NETWORK)}},
                "public": [{"seed": 2, "sizes": {"n_x": 2, "n_h": 3, "m": 4}}],
                "hidden": [{"seed": 21, "sizes": {"n_x": 3, "n_h": 2, "m": 5}}],
            },
        },
    }},
}


def course(tmp_path, config=CONFIG):
    solutions = tmp_path / "solutions" / "week"
    solutions.mkdir(parents=True, exist_ok=True)
    (solutions / "week.py").write_text(SOLUTION)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return load_config(tmp_path / "config.yaml").assignment("week")


def edited(edit) -> dict:
    config = copy.deepcopy(CONFIG)
    edit(config["assignments"]["week"]["functions"]["step"])
    return config


# ----------------------------------------------------------------------------- drawing

def test_a_seeded_case_draws_a_dict_of_arrays_at_the_case_sizes(tmp_path):
    spec = course(tmp_path).functions["step"]
    assert spec.size_names == ("n_h", "n_x")
    public, hidden, _, edge = make_cases(spec)
    parameters, grads = public.args
    assert list(parameters) == ["W", "b"] and list(grads) == ["dW", "db"]
    assert parameters["W"].shape == (3, 2) and parameters["b"].shape == (3, 1)
    assert grads["dW"].shape == (3, 2) and hidden.args[0]["W"].shape == (5, 4)
    # One generator per case, the fields drawn in the order listed, after the inputs before them.
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((3, 2)), 0.5 * rng.standard_normal((3, 1))
    dW = rng.standard_normal((3, 2))
    np.testing.assert_array_equal(parameters["W"], W)
    np.testing.assert_array_equal(parameters["b"], b)
    np.testing.assert_array_equal(grads["dW"], dW)
    again = make_cases(spec)[0].args
    np.testing.assert_array_equal(again[0]["b"], parameters["b"])


def test_literals_inside_a_dict_become_arrays_of_the_fields_dtype(tmp_path):
    def edit(function):
        function["inputs"]["parameters"]["fields"]["b"] = {"dist": "normal", "shape": [], "as": "float"}
        function["edge"][0]["args"]["parameters"]["b"] = 3
    spec = course(tmp_path, edited(edit)).functions["step"]
    parameters, grads = make_cases(spec)[-1].args
    assert isinstance(parameters["W"], np.ndarray) and parameters["W"].dtype == np.float64
    assert parameters["W"].shape == (1, 2) and type(parameters["b"]) is float and parameters["b"] == 3.0
    assert grads["db"].shape == (1, 1) and grads["db"].dtype == np.float64


def test_a_literal_dict_without_fields_gets_arrays_too(tmp_path):
    def edit(function):
        function["inputs"]["grads"] = {"value": {"dW": [[1, 2]], "db": [[0]], "note": "plain"}}
        function["edge"][0]["args"]["grads"] = {"dW": [[1, 2]], "db": 0.5}
    spec = course(tmp_path, edited(edit)).functions["step"]
    seeded, *_, edge = make_cases(spec)
    assert seeded.args[1]["dW"].dtype == np.float64 and seeded.args[1]["note"] == "plain"
    assert edge.args[1]["dW"].shape == (1, 2) and edge.args[1]["db"] == 0.5


def test_fields_nest(tmp_path):
    def edit(function):
        function["inputs"]["grads"] = {"fields": {"layer": {"fields": {"dW": {"dist": "ones", "shape": ["n_h", "n_x"]}}},
                                                  "db": {"dist": "zeros", "shape": ["n_h", 1]}}}
        function["edge"][0]["args"]["grads"] = {"layer": {"dW": [[1, 2]]}, "db": [[0]]}
    spec = course(tmp_path, edited(edit)).functions["step"]
    seeded, *_, edge = make_cases(spec)
    assert seeded.args[1]["layer"]["dW"].shape == (3, 2) and not seeded.args[1]["db"].any()
    assert edge.args[1]["layer"]["dW"].dtype == np.float64


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("edit, expected", [
    (lambda f: f["inputs"]["parameters"]["fields"]["W"].update(dist="gaussian"),
     "functions.step.inputs.parameters.fields.W.dist: 'gaussian' is not one of"),
    (lambda f: f["inputs"]["parameters"]["fields"]["b"].update(scael=2),
     "functions.step.inputs.parameters.fields.b: unknown key 'scael'"),
    (lambda f: f["inputs"]["parameters"].update(fields={}),
     "functions.step.inputs.parameters.fields: {} should be non-empty"),
    (lambda f: f["inputs"]["parameters"]["fields"]["W"].update(shape=["n_h", "n-x"]),
     "functions.step.inputs.parameters.fields.W.shape[1]"),
    (lambda f: f["edge"][0]["args"]["parameters"].pop("b"),
     "functions.step.edge[0].args.parameters: missing key(s) b"),
    (lambda f: f["edge"][0]["args"]["grads"].update(dB=[[1]]),
     "functions.step.edge[0].args.grads: unknown key(s) dB"),
    (lambda f: f["edge"][0]["args"].update(grads=[[1]]),
     "functions.step.edge[0].args.grads: expected a dict with the keys dW, db, got list"),
    (lambda f: f["public"][0]["sizes"].pop("n_x"),
     "functions.step.public[0].sizes: missing size(s) n_x used by the inputs"),
])
def test_mistakes_inside_a_dict_input_name_their_key_path(tmp_path, edit, expected):
    with pytest.raises(ConfigError) as info:
        course(tmp_path, edited(edit))
    assert expected in str(info.value), str(info.value)


# ----------------------------------------------------------------------------- public tests


def test_the_public_tests_hold_dicts_of_arrays_and_run(tmp_path):
    built = build_assignment(course(tmp_path))
    text = built["public_tests.py"].decode()
    assert "{'W': np.array([[1.0, 2.0]], dtype=np.float64), 'b': np.array([[3.0]], dtype=np.float64)}" in text
    folder = tmp_path / "material"
    folder.mkdir()
    for name, data in built.items():
        (folder / name).write_bytes(data)
    namespace: dict = {}
    sys.path.insert(0, str(folder))  # public_tests.py imports the shipped comparison beside it
    try:
        exec(compile(text, "public_tests.py", "exec"), namespace)
    finally:
        sys.path.remove(str(folder))

    def step(parameters, grads, learning_rate=0.5):
        return {"W": parameters["W"] - learning_rate * grads["dW"], "b": parameters["b"] - learning_rate * grads["db"]}

    def rank1_bias(parameters, grads, learning_rate=0.5):
        return {"W": parameters["W"] - learning_rate * grads["dW"],
                "b": (parameters["b"] - learning_rate * grads["db"]).ravel()}

    namespace["step_test"](step)
    with pytest.raises(AssertionError, match=r"b'?\]? has shape \(3,\), expected \(3, 1\)"):
        namespace["step_test"](rank1_bias)


# ----------------------------------------------------------------------------- grading


def notebook(step_body: str) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell("import numpy as np")]
    for name, body in (("step", step_body), ("affine", AFFINE)):
        cells.append(nbformat.v4.new_code_cell(f"# GRADED FUNCTION: {name}\n\n{textwrap.dedent(body)}"))
    return nbformat.v4.new_notebook(cells=cells)


AFFINE = """
def affine(X, parameters):
    return np.dot(parameters["W"], X) + parameters["b"]
"""
STEP = """
def step(parameters, grads, learning_rate=0.5):
    W = parameters["W"] - learning_rate * grads["dW"]
    b = parameters["b"] - learning_rate * grads["db"]
    return {"W": W, "b": b}
"""


def test_dict_inputs_are_graded_by_the_structural_checks(tmp_path):
    assignment = course(tmp_path)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    students = {
        "correct": STEP,
        "ascent": STEP.replace("] - learning_rate", "] + learning_rate"),
        "rank1_bias": STEP.replace('grads["db"]', 'grads["db"].ravel()'),
    }
    for student, body in students.items():
        nbformat.write(notebook(body), submissions / f"{student}.ipynb")
    out = tmp_path / "out"
    grade_folder(assignment, submissions, out, jobs=1, quiet=True)
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        book = {row["student"]: row for row in csv.DictReader(handle)}
    # rank1_bias passes the one-unit worked example only (a (1,) minus a (1, 1) is still (1, 1)).
    assert {s: (float(r["step"]), float(r["affine"])) for s, r in book.items()} == {
        "correct": (4.0, 3.0), "ascent": (2.0, 3.0), "rank1_bias": (0.75, 3.0)}, book
    tests = json.loads((out / "rank1_bias" / "results.json").read_text())["tests"]
    shapes = next(t for t in tests if t["extra_data"] == {"function": "step", "check": "shapes", "hidden": False})
    assert "parameters['b'] has shape (3, 3), expected (3, 1)" in shapes["output"], shapes["output"]
    rank1 = next(t for t in tests if t["extra_data"]["function"] == "step" and t["extra_data"]["check"] == "rank1")
    assert "b has shape (n_h, n_h): a broadcasting accident" in rank1["output"], rank1["output"]
