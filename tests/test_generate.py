"""Generation: in sync with the committed assignments/, deterministic, valid, and instructor errors."""
import ast
import dataclasses
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader.errors import SolutionError
from grader.generate import build_assignment, generate_assignment, literal, parse_notebook_source
from grader.config import load_config
from helpers_logreg import ASSIGNMENTS, CONFIG, ROOT, logreg_assignment


@pytest.fixture(scope="module")
def assignment():
    return logreg_assignment()


@pytest.fixture(scope="module")
def generated(assignment, tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "logreg"
    paths = generate_assignment(assignment, out)
    return out, paths


COURSE = load_config(CONFIG)


@pytest.mark.parametrize("name", list(COURSE.assignments))
def test_committed_assignments_are_in_sync_byte_for_byte(name, tmp_path):
    out = tmp_path / name
    paths = generate_assignment(COURSE.assignment(name), out)
    committed = ASSIGNMENTS / name
    names = sorted(p.name for p in paths)
    assert sorted(p.name for p in committed.iterdir() if p.is_file()) == names, \
        f"assignments/{name}/ has other files than `make assignments` writes"
    stale = [file for file in names if (out / file).read_bytes() != (committed / file).read_bytes()]
    assert not stale, f"assignments/{name}/{stale} out of date: run `make assignments` and commit"


@pytest.mark.parametrize("name", list(COURSE.assignments))
def test_generation_is_deterministic(name, tmp_path):
    assignment = COURSE.assignment(name)
    out = tmp_path / name
    generate_assignment(assignment, out)
    again = build_assignment(assignment)
    for name, data in again.items():
        assert (out / name).read_bytes() == data
    # Rerunning into the same folder changes nothing either.
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    generate_assignment(assignment, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_files_written(generated, assignment):
    out, paths = generated
    assert {p.name for p in paths} == {"logreg.py", "logreg.ipynb", "public_tests.py", "grader_compare.py",
                                       "grader_check.py", "lr_utils.py"}
    assert (out / "lr_utils.py").read_bytes() == (ROOT / "solutions/logreg/lr_utils.py").read_bytes()
    assert (out / "grader_compare.py").read_bytes() == (ROOT / "grader/checks/analysis/compare.py").read_bytes()


def test_notebook_is_valid_v4_with_fixed_ids_and_graded_metadata(generated, assignment):
    out, _ = generated
    raw = json.loads((out / "logreg.ipynb").read_text())
    notebook = nbformat.reads((out / "logreg.ipynb").read_text(), as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    ids = [cell.id for cell in notebook.cells]
    assert len(set(ids)) == len(ids)
    graded = [c for c in notebook.cells if c.metadata.get("grader", {}).get("graded")]
    assert [c.metadata["grader"]["function"] for c in graded] == list(assignment.functions)
    for cell in graded:
        name = cell.metadata["grader"]["function"]
        assert cell.source.startswith(f"# GRADED FUNCTION: {name}\n")
        assert cell.id == f"graded-{name}"
        assert "# YOUR CODE HERE" in cell.source and "raise NotImplementedError()" in cell.source
        following = notebook.cells[notebook.cells.index(cell) + 1]
        assert following.source == f'check("{name}")'
        assert following.metadata["nbgrader"]["points"] == assignment.functions[name].max_points
        assert cell.source.splitlines()[1].startswith(f"# Worth {assignment.functions[name].max_points:g} point")
    # Cells whose first line says GRADED FUNCTION are exactly the graded ones.
    headed = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith("# GRADED FUNCTION")]
    assert headed == graded
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in notebook.cells if c.cell_type == "code")
    assert "signature" not in raw["metadata"] and "widgets" not in raw["metadata"]


def test_stub_module_matches_notebook_cells_and_keeps_signatures(generated, assignment):
    out, _ = generated
    stub = (out / "logreg.py").read_text()
    reference = assignment.solution.read_text()
    sig = lambda src: {n.name: ast.unparse(n.args) for n in ast.parse(src).body if isinstance(n, ast.FunctionDef)}
    assert sig(stub) == sig(reference)
    notebook = nbformat.read(out / "logreg.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("grader", {}).get("graded"):
            body = cell.source.split("\n", 2)[2]
            assert body in stub


def _imports(path: Path) -> set:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    return imported


def test_public_tests_import_only_numpy_the_stdlib_and_the_shipped_comparison(generated):
    out, _ = generated
    imported = _imports(out / "public_tests.py")
    assert imported - {"numpy", "grader_compare"} <= set(sys.stdlib_module_names)
    assert {"numpy", "grader_compare"} <= imported
    shipped = _imports(out / "grader_compare.py")
    assert shipped - {"numpy"} <= set(sys.stdlib_module_names) | {"__future__"}
    assert "grader" not in shipped


def _load_public_tests(out, monkeypatch):
    monkeypatch.syspath_prepend(str(out))
    monkeypatch.delitem(sys.modules, "grader_compare", raising=False)
    namespace = {"__name__": "public_tests_under_test"}
    exec(compile((out / "public_tests.py").read_text(), "public_tests.py", "exec"), namespace)
    return namespace


def test_public_tests_pass_on_the_reference_and_catch_classic_mistakes(generated, assignment, capsys, monkeypatch):
    out, _ = generated
    tests = _load_public_tests(out, monkeypatch)
    from grader.reference import load_reference
    ref = load_reference(assignment.solution, list(assignment.functions))
    for name in assignment.functions:
        tests[f"{name}_test"](ref.function(name))
    assert capsys.readouterr().out.count("public tests passed") == len(assignment.functions)

    def rank1_zeros(dim):
        return np.zeros(dim), 0.0

    def int_bias(dim):
        return np.zeros((dim, 1)), 0

    def wrong_sigmoid(z):
        return 1 / (1 + np.exp(z))

    def int_predict(w, b, X):
        return (ref.function("sigmoid")(w.T @ X + b) > 0.5).astype(int)

    def array_db(w, b, X, Y):
        grads, cost = ref.function("propagate")(w, b, X, Y)
        return {"dw": grads["dw"], "db": np.array([[grads["db"]]])}, cost

    for test, student, words in [
        ("initialize_with_zeros_test", rank1_zeros, "rank-1 array"),
        ("initialize_with_zeros_test", int_bias, "should be a float"),
        ("sigmoid_test", wrong_sigmoid, "differs from the reference at 3 of 3 entries"),
        ("predict_test", int_predict, r"has dtype int\d+, expected floating point \(float64\)"),
        ("propagate_test", array_db, r"grads\['db'\] should be a scalar"),
    ]:
        with pytest.raises(AssertionError, match=words):
            tests[test](student)


def test_literals_round_trip_exactly():
    values = [np.array([[0.1, 1 / 3], [-2.5e-300, 7.0]]), np.array(5.801545319394553), np.float64(0.2),
              0.30000000000000004, 3, True, {"a": [np.int64(2), (1.5,)]}, np.zeros((0, 3)), np.array([1, 2])]
    for value in values:
        back = eval(literal(value), {"np": np})
        assert type(back) is type(value)
        if isinstance(value, np.ndarray):
            assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
        else:
            assert repr(back) == repr(value)


def test_generate_cli_writes_the_default_folder(tmp_path):
    """`grader generate --out` through the real command line, on a copy of the course."""
    config = (ROOT / "config.yaml").read_text()
    result = subprocess.run([sys.executable, "-m", "grader", "generate", "--config", str(ROOT / "config.yaml"),
                             "--assignment", "logreg", "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for path in (ASSIGNMENTS / "logreg").iterdir():
        assert (tmp_path / "out" / path.name).read_bytes() == path.read_bytes()
    assert config == (ROOT / "config.yaml").read_text()


def test_generate_cli_refuses_one_folder_for_several_assignments(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grader", "generate", "--config", str(ROOT / "config.yaml"),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "add --assignment NAME" in result.stderr


# --------------------------------------------------------------------------- instructor errors


def _with_solution(assignment, tmp_path, source: str, **changes):
    path = tmp_path / "sol.py"
    path.write_text(textwrap.dedent(source))
    return dataclasses.replace(assignment, solution=path, root=tmp_path, notebook=None, extra_files=(), **changes)


def test_function_in_config_but_missing_from_solution(assignment, tmp_path):
    broken = _with_solution(assignment, tmp_path, """
        import numpy as np

        def sigmoid(z):
            ### BEGIN SOLUTION
            return 1 / (1 + np.exp(-z))
            ### END SOLUTION
        """)
    with pytest.raises(SolutionError) as info:
        build_assignment(broken)
    message = str(info.value)
    assert message.startswith("sol.py: ")
    assert "'initialize_with_zeros'" in message and "config.yaml" in message
    assert "assignments.logreg.functions.initialize_with_zeros" in message


def test_graded_function_without_solution_region(assignment, tmp_path):
    functions = {"sigmoid": assignment.functions["sigmoid"]}
    broken = _with_solution(assignment, tmp_path, """
        import numpy as np


        def sigmoid(z):
            return 1 / (1 + np.exp(-z))
        """, functions=functions)
    with pytest.raises(SolutionError, match=r"sol.py: line 5: graded function 'sigmoid' has no solution region"):
        build_assignment(broken)


def test_unclosed_region_in_solution_names_file_and_line(assignment, tmp_path):
    functions = {"sigmoid": assignment.functions["sigmoid"]}
    broken = _with_solution(assignment, tmp_path, """
        import numpy as np


        def sigmoid(z):
            ### BEGIN SOLUTION
            return 1 / (1 + np.exp(-z))
        """, functions=functions)
    with pytest.raises(SolutionError, match=r"sol.py: line 6: solution region is never closed"):
        build_assignment(broken)


@pytest.mark.parametrize("text, words", [
    ("# T\n\n<!-- graded: sigmoid -->\n<!-- graded: sigmoid -->\n", "line 4: sigmoid is already placed at line 3"),
    ("# T\n<!-- graded: sigmoidd -->\n", "line 2: <!-- graded: sigmoidd --> names a function that is not graded"),
    ("# T\nno exercises here\n", "graded function(s) sigmoid are not placed"),
    ("# T\n```python\nx = 1\n", "line 2: code fence ``` is never closed"),
    ("# T\n<!-- tests: sigmoid -->\n", "line 2: unknown directive"),
])
def test_notebook_source_errors(assignment, tmp_path, text, words):
    (tmp_path / "nb.md").write_text(text)
    functions = {"sigmoid": assignment.functions["sigmoid"]}
    target = dataclasses.replace(assignment, functions=functions, notebook=tmp_path / "nb.md", root=tmp_path,
                                 extra_files=())
    with pytest.raises(SolutionError) as info:
        build_assignment(target)
    assert str(info.value).startswith("nb.md: ")
    assert words in str(info.value)


def test_notebook_source_parsing():
    cells = parse_notebook_source(textwrap.dedent("""\
        <!-- author's note,
        over two lines -->
        # Title
        text
        ```text
        <!-- graded: not_a_directive_inside_a_fence -->
        ```
        <!-- cell -->
        second
        ```python
        x = 1
        ```
        <!-- graded: f -->
        """), "nb.md")
    assert [(c.kind, c.source, c.function) for c in cells] == [
        ("markdown", "# Title\ntext\n```text\n<!-- graded: not_a_directive_inside_a_fence -->\n```", ""),
        ("markdown", "second", ""),
        ("code", "x = 1", ""),
        ("graded", "", "f"),
    ]
