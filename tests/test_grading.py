"""The grading core end to end: the example submissions, the result files, the CLI."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.cases import make_cases
from grader.pipeline import grade_folder

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "logreg"
CHECKS = {"values", "shapes", "rank1", "vectorized", "runs"}

# The grades the examples must get (solutions/logreg/examples.py; tests/test_examples.py asserts them).
sys.path.insert(0, str(ROOT / "examples"))
import make_examples  # noqa: E402

sys.path.remove(str(ROOT / "examples"))


def _expected():
    from grader.config import load_config
    return make_examples.examples_module(load_config(ROOT / "config.yaml").assignment("logreg")).EXPECTED


EXPECTED = _expected()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, assignment):
    out = tmp_path_factory.mktemp("grades")
    grade_folder(assignment, EXAMPLES, out, jobs=2, quiet=True)
    return out


def gradebook(out: Path) -> dict:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_the_reference_pasted_into_the_notebook_gets_full_marks(graded):
    results = json.loads((graded / "alice_correct" / "results.json").read_text())
    failed = [t["name"] for t in results["tests"] if t["status"] != "passed"]
    assert not failed
    assert results["score"] == pytest.approx(results["extra_data"]["max_score"])


def test_results_json_follows_the_gradescope_schema_with_our_extra_data(graded):
    for student in EXPECTED:
        results = json.loads((graded / student / "results.json").read_text())
        assert set(results) >= {"score", "tests", "output", "visibility"}
        assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
        for test in results["tests"]:
            assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility", "extra_data"}
            assert test["status"] in ("passed", "failed")
            assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
            assert 0 <= test["score"] <= test["max_score"] + 1e-9
            extra = test["extra_data"]
            assert extra["check"] in CHECKS and isinstance(extra["hidden"], bool)
            assert extra["function"] in EXPECTED["alice_correct"]


def test_each_mistake_is_explained_where_it_is(graded):
    bob = (graded / "bob_gradient_sign" / "feedback.md").read_text()
    assert "grads['dw'] differs" in bob and "expected:" in bob and "got:" in bob
    carol = (graded / "carol_rank1_w" / "feedback.md").read_text()
    assert "rank-1" in carol and "np.zeros((dim, 1))" in carol
    dave = (graded / "dave_cost_1x1" / "feedback.md").read_text()
    assert "(1, 1)" in dave and "np.squeeze" in dave
    erin = (graded / "erin_syntax_error" / "feedback.md").read_text()
    assert "SyntaxError" in erin and "line 17" in erin and "^" in erin
    frank = (graded / "frank_predict_never_returns" / "feedback.md").read_text()
    assert "did not return in time" in frank
    grace = (graded / "grace_loops_over_examples" / "feedback.md").read_text()
    assert re.search(r"line \d+: `for i in range\(m\):`", grace)
    for student in EXPECTED:
        html = (graded / student / "feedback.html").read_text()
        assert html.startswith("<!DOCTYPE html>") and "<table>" in html


def test_feedback_never_shows_hidden_inputs(graded, assignment):
    """No number drawn for a hidden case appears in any student's files (public ones do)."""
    texts = "".join((graded / s / name).read_text() for s in EXPECTED
                    for name in ("feedback.md", "results.json", "feedback.html"))
    for spec in assignment.functions.values():
        for case in make_cases(spec, hidden=True):
            for value in case.args:
                if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                    for number in value.ravel()[:20]:
                        if number not in (0.0, 1.0):
                            assert f"{number:.8f}" not in texts, (spec.name, case.name)
    public = make_cases(assignment.functions["predict"], hidden=False)[0]
    assert f"{public.args[1]!r}" in texts  # the public b of predict is shown to frank and erin


def test_a_hang_and_a_syntax_error_cost_only_their_own_function(graded):
    book = gradebook(graded)
    for student in ("erin_syntax_error", "frank_predict_never_returns"):
        assert float(book[student]["predict"]) == 0
        assert float(book[student]["model"]) == 5  # model calls the reference predict


def test_two_runs_give_byte_identical_files(graded, tmp_path, assignment):
    grade_folder(assignment, EXAMPLES, tmp_path, jobs=1, quiet=True, force=True)
    for name in ["gradebook.csv"] + [f"{s}/{f}" for s in EXPECTED
                                     for f in ("results.json", "feedback.md", "feedback.html")]:
        assert (tmp_path / name).read_bytes() == (graded / name).read_bytes(), name


