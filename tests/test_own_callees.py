"""A student's own callee instead of the reference's call-backs (grading/callees.py): the same
results as with call-backs only, over the corpus, and the calls it changes.

With reference attribution, a caller's hidden cases call the student's own callee once that
callee passed everything; ``Batch.own_callees = False`` turns this off. Turned on or off, every
submission of the corpus (the examples of every assignment, the logreg variants of
tests/variants/, and two made here) must get the same results, to the byte of every message."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.config import load_config
from grader.grading import Batch, execute
from grader.pipeline import grade
from grader.sandbox import Sandbox
from grader.submission import load_submission
from grader.submission.discover import discover

ROOT = Path(__file__).resolve().parents[1]
COURSE = load_config(ROOT / "config.yaml")
VARIANTS = ROOT / "tests" / "variants"
CORRECT = (VARIANTS / "correct" / "dot.py").read_text(encoding="utf-8")

# Correct on the public cases (20 and 100 iterations), wrong on a hidden one (101): its hidden
# cases run on the student's propagate first, fail, and run again on the reference's.
LATE_BUG = CORRECT.replace("    for i in range(num_iterations):\n",
                           "    if num_iterations > 100:\n        learning_rate = 2 * learning_rate\n"
                           "    for i in range(num_iterations):\n", 1)
# Its propagate fails (the gradient's sign): optimize and model keep the reference's callees.
WRONG_PROPAGATE = CORRECT.replace("dw = np.dot(X, (A - Y).T) / m", "dw = np.dot(X, (Y - A).T) / m", 1)


def results(assignment, folder: Path, own: bool) -> dict:
    batch = Batch.prepare(assignment)
    batch.own_callees = own
    work = discover(folder).found
    graded = grade(assignment, work, jobs=2, batch=batch)
    return {result.student: result.to_dict() for result in graded}


def made_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted((VARIANTS / "correct").glob("*.py")) + sorted((VARIANTS / "caught").glob("*.py")):
        shutil.copy(path, folder / path.name)
    (folder / "late_bug.py").write_text(LATE_BUG, encoding="utf-8")
    (folder / "wrong_propagate.py").write_text(WRONG_PROPAGATE, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", list(COURSE.assignments))
def test_examples_get_the_same_results_with_and_without_own_callees(name):
    assignment = COURSE.assignment(name)
    on, off = results(assignment, assignment.examples, True), results(assignment, assignment.examples, False)
    assert sorted(on) == sorted(off) and on
    for student in off:
        assert on[student] == off[student], student


def test_variants_get_the_same_results_with_and_without_own_callees(tmp_path):
    assignment = COURSE.assignment("logreg")
    folder = made_corpus(tmp_path)
    on, off = results(assignment, folder, True), results(assignment, folder, False)
    assert sorted(on) == sorted(off) == sorted(p.stem for p in folder.iterdir())
    for student in off:
        assert on[student] == off[student], student
    assert on["late_bug"]["tests"] and any(not t["passed"] for t in on["late_bug"]["tests"]
                                           if t["function"] == "optimize" and t["hidden"])


def calls_made(assignment, source: str, tmp_path: Path, own: bool = True) -> list:
    """(function, hidden case or probe, proxies) of every call of ``source``'s grading, in order."""
    batch = Batch.prepare(assignment)
    batch.own_callees = own
    path = tmp_path / "student.py"
    path.write_text(source, encoding="utf-8")
    submission = load_submission(path, assignment, batch.reference.source)
    hidden = {(case.function, repr(case.args)): case.hidden for cases in batch.cases.values() for case in cases}
    made = []
    with Sandbox(assignment.limits, jobs=1, reference=batch.reference.source) as sandbox:
        session = sandbox.open(submission.chunks, student="student")
        call = session.call

        def recorded(fn, args=(), kwargs=None, proxies=(), **rest):
            made.append((fn, hidden.get((fn, repr(args))), tuple(proxies)))
            return call(fn, args, kwargs, proxies=proxies, **rest)

        session.call = recorded
        try:
            execute(batch, session, submission)
        finally:
            session.close()
    return made


def test_hidden_cases_call_the_students_callees_once_they_passed(tmp_path):
    assignment = COURSE.assignment("logreg")
    made = calls_made(assignment, CORRECT, tmp_path)
    hidden = {(fn, proxies) for fn, is_hidden, proxies in made if is_hidden}
    assert ("optimize", ()) in hidden and ("model", ()) in hidden and ("propagate", ()) in hidden
    assert not any(fn == "optimize" and proxies for fn, is_hidden, proxies in made if is_hidden)
    # public cases and probes (is_hidden None) always call back to the reference
    assert ("optimize", False, ("propagate",)) in made
    assert all(proxies == ("propagate",) for fn, is_hidden, proxies in made if fn == "optimize" and not is_hidden)
    off = calls_made(assignment, CORRECT, tmp_path, own=False)
    assert all(proxies == ("propagate",) for fn, _, proxies in off if fn == "optimize")


def test_a_failed_callee_stays_the_reference_and_a_failing_caller_runs_again(tmp_path):
    assignment = COURSE.assignment("logreg")
    made = calls_made(assignment, WRONG_PROPAGATE, tmp_path)
    assert all(proxies == ("propagate",) for fn, _, proxies in made if fn == "optimize")
    model = {proxies for fn, is_hidden, proxies in made if fn == "model" and is_hidden}
    assert model == {("optimize",)}   # its other callees passed
    late = [proxies for fn, is_hidden, proxies in calls_made(assignment, LATE_BUG, tmp_path)
            if fn == "optimize" and is_hidden]
    # the first hidden case on the student's propagate, both again on the reference's
    assert late[0] == () and late[-2:] == [("propagate",), ("propagate",)]
