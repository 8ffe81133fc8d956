"""Parameters only an earlier notebook's def line has (``versions: <v>: arguments:``): the grader
passes the value config.yaml gives them, and a student's call-back written the version's way
reaches the reference without them."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.config import load_config
from grader.grading.batch import Batch
from grader.pipeline import grade_folder
from grader.sandbox.child import fit_call

ROOT = Path(__file__).resolve().parents[1]
V5_NOTEBOOK = ROOT / "tests" / "versions" / "notebooks" / "planar" / "p_v5_dee_correct.ipynb"


@pytest.mark.parametrize("args, kwargs, fitted", [
    # the version's way: compute_cost(A2, Y, parameters), positionally or by name
    ((1, 2, 3), {}, ((1, 2), {})),
    ((1,), {"Y": 2, "parameters": 3}, ((1, 2), {})),
    ((), {"parameters": 3, "Y": 2, "A2": 1}, ((1, 2), {})),
    # already the reference's way
    ((1, 2), {}, ((1, 2), {})),
    # a parameter left out: the ones after it go by name, and the reference says what is missing
    ((), {"Y": 2}, ((), {"Y": 2})),
])
def test_a_call_written_the_versions_way_is_fitted_to_the_references_parameters(args, kwargs, fitted):
    assert fit_call(("A2", "Y", "parameters"), ("A2", "Y"), args, kwargs) == fitted


@pytest.mark.parametrize("args, kwargs", [
    ((1, 2, 3, 4), {}),                 # too many: the reference's TypeError says so
    ((1,), {"A2": 5}),                  # A2 twice
    ((1, 2), {"cost": 4}),              # a name neither def line has
])
def test_a_call_that_does_not_bind_is_left_as_it_is(args, kwargs):
    assert fit_call(("A2", "Y", "parameters"), ("A2", "Y"), args, kwargs) == (args, kwargs)


def test_values_pass_through_untouched():
    A2 = np.zeros((1, 3))
    args, kwargs = fit_call(("A2", "Y", "parameters"), ("A2", "Y"), (A2, None, {"W1": 1}), {})
    assert args[0] is A2 and args[1] is None and kwargs == {}


# --------------------------------------------------------------------------- graded end to end


def _graded(assignment, tmp_path: Path, name: str) -> dict:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(V5_NOTEBOOK, folder / "dee.ipynb")
    grade_folder(assignment, folder, tmp_path / f"{name}-out", jobs=1, quiet=True)
    results = json.loads((tmp_path / f"{name}-out" / "dee" / "results.json").read_text(encoding="utf-8"))
    by_function: dict = {}
    for test in results["tests"]:
        got, most = by_function.get(test["extra_data"]["function"], (0.0, 0.0))
        by_function[test["extra_data"]["function"]] = (got + test["score"], most + test["max_score"])
    return {"scores": by_function, "text": json.dumps(results)}


@pytest.fixture(scope="module")
def planar():
    return load_config(ROOT / "config.yaml").assignment("planar")


def test_the_value_and_the_fitted_call_back_are_what_make_the_2018_notebook_pass(tmp_path, planar, monkeypatch):
    full = _graded(planar, tmp_path, "as-configured")
    assert all(got == most for got, most in full["scores"].values()), full["scores"]

    # Without the value config.yaml gives `parameters`, the grader's calls lack it.
    bare = dataclasses.replace(planar, versions=tuple(dataclasses.replace(v, arguments={}) for v in planar.versions))
    unfilled = _graded(bare, tmp_path, "no-arguments")
    got, most = unfilled["scores"]["compute_cost"]
    assert got < most and "missing 1 required positional argument: 'parameters'" in unfilled["text"]
    assert unfilled["scores"]["nn_model"][0] == unfilled["scores"]["nn_model"][1]

    # Without fitting its call-backs, nn_model's compute_cost(A2, Y, parameters) reaches a
    # reference that takes two arguments.
    monkeypatch.setattr(Batch, "call_shapes", lambda self, submission: None)
    unfitted = _graded(planar, tmp_path, "no-shapes")
    got, most = unfitted["scores"]["nn_model"]
    assert got < most and "takes 2 positional arguments but 3 were given" in unfitted["text"]