def test_the_parent_never_unpickles_child_data():
    """No pickle/marshal loads, and no multiprocessing Connection.recv() (which unpickles)."""
    offenders = []
    pattern = re.compile(r"\b(pickle|cPickle|marshal|dill|cloudpickle)\.(loads?|Unpickler)\b|\.recv\(\)|"
                         r"allow_pickle\s*=\s*True|shelve\.open")
    for path in sorted((ROOT / "grader").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("command", [[], ["generate"], ["grade"], ["doctor"]])
def test_every_command_has_help(command):
    result = subprocess.run([sys.executable, "-m", "grader", *command, "--help"], capture_output=True,
                            text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0 and "usage: grader" in result.stdout


def test_missing_submissions_folder_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grader", "grade", str(tmp_path / "nope")],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert "submissions folder not found" in result.stderr and "Traceback" not in result.stderr


def test_several_grader_processes_give_the_same_results(graded, assignment):
    """The multi-process path (used for large batches) matches the single-process files."""
    from grader.pipeline import grade
    from grader.report import feedback_markdown, gradebook_csv, results_json
    from grader.submission.discover import discover

    done = []
    results = grade(assignment, discover(EXAMPLES).found, jobs=2, processes=2,
                    on_result=lambda position, result: done.append(result))
    assert [r.student for r in results] == sorted(EXPECTED)
    assert sorted(r.student for r in done) == sorted(EXPECTED)
    assert gradebook_csv(assignment, results) == (graded / "gradebook.csv").read_text()
    for result in results:
        assert results_json(assignment, result) == (graded / result.student / "results.json").read_text()
        assert feedback_markdown(assignment, result) == (graded / result.student / "feedback.md").read_text()


def test_instructor_tests_report_why_without_revealing_their_assertions(tmp_path, assignment):
    """A hidden instructor test whose student call fails says how; one whose assertion fails
    says that it failed and what it checks, in its docstring's words, never its assertion text
    (which can quote hidden values)."""
    from grader.pipeline import grade_paths

    reference = (ROOT / "solutions" / "logreg" / "logreg.py").read_text()
    broken = reference.replace("    s = 1 / (1 + np.exp(-z))\n", "    raise ValueError('secret 0.4242')\n")
    wrong = reference.replace("    dw = np.dot(X, (A - Y).T) / m\n", "    dw = np.dot(X, (A - Y).T) / m + 0.5\n")
    (tmp_path / "raises.py").write_text(broken)
    (tmp_path / "wrong.py").write_text(wrong)
    raises, wrong_result = grade_paths(assignment, [tmp_path / "raises.py", tmp_path / "wrong.py"], jobs=1)
    sym = next(t for t in raises.tests if "symmetric" in t.name)
    assert not sym.passed and sym.output == "failed: the function did not return (error)"
    grad = next(t for t in wrong_result.tests if "gradient" in t.name)
    assert not grad.passed and grad.output == ("failed: an instructor's hidden test did not pass: dw and db agree "
                                               "with central finite differences of the student's own cost.")
    assert "0.4242" not in sym.output + grad.output


def test_grader_processes_work_from_a_script_without_a_main_guard(tmp_path):
    """Spawned workers must not re-run the calling script (multiprocessing's default would,
    and fail, without an `if __name__ == "__main__":` guard)."""
    script = tmp_path / "grade_them.py"
    marker = tmp_path / "runs.txt"
    script.write_text(
        "from pathlib import Path\n"
        "from grader.config import load_config\n"
        "from grader.pipeline import grade\n"
        "from grader.submission.discover import discover\n"
        f"with open({str(marker)!r}, 'a') as f:\n"
        "    f.write('top level ran\\n')\n"
        f"a = load_config({str(ROOT / 'config.yaml')!r}).assignment('logreg')\n"
        f"results = grade(a, discover(Path({str(EXAMPLES)!r})).found, jobs=2, processes=2)\n"
        "print(sorted(r.student for r in results))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "alice_correct" in done.stdout
    assert marker.read_text() == "top level ran\n"  # once: not again in each worker
