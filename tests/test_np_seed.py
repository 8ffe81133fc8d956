"""config ``np_seed``: numpy's legacy global RandomState is seeded right before each call of a case,
in the child, in the reference process before the call's first call-back, and for the reference's
own output, so code that seeds inside a function and code seeded by its caller grade the same.
Real sandboxed children and reference processes, no mocks."""
from __future__ import annotations

import copy
import csv
import textwrap
from dataclasses import dataclass

import nbformat
import numpy as np
import pytest
import yaml

from grader.cases import make_cases
from grader.config import Limits, load_config
from grader.errors import ConfigError
from grader.generate import build_assignment
from grader.pipeline import grade_folder
from grader.reference import load_reference, parse_reference
from grader.sandbox import Sandbox

LIMITS = Limits(call_seconds=5.0, submission_seconds=60.0, cpu_seconds=20, memory_mib=1024,
                output_kib=16, file_size_mib=4, open_files=64)

# The later version of a course: the caller seeds numpy, the functions only draw.
REFERENCE = """
import numpy as np

def draw(n):
    ### BEGIN SOLUTION
    return np.random.randn(n, 1)
    ### END SOLUTION

def pair(n):
    ### BEGIN SOLUTION
    return draw(n), draw(n)
    ### END SOLUTION
"""


@dataclass
class Chunk:
    filename: str
    source: str


STUDENT = [Chunk("<cell 1>", textwrap.dedent("""
    import numpy as np
    np.random.seed = lambda seed: None      # changes nothing: the grader seeds numpy itself

    def draw(n):
        return np.random.randn(n, 1)

    def pair(n):
        return draw(n), draw(n)
"""))]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("solution") / "solution.py"
    path.write_text(REFERENCE)
    return parse_reference(path, ["draw", "pair"])


def legacy(seed: int, *sizes):
    state = np.random.RandomState(seed)
    return [state.randn(n, 1) for n in sizes]


def test_the_child_seeds_before_each_call_and_the_reference_process_once_per_call(reference):
    with Sandbox(LIMITS, jobs=1, reference=reference) as sb, sb.open(STUDENT) as session:
        first = session.call("draw", (3,), np_seed=5)
        again = session.call("draw", (3,), np_seed=5)
        unseeded = [session.call("draw", (3,)).value for _ in range(2)]
        proxied = session.call("pair", (2,), proxies=("draw",), np_seed=7)
        proxied_again = session.call("pair", (2,), proxies=("draw",), np_seed=7)
        other_seed = session.call("pair", (2,), proxies=("draw",), np_seed=8)
    assert first.status == "ok", first
    np.testing.assert_array_equal(first.value, legacy(5, 3)[0])
    np.testing.assert_array_equal(again.value, first.value)             # seeded before each call
    assert not np.array_equal(unseeded[0], unseeded[1])                # no seed: the stream goes on
    # Both draws ran in the reference process, from one stream seeded at the call's first call-back.
    assert proxied.status == "ok", proxied
    for got, expected in zip(proxied.value, legacy(7, 2, 2)):
        np.testing.assert_array_equal(got, expected)
    for got, expected in zip(proxied_again.value, proxied.value):
        np.testing.assert_array_equal(got, expected)
    assert not np.array_equal(other_seed.value[0], proxied.value[0])


def test_the_reference_run_seeds_too(reference):
    module = load_reference(reference)
    np.testing.assert_array_equal(module.run("draw", (4,), {}, np_seed=11), legacy(11, 4)[0])
    for got, expected in zip(module.run("pair", (2,), {}, np_seed=11), legacy(11, 2, 2)):
        np.testing.assert_array_equal(got, expected)


# ----------------------------------------------------------------------------- config and grading

# The 2021 version of the course: the function seeds itself.
SEEDS_INSIDE = """
import numpy as np

def initialize(n):
    np.random.seed(2)
    ### BEGIN SOLUTION
    W = np.random.randn(n, 1) * 0.01
    ### END SOLUTION
    return W
"""

