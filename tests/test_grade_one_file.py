"""``grader grade FILE.ipynb``, world-readable outputs, and progress where there is no terminal."""
from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.report.files import atomic_write, make_folder
from grader.report.progress import ProgressLines, progress_display

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "logreg" / "alice_correct.ipynb"


def grade_cli(*args: str, umask: int = 0o077) -> subprocess.CompletedProcess:
    # A strict umask: the outputs are still world-readable, as the issue asks.
    return subprocess.run([sys.executable, "-m", "grader", "grade", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, preexec_fn=lambda: os.umask(umask))


@pytest.fixture(scope="module")
def one_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "grades"
    done = grade_cli(str(NOTEBOOK), "--out", str(out), "--force", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    return out, done


def test_one_notebook_is_graded_on_its_own(one_file, graded_examples):
    out, done = one_file
    assert "submissions folder not found" not in done.stderr
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].startswith("alice_correct,alice_correct.ipynb,31,31,")
    # The same results.json as grading the whole folder gives this student.
    assert (out / "alice_correct" / "results.json").read_bytes() == \
        (graded_examples / "alice_correct" / "results.json").read_bytes()


def test_outputs_are_world_readable_whatever_the_umask(one_file):
    out, _ = one_file
    for path in [out, *out.rglob("*")]:
        if path.name.startswith(".") or ".cache" in path.parts:
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


def test_progress_is_reported_in_lines_without_a_terminal(one_file):
    _, done = one_file
    lines = [line for line in done.stderr.splitlines() if line.startswith("grading: ")]
    assert lines and lines[-1].startswith("grading: 1/1 done in "), done.stderr
    assert "\r" not in done.stderr  # no bar redrawn into a log file


def test_quiet_prints_no_progress_and_no_table(tmp_path):
    done = grade_cli(str(NOTEBOOK), "--out", str(tmp_path / "q"), "--quiet", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "grading:" not in done.stderr and done.stdout == ""


def test_a_file_that_is_not_a_submission_is_a_clear_error(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    done = grade_cli(str(notes), "--out", str(tmp_path / "o"))
    assert done.returncode == 2 and "cannot grade this file" in done.stderr and "Traceback" not in done.stderr


def test_progress_lines_come_every_interval_with_rate_and_expected_finish():
    stream = io.StringIO()
    progress = ProgressLines(10, stream, interval=0.05)
    deadline = time.monotonic() + 30
    for _ in range(5):
        progress.update(1)
        time.sleep(0.06)
    while stream.getvalue().count("\n") < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    progress.close()
    lines = stream.getvalue().splitlines()
    middle = [line for line in lines[:-1] if "/s" in line]
    assert middle, lines
    assert "/10 done, " in middle[-1] and "expected to finish at " in middle[-1]
    assert lines[-1].startswith("grading: 5/10 done in ")


def test_progress_lines_say_the_batch_is_alive_while_nothing_finishes():
    stream = io.StringIO()
    progress = ProgressLines(3, stream, interval=0.02)
    deadline = time.monotonic() + 30
    while stream.getvalue().count("\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    progress.close()
    assert "grading: 0/3 done, started " in stream.getvalue()


def test_a_terminal_gets_the_bar():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    bar = progress_display(4, Terminal())
    try:
        assert type(bar).__name__ == "tqdm"
    finally:
        bar.close()


def test_atomic_write_and_make_folder_modes(tmp_path):
    old = os.umask(0o077)
    try:
        make_folder(tmp_path / "a" / "b")
        atomic_write(tmp_path / "a" / "b" / "f.txt", "x")
        atomic_write(tmp_path / "a" / "b" / "g.bin", b"\0\1")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "a" / "b" / "f.txt").stat().st_mode) == 0o644
    assert (tmp_path / "a" / "b" / "g.bin").read_bytes() == b"\0\1"


@pytest.fixture(scope="module")
def graded_examples(tmp_path_factory):
    from grader.config import load_config
    from grader.pipeline import grade_folder

    assignment = load_config(ROOT / "config.yaml").assignment("logreg")
    out = tmp_path_factory.mktemp("examples")
    grade_folder(assignment, ROOT / "examples" / "logreg", out, jobs=2, quiet=True, force=True)
    json.loads((out / "alice_correct" / "results.json").read_text())
    return out
