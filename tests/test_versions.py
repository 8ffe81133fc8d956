"""The course's own notebooks, every version, graded fairly (tests/versions/).

Notebooks in the shapes of the course's logistic-regression notebooks of 2017 (v3), 2018 (v5),
2020 (v6a) and 2021, of its numpy warm-up before and after 2021, and of its planar-data week of
2017, 2018 (v5), 2020 (v6c) and 2021, each folder graded as a batch
would be, against what tests/versions/labels.yaml says each notebook is and each of its functions
deserves: a correct function loses no point (the loop its template handed out included), a wrong
one loses points, a stripped one earns none; each notebook is recognised as its version, and none
gets a note about its def lines unless it changed one.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from grader.config import load_config
from grader.pipeline import grade_folder

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "tests" / "versions"
NOTEBOOKS = VERSIONS / "notebooks"
LABELS = yaml.safe_load((VERSIONS / "labels.yaml").read_text(encoding="utf-8"))
SIGNATURE_NOTE = "has different parameters from"
COURSE = load_config(ROOT / "config.yaml")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """(assignment, student) -> results.json, each assignment's folder graded once."""
    results = {}
    for assignment, students in LABELS.items():
        out = tmp_path_factory.mktemp(assignment)
        grade_folder(COURSE.assignment(assignment), NOTEBOOKS / assignment, out, jobs=2, quiet=True)
        for student in students:
            results[assignment, student] = json.loads((out / student / "results.json").read_text(encoding="utf-8"))
    return results


def entries() -> list:
    return [(assignment, student, entry) for assignment, students in LABELS.items()
            for student, entry in students.items()]


def label(entry: dict, function: str) -> str:
    return (entry.get("functions") or {}).get(function, entry["default"])


def scores(results: dict, function: str) -> tuple[float, float]:
    tests = [t for t in results["tests"] if t["extra_data"]["function"] == function]
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)


def cases(wanted: str) -> list:
    return [(assignment, student, function) for assignment, student, entry in entries()
            for function in COURSE.assignment(assignment).functions if label(entry, function) == wanted]


def test_the_notebooks_are_the_builders_and_every_one_has_a_label():
    sys.path.insert(0, str(VERSIONS))
    try:
        import build
    finally:
        sys.path.remove(str(VERSIONS))
    built = build.build()
    assert sorted(built) == sorted(LABELS)
    for assignment, notebooks in built.items():
        folder = NOTEBOOKS / assignment
        assert sorted(notebooks) == sorted(LABELS[assignment]) == sorted(p.stem for p in folder.glob("*.ipynb"))
        for name, text in notebooks.items():
            assert (folder / f"{name}.ipynb").read_text(encoding="utf-8") == text, f"run tests/versions/build.py ({name})"


def test_each_notebook_is_recognised_as_its_version(graded):
    for assignment, student, entry in entries():
        titles = {version.name: version.title for version in COURSE.assignment(assignment).versions}
        notes = graded[assignment, student]["output"]
        assert f"This notebook is {titles[entry['version']]}, recognised from" in notes, student
        others = [t for name, t in titles.items() if name != entry["version"]]
        assert not any(f"This notebook is {title}," in notes for title in others), student


def test_no_correct_function_loses_a_point(graded):
    lost = [(student, function, scores(graded[assignment, student], function))
            for assignment, student, function in cases("correct")
            if scores(graded[assignment, student], function)[0] < scores(graded[assignment, student], function)[1] - 1e-9]
    assert not lost


def test_every_wrong_function_loses_points(graded):
    kept = [(student, function) for assignment, student, function in cases("wrong")
            if scores(graded[assignment, student], function)[0] >= scores(graded[assignment, student], function)[1] - 1e-9]
    assert not kept


def test_no_stripped_function_earns_anything(graded):
    earned = [(student, function, scores(graded[assignment, student], function)[0])
              for assignment, student, function in cases("stripped") if scores(graded[assignment, student], function)[0] > 0]
    assert not earned


def test_def_lines_are_compared_with_the_notebooks_own_version(graded):
    for assignment, student, entry in entries():
        noted = {line.split("`")[1] for line in graded[assignment, student]["output"].replace("\\`", "`").splitlines()
                 if SIGNATURE_NOTE in line}
        assert noted == set(entry.get("signature_notes", [])), student
    earlier = [(a, s) for a, s, entry in entries() if entry["version"] != "2021"]
    assert len(earlier) == 21 and not any(SIGNATURE_NOTE in graded[key]["output"] for key in earlier)


def test_an_earlier_name_is_graded_as_the_function_and_said(graded):
    notes = graded["numpy_basics", "np_v3_ola_correct"]["output"].replace("\\`", "`")
    assert ("This notebook calls `normalizeRows` what this assignment calls `normalize_rows`, as an earlier version "
            "of the notebook did: it is graded as `normalize_rows`.") in notes


def test_the_templates_loop_costs_nothing_and_is_only_advised_against(graded):
    """predict's loop over the examples (every version hands it out) is advised against in a note,
    worth nothing (config.yaml: template_loops: advise); a loop of the student's own is charged."""
    kept_it = [s for s, entry in LABELS["logreg"].items() if label(entry, "predict") == "correct" and s != "v6a_gus_correct"]
    for student in kept_it:
        test = next(t for t in graded["logreg", student]["tests"] if t["name"] == "predict: vectorized")
        assert test["score"] == test["max_score"] == 1, student
        assert "note (advice, no points): the for loop of predict came with the notebook's template" in test["output"]
    own = next(t for t in graded["logreg", "v6a_hana_wrong"]["tests"] if t["name"] == "predict: vectorized")
    assert own["score"] == 0 and "runs once for each of the n features" in own["output"]


def test_b_as_an_int_passes_where_the_version_accepted_it(graded):
    """b = 0: its template's assert took an int in 2017; the 2021 public test asks for a float."""
    def shapes(student):
        return [t for t in graded["logreg", student]["tests"] if t["name"].startswith("initialize_with_zeros: shapes")]
    assert all(t["status"] == "passed" for t in shapes("v3_ada_correct"))
    failed = [t for t in shapes("y2021_kai_wrong") if t["status"] == "failed"]
    assert failed and all("b should be a float (0.0, not 0), got a Python int" in t["output"] for t in failed)


def test_a_parameter_only_the_earlier_version_has_is_given_and_its_calls_reach_the_reference(graded):
    """Until 2021 compute_cost took a `parameters` it never used: the grader gives it one, and
    nn_model's compute_cost(A2, Y, parameters), as those templates wrote it, reaches the
    reference's compute_cost(A2, Y) under reference attribution."""
    for student in ("p_2017_ana_correct", "p_v5_dee_correct", "p_v6c_gil_correct"):
        for function in ("compute_cost", "nn_model"):
            got, most = scores(graded["planar", student], function)
            assert got == most > 0, (student, function)
        assert "TypeError" not in json.dumps(graded["planar", student])
