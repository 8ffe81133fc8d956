"""Determinism (issue 5, part 3): the same submissions give byte-identical result files.

A correct but slow sigmoid (vectorized, no loop: it computes 60 times the work it needs)
makes the vectorized check time it. Its verdict does not depend on the clock here (no
loop, so timing alone never fails), and the measured figures must not reach the files (they
did, as "took 54x the reference's extra time (8.71 ms vs 0.14 ms)", until c5b052e).
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
