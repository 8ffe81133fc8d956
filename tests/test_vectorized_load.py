"""Timing never decides alone, and never under load: the vectorized check gives the same verdict
whatever the clock says, wherever the line counts can see. Timing may fail a function only for
iteration they cannot see (in C, ``map(math.exp, ...)``); a loop they saw not grow is allowed.

Each submission's probes run once, for real (``LocalRunner``); the judgement is then repeated
with its timings distorted as a loaded machine would: the student's calls slowed, everything
slowed, the reference's measurement slowed, the large call timed out.
"""
from __future__ import annotations

import copy

import pytest

from grader.checks.vectorized import CHECK
from variants.harness import CAUGHT, CORRECT, LocalRunner, defined_functions, expectation

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

# A sigmoid that does constant work unrelated to the data: a loop over a fixed list of paths, file
# reads, copies and comprehensions of that list (the hostile corpus's peek_caught, made harmless).
CONSTANT_WORK = '''import os

import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    places = ["/nonexistent/a", "/nonexistent/b", "/proc/self/status"]
    targets = list(places)
    targets += [os.path.relpath(path, os.getcwd()) for path in places if path.startswith("/")]
    for i, path in enumerate(places):
        targets.append(f"{path}-{i}")
    seen = []
    for path in targets:
        try:
            with open(path, "rb") as handle:
                seen.append(len(handle.read(100)))
        except OSError:
            pass
    return 1 / (1 + np.exp(-z))
'''


DISTORTIONS = {
    "the student's calls 50 times slower": (50.0, 1.0, False),
    "everything 50 times slower": (50.0, 50.0, False),
    "the reference's measurement 50 times slower": (1.0, 50.0, False),
    "the large call timed out": (1.0, 1.0, True),
}


def distorted(run, student: float, reference: float, timeout: bool):
    """The run with its timing probes' measurements distorted (the dynamic probes untouched)."""
    run = copy.copy(run)
    run.probes = copy.deepcopy(run.probes)
    for probe_run in run.probes[CHECK.name]:
        if not probe_run.probe.name.startswith("timing:"):
            continue
        for outcome in probe_run.outcomes:
            outcome.seconds *= student
            if timeout and probe_run.probe.name == "timing: large":
                outcome.status, outcome.value = "timeout", None
        probe_run.reference_seconds = [s * reference for s in probe_run.reference_seconds]
    return run


def verdict_of(run) -> tuple:
    [verdict] = CHECK.judge(run)
    return verdict.fraction, sorted((f.line or 0, f.message) for f in verdict.findings if not f.message.startswith("note:"))


def cases(assignment, tmp_path_factory):
    peek = tmp_path_factory.mktemp("load") / "constant_work_sigmoid.py"
    peek.write_text(CONSTANT_WORK, encoding="utf-8")
    found = [(path, name) for path in CORRECT + [peek] for name in defined_functions(path.read_text(), assignment)]
    found += [(path, expectation(path)[1]) for path in CAUGHT if expectation(path)[0] == "vectorized"]
    return found


@pytest.fixture(scope="module")
def judged(assignment, tmp_path_factory):
    """(path, function) -> (the run, its verdict at the measured timings)."""
    result = {}
    for path, name in cases(assignment, tmp_path_factory):
        run = LocalRunner(assignment, path).run(name, [CHECK])
        result[(path.stem, name)] = (run, verdict_of(run))
    return result


def test_constant_work_beside_numpy_passes_whatever_the_clock(judged):
    run, idle = judged[("constant_work_sigmoid", "sigmoid")]
    assert idle[0] == 1.0, idle
    for what, (student, reference, timeout) in DISTORTIONS.items():
        assert verdict_of(distorted(run, student, reference, timeout)) == idle, what


def test_correct_code_gets_the_same_verdict_under_any_distortion_of_its_timings(judged):
    for (stem, name), (run, idle) in judged.items():
        if stem.startswith(("dot", "einsum", "matmul", "np_matmul", "constant_work")):
            assert idle[0] == 1.0, (stem, name, idle)
            for what, distortion in DISTORTIONS.items():
                assert verdict_of(distorted(run, *distortion)) == idle, (stem, name, what)


def test_every_caught_loop_is_caught_the_same_on_a_loaded_machine(judged):
    for (stem, name), (run, idle) in judged.items():
        if stem.startswith(("dot", "einsum", "matmul", "np_matmul", "constant_work")):
            continue
        assert idle[0] == 0.0, (stem, name, idle)
        for what in ("the student's calls 50 times slower", "everything 50 times slower"):
            assert verdict_of(distorted(run, *DISTORTIONS[what])) == idle, (stem, name, what)


def test_a_loop_the_line_counts_saw_grow_fails_even_when_the_clock_says_it_is_fast(judged):
    """The dynamic layer decides where it can see: a loop over the examples fails with the
    reference's time inflated (the student's looks fast) just as at rest."""
    run, idle = judged[("for_examples_propagate", "propagate")]
    assert idle[0] == 0.0
    assert verdict_of(distorted(run, 1.0, 1000.0, False)) == idle


def test_c_level_iteration_is_where_timing_decides(judged):
    run, idle = judged[("map_math_exp_sigmoid", "sigmoid")]
    assert idle[0] == 0.0 and "times the reference's time" in idle[1][0][1]
