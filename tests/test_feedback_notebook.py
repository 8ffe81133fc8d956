"""Feedback as a notebook (``grader grade --feedback-notebooks``): feedback.ipynb and its nbconvert HTML."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from test_report_tree import parse_html

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "logreg"
HOSTILE = "<script>alert('from a student')</script><img src=https://example.invalid/x.png>"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    for name in ("bob_gradient_sign.ipynb", "carol_rank1_w.ipynb", "erin_syntax_error.ipynb"):
        shutil.copy(EXAMPLES / name, submissions / name)
    notebook = json.loads((EXAMPLES / "alice_correct.ipynb").read_text())
    notebook["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": f"Mine! {HOSTILE}"})
    code = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "display_data", "metadata": {},
                        "data": {"text/html": HOSTILE, "text/plain": "x"}}]
    (submissions / "mallory.ipynb").write_text(json.dumps(notebook))
    (submissions / "yann.py").write_text((ROOT / "tests" / "similarity" / "independent_a.py").read_text())
    folder = tmp_path_factory.mktemp("out")
    done = subprocess.run([sys.executable, "-m", "grader", "grade", str(submissions), "--out", str(folder),
                           "--assignment", "logreg", "--feedback-notebooks", "--quiet", "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return folder


def feedback_cells(notebook) -> dict:
    return {c.metadata["grader_feedback"]: c for c in notebook.cells if "grader_feedback" in c.metadata}


def test_each_graded_cell_is_followed_by_its_feedback(out):
    notebook = nbformat.read(out / "carol_rank1_w" / "feedback.ipynb", as_version=4)
    nbformat.validate(notebook)
    original = nbformat.read(EXAMPLES / "carol_rank1_w.ipynb", as_version=4)
    assert len(notebook.cells) == len(original.cells) + 1 + 6    # a summary, one feedback cell per function
    cells = notebook.cells
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION: "):
            function = cell.source.splitlines()[0].split(": ", 1)[1].strip()
            after = cells[index + 1]
            assert after.metadata["grader_feedback"] == function
    assert "1 / 3" in feedback_cells(notebook)["initialize_with_zeros"].source
    assert "Score:** 29 / 31" in cells[0].source
    assert all(not c.get("outputs") for c in cells if c.cell_type == "code")


def test_the_feedback_says_what_feedback_md_says(out):
    """Same words, so hidden cases are redacted the same way."""
    for student in ("bob_gradient_sign", "carol_rank1_w", "erin_syntax_error"):
        notebook = nbformat.read(out / student / "feedback.ipynb", as_version=4)
        markdown = (out / student / "feedback.md").read_text()
        for function, cell in feedback_cells(notebook).items():
            if function == "summary":
                continue
            text = cell.source.split("\n\n", 1)[1].strip()
            assert text in markdown, (student, function)
    bob = nbformat.read(out / "bob_gradient_sign" / "feedback.ipynb", as_version=4)
    assert "hidden case 1" in feedback_cells(bob)["propagate"].source


def test_the_html_is_nbconverts_rendering_and_loads_nothing(out):
    page = (out / "carol_rank1_w" / "feedback_notebook.html").read_text()
    tree = parse_html(page)
    meta = [m for m in tree.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert meta and "default-src 'none'" in meta[0].attrs["content"]
    assert "jp-Notebook" in page                                   # nbconvert's lab template
    headings = [h.text() for h in tree.find_all("h2")]
    assert any(h.startswith("initialize_with_zeros: 1 / 3") for h in headings)


def test_student_html_is_shown_as_text(out):
    page = (out / "mallory" / "feedback_notebook.html").read_text()
    assert "alert('from a student')" in page                       # present, as text
    tree = parse_html(page)
    assert all("from a student" not in s.text() for s in tree.find_all("script"))
    assert not [i for i in tree.find_all("img") if "example.invalid" in i.attrs.get("src", "")]
    notebook = nbformat.read(out / "mallory" / "feedback.ipynb", as_version=4)
    assert HOSTILE not in json.dumps([c.get("outputs", []) for c in notebook.cells])   # outputs dropped


def test_a_module_submission_has_no_notebook_and_no_flag_writes_none(out, tmp_path):
    assert (out / "yann" / "results.json").is_file() and not (out / "yann" / "feedback.ipynb").exists()
    done = subprocess.run([sys.executable, "-m", "grader", "grade", str(EXAMPLES / "alice_correct.ipynb"), "--out",
                           str(tmp_path), "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "alice_correct" / "feedback.md").is_file()
    assert not (tmp_path / "alice_correct" / "feedback.ipynb").exists()


def test_the_same_results_give_the_same_notebook(out, tmp_path):
    from grader.config import load_config
    from grader.feedback_notebook import feedback_notebook
    from grader.outcomes import StudentResult

    assignment = load_config(ROOT / "config.yaml").assignment("logreg")
    cache = json.loads((out / ".cache" / "carol_rank1_w.json").read_text())
    result = StudentResult.from_dict(cache["result"])
    made = nbformat.writes(feedback_notebook(assignment, result, EXAMPLES / "carol_rank1_w.ipynb")) + "\n"
    assert made == (out / "carol_rank1_w" / "feedback.ipynb").read_text()
