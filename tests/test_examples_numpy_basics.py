"""numpy_basics: the week's classic mistakes (solutions/numpy_basics/examples.py), built into
notebooks from the generated one and graded: each costs only its own function's points, and
each example gets its EXPECTED grade.

Where the grader's verdict is known to be wrong for this week, the example's exact-grade test is
a strict xfail naming the problem: it starts passing (and then fails as XPASS) once the grader
is fixed, so the mark must then be removed.
"""
from __future__ import annotations

import ast
import csv
import importlib.util
import re

import nbformat
import pytest

from grader.config import load_config
from grader.generate import GRADED_HEADER
from grader.pipeline import grade_folder
from helpers_logreg import ASSIGNMENTS, CONFIG, ROOT

NAME = "numpy_basics"
MARKER_LINE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+SOLUTION")

GRADER_PROBLEMS = {
    "bob_sigmoid_math_exp":
        "vectorized awards its point to a sigmoid that fails on every array (its probes all raised): "
        "the static layer finds no loop and the scalar public case satisfies `requires`",
    "dave_normalize_rows_no_keepdims":
        "rank1 passes a missing keepdims in np.linalg.norm(x, axis=1): `norm` is not a known reduction "
        "and the locals probe raised, so no rank-1 evidence is collected",
    "frank_softmax_loops_over_rows":
        "rank1 charges the loop's row variable row_exp = np.exp(x[i]) (n,) on top of vectorized: one "
        "mistake (the loop over rows) costs two checks",
}


def _examples_module():
    spec = importlib.util.spec_from_file_location(f"{NAME}_examples", ROOT / "solutions" / NAME / "examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLES = _examples_module()


def _reference_functions(solution) -> dict:
    source = solution.read_text(encoding="utf-8")
    functions = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            text = ast.get_source_segment(source, node)
            functions[node.name] = "\n".join(line for line in text.splitlines() if not MARKER_LINE.search(line))
    return functions


@pytest.fixture(scope="module")
def assignment():
    return load_config(CONFIG).assignment(NAME)


@pytest.fixture(scope="module")
def gradebook(assignment, tmp_path_factory) -> dict:
    ref = _reference_functions(assignment.solution)
    submissions = tmp_path_factory.mktemp("submissions")
    for student, changes in EXAMPLES.variants(ref).items():
        notebook = nbformat.read(ASSIGNMENTS / NAME / f"{NAME}.ipynb", as_version=4)
        for cell in notebook.cells:
            function = cell.get("metadata", {}).get("grader", {}).get("function")
            if cell.cell_type == "code" and function in ref:
                cell.source = GRADED_HEADER.format(name=function) + "\n\n" + changes.get(function, ref[function]) + "\n"
        (submissions / f"{student}.ipynb").write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("grades")
    grade_folder(assignment, submissions, out, jobs=2, quiet=True)
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_the_examples_and_their_expected_grades_agree(assignment):
    variants = EXAMPLES.variants(_reference_functions(assignment.solution))
    assert sorted(variants) == sorted(EXAMPLES.EXPECTED)
    assert "alice_correct" in variants and variants["alice_correct"] == {}
    for student, grades in EXAMPLES.EXPECTED.items():
        assert sorted(grades) == sorted(assignment.functions), student
        changed = set(variants[student])
        lost = {f for f, points in grades.items() if points < EXAMPLES.FULL[f]}
        assert lost <= changed, f"{student} is expected to lose points in functions it did not change: {lost - changed}"


def test_full_marks_match_the_configuration(gradebook):
    alice = gradebook["alice_correct"]
    assert {f: float(alice[f]) for f in EXAMPLES.FULL} == pytest.approx(EXAMPLES.FULL)
    assert float(alice["max"]) == pytest.approx(sum(EXAMPLES.FULL.values()))


@pytest.mark.parametrize("student", sorted(EXAMPLES.EXPECTED))
def test_each_mistake_costs_only_its_own_functions_points(gradebook, student, assignment):
    changed = set(EXAMPLES.variants(_reference_functions(assignment.solution))[student])
    row = gradebook[student]
    assert row["status"] == "ok"
    for function, full in EXAMPLES.FULL.items():
        if function not in changed:
            assert float(row[function]) == pytest.approx(full), f"{student} lost points in {function}"
        else:
            assert float(row[function]) < full, f"{student}'s mistake in {function} cost nothing"


@pytest.mark.parametrize("student", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=GRADER_PROBLEMS[s])) if s in GRADER_PROBLEMS else s
    for s in sorted(EXAMPLES.EXPECTED)])
def test_example_gets_its_expected_grade(gradebook, student):
    row = gradebook[student]
    got = {function: float(row[function]) for function in EXAMPLES.FULL}
    assert got == pytest.approx(EXAMPLES.EXPECTED[student], abs=1e-3)
