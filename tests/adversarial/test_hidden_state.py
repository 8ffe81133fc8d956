"""No hidden input reaches a student's feedback through state the submission keeps between
calls (issue 9, item 6): every public call runs before any hidden call, so a global that
records each call's inputs can only print public inputs where the student can see them."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from advkit import honest_cells, load_assignment, write_config, write_notebook

RECORDER = '''
_SEEN = []


def sigmoid(z):
    if _SEEN:
        print("earlier inputs:", _SEEN)
    _SEEN.append(repr(np.asarray(z).tolist()))
    return 1 / (1 + np.exp(-z))
'''

CARRIER = '''
_SEEN = []


def initialize_with_zeros(dim):
    _SEEN.append(dim)
    if len(_SEEN) > 1:
        raise ValueError(f"dims so far: {_SEEN}")
    return np.zeros((dim, 1)), 0.0
'''


def visible_text(out: Path, student: str) -> str:
    folder = out / student
    return "\n".join((folder / name).read_text(encoding="utf-8")
                     for name in ("feedback.md", "feedback.html", "results.json"))


def fingerprints(value) -> list:
    """Text a printed or quoted hidden input would contain: its numbers as Python prints them."""
    flat = np.asarray(value, dtype=float).ravel()[:4]
    return [repr(float(x)) for x in flat if abs(x) > 1e-3]


def test_state_kept_by_hidden_calls_never_reaches_what_the_student_sees(tmp_path):
    from grader.cases import make_cases
    from grader.pipeline import grade_folder

    config = write_config(tmp_path / "course")
    assignment = load_assignment(config)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    write_notebook(submissions / "mallory.ipynb", honest_cells({"sigmoid": RECORDER.strip("\n"),
                                                                "initialize_with_zeros": CARRIER.strip("\n")}))
    out = tmp_path / "out"
    grade_folder(assignment, submissions, out, jobs=1, quiet=True)
    shown = visible_text(out, "mallory")

    hidden = [case for case in make_cases(assignment.functions["sigmoid"]) if case.hidden]
    public = [case for case in make_cases(assignment.functions["sigmoid"]) if not case.hidden]
    assert hidden and len(public) >= 2, "the test needs two public cases and a hidden one"
    # The recorder works: the second public call printed the first public input.
    assert any(text in shown for text in fingerprints(public[0].args[0]))
    for case in hidden:
        for text in fingerprints(case.args[0]):
            assert text not in shown, f"a hidden input of {case.name} reached the feedback: {text}"

    dims = [case.args[0] for case in make_cases(assignment.functions["initialize_with_zeros"]) if case.hidden]
    public_dims = [case.args[0] for case in make_cases(assignment.functions["initialize_with_zeros"])
                   if not case.hidden]
    for dim in set(dims) - set(public_dims):
        assert f"dims so far: [{public_dims[0]}, {dim}" not in shown