CONFIG = {
    "course": {"name": "C"},
    "assignments": {"week": {
        "title": "Week", "solution": "solutions/week/week.py", "attribution": "reference",
        "functions": {"initialize": {
            "points": {"values": 2, "shapes": 1},
            "np_seed": 2,
            "inputs": {"n": {"size": "n"}},
            "public": [{"seed": 1, "sizes": {"n": 3}}],
            "hidden": [{"seed": 11, "sizes": {"n": 5}}, {"seed": 12, "sizes": {"n": 2}}],
            "edge": [{"name": "one unit", "hidden": False, "args": {"n": 1}, "np_seed": 2}],
        }},
    }},
}


def course(tmp_path, config=CONFIG):
    solutions = tmp_path / "solutions" / "week"
    solutions.mkdir(parents=True)
    (solutions / "week.py").write_text(SEEDS_INSIDE)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return load_config(tmp_path / "config.yaml").assignment("week")


def test_np_seed_per_function_and_per_case(tmp_path):
    config = copy.deepcopy(CONFIG)
    config["assignments"]["week"]["functions"]["initialize"]["hidden"][1]["np_seed"] = 9
    spec = course(tmp_path, config).functions["initialize"]
    assert spec.np_seed == 2
    assert [case.np_seed for case in make_cases(spec)] == [2, 2, 9, 2]


@pytest.mark.parametrize("where, value, expected", [
    (("np_seed",), -1, "functions.initialize.np_seed: -1 is less than the minimum of 0"),
    (("np_seed",), 2**32, "functions.initialize.np_seed: 4294967296 is greater than the maximum"),
    (("hidden", 0, "np_seed"), "two", "functions.initialize.hidden[0].np_seed: expected integer, got str 'two'"),
])
def test_a_bad_np_seed_names_its_key_path(tmp_path, where, value, expected):
    config = copy.deepcopy(CONFIG)
    target = config["assignments"]["week"]["functions"]["initialize"]
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(ConfigError) as info:
        course(tmp_path, config)
    assert expected in str(info.value), str(info.value)


def test_the_public_tests_seed_each_case_as_the_grader_does(tmp_path):
    files = build_assignment(course(tmp_path))
    text = files["public_tests.py"].decode()
    assert "2),  # np.random.seed(...) right before the call" in text
    namespace: dict = {}
    exec(compile(text, "public_tests.py", "exec"), namespace)

    def seeded_outside(n):           # the later version: the caller's seed, no seed inside
        return np.random.randn(n, 1) * 0.01

    def unseeded(n):
        np.random.seed(99)
        return np.random.randn(n, 1) * 0.01

    namespace["initialize_test"](seeded_outside)
    with pytest.raises(AssertionError):
        namespace["initialize_test"](unseeded)


def notebook(body: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("# GRADED FUNCTION: initialize\n\nimport numpy as np\n\n" + textwrap.dedent(body))
    return nbformat.v4.new_notebook(cells=[cell])


def test_both_versions_of_the_course_grade_the_same(tmp_path):
    assignment = course(tmp_path)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    versions = {
        "seeds_inside": "def initialize(n):\n    np.random.seed(2)\n    return np.random.randn(n, 1) * 0.01\n",
        "seeded_by_the_caller": "def initialize(n):\n    return np.random.randn(n, 1) * 0.01\n",
        "another_seed": "def initialize(n):\n    np.random.seed(3)\n    return np.random.randn(n, 1) * 0.01\n",
    }
    for student, body in versions.items():
        nbformat.write(notebook(body), submissions / f"{student}.ipynb")
    grade_folder(assignment, submissions, tmp_path / "out", jobs=1, quiet=True)
    with open(tmp_path / "out" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        book = {row["student"]: float(row["initialize"]) for row in csv.DictReader(handle)}
    assert book == {"seeds_inside": 3.0, "seeded_by_the_caller": 3.0, "another_seed": 1.0}
