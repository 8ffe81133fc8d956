"""``grader import``: what it writes, what it infers, what it refuses; and notebooks as solutions."""
from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from nbformat import v4

from grader.config import load_config
from grader.errors import ConfigError, UserError
from grader.generate import generate_assignment
from grader.importers import ImportProblem
from grader.importers import nbgrader as nbgrader_reader
from grader.importers import otter as otter_reader
from grader.importers import solved as solved_reader
from grader.importers.write import write
from grader.pipeline import grade_paths
from importing import ROOT, nbgrader_source, otter_source

SOLVED = [
    v4.new_markdown_cell("# Two functions\n\nSolved."),
    v4.new_code_cell("import numpy as np"),
    v4.new_code_cell('# GRADED FUNCTION: relu\n\ndef relu(z):\n    """max(0, z), element-wise."""\n'
                     "    a = np.maximum(0, z)\n    return a"),
    v4.new_code_cell("# points: 2\nassert np.array_equal(relu(np.array([[-1.0, 2.0]])), [[0.0, 2.0]])"),
    v4.new_code_cell('# GRADED FUNCTION: scale\n\ndef scale(x, k):\n    """k times x."""\n    return k * x'),
    v4.new_code_cell("assert np.allclose(scale(np.ones((2, 2)), 3.0), 3.0)\nprint(scale(np.zeros((1, 1)), 1.5))"),
]


def save(tmp_path, cells_or_notebook, name="source.ipynb"):
    notebook = cells_or_notebook if isinstance(cells_or_notebook, dict) else v4.new_notebook(cells=cells_or_notebook)
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


def test_nbgrader_import_writes_the_solution_the_text_the_tests_and_a_valid_config(tmp_path):
    source = save(tmp_path, nbgrader_source())
    config = tmp_path / "course" / "config.yaml"
    config.parent.mkdir()
    written, todo = write(nbgrader_reader.read(source), "ps1", config)
    assert todo == []
    folder = config.parent / "solutions" / "ps1"
    assert {p.name for p in written} == {"ps1.py", "notebook.md", "test_nbgrader_imported.py", "config.yaml"}
    reference = (folder / "ps1.py").read_text()
    assert reference.count("### BEGIN SOLUTION") == 4 and "import numpy as np" in reference
    assert "<!-- graded: softmax -->" in (folder / "notebook.md").read_text()
    tests = (folder / "test_nbgrader_imported.py").read_text()
    assert tests.count("@pytest.mark.grade(") == 5 and "points=3.0" in tests
    assignment = load_config(config).assignment("ps1")
    assert assignment.attribution == "as_submitted"
    softmax = assignment.functions["softmax"]
    assert [c.hidden for c in softmax.cases] == [False, True] and softmax.points == {}
    # The hidden tests' inputs are hidden cases, never public ones.
    assert all("[1.0, 2.0]" not in str(c.args) for c in softmax.cases if not c.hidden)
    # It generates, and check() cells say no check gives points until switched on.
    out = tmp_path / "material"
    generate_assignment(assignment, out)
    assert (out / "ps1.ipynb").is_file() and "raise NotImplementedError()" in (out / "ps1.py").read_text()


def test_the_reference_passes_every_imported_test_and_a_stub_none(tmp_path):
    config = tmp_path / "config.yaml"
    write(otter_reader.read(save(tmp_path, otter_source())), "ps1", config)
    assignment = load_config(config).assignment("ps1")
    right = tmp_path / "right.py"
    right.write_text((tmp_path / "solutions/ps1/ps1.py").read_text())
    stub = tmp_path / "stub.py"
    generate_assignment(assignment, tmp_path / "material")
    stub.write_text((tmp_path / "material" / "ps1.py").read_text())
    results = {r.student: r for r in grade_paths(assignment, [right, stub], jobs=1)}
    assert results["right"].score == results["right"].max_score == 10
    assert results["stub"].score == 0


def test_solved_import_makes_regions_and_takes_points_from_the_cells(tmp_path):
    config = tmp_path / "config.yaml"
    imported = solved_reader.read(save(tmp_path, SOLVED))
    assert imported.functions == ["relu", "scale"] and [t.points for t in imported.tests] == [2.0, 1.0]
    write(imported, "two", config)
    reference = (tmp_path / "solutions/two/two.py").read_text()
    assert "    ### BEGIN SOLUTION\n    a = np.maximum(0, z)\n    return a\n    ### END SOLUTION" in reference
    assignment = load_config(config).assignment("two")
    assert list(assignment.functions["scale"].inputs) == ["x", "k"]
    assert assignment.functions["scale"].inputs["k"].as_ == "float"


