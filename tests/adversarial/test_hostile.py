"""Hostile and broken submissions (issue 5, parts 1 and 2), graded in one batch by the real CLI.

Each case asserts the exact outcome: the attacked function gets 0 with the reason a student
reads (timeout, memory, killed, wrong type, forbidden, error), the other functions keep the
points honest work earns, nothing outside OUT changed, nobody was contacted on the network,
no secret reached OUT, and no grade is above the honest one.
"""
from __future__ import annotations

import re

import pytest

from advkit import FUNCTIONS, ROOT, changed, find_named
from corpus import OTHER_STUDENT_MARKER, SECRET_MARKERS, broken_corpus, hostile_corpus, placeholder_values

pytestmark = [pytest.mark.adversarial, pytest.mark.slow]

HOSTILE = [h.student for h in hostile_corpus(placeholder_values())]
BROKEN = [h.student for h in broken_corpus(placeholder_values())]
EXTRA = ["sub_two_notebooks"]
GRADER_FILES = ("results.json", "feedback.md", "feedback.html")


def assert_outcome(batch, honest_scores: dict, student: str) -> None:
    hostile = batch.corpus[student]
    expect, results = hostile.expect, batch.results
    where = f"{student} ({hostile.what})"
    assert results.status(student) == expect.status, f"{where}: status"
    for function in FUNCTIONS:
        got = results.score(student, function)
        output = results.output(student, function)
        if function in expect.zero:
            assert got == 0, f"{where}: {function} earned {got}, expected 0\n{output}"
            assert re.search(expect.zero[function], output, re.S), \
                f"{where}: {function}'s reason does not match {expect.zero[function]!r}:\n{output}"
        elif function in expect.below:
            assert got < honest_scores[function], f"{where}: {function} earned {got}, as much as honest work"
        elif expect.honest:
            assert got == honest_scores[function], \
                f"{where}: {function} earned {got}, honest work earns {honest_scores[function]}\n{output}"
    for function, check, hidden in expect.zero_checks:
        assert results.max_score(student, function, check=check, hidden=hidden) > 0
        assert results.score(student, function, check=check, hidden=hidden) == 0, \
            f"{where}: {function} {check} ({'hidden' if hidden else 'public'}) earned points\n" \
            f"{results.output(student, function)}"
    if expect.notes:
        assert re.search(expect.notes, results.feedback(student)), f"{where}: no note matching {expect.notes!r}"
    assert results.score(student) <= sum(honest_scores.values())


def test_the_batch_completes_and_grades_everyone(hostile_batch):
    results = hostile_batch.results
    expected = set(HOSTILE) | set(BROKEN) | set(EXTRA)
    assert set(results.gradebook) == expected, hostile_batch.run
    for student in expected:
        assert (hostile_batch.out / student / "results.json").is_file()
        assert "internal grader error" not in results.feedback(student), student
        assert results.status(student) != "error", student


def test_honest_work_earns_every_point(hostile_batch, honest_scores):
    results = hostile_batch.results
    assert results.score("honest") == results.max_score("honest") > 0
    assert all(score > 0 for score in honest_scores.values())


@pytest.mark.parametrize("student", [s for s in HOSTILE if s != "honest"])
def test_hostile_submission(hostile_batch, honest_scores, student):
    assert_outcome(hostile_batch, honest_scores, student)


@pytest.mark.parametrize("student", BROKEN)
def test_broken_notebook(hostile_batch, honest_scores, student):
    assert_outcome(hostile_batch, honest_scores, student)


def test_a_symlinked_submission_is_not_followed_but_reported(hostile_batch):
    assert "sub_symlink" not in hostile_batch.results.gradebook
    skipped = (hostile_batch.out / "skipped.txt").read_text(encoding="utf-8")
    assert "sub_symlink.ipynb\ta symbolic link: the grader does not follow links" in skipped
    assert "sub_symlink.ipynb" in hostile_batch.run.stderr


def test_a_folder_of_two_notebooks_is_refused_with_a_reason(hostile_batch):
    results = hostile_batch.results
    assert results.status("sub_two_notebooks") == "unreadable"
    assert re.search(r"2 notebooks|exactly one notebook", results.feedback("sub_two_notebooks"))


