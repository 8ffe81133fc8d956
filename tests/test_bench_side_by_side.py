"""The pure parts of ``make bench``'s side-by-side with nbgrader (bench/nbgrader_side.py) and of
issue 14's keys (bench/figures.py): which notebooks are picked, how a student's graded cells go
into nbgrader's released notebook, and the arithmetic of build/bench.json's keys.
No network and no nbgrader here: the run itself is ``make bench`` (and the tools tests)."""
from __future__ import annotations

import collections

import nbformat
from nbformat import v4

from grader.exports.nbgrader import export
from importing import bench_module

side = bench_module("nbgrader_side")
figures = bench_module("figures")
make_submissions = bench_module("make_submissions")


def _solution(grade_id: str, source: str):
    return v4.new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id, "solution": True, "grade": False,
                                                           "locked": False, "schema_version": 3}})


def _test(grade_id: str, source: str):
    return v4.new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id, "solution": False, "grade": True,
                                                           "points": 1.0, "locked": True, "schema_version": 3}})


def test_answers_replace_the_solution_cells_of_their_grade_id_and_nothing_else():
    release = v4.new_notebook(cells=[
        v4.new_code_cell("import numpy as np"),
        _solution("f", "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"),
        _test("values-f-1", "assert f(1) == 2"),
        _solution("g", "def g(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"),
        v4.new_code_cell("print(f(2))")])
    pasted = side.paste_answers(release, {"f": "def f(x):\n    return 2 * x", "h": "def h(): pass",
                                          "values-f-1": "assert True"})
    assert [c.source for c in pasted.cells] == [
        "import numpy as np", "def f(x):\n    return 2 * x", "assert f(1) == 2",
        "def g(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()", "print(f(2))"]
    # A test cell is never replaced, even by a key that names it; the release is left as it was.
    assert release.cells[1].source.endswith("raise NotImplementedError()")
    assert pasted.cells[1].metadata == release.cells[1].metadata


def test_graded_cells_are_found_by_metadata_or_by_their_header(tmp_path):
    notebook = v4.new_notebook(cells=[
        v4.new_code_cell("# GRADED FUNCTION: f\n\ndef f(x):\n    return x", metadata={"grader": {"function": "f"}}),
        v4.new_code_cell("  # GRADED FUNCTION: g\ndef g():\n    return 1"),
        v4.new_code_cell("print(f(1))"), v4.new_markdown_cell("# GRADED FUNCTION: not code")])
    nbformat.write(notebook, tmp_path / "s.ipynb")
    assert side.graded_cells(tmp_path / "s.ipynb") == {"f": notebook.cells[0].source, "g": notebook.cells[1].source}


def test_a_bench_notebook_pasted_into_the_exported_assignment_carries_every_graded_cell(tmp_path, assignment):
    """The real path without nbgrader: the bench's notebooks into the export's solution cells
    (generate_assignment keeps cell ids and metadata, so the released notebook matches as well)."""
    items = make_submissions.make_submissions(assignment, tmp_path / "subs", 60, seed=0)
    export(assignment, tmp_path / "source")
    source = nbformat.read(tmp_path / "source" / f"{assignment.name}.ipynb", as_version=4)
    picked = side.side_by_side(items, 20)
    profile = {path: item["profile"] for path, item in items}
    assert picked, "nothing picked from 60 submissions"
    for path in picked:
        answers = side.graded_cells(path)
        pasted = side.paste_answers(source, answers)
        cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in pasted.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
        assert set(cells) == set(assignment.functions)
        for name in assignment.functions:
            if name in answers:
                assert cells[name] == answers[name]
            else:   # a deleted cell: nbgrader runs the released stub, as the student's notebook would lack it
                assert profile[path] == "missing" and cells[name] == next(
                    c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)
    # Not only correct work: the mix's kinds, in proportion.
    assert len({profile[p] for p in picked}) >= 4 and len(picked) == 20


def test_the_pick_is_stratified_deterministic_and_respects_eligibility():
    kinds = ["correct"] * 40 + ["wrong"] * 14 + ["loop"] * 12 + ["module"] * 2 + ["timeout"] + ["rare"]
    eligible = lambda i: kinds[i] not in ("module", "timeout")   # noqa: E731
    chosen = side.pick(kinds, 20, eligible)
    assert chosen == side.pick(kinds, 20, eligible) == sorted(set(chosen))
    counts = collections.Counter(kinds[i] for i in chosen)
    assert len(chosen) == 20 and "module" not in counts and "timeout" not in counts
    # 67 eligible: correct 40/67 * 20 = 11.9, wrong 4.2, loop 3.6, rare 0.3 -> 12, 4, 4, 0.
    assert counts == {"correct": 12, "wrong": 4, "loop": 4}
    # Spread over each kind, not its first ones.
    assert max(i for i in chosen if kinds[i] == "correct") > 30
    assert side.pick(kinds, 500, eligible) == [i for i in range(len(kinds)) if eligible(i)]
    assert side.pick(kinds, 0) == [] and side.pick([], 20) == []


