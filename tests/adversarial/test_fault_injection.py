"""Fault injection (issue 9): random mixes of good, broken, slow-to-load, hanging, crashing,
flooding, greedy and special-file submissions, graded by the real CLI with a random ``--jobs``
(1-6). Every batch must complete within the bound computed from the limits, with a row for
every submission, every good submission at full marks, every non-submission listed in
``OUT/skipped.txt``, and the grader's memory under 1 GiB.

``make test`` runs a few seeded batches; ``make soak`` runs 200 (marker ``soak``).
"""
from __future__ import annotations

import csv
import json
import os
import random
from pathlib import Path

import pytest

from advkit import ROOT, honest_cells, load_assignment, peak_rss_kib, run_grader, write_config, write_notebook
from corpus import FLOOD_STDOUT, HANG_LOOP, OS_EXIT

GOOD = (ROOT / "examples" / "logreg" / "alice_correct.ipynb").read_bytes()
SHORT_FORM = 3
SOAK = 200

GREEDY_MODEL = '''
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, 10 ** 9, learning_rate, True)
    return {"costs": costs}
'''

HUGE_KEY = '''
def sigmoid(z):
    return {"A" * 40_000_000: 1}
'''


def _good(folder: Path, name: str) -> list:
    (folder / f"{name}.ipynb").write_bytes(GOOD)
    return [name]


def _replaced(function: str, source: str):
    def make(folder: Path, name: str) -> list:
        write_notebook(folder / f"{name}.ipynb", honest_cells({function: source.strip("\n")}))
        return [name]
    return make


def _truncated(folder: Path, name: str) -> list:
    (folder / f"{name}.ipynb").write_bytes(GOOD[: len(GOOD) // 2])
    return [name]


def _empty(folder: Path, name: str) -> list:
    (folder / f"{name}.ipynb").write_bytes(b"")
    return [name]


def _no_cells(folder: Path, name: str) -> list:
    (folder / f"{name}.ipynb").write_text('{"cells": []}')
    return [name]


def _slow_to_load(folder: Path, name: str) -> list:
    notebook = json.loads(GOOD)
    filler = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": "x = 1"}
    notebook["cells"] += [dict(filler, id=f"filler-{i}") for i in range(9_000)]
    (folder / f"{name}.ipynb").write_text(json.dumps(notebook))
    return [name]


def _fifo(folder: Path, name: str) -> list:
    os.mkfifo(folder / f"{name}.py")
    return []   # not a regular file: skipped, with the reason


def _link_to_zero(folder: Path, name: str) -> list:
    (folder / f"{name}.py").symlink_to("/dev/zero")
    return []


def _folder_with_proc_link(folder: Path, name: str) -> list:
    (folder / name).mkdir()
    (folder / name / "work.ipynb").write_bytes(GOOD)
    (folder / name / "kmsg.log").symlink_to("/proc/kmsg")
    return [name]


def _not_a_submission(folder: Path, name: str) -> list:
    (folder / f"{name}.txt").write_text("not a submission\n")
    (folder / f"{name}.ipynb.bak").write_bytes(GOOD)
    return []


KINDS = {
    "good": _good,
    "truncated": _truncated,
    "empty": _empty,
    "no_cells": _no_cells,
    "slow_to_load": _slow_to_load,
    "hanging": _replaced("sigmoid", HANG_LOOP),
    "crashing": _replaced("propagate", OS_EXIT),
    "flooding": _replaced("model", FLOOD_STDOUT),
    "greedy_callbacks": _replaced("model", GREEDY_MODEL),
    "huge_value": _replaced("sigmoid", HUGE_KEY),
    "fifo": _fifo,
    "link_to_zero": _link_to_zero,
    "folder_with_proc_link": _folder_with_proc_link,
    "not_a_submission": _not_a_submission,
}
FULL_MARKS = {"good", "folder_with_proc_link", "slow_to_load", "flooding"}  # the flood happens once, then it is right


def make_batch(folder: Path, rng: random.Random) -> tuple[dict, list]:
    """(student -> kind, names that must be skipped) for a random batch in ``folder``."""
    folder.mkdir(parents=True)
    size = rng.randint(3, 10)
    kinds = ["good"] + [rng.choice(sorted(KINDS)) for _ in range(size - 1)]
    rng.shuffle(kinds)
    students, skipped = {}, []
    for number, kind in enumerate(kinds):
        name = f"s{number:02d}_{kind}"
        graded = KINDS[kind](folder, name)
        students.update({student: kind for student in graded})
        if not graded:
            skipped += [entry.name for entry in folder.iterdir() if entry.name.startswith(name)]
    return students, skipped


def grade_random_batch(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    config = write_config(tmp_path / "course", function_timeouts={"model": 8})
    students, skipped = make_batch(tmp_path / "submissions", rng)
    jobs = rng.randint(1, 6)
    out = tmp_path / "out"
    from grader.backends import batch_seconds

    bound = batch_seconds(load_assignment(config), len(students) + len(skipped), jobs)
    run = run_grader(tmp_path / "submissions", out, config, "--force", bound=bound, cwd=ROOT, jobs=str(jobs),
                     measure=True)
    assert run.returncode == 0, run
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        book = {row["student"]: row for row in csv.DictReader(handle)}
    assert sorted(book) == sorted(students), (seed, run)
    for student, kind in students.items():
        if kind in FULL_MARKS:
            assert float(book[student]["total"]) == float(book[student]["max"]) > 0, (seed, student, run)
        else:
            assert float(book[student]["total"]) < float(book[student]["max"]), (seed, student)
    listed = (out / "skipped.txt").read_text(encoding="utf-8") if skipped else ""
    for name in skipped:
        assert name in listed, (seed, name)
    assert peak_rss_kib(run) < 1024 * 1024, f"the grader used over 1 GiB: {run}"


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(SHORT_FORM))
def test_a_random_batch_completes_with_every_good_submission_at_full_marks(tmp_path, seed):
    grade_random_batch(tmp_path, seed)


@pytest.mark.soak
@pytest.mark.parametrize("seed", range(SHORT_FORM, SHORT_FORM + SOAK))
def test_soak_random_batches(tmp_path, seed):
    grade_random_batch(tmp_path, seed)
