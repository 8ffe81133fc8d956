"""The bench's naive baseline (bench/naive.py) grades as the grader does: it stands in for the
sandbox with an in-process one, so a change of the sandbox's interface must not turn it into a
baseline that fails on every submission (and looks fast)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.config import load_config
from grader.pipeline import grade_paths

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("example", ["alice_correct", "carol_rank1_w"])
def test_the_naive_baseline_gives_the_graders_score(tmp_path, example):
    path = ROOT / "examples" / "logreg" / f"{example}.ipynb"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "naive.py"), str(tmp_path), str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    naive = json.loads(done.stdout.strip().splitlines()[-1])
    [ours] = grade_paths(load_config(ROOT / "config.yaml").assignment("logreg"), [path], jobs=1)
    assert naive["status"] == "ok" == ours.status
    assert naive["score"] == pytest.approx(ours.score) and naive["max_score"] == ours.max_score
