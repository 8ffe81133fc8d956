"""Nothing lost (issue 5, part 3): a real SIGKILL of ``grader grade`` mid-batch, then a rerun.

The rerun must give the complete, correct gradebook, byte-identical to a clean run, and must
not redo the work the killed run had finished: the results it cached keep their file (same
inode, same bytes) and the CLI reports exactly that many reused. ``--force`` regrades all.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from advkit import ROOT, grader_command, honest_cells, kill_group, run_grader, write_config, write_notebook, _env

pytestmark = [pytest.mark.adversarial, pytest.mark.slow]

STUDENTS = 8
RUN_BOUND = 120
GRADER_FILES = ("results.json", "feedback.md", "feedback.html")


def slow_student_cells(i: int) -> list:
    """Honest work or one deterministic mistake, each loading slowly (0.3 s per sandboxed child)."""
    ref_sigmoid = "def sigmoid(z):\n    LOADED\n    return 1 / (1 + np.exp(-z))\n"
    overrides = {"sigmoid": "import time\nLOADED = time.sleep(0.3)\n\n" + ref_sigmoid}
    if i % 3 == 1:
        overrides["sigmoid"] = overrides["sigmoid"].replace("np.exp(-z)", "np.exp(z)")   # wrong sign
    if i == 5:
        overrides["predict"] = "def predict(w, b, X):\n    while True:\n        pass\n"      # never returns
    return honest_cells(overrides, extra=[("code", f"# student number {i}")])


def descendants(pid: int) -> set:
    """Every process whose ancestry reaches ``pid`` (read from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {pid}
    while frontier:
        children = {p for p, parent in parents.items() if parent in frontier and p not in found}
        found |= children
        frontier = children
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cache_entries(out: Path) -> dict:
    """student -> (inode, bytes) of each cached result."""
    folder = out / ".cache"
    if not folder.is_dir():
        return {}
    entries = {}
    for path in folder.glob("*.json"):
        try:
            entries[path.stem] = (path.stat().st_ino, path.read_bytes())
        except FileNotFoundError:
            pass
    return entries


def grader_files(out: Path) -> dict:
    files = {"gradebook.csv": (out / "gradebook.csv").read_bytes()}
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and p.name != ".cache"):
        for name in GRADER_FILES:
            files[f"{folder.name}/{name}"] = (folder / name).read_bytes()
    return files


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    submissions = tmp / "submissions"
    submissions.mkdir()
    for i in range(STUDENTS):
        write_notebook(submissions / f"student_{i}.ipynb", slow_student_cells(i))
    return tmp, submissions, write_config(tmp / "course")


def test_sigkill_mid_batch_then_rerun_loses_nothing_and_redoes_nothing(course):
    tmp, submissions, config = course
    out = tmp / "out"

    # 1. Start a batch and SIGKILL the grader once a few students are done, before the end.
    proc = subprocess.Popen(grader_command(submissions, out, config, "--quiet"), cwd=tmp, env=_env(None),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    family: set = set()
    try:
        deadline = time.monotonic() + RUN_BOUND
        while len(cache_entries(out)) < 2:
            family |= descendants(proc.pid)
            assert proc.poll() is None, f"the batch ended before it could be killed: {proc.communicate()}"
            assert time.monotonic() < deadline, "no student finished in time"
            time.sleep(0.05)
        family |= descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)     # kill -9 of the grader itself (not its group)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            kill_group(proc)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "gradebook.csv").exists(), "the batch had finished: kill it earlier"

    # The sandbox's processes (zygote, children) do not outlive the grader.
    assert family, "the grader had no sandbox processes"
    give_up = time.monotonic() + 10
    while any(alive(pid) for pid in family) and time.monotonic() < give_up:
        time.sleep(0.1)
    assert not [pid for pid in family if alive(pid)], "sandbox processes survived the grader's SIGKILL"

    # What the killed run finished is on disk, whole (atomic writes): cache entries and reports.
    done = cache_entries(out)
    assert 2 <= len(done) < STUDENTS
    for student, (_, data) in done.items():
        assert json.loads(data)["result"]["student"] == student
        cached = json.loads(data)["result"]
        results = json.loads((out / student / "results.json").read_text())
        assert results["score"] == pytest.approx(sum(t["score"] for t in cached["tests"]))

    # 2. Rerun: complete gradebook; the finished students are reused, not regraded.
    rerun = run_grader(submissions, out, config, bound=RUN_BOUND, cwd=tmp)
    assert rerun.returncode == 0, rerun
    assert f"{len(done)} submission(s) unchanged since the last run: results reused" in rerun.stdout, rerun
    after = cache_entries(out)
    assert set(after) == {f"student_{i}" for i in range(STUDENTS)}
    for student, entry in done.items():
        assert after[student] == entry, f"{student}'s cached result was rewritten: its work was redone"
    resumed = grader_files(out)

    # 3. A clean run elsewhere gives byte-identical files (the resumed gradebook is the right one).
    clean_out = tmp / "clean"
    clean = run_grader(submissions, clean_out, config, bound=RUN_BOUND, cwd=tmp)
    assert clean.returncode == 0, clean
    assert "results reused" not in clean.stdout
    clean_files = grader_files(clean_out)
    assert set(resumed) == set(clean_files)
    for name in clean_files:
        assert resumed[name] == clean_files[name], f"{name} differs between the resumed and a clean run"
    book = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert len(book) == STUDENTS
    rows = {row["student"]: row for row in book}
    assert rows["student_0"]["total"] == rows["student_0"]["max"]                 # honest work: full marks
    assert float(rows["student_1"]["total"]) < float(rows["student_0"]["total"])   # wrong sigmoid
    assert float(rows["student_5"]["total"]) < float(rows["student_0"]["total"])   # predict never returns

    # 4. --force regrades everyone (every cache entry rewritten) and changes no byte of the reports.
    forced = run_grader(submissions, out, config, "--force", bound=RUN_BOUND, cwd=tmp)
    assert forced.returncode == 0, forced
    assert "results reused" not in forced.stdout
    regraded = cache_entries(out)
    assert all(regraded[s][0] != after[s][0] for s in after), "--force reused cached results"
    assert grader_files(out) == clean_files
