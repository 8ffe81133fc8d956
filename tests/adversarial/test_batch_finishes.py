"""A batch always finishes (issue 9, item 1): whatever the folder holds, however many jobs,
every submission gets a row, within the bound computed from the limits.

The short forms run in ``make test``; ``make soak`` repeats them (marker ``soak``).
"""
from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from advkit import ROOT, load_assignment, run_grader, write_config

EXAMPLES = ROOT / "examples" / "logreg"
GOOD = EXAMPLES / "alice_correct.ipynb"


def gradebook(out: Path) -> dict:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def bound(config: Path, count: int, jobs: int) -> float:
    from grader.backends import batch_seconds
    return batch_seconds(load_assignment(config), count, jobs)


def mixed_folder(folder: Path) -> Path:
    """Two good notebooks, a truncated one, an empty file, a notebook with no cells, a .txt, a .pdf."""
    folder.mkdir(parents=True, exist_ok=True)
    data = GOOD.read_bytes()
    (folder / "good1.ipynb").write_bytes(data)
    (folder / "good2.ipynb").write_bytes(data)
    (folder / "truncated.ipynb").write_bytes(data[: len(data) // 3])
    (folder / "zero.ipynb").write_bytes(b"")
    (folder / "nocells.ipynb").write_text('{"cells": []}')
    (folder / "notes.txt").write_text("not a submission\n")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    return folder


def slow_folder(folder: Path, cells: int = 100_000) -> Path:
    """One notebook that takes long to load (many cells), among eight ordinary ones."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(8):
        (folder / f"ordinary{i}.ipynb").write_bytes(GOOD.read_bytes())
    notebook = json.loads(GOOD.read_text(encoding="utf-8"))
    filler = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": "x = 1"}
    notebook["cells"] += [dict(filler, id=f"filler-{i}") for i in range(cells)]
    (folder / "a_slow.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return folder


def full_marks(row: dict) -> bool:
    return float(row["total"]) == float(row["max"]) > 0


@pytest.mark.parametrize("attempt", range(3))
def test_the_mixed_folder_completes_with_the_default_jobs(tmp_path, attempt):
    config = write_config(tmp_path / "course")
    folder = mixed_folder(tmp_path / "submissions")
    out = tmp_path / "out"
    run = run_grader(folder, out, config, "--force", bound=bound(config, 7, 3), cwd=ROOT, jobs=None)
    assert run.returncode == 0, run
    book = gradebook(out)
    assert sorted(book) == ["good1", "good2", "nocells", "truncated", "zero"], run
    assert full_marks(book["good1"]) and full_marks(book["good2"])
    assert all(float(book[s]["total"]) == 0 for s in ("nocells", "truncated", "zero"))


def test_the_mixed_folder_completes_with_every_jobs_count(tmp_path, assignment):
    """Jobs 1 to 6, instructor tests on (they keep sessions): the deadlock of issue 9 needed both."""
    from grader.pipeline import grade
    from grader.submission.discover import discover

    folder = mixed_folder(tmp_path / "submissions")
    for name in ("good3", "good4", "good5"):
        (folder / f"{name}.ipynb").write_bytes(GOOD.read_bytes())
    work = discover(folder).found
    for jobs in range(1, 7):
        results = {r.student: r for r in grade(assignment, work, jobs=jobs, processes=1)}
        assert sorted(results) == sorted(item.student for item in work)
        for name in ("good1", "good2", "good3", "good4", "good5"):
            assert results[name].score == results[name].max_score > 0, (jobs, name)


def test_a_slow_to_load_notebook_among_ordinary_ones_completes(tmp_path):
    config = write_config(tmp_path / "course")
    folder = slow_folder(tmp_path / "submissions")
    out = tmp_path / "out"
    run = run_grader(folder, out, config, "--force", bound=bound(config, 9, 2), cwd=ROOT)
    assert run.returncode == 0, run
    book = gradebook(out)
    assert len(book) == 9
    assert all(full_marks(book[f"ordinary{i}"]) for i in range(8)), run


@pytest.fixture
def stuck_loader(monkeypatch):
    """Fault injection: the loader hangs on submissions named ``a_stuck*`` (the real loader is
    bounded, so only a bug could do this) until the test ends."""
    import grader.engine.scheduler as scheduler

    release = threading.Event()
    real_load = scheduler.load_submission

    def load(path, *args, **kwargs):
        if Path(path).name.startswith("a_stuck"):
            release.wait(timeout=600)
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(scheduler, "load_submission", load)
    yield scheduler
    release.set()


def submissions(folder: Path, names: tuple) -> list:
    from grader.submission.discover import discover

    folder.mkdir()
    for name in names:
        (folder / f"{name}.ipynb").write_bytes(GOOD.read_bytes())
    return discover(folder).found


def test_a_submission_that_never_finishes_is_given_up_and_the_others_are_graded(tmp_path, monkeypatch,
                                                                                stuck_loader):
    """The scheduler gives up on a submission past its bound, records why, and the others are
    graded in full."""
    from grader.pipeline import grade

    config = write_config(tmp_path / "course", limits={"submission_seconds": 2, "call_seconds": 1})
    monkeypatch.setattr(stuck_loader, "LOAD_MARGIN_SECONDS", 2.0)
    work = submissions(tmp_path / "submissions", ("a_stuck", "b_fine", "c_fine", "d_fine"))
    results = {r.student: r for r in grade(load_assignment(config), work, jobs=2, processes=1)}
    stuck = results["a_stuck"]
    assert stuck.status == "error" and stuck.score == 0 and stuck.max_score > 0
    assert any("did not finish within 5 s" in note for note in stuck.notes), stuck.notes
    for name in ("b_fine", "c_fine", "d_fine"):
        assert results[name].score == results[name].max_score > 0


def test_results_that_never_come_are_reported_at_the_batch_deadline(tmp_path, monkeypatch, assignment,
                                                                    stuck_loader):
    """The batch's own deadline is the last resort: a student whose result never arrives gets a
    row saying so, and the batch returns."""
    import grader.pipeline as pipeline

    monkeypatch.setattr(pipeline, "batch_seconds", lambda *args: 20.0)
    work = submissions(tmp_path / "submissions", ("a_stuck", "b_fine"))
    results = {r.student: r for r in pipeline.grade(assignment, work, jobs=2, processes=1)}
    assert results["a_stuck"].status == "error"
    assert "did not finish within the batch's time bound (20 s)" in results["a_stuck"].notes[0]
    assert results["b_fine"].score == results["b_fine"].max_score > 0


@pytest.mark.soak
@pytest.mark.parametrize("attempt", range(200))
def test_soak_the_mixed_folder(tmp_path, attempt):
    test_the_mixed_folder_completes_with_the_default_jobs(tmp_path, attempt)


@pytest.mark.soak
@pytest.mark.parametrize("attempt", range(200))
def test_soak_the_slow_folder(tmp_path, attempt):
    test_a_slow_to_load_notebook_among_ordinary_ones_completes(tmp_path)
