"""``grader export gradescope``: the zip, set up in a fresh venv and run as Gradescope runs it,
writes the results.json ``grader grade`` writes for each example."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "logreg"


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip, unzipped into ROOT/source of a temporary autograder root, after setup.sh."""
    base = tmp_path_factory.mktemp("gradescope")
    archive = base / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "grader", "export", "gradescope", "--assignment", ASSIGNMENT,
                           "--out", str(archive)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    root = base / "autograder"
    source = root / "source"
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in zipped.infolist()}
        zipped.extractall(source)
    for script in ("setup.sh", "run_autograder"):   # zipfile does not restore modes; Gradescope's unzip does
        assert script in names and modes[script] & 0o111, script
        (source / script).chmod(modes[script] & 0o777)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys._base_executable}
    env.pop("VIRTUAL_ENV", None)
    setup = subprocess.run(["bash", str(source / "setup.sh")], cwd=source, env=env, capture_output=True,
                           text=True, timeout=1200)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert (source / "venv" / "bin" / "python").exists()
    return root, names, env


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from grader.config import load_config
    from grader.pipeline import grade_folder

    assignment = load_config(ROOT / "config.yaml").assignment(ASSIGNMENT)
    out = tmp_path_factory.mktemp("graded")
    grade_folder(assignment, assignment.examples, out, jobs=2, quiet=True, force=True)
    return out, assignment.examples


def run_autograder(root: Path, env: dict, files: list) -> dict:
    submission, results = root / "submission", root / "results"
    for folder in (submission, results):
        shutil.rmtree(folder, ignore_errors=True)
    submission.mkdir()
    for path in files:
        shutil.copy(path, submission / path.name)
    done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root / "source", env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return (results / "results.json").read_bytes()


def test_the_zip_holds_the_scripts_the_wheel_and_only_this_assignment(autograder):
    root, names, _ = autograder
    assert {"setup.sh", "run_autograder", "course/config.yaml"} <= set(names)
    assert any(n.startswith("wheels/grader-") and n.endswith(".whl") for n in names)
    assert all(n.startswith(("wheels/", "course/solutions/logreg/")) or n in ("setup.sh", "run_autograder",
                                                                             "course/config.yaml") for n in names)
    import yaml

    config = yaml.safe_load((root / "source" / "course" / "config.yaml").read_text())
    assert list(config["assignments"]) == [ASSIGNMENT]


@pytest.mark.slow
def test_run_autograder_writes_what_grader_grade_writes_for_every_example(autograder, graded):
    root, _, env = autograder
    out, examples = graded
    students = sorted(p for p in examples.iterdir() if p.suffix == ".ipynb")
    assert len(students) >= 5
    for notebook in students:
        written = run_autograder(root, env, [notebook])
        assert written == (out / notebook.stem / "results.json").read_bytes(), notebook.name
    assert json.loads(written)["tests"]


@pytest.mark.slow
def test_a_notebook_with_a_helper_module_is_graded_as_one_submission(autograder, tmp_path):
    root, _, env = autograder
    helper = tmp_path / "helpers.py"
    helper.write_text("def unused():\n    return 1\n")
    document = json.loads(run_autograder(root, env, [ROOT / "examples" / ASSIGNMENT / "alice_correct.ipynb",
                                                     helper]))
    assert document["score"] == document["extra_data"]["max_score"] > 0


@pytest.mark.slow
def test_an_autograder_failure_still_writes_a_results_json(autograder, tmp_path):
    root, _, env = autograder
    config = root / "source" / "course" / "config.yaml"
    saved = config.read_bytes()
    config.write_text("course: {name: broken}\n")   # an image whose course files were damaged
    try:
        document = json.loads(run_autograder(root, env, [ROOT / "examples" / ASSIGNMENT / "alice_correct.ipynb"]))
    finally:
        config.write_bytes(saved)
    assert document["score"] == 0 and "could not grade this submission" in document["output"]
    assert "not with your work" in document["output"]


def test_scripts_are_executable_in_the_zip(tmp_path):
    from grader.exports.gradescope import zip_bytes

    data = zip_bytes({"setup.sh": b"#!/bin/sh\n", "run_autograder": b"#!/bin/sh\n", "course/config.yaml": b"x"})
    path = tmp_path / "z.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zipped:
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in zipped.infolist()}
    assert modes == {"course/config.yaml": 0o644, "run_autograder": 0o755, "setup.sh": 0o755}
    assert zip_bytes({"a": b"1", "b": b"2"}) == zip_bytes({"b": b"2", "a": b"1"})  # same input, same zip