def test_side_by_side_leaves_out_what_nbgrader_cannot_take_or_would_wait_on(tmp_path):
    items = [(tmp_path / f"s{i}.ipynb", {"profile": "correct"}) for i in range(30)]
    items += [(tmp_path / "m.py", {"profile": "module"}), (tmp_path / "u.ipynb", {"profile": "unreadable"}),
              (tmp_path / "t.ipynb", {"profile": "timeout"})]
    assert side.side_by_side(items, 40) == [path for path, _ in items[:30]]


def test_agreement_counts_equal_scores_and_names_the_others():
    same, total, differ = side.agreement({"a": 1.0, "b": 2.0, "c": 3.0}, {"a": 1.0004, "b": 2.5, "d": 0.0})
    assert (same, total) == (1, 4)
    assert differ == [("b", 2.0, 2.5), ("c", 3.0, None), ("d", None, 0.0)]


def test_values_and_shapes_points_are_the_checks_own_tests():
    class T:
        def __init__(self, name, check, score):
            self.name, self.check, self.score = name, check, score

    class R:
        tests = [T("sigmoid: values (public cases)", "values", 1.5), T("sigmoid: shapes (hidden cases)", "shapes", 1.0),
                 T("sigmoid: rank1", "rank1", 1.0), T("test_instructor_sigmoid", "values", 4.0)]

    assert side.values_shapes_points(R()) == 2.5


def test_growth_sizes_show_100_1000_and_n():
    assert figures.growth_sizes(10000) == [100, 1000, 10000]
    assert figures.growth_sizes(1000) == [100, 1000]
    assert figures.growth_sizes(200) == [100, 200]
    assert figures.growth_sizes(100) == [100]
    assert figures.growth_sizes(50) == [50]
    assert figures.growth_sizes(10000, growth=False) == [10000]


def test_the_keys_of_issue_14():
    run = {"wall_s": 20.0, "cpu_s": {"grader": 4.0, "children": 26.0}}
    growth = {"100": {"n": 100, "wall_s": 4.0}, "1000": {"n": 1000, "wall_s": 20.0}}
    keys = figures.speed_keys(1000, run, {"n": 20, "wall_s": 32.0, "cpu_s": 26.0}, 0.84, growth)
    assert keys == {"s_per_notebook": 0.02, "cpu_ms_per_notebook": 30.0, "nbgrader_s_per_notebook": 1.6,
                    "nbgrader_cpu_ms_per_notebook": 1300.0, "vs_nbgrader": 80.0, "startup_s_20": 0.84,
                    "growth_ratio": 0.5}
    # nbgrader not run, one size: its keys are null, never a figure.
    keys = figures.speed_keys(100, run, None, None, {"100": {"n": 100, "wall_s": 20.0}})
    assert keys["vs_nbgrader"] is None and keys["nbgrader_s_per_notebook"] is None
    assert keys["startup_s_20"] is None and keys["growth_ratio"] is None and keys["s_per_notebook"] == 0.2


def test_targets_are_met_missed_or_not_measured():
    f = {"n": 1000, "vs_nbgrader": 100.0, "startup_s_20": 1.0, "cpu_ms_per_notebook": 30.0,
         "peak_rss_mib": 1025.0, "worker_peak_rss_mib": 100.0}
    assert [ok for _, ok, _ in figures.target_lines(f)] == [True, False, True, False, True]
    f.update(vs_nbgrader=None, nbgrader={"skipped": "package registry unreachable"})
    label, ok, shown = figures.target_lines(f)[0]
    assert ok is None and "registry unreachable" in shown and label.startswith("vs_nbgrader >= 100")



def test_grading_cells_only_keeps_what_nbgrader_grades_or_locks_and_the_text(assignment, tmp_path):
    export(assignment, tmp_path)
    source = nbformat.read(tmp_path / f"{assignment.name}.ipynb", as_version=4)
    kept = side.grading_cells_only(source)
    dropped = [c for c in source.cells if c not in kept.cells]
    assert dropped and all(c.cell_type == "code" and "nbgrader" not in c.metadata for c in dropped)
    assert any("model(train_set_x" in c.source for c in dropped)   # the course's training cell
    ids = [c.metadata["nbgrader"]["grade_id"] for c in kept.cells if c.cell_type == "code"]
    assert ids[0] == "grader-setup" and set(assignment.functions) <= set(ids)
    assert [c for c in kept.cells if c.cell_type == "markdown"] == [c for c in source.cells if c.cell_type == "markdown"]
    assert len(source.cells) == len(kept.cells) + len(dropped)   # the source is left as it was