def test_no_grade_is_above_honest_work(hostile_batch, honest_scores):
    results = hostile_batch.results
    total = sum(honest_scores.values())
    for student in results.gradebook:
        assert results.score(student) <= total, student
        for function in FUNCTIONS:
            assert results.score(student, function) <= honest_scores[function], (student, function)
        # the gradebook and results.json agree (nothing rewrote one of them)
        assert abs(results.results(student)["score"] - results.score(student)) < 1e-9, student


def test_output_floods_are_drained_and_capped(hostile_batch):
    results = hostile_batch.results
    for student in ("exhaust_stdout_1gb", "exhaust_two_million_prints"):
        feedback = results.feedback(student)
        assert "output truncated" in feedback, student
        assert len(feedback.encode()) < 1_000_000, student
        assert (hostile_batch.out / student / "feedback.html").stat().st_size < 2_000_000
    assert "1073741824 bytes in total" in results.feedback("exhaust_stdout_1gb")


def test_forged_output_changes_no_grade_and_stays_out_of_the_summary(hostile_batch):
    run = hostile_batch.run
    for forged in ('"score": 100', "PASSED", "testsuite", "999"):
        assert forged not in run.stdout, forged
    row = hostile_batch.results.gradebook["forge_print"]
    assert row["total"] == hostile_batch.results.gradebook["honest"]["total"]


def test_nothing_outside_scratch_and_out_changed(hostile_batch):
    for name in hostile_batch.before:
        diffs = changed(hostile_batch.before[name], hostile_batch.after[name])
        assert not diffs, f"{name} changed during grading:\n" + "\n".join(diffs[:40])


def test_out_holds_only_what_the_grader_writes(hostile_batch):
    out = hostile_batch.out
    students = set(hostile_batch.results.gradebook)
    allowed = {"gradebook.csv", "skipped.txt", "report.html", "similarity.csv", "timings.csv"} \
        | {f"{s}/{f}" for s in students for f in GRADER_FILES} \
        | {f".cache/{s}.json" for s in students} | {f".cache/fingerprints/{s}.json" for s in students}
    found = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert found <= allowed, sorted(found - allowed)
    dirs = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_dir()}
    assert dirs <= students | {".cache", ".cache/fingerprints"}, sorted(dirs - students - {".cache"})


def test_no_canary_file_anywhere(hostile_batch):
    token = hostile_batch.values["TOKEN"]
    roots = [ROOT, hostile_batch.tmp, "/tmp", "/var/tmp", "/dev/shm"]
    hits = find_named(roots, f"ADVCANARY-{token}", max_depth=4)
    hits += find_named(["/root"], f"ADVCANARY-{token}", max_depth=1)
    assert not hits, hits


def test_the_listeners_were_never_contacted(hostile_batch):
    assert hostile_batch.listener.contacts == []


def test_no_secret_reaches_the_output(hostile_batch):
    out = hostile_batch.out
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file()}
    for label, marker in SECRET_MARKERS.items():
        leaks = [str(p.relative_to(out)) for p, text in texts.items() if marker in text]
        assert not leaks, f"{label} leaked into {leaks}"
    own = out / "honest"
    leaks = [str(p.relative_to(out)) for p, text in texts.items()
             if OTHER_STUDENT_MARKER in text and own not in p.parents]
    assert not leaks, f"another student's notebook leaked into {leaks}"
    assert not [p for p, text in texts.items() if "GRADER_ADVERSARIAL_SECRET" in text], \
        "the grader's environment leaked"


def test_disk_use_is_bounded(hostile_batch):
    # exhaust_fill_disk and exhaust_big_file try to write 600 MiB each; the scratch is a small
    # tmpfs (or capped by RLIMIT_FSIZE), and it is gone afterwards. What the batch leaves is
    # measured in its own folders (the disk's free space changes with other work on the machine).
    left = sum(p.stat().st_size for p in hostile_batch.tmp.rglob("*") if p.is_file() and not p.is_symlink())
    assert left < 200 * 1024 * 1024
    leftovers = [p for p in hostile_batch.tmp.rglob("fill-*.bin")] + [p for p in hostile_batch.tmp.rglob("big.bin")]
    assert not leftovers
