"""Near-identical submissions: renamed-variable copies are flagged, independent solutions are not."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

from grader.similarity import fingerprints, tokens

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "similarity"
RENAMES = {"positive": "e", "weights": "W0", "count": "n", "predicted": "yhat", "cross": "terms",
           "total_cost": "J", "diff": "delta", "grad_w": "g_w", "grad_b": "g_b", "current_w": "ww",
           "current_b": "bb", "recorded": "costs_so_far", "latest": "g", "iteration": "it", "value": "c",
           "column": "col", "chance": "p", "labels": "out", "initial_w": "w0", "initial_b": "b0",
           "found": "params", "history": "cs", "test_labels": "yt", "train_labels": "ytr", "eps": "tiny"}


def disguised(text: str) -> str:
    """The copy a student would hand in: every local name renamed, comments added, spacing changed."""
    text = text.replace('"""Logistic regression, a third way: the one copied below."""', '"""My own work."""')
    for old, new in RENAMES.items():
        text = re.sub(rf"\b{old}\b", new, text)
    lines = []
    for line in text.splitlines():
        lines.append(line.replace(" = ", "  =  ").replace(", ", " , "))
        if line.strip().startswith(("return", "for ", "if ")):
            lines.append("    # step done, checked by hand" if line.startswith("    ") else "# done")
    return "\n".join(lines) + "\n"


def test_names_comments_and_layout_do_not_change_the_fingerprint():
    a = "def f(x, y):\n    total = x + y  # add\n    return total * 2\n"
    b = "def f(a, b):\n    '''Doc.'''\n    s  =  a+b\n\n    return s*2\n"
    c = "def f(x, y):\n    total = x - y\n    return total * 2\n"
    assert tokens(a) == tokens(b) and tokens(a) != tokens(c)
    assert fingerprints(tokens(a)) == fingerprints(tokens(b))


def test_renamed_copies_are_flagged_and_independent_solutions_are_not(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for path in HERE.glob("*.py"):
        shutil.copy(path, submissions / path.name)
    (submissions / "zed_copy.py").write_text(disguised((HERE / "original.py").read_text()))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "grader", "grade", str(submissions), "--out", str(out),
                           "--assignment", "logreg", "--jobs", "2", "--quiet"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with open(out / "gradebook.csv", newline="") as handle:
        book = list(csv.DictReader(handle))
    assert {row["student"]: row["total"] == row["max"] for row in book} == {
        "independent_a": True, "independent_b": True, "original": True, "zed_copy": True}  # all correct
    with open(out / "similarity.csv", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    assert [(p["student_a"], p["student_b"]) for p in pairs] == [("original", "zed_copy")]
    assert float(pairs[0]["similarity"]) >= 0.95
    assert pairs[0]["functions"].split() == ["sigmoid", "initialize_with_zeros", "propagate", "optimize",
                                             "predict", "model"]
    report = (out / "report.html").read_text()
    assert "zed_copy" in report.split("Near-identical submissions", 1)[1]
    # A rerun reads the fingerprints back from OUT's cache: the same file, byte for byte.
    first = (out / "similarity.csv").read_bytes()
    again = subprocess.run([sys.executable, "-m", "grader", "grade", str(submissions), "--out", str(out),
                            "--assignment", "logreg", "--jobs", "2", "--quiet"], cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert (out / "similarity.csv").read_bytes() == first


def test_the_template_never_counts(tmp_path):
    """Two submissions that only filled in the stub's placeholders identically with nothing
    (the stub handed in twice) are never paired: the template's code is left out."""
    from grader.config import load_config
    from grader.markers import make_stub
    from grader.similarity import pairs, submission_fingerprints, template_fingerprints

    assignment = load_config(ROOT / "config.yaml").assignment("logreg")
    stub = make_stub(assignment.solution.read_text(), assignment.solution)
    for name in ("amy", "ben"):
        (tmp_path / f"{name}.py").write_text(stub)
    template = template_fingerprints(assignment)
    prints = {name: submission_fingerprints(assignment, tmp_path / f"{name}.py", template) for name in ("amy", "ben")}
    assert all(not any(functions.values()) for functions in prints.values())
    assert pairs(prints, 0.0) == []


def test_threshold_comes_from_the_config(tmp_path):
    from grader.config import load_config

    config = (ROOT / "config.yaml").read_text()
    marker = "  logreg:\n"
    assert marker in config
    changed = tmp_path / "config.yaml"
    changed.write_text(config.replace(marker, marker + "    similarity: {threshold: 0.42}\n", 1))
    for entry in ("solutions", "examples"):
        (tmp_path / entry).symlink_to(ROOT / entry)
    assert load_config(changed).assignment("logreg").similarity_threshold == 0.42
    changed.write_text(config.replace(marker, marker + "    similarity: {threshold: 2}\n", 1))
    from grader.errors import ConfigError
    try:
        load_config(changed)
    except ConfigError as exc:
        assert "similarity.threshold" in str(exc) and "Similarity" in str(exc)
    else:
        raise AssertionError("a threshold of 2 was accepted")