@pytest.mark.parametrize("change, words", [
    (lambda nb: nb.cells[4].metadata["nbgrader"].pop("points"), "cell 5 (sigmoid_tests_1): this autograded test "
                                                                "cell has no points"),
    (lambda nb: setattr(nb.cells[3], "source", "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"),
     "cell 4 (sigmoid): this solution cell has no ### BEGIN SOLUTION region"),
    (lambda nb: setattr(nb.cells[3], "source", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
     "cell 4 (sigmoid): this solution cell defines no function"),
    (lambda nb: nb.cells[4].metadata["nbgrader"].update(solution=True),
     "cell 5 (sigmoid_tests_1): a manually graded code answer cannot be graded automatically"),
    (lambda nb: (setattr(nb.cells[4], "source", "assert 1 + 1 == 2"),
                 nb.cells[4].metadata["nbgrader"].update(grade_id="arithmetic")),
     "cell 5 (arithmetic): this test calls none of the functions"),
    (lambda nb: setattr(nb.cells[4], "source", "assert sigmoid(0.0) == 0.7"),
     "cell 5: this test fails on the solution itself"),
])
def test_import_errors_name_the_cell_and_what_is_missing(tmp_path, change, words):
    notebook = nbgrader_source()
    change(notebook)
    source = save(tmp_path, notebook)
    with pytest.raises(ImportProblem) as info:
        write(nbgrader_reader.read(source), "ps1", tmp_path / "config.yaml")
    assert words in str(info.value)
    assert not (tmp_path / "solutions").exists() and not (tmp_path / "config.yaml").exists()


def test_an_otter_question_without_a_name_or_end_is_refused(tmp_path):
    notebook = otter_source()
    notebook.cells[3].source = "# BEGIN QUESTION\npoints: 2"
    with pytest.raises(ImportProblem, match="cell 4: # BEGIN QUESTION without a name"):
        otter_reader.read(save(tmp_path, notebook))
    notebook = otter_source()
    notebook.cells = [c for c in notebook.cells if c.source != "# END QUESTION"]
    with pytest.raises(ImportProblem, match="question 'sigmoid' \\(cell 4\\) has no # END QUESTION"):
        otter_reader.read(save(tmp_path, notebook))


def test_nothing_is_overwritten_without_force_and_the_existing_config_keeps_its_text(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("# the course\ncourse:\n  name: C\n\nassignments:\n  old:\n    title: Old  # kept\n"
                      "    solution: s.py\n    functions: {}\n")
    source = save(tmp_path, nbgrader_source())
    write(nbgrader_reader.read(source), "ps1", config)
    first = config.read_text()
    assert first.startswith("# the course\n") and "title: Old  # kept" in first and "\n  ps1:\n" in first
    with pytest.raises(UserError, match="ps1 exists already"):
        write(nbgrader_reader.read(source), "ps1", config)
    (tmp_path / "solutions/ps1/ps1.py").write_text("changed")
    write(nbgrader_reader.read(source), "ps1", config, force=True)
    assert config.read_text() == first and "changed" not in (tmp_path / "solutions/ps1/ps1.py").read_text()


def test_inputs_that_cannot_be_inferred_are_todo_and_validation_names_each(tmp_path):
    cells = SOLVED[:3] + [v4.new_code_cell('# GRADED FUNCTION: greet\n\ndef greet(name):\n    """Hello."""\n'
                                           '    return "hi " + name'),
                          v4.new_code_cell('assert greet("a") == "hi a"')]
    config = tmp_path / "config.yaml"
    _, todo = write(solved_reader.read(save(tmp_path, cells)), "todo", config)
    assert [key for key, _ in todo] == ["assignments.todo.functions.relu.inputs",
                                        "assignments.todo.functions.greet.inputs.name"]
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert "assignments.todo.functions.relu.inputs" in str(info.value)
    assert "assignments.todo.functions.greet.inputs.name" in str(info.value)


def test_the_import_command(tmp_path):
    source = save(tmp_path, nbgrader_source())
    command = [sys.executable, "-m", "grader", "import", "nbgrader", str(source), "--name", "ps1",
               "--config", str(tmp_path / "config.yaml")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ps1: 4 function(s) (sigmoid, normalize_rows, softmax, predict), 5 test(s) worth 10 point(s)" in done.stdout
    again = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert again.returncode == 2 and "error: ps1 exists already" in again.stderr and "--force" in again.stderr


def test_a_solution_written_as_a_notebook_replaces_the_py_and_the_markdown(tmp_path):
    folder = tmp_path / "solutions" / "two"
    folder.mkdir(parents=True)
    cells = [SOLVED[0], SOLVED[1], v4.new_markdown_cell("Write relu."),
             v4.new_code_cell('def relu(z):\n    """max(0, z)."""\n    ### BEGIN SOLUTION\n    a = np.maximum(0, z)\n'
                              "    ### END SOLUTION\n    return a")]
    save(folder, cells, "two.ipynb")
    config = tmp_path / "config.yaml"
    config.write_text("course: {name: C}\nassignments:\n  two:\n    title: Two\n    solution: solutions/two/two.ipynb\n"
                      "    functions:\n      relu:\n        points: {values: 1, shapes: 1}\n"
                      "        inputs: {z: {dist: normal, shape: [n, m]}}\n"
                      "        public: [{seed: 1, sizes: {n: 2, m: 3}}]\n        hidden: [{seed: 9, sizes: {n: 3, m: 1}}]\n")
    assignment = load_config(config).assignment("two")
    assert assignment.solution == folder / "two.py" and "np.maximum" in assignment.solution.read_text()
    made = assignment.solution.stat().st_mtime_ns
    load_config(config)
    assert assignment.solution.stat().st_mtime_ns == made   # unchanged: not rewritten
    generate_assignment(assignment, tmp_path / "material")
    notebook = nbformat.read(tmp_path / "material" / "two.ipynb", as_version=4)
    assert any("Write relu." in c.source for c in notebook.cells)
    assert any(c.metadata.get("grader", {}).get("function") == "relu" for c in notebook.cells)
    right = tmp_path / "right.py"
    right.write_text("import numpy as np\n\ndef relu(z):\n    return np.maximum(0, z)\n")
    [result] = grade_paths(assignment, [right], jobs=1)
    assert result.score == result.max_score == 2
    # A hand-written two.py beside it is never overwritten.
    assignment.solution.write_text("def relu(z):\n    return z\n")
    with pytest.raises(ConfigError, match="two.py exists beside two.ipynb and was not made from it"):
        load_config(config)


def test_an_otter_test_ending_in_an_expression_passes_when_it_prints_what_the_solution_printed(tmp_path):
    notebook = otter_source()
    question = next(c for c in notebook.cells if c.source.startswith("# BEGIN QUESTION\nname: sigmoid"))
    question.source = "# BEGIN QUESTION\nname: sigmoid\npoints: 3"
    at = next(i for i, c in enumerate(notebook.cells) if c.source == "# BEGIN TESTS")
    notebook.cells.insert(at + 1, v4.new_code_cell("np.round(sigmoid(np.array([0.0, 1.0])), 3)"))
    config = tmp_path / "config.yaml"
    write(otter_reader.read(save(tmp_path, notebook)), "ps1", config)
    tests = (tmp_path / "solutions/ps1/test_otter_imported.py").read_text()
    assert "expected='array([0.5  , 0.731])'" in tests
    assignment = load_config(config).assignment("ps1")
    right, single = tmp_path / "right.py", tmp_path / "single.py"
    right.write_text("import numpy as np\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n")
    # Close enough for np.allclose, but it prints otherwise: Otter's doctest fails it, so must we.
    single.write_text("import numpy as np\n\ndef sigmoid(z):\n    return (1 / (1 + np.exp(-z))).astype(np.float32)\n")
    results = {r.student: r for r in grade_paths(assignment, [right, single], jobs=1)}
    scores = {name: {t.name: t.score for t in r.tests if t.function == "sigmoid"} for name, r in results.items()}
    expression = f"sigmoid: test_sigmoid_{at + 2} (hidden test)"
    assert expression in scores["right"], scores
    assert scores["right"][expression] == 1.0 and scores["single"][expression] == 0.0, scores
    assert sum(scores["single"].values()) == 2.0 and sum(scores["right"].values()) == 3.0
