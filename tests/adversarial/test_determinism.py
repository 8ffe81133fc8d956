"""Determinism (issue 5, part 3): the same submissions give byte-identical result files.

A correct but slow sigmoid (vectorized, no loop: it computes 60 times the work it needs)
makes the vectorized check time it. Its verdict does not depend on the clock here (no
loop, so timing alone never fails), but the measured figures must not reach the files.
"""
from __future__ import annotations

import pytest

from advkit import honest_cells, run_grader, write_config, write_notebook

pytestmark = [pytest.mark.adversarial, pytest.mark.slow]

SLOW_SIGMOID = """def sigmoid(z):
    z = np.asarray(z, dtype=float)
    wasted = np.exp(-np.multiply.outer(np.ones(60), z))   # 60x the work, no Python loop
    return 1 / (1 + wasted[0])
"""


@pytest.mark.xfail(strict=True, reason=(
    "grader/checks/vectorized.py writes measured timings into the results: the 'note: on a large input "
    "sigmoid took Nx the reference's extra time (X ms vs Y ms)' finding differs from run to run, so "
    "results.json and feedback.md are not byte-identical (under load the note even appears for honest code)"))
def test_two_runs_give_byte_identical_results_even_when_timing_is_measured(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    write_notebook(submissions / "slow_but_vectorized.ipynb", honest_cells({"sigmoid": SLOW_SIGMOID}))
    config = write_config(tmp_path / "course")
    outs = []
    for run in ("first", "second"):
        out = tmp_path / run
        result = run_grader(submissions, out, config, "--force", "--quiet", bound=90, cwd=tmp_path)
        assert result.returncode == 0, result
        outs.append(out)
    first, second = outs
    # The grade itself is deterministic and full: the check only notes the slowness.
    assert (first / "gradebook.csv").read_bytes() == (second / "gradebook.csv").read_bytes()
    for name in ("results.json", "feedback.md", "feedback.html"):
        assert (first / "slow_but_vectorized" / name).read_bytes() == \
            (second / "slow_but_vectorized" / name).read_bytes(), name
