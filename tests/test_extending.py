"""Extending the grader is a new piece plus one registration line (issue 10): the tests add
each kind of piece from here, without touching the grader's files."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from grader.backends import BACKENDS, Options, ThreadsBackend, register_backend
from grader.pipeline import grade
from grader.submission.discover import discover

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "logreg"


class ReversedBackend:
    """A toy backend: grades the batch last submission first, one at a time, through the
    threads backend, and reports each result under its position in the caller's batch."""

    name = "reversed"

    def __init__(self):
        self.order = []

    def grade(self, job):
        for position in reversed(range(len(job.work))):
            single = dataclasses.replace(job, work=[job.work[position]], jobs=1)
            for _, result in ThreadsBackend().grade(single):
                self.order.append(position)
                yield position, result


def test_a_toy_backend_is_one_class_and_one_registration_line(assignment):
    made = []
    register_backend("reversed", lambda job, options: made.append(ReversedBackend()) or made[-1])
    try:
        work = discover(EXAMPLES).found[:3]
        toy = grade(assignment, work, jobs=1, options=Options(backend="reversed"))
        usual = grade(assignment, work, jobs=1, options=Options(backend="threads"))
    finally:
        BACKENDS.pop("reversed")
    assert made and made[0].order == [2, 1, 0]
    assert [r.to_json() for r in toy] == [r.to_json() for r in usual]


def markdown_units(data: bytes, name: str, functions) -> list:
    """A toy format: a Markdown file whose fenced python blocks are the notebook's code cells."""
    from grader.submission.reading import cell_unit, decode

    blocks = decode(data, name).split("```python\n")[1:]
    return [cell_unit(i, {"cell_type": "code", "source": block.split("```")[0], "metadata": {}}, functions)
            for i, block in enumerate(blocks, 1)]


def test_a_toy_submission_format_is_one_function_and_one_registration_line(tmp_path, assignment):
    import nbformat

    from grader.submission.formats import Format, register_format, unregister_format

    notebook = nbformat.read(EXAMPLES / "alice_correct.ipynb", as_version=4)
    blocks = [f"```python\n{cell.source}\n```\n" for cell in notebook.cells if cell.cell_type == "code"]
    (tmp_path / "bob.md").write_text("# My work\n\n" + "\n".join(blocks), encoding="utf-8")
    register_format(Format("markdown", (".md",), markdown_units, cells=True, rank=1))
    try:
        [found] = discover(tmp_path).found
        [result] = grade(assignment, [found], jobs=1)
    finally:
        unregister_format("markdown")
    assert (found.student, found.source) == ("bob", "bob.md")
    assert result.status == "ok" and result.score == result.max_score > 0


def make_finite_check():
    """A toy check: every number a function returns is finite."""
    import numpy as np

    from grader.checks import Check
    from grader.outcomes import Finding

    class Finite(Check):
        name = "finite"
        title = "no NaN or infinity in the outputs"
        order = 90

        def judge(self, run):
            def judge_case(case_run):
                outcome = case_run.outcome
                values = outcome.value if isinstance(outcome.value, (tuple, list)) else [outcome.value]
                arrays = [np.asarray(v, dtype=float) for v in values if isinstance(v, (int, float, np.ndarray))]
                if outcome.ok and all(np.isfinite(a).all() for a in arrays):
                    return None
                return Finding(message="an output holds NaN or infinity, or the call failed", case=case_run.case.name,
                               hidden=case_run.case.hidden)
            return self.judge_cases(run, judge_case)

    return Finite()


def test_a_toy_check_is_one_class_and_one_registration_line(assignment):
    from grader.checks import register_check, unregister_check

    register_check(make_finite_check())
    try:
        sigmoid = dataclasses.replace(assignment.functions["sigmoid"],
                                      points={**assignment.functions["sigmoid"].points, "finite": 2})
        toy = dataclasses.replace(assignment, functions={**assignment.functions, "sigmoid": sigmoid})
        [result] = grade(toy, discover(EXAMPLES).found[:1], jobs=1)
    finally:
        unregister_check("finite")
    finite = [t for t in result.tests if t.check == "finite"]
    assert finite and all(t.function == "sigmoid" and t.passed for t in finite)
    assert sum(t.max_score for t in finite) == 2


def test_a_toy_report_is_one_function_and_one_registration_line(tmp_path, assignment):
    from grader.pipeline import grade_folder
    from grader.report import STUDENT_FILES, StudentFile, register_student_file

    def score_line(assignment, result, sections) -> str:
        return f"{result.student}: {result.score:g} of {result.max_score:g}\n"

    before = list(STUDENT_FILES)
    register_student_file(StudentFile("score.txt", score_line))
    try:
        folder = tmp_path / "submissions"
        folder.mkdir()
        (folder / "alice.ipynb").write_bytes((EXAMPLES / "alice_correct.ipynb").read_bytes())
        grade_folder(assignment, folder, tmp_path / "out", jobs=1, quiet=True)
    finally:
        STUDENT_FILES[:] = before
    assert (tmp_path / "out" / "alice" / "score.txt").read_text() == "alice: 31 of 31\n"
