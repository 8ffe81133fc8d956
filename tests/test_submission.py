"""Loading submissions (issue 3 part 1, issue 5 part 2): what is kept, what is reported.

Notebooks are built here with nbformat from the reference solutions, so the tests follow the
real assignment; no fixture files.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import nbformat.v3 as v3
import nbformat.v4 as v4
import numpy as np
import pytest

from grader.submission import CodeChunk, FunctionSource, Problem, Submission, load_submission

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "logreg" / "logreg.py"
FUNCTIONS = ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"]


@pytest.fixture(scope="module")
def assignment():
    """The real assignment when config.yaml validates; else a stand-in with the two attributes
    the loader uses (config validation depends on check modules written in parallel)."""
    try:
        from grader.config import load_config
        spec = load_config(ROOT / "config.yaml").assignment("logreg")
        assert list(spec.functions) == FUNCTIONS
        return spec
    except Exception:
        return SimpleNamespace(functions=FUNCTIONS, solution=SOLUTION, extra_files=("solutions/logreg/lr_utils.py",))


def reference_source(name: str) -> str:
    """The reference function as a student who solved it would have it (markers removed)."""
    text = SOLUTION.read_text()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    source = ast.get_source_segment(text, node)
    return "\n".join(line for line in source.split("\n") if "### " not in line)


def graded(name: str, body: str | None = None, header: bool = True) -> str:
    return (f"# GRADED FUNCTION: {name}\n\n" if header else "") + (body if body is not None else reference_source(name))


IMPORTS = textwrap.dedent("""\
    import numpy as np
    import copy
    import matplotlib.pyplot as plt
    import h5py
    from lr_utils import load_dataset
    from public_tests import *

    %matplotlib inline
    %load_ext autoreload
    %autoreload 2""")

TOP_LEVEL = {
    "load": "train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = load_dataset()",
    "sizes": "m_train = train_set_x_orig.shape[0]\nnum_px = train_set_x_orig.shape[1]\n"
             "print(\"Number of training examples: m_train = \" + str(m_train))",
    "flatten": "train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T\n"
               "train_set_x = train_set_x_flatten / 255.",
    "sigmoid": "print (\"sigmoid([0, 2]) = \" + str(sigmoid(np.array([0,2]))))\n\nsigmoid_test(sigmoid)",
    "initialize_with_zeros": "dim = 2\nw, b = initialize_with_zeros(dim)\nprint (\"w = \" + str(w))",
    "propagate": "w =  np.array([[1.], [2.]])\nb = 2.\nX =np.array([[1., 2., -1.], [3., 4., -3.2]])\n"
                 "Y = np.array([[1, 0, 1]])\ngrads, cost = propagate(w, b, X, Y)\nprint (\"cost = \" + str(cost))",
    "optimize": "params, grads, costs = optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False)",
    "predict": "print (\"predictions = \" + str(predict(w, b, X)))",
    "model": "logistic_regression_model = model(train_set_x, train_set_y, train_set_x, train_set_y, "
             "num_iterations=2000, learning_rate=0.005, print_cost=True)",
    "plot": "costs = np.squeeze(logistic_regression_model['costs'])\nplt.plot(costs)\nplt.ylabel('cost')\nplt.show()",
}

OPTIMIZE_WITH_DEEPCOPY = reference_source("optimize").replace("w = w.copy()", "w = copy.deepcopy(w)")


def course_cells(**graded_bodies) -> list:
    """The course notebook as a student hands it in: explanations, imports, data loading,
    each graded cell followed by its test cell, a training run and a plot.
    ``graded_bodies[name]`` replaces a graded cell's code (None: drop the cell)."""
    md, code = v4.new_markdown_cell, v4.new_code_cell
    cells = [md("# Logistic Regression with a Neural Network mindset"), code(IMPORTS),   # 1, 2
             code(TOP_LEVEL["load"]), code(TOP_LEVEL["sizes"]), code(TOP_LEVEL["flatten"])]  # 3, 4, 5
    for name in FUNCTIONS:                                                              # 6.. : md, graded, test
        cells.append(md(f"### Exercise - {name}"))
        body = graded_bodies.get(name, OPTIMIZE_WITH_DEEPCOPY if name == "optimize" else reference_source(name))
        if body is not None:
            cells.append(code(graded(name, body), metadata={}))
        cells.append(code(TOP_LEVEL[name]))
    cells += [code(TOP_LEVEL["plot"]), md("Congratulations!")]
    return cells


GRADED_CELL = {name: 7 + 3 * i for i, name in enumerate(FUNCTIONS)}  # sigmoid: cell 7, ... model: cell 22


def write_notebook(tmp_path: Path, cells, name="alice", minor=5, raw=None) -> Path:
    notebook = v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    notebook.nbformat_minor = minor
    if minor < 5:
        for cell in notebook.cells:
            cell.pop("id", None)
    path = tmp_path / f"{name}.ipynb"
    path.write_text(nbformat.writes(notebook) if raw is None else raw, encoding="utf-8")
    return path


def chunk(sub: Submission, cell: int) -> CodeChunk:
    matches = [c for c in sub.chunks if c.cell_index == cell]
    assert len(matches) == 1, f"no chunk for cell {cell}: {[c.filename for c in sub.chunks]}"
    return matches[0]


def kinds(sub: Submission, function=None) -> list:
    return [p.kind for p in sub.problems if function is None or p.function == function]


def message(sub: Submission, function, kind) -> str:
    found = [p.message for p in sub.problems if p.function == function and p.kind == kind]
    assert len(found) == 1, (function, kind, sub.problems)
    return found[0]


def assert_consistent(sub: Submission, cells=None) -> None:
    """Invariants of every load: chunks compile under their filename, each kept line is the
    student's line at the same number, each function's source is its lines in its chunk."""
    by_name = {c.filename: c for c in sub.chunks}
    assert len(by_name) == len(sub.chunks)
    for c in sub.chunks:
        compile(c.source, c.filename, "exec", dont_inherit=True)
        lines = c.source.split("\n")
        assert lines[c.first_line - 1].strip() and not any(l.strip() for l in lines[:c.first_line - 1])
        if cells is not None and c.cell_index is not None:
            original = cells[c.cell_index - 1].source.split("\n")
            for number, line in enumerate(lines[:-1], 1):
                if line.strip():
                    assert line in original[number - 1], (c.filename, number, line, original[number - 1])
    for name, fn in sub.functions.items():
        c = by_name[fn.filename]
        assert c.source.split("\n")[fn.lineno - 1:fn.end_lineno] == fn.source.split("\n")
        assert ast.parse(fn.source).body[0].name == name
    assert sub.status in ("ok", "unreadable", "empty")
    assert all(p.kind != "internal" for p in sub.problems), sub.problems


def run_chunks(sub: Submission) -> dict:
    """Execute the kept code of a trusted test notebook (what the sandbox does), in order."""
    namespace: dict = {"__name__": "submission"}
    for c in sub.chunks:
        exec(compile(c.source, c.filename, "exec", dont_inherit=True), namespace)
    return namespace


# --------------------------------------------------------------------------- what is kept


@pytest.mark.parametrize("minor", [4, 5])
def test_course_notebook_keeps_graded_functions_and_their_imports_only(tmp_path, assignment, minor):
    cells = course_cells()
    path = write_notebook(tmp_path, cells, minor=minor)
    sub = load_submission(path, assignment)

    assert sub.status == "ok" and sub.problems == []
    assert sub.student == "alice" and sub.path == path
    assert sub.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [c.filename for c in sub.chunks] == ["<cell 2>"] + [f"<cell {GRADED_CELL[n]}>" for n in FUNCTIONS]
    # numpy for every function and copy for optimize's deepcopy; plt, h5py, load_dataset, the
    # public tests' star import and the magics are dropped.
    assert chunk(sub, 2).source == "import numpy as np\nimport copy\n"
    assert chunk(sub, 2).first_line == 1
    sigmoid = chunk(sub, 7)
    assert sigmoid.source == "\n\n" + reference_source("sigmoid") + "\n"  # the header line is blank
    assert sigmoid.first_line == 3
    assert sub.functions["sigmoid"] == FunctionSource(
        name="sigmoid", filename="<cell 7>", lineno=3, end_lineno=3 + reference_source("sigmoid").count("\n"),
        source=reference_source("sigmoid"), params=["z"], cell_index=7)
    assert sub.functions["optimize"].params == ["w", "b", "X", "Y", "num_iterations", "learning_rate", "print_cost"]
    assert list(sub.functions) == FUNCTIONS
    everything = "".join(c.source for c in sub.chunks)
    for dropped in ("load_dataset", "plt", "print (", "sigmoid_test", "%matplotlib", "%autoreload", "train_set_x", "h5py", "import *"):
        assert dropped not in everything
    assert_consistent(sub, cells)


def test_kept_code_runs_like_the_reference(tmp_path, assignment):
    """The chunks are self-sufficient: loaded in order they define working functions."""
    sub = load_submission(write_notebook(tmp_path, course_cells()), assignment)
    namespace = run_chunks(sub)
    import importlib.util
    spec = importlib.util.spec_from_file_location("_logreg_reference_for_test", SOLUTION)
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 8)), (rng.random((1, 8)) > 0.5).astype(float)
    got = namespace["model"](X, Y, X[:, :4], Y[:, :4], num_iterations=150, learning_rate=0.1)
    want = reference.model(X, Y, X[:, :4], Y[:, :4], num_iterations=150, learning_rate=0.1)
    np.testing.assert_allclose(got["w"], want["w"])
    np.testing.assert_array_equal(got["Y_prediction_test"], want["Y_prediction_test"])


def test_nbformat_v3_is_converted(tmp_path, assignment):
    sheet = v3.new_worksheet(cells=[
        v3.new_text_cell("markdown", source="# Logistic regression"),
        v3.new_code_cell(input="import numpy as np\nX, Y = load()"),
        v3.new_heading_cell(source="Sigmoid", level=2),
        v3.new_code_cell(input=graded("sigmoid"), outputs=[v3.new_output("stream", output_text="x" * 1000)]),
        v3.new_code_cell(input=graded("propagate")),
    ])
    path = tmp_path / "bob.ipynb"
    path.write_text(v3.writes_json(v3.new_notebook(worksheets=[sheet])), encoding="utf-8")
    sub = load_submission(path, assignment)
    assert sub.status == "ok"
    assert [c.filename for c in sub.chunks] == ["<cell 2>", "<cell 4>", "<cell 5>"]
    assert chunk(sub, 2).source == "import numpy as np\n"
    assert sub.functions["propagate"].params == ["w", "b", "X", "Y"]
    assert kinds(sub) == ["missing"] * 4
    assert_consistent(sub)


def test_helpers_and_constants_are_kept_transitively_and_line_numbers_preserved(tmp_path, assignment):
    helpers = textwrap.dedent("""\
        EPS = 1e-12
        TINY = np.finfo(float).tiny * 10
        history = []                      # not needed by any graded function
        def clip(a):
            return np.clip(a, EPS, 1 - EPS)

        class Shapes:
            ROWS = 0
            def rows(self, x):
                return x.shape[self.ROWS]
        print(clip(np.array([0.0])))""")
    propagate = reference_source("propagate").replace(
        "m = X.shape[1]", "m = Shapes().rows(X.T)").replace("np.log(A)", "np.log(clip(A))")
    cells = course_cells(propagate=propagate)
    cells.insert(5, v4.new_code_cell(helpers))  # cell 6: helpers, after the data cells
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert sub.problems == []
    helper_lines = helpers.split("\n")
    expected = [helper_lines[0], ""] + [""] + helper_lines[3:10]
    assert chunk(sub, 6).source == "\n".join(expected) + "\n"
    assert chunk(sub, 6).first_line == 1
    assert "clip" in run_chunks(sub)
    assert_consistent(sub, cells)


def test_ipython_syntax_does_not_break_cells(tmp_path, assignment):
    shell = "!pip install -q h5py\nimport numpy as np  # numeric\n%matplotlib inline\nfiles = !ls\nnp.dot?\nimport copy"
    cells = course_cells()
    cells[1] = v4.new_code_cell(shell)
    cells[GRADED_CELL["sigmoid"] - 1].source = "%%time\n" + graded("sigmoid")
    cells.insert(2, v4.new_code_cell("%%bash\necho 'def predict(w):' > x.py\nls -l"))
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert sub.problems == []
    assert chunk(sub, 2).source == "\nimport numpy as np  # numeric\n\n\n\nimport copy\n"
    assert chunk(sub, 8).source == "\n\n\n" + reference_source("sigmoid") + "\n"
    assert sub.functions["sigmoid"].lineno == 4
    assert 3 not in {c.cell_index for c in sub.chunks}  # the %%bash cell is not Python
    assert_consistent(sub)


def test_graded_cells_found_by_generator_metadata_and_nbgrader_ids(tmp_path, assignment):
    cells = course_cells()
    sigmoid_cell = cells[GRADED_CELL["sigmoid"] - 1]
    sigmoid_cell.source = "# your code\n" + reference_source("sigmoid")
    sigmoid_cell.metadata["grader"] = {"function": "sigmoid"}
    predict_cell = cells[GRADED_CELL["predict"] - 1]
    predict_cell.source = reference_source("predict")
    predict_cell.metadata["nbgrader"] = {"grade_id": "cell-predict", "solution": True, "grade": False}
    # A later scratch copy of both: the marked cells still win, the copies are duplicates.
    cells.append(v4.new_code_cell(reference_source("sigmoid").replace("1 /", "2 /")))
    cells.append(v4.new_code_cell(reference_source("predict")))
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert sub.functions["sigmoid"].cell_index == GRADED_CELL["sigmoid"]
    assert sub.functions["predict"].cell_index == GRADED_CELL["predict"]
    assert message(sub, "sigmoid", "duplicate") == (
        "`sigmoid` is defined 2 times: in cell 7, line 2 and in cell 26, line 1. The one in cell 7, line 2 is "
        "graded (the last cell that is the graded cell of `sigmoid`); delete the other copies so that the code "
        "you run is the code that is graded.")
    assert "nbgrader id 'cell-predict'" in message(sub, "predict", "duplicate")
    assert kinds(sub) == ["duplicate", "duplicate"]
    assert_consistent(sub)


def test_split_or_copied_cells_fall_back_to_the_last_definition(tmp_path, assignment):
    cells = course_cells(propagate=None, initialize_with_zeros=reference_source("initialize_with_zeros"))
    cells[GRADED_CELL["initialize_with_zeros"] - 1].source = "# GRADED FUNCTION: initialize_with_zeros"  # split:
    cells.insert(GRADED_CELL["initialize_with_zeros"], v4.new_code_cell(reference_source("initialize_with_zeros")))
    cells.append(v4.new_code_cell("import numpy as np\n\n" + reference_source("propagate") + "\npropagate(w, b, X, Y)"))
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert sub.problems == []
    assert sub.functions["initialize_with_zeros"].cell_index == 11
    last = len(cells)
    assert sub.functions["propagate"].cell_index == last and sub.functions["propagate"].lineno == 3
    # each function sees the `import numpy as np` a top-to-bottom run gives it: propagate the one in
    # its own cell, the functions above it the one in cell 2 (with optimize's `import copy`)
    assert chunk(sub, last).source == "import numpy as np\n\n" + reference_source("propagate") + "\n"
    assert chunk(sub, 2).source == "import numpy as np\nimport copy\n"
    assert_consistent(sub)


def test_module_submission(tmp_path, assignment):
    module = "\n\n".join(["import numpy as np", *(reference_source(n) for n in FUNCTIONS),
                          "if __name__ == '__main__':\n    print(sigmoid(0))"]) + "\n"
    path = tmp_path / "carol.py"
    path.write_text(module)
    sub = load_submission(path, assignment)
    assert sub.status == "ok" and sub.problems == [] and sub.student == "carol"
    assert [c.filename for c in sub.chunks] == ["<carol.py>"]
    assert chunk(sub, None).source == module[:module.index("if __name__")].rstrip("\n") + "\n"
    assert sub.functions["sigmoid"].filename == "<carol.py>" and sub.functions["sigmoid"].lineno == 3
    assert_consistent(sub)


def test_module_with_a_syntax_error_loses_only_that_function(tmp_path, assignment):
    broken = reference_source("propagate").replace("db = float(np.sum(A - Y) / m)", "db = float(np.sum(A - Y) / m")
    module = "\n\n".join(["import numpy as np", reference_source("sigmoid"), broken, reference_source("predict")])
    path = tmp_path / "dave.py"
    path.write_text(module)
    sub = load_submission(path, assignment)
    assert sorted(sub.functions) == ["predict", "sigmoid"]
    line = module.split("\n").index("    db = float(np.sum(A - Y) / m") + 1
    text = message(sub, "propagate", "syntax")
    assert text.startswith(f"SyntaxError in dave.py, line {line}: '(' was never closed\n"
                           "        db = float(np.sum(A - Y) / m\n"
                           "                  ^\n")
    assert "lines" in text and "of dave.py cannot be graded" in text
    assert_consistent(sub)


# --------------------------------------------------------------------------- problems


def test_syntax_error_in_one_cell_costs_only_its_function(tmp_path, assignment):
    broken = reference_source("propagate").replace("A = sigmoid(np.dot(w.T, X) + b)", "A = sigmoid(np.dot(w.T, X) + b")
    cells = course_cells(propagate=broken)
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert sub.status == "ok"
    assert sorted(sub.functions) == sorted(set(FUNCTIONS) - {"propagate"})
    assert kinds(sub) == ["syntax"]
    cell_lines = graded("propagate", broken).split("\n")
    line = cell_lines.index("    A = sigmoid(np.dot(w.T, X) + b") + 1
    assert message(sub, "propagate", "syntax") == (
        f"SyntaxError in cell 13, line {line}: '(' was never closed\n"
        "        A = sigmoid(np.dot(w.T, X) + b\n"
        "                   ^\n"
        "Fix this line (Jupyter shows the same error when you run the cell); until then none of the code "
        "in cell 13 can be graded, so `propagate` scores 0.")
    assert 13 not in {c.cell_index for c in sub.chunks}
    assert_consistent(sub, cells)


def test_indentation_error_and_helper_in_a_broken_cell(tmp_path, assignment):
    cells = course_cells(sigmoid=reference_source("sigmoid").replace("    return s", "  return s"))
    cells.insert(5, v4.new_code_cell("def clip(a):\n    return np.clip(a, 1e-9, 1 - 1e-9\n"))
    predict = reference_source("predict").replace("A = sigmoid(", "A = clip(sigmoid(").replace(") + b)", ") + b))")
    cells[GRADED_CELL["predict"]] = v4.new_code_cell(graded("predict", predict))
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    text = message(sub, "sigmoid", "syntax")
    assert text.startswith("IndentationError in cell 8, line ") and "unindent does not match" in text
    assert message(sub, "predict", "syntax") == (
        "`predict` uses `clip`, which cell 6 seems to define, but cell 6, line 2 has a syntax error "
        "('(' was never closed), so none of it can be used: fix it.")
    assert "predict" in sub.functions  # kept: it will fail with a NameError that the note explains
    assert_consistent(sub)


def test_missing_function_says_where_it_belongs(tmp_path, assignment):
    sub = load_submission(write_notebook(tmp_path, course_cells(propagate=None)), assignment)
    assert "propagate" not in sub.functions and kinds(sub) == ["missing"]
    assert message(sub, "propagate", "missing") == (
        "`propagate` is missing: no code cell defines it at the top level. It belongs in the code cell that "
        "starts with `# GRADED FUNCTION: propagate`, after cell 10 (`initialize_with_zeros`). If you deleted or "
        "renamed that cell, copy it back from a fresh copy of the assignment notebook and complete it; until "
        "then `propagate` scores 0.")


def test_renamed_functions_get_a_rename_hint(tmp_path, assignment):
    cells = course_cells(sigmoid=reference_source("sigmoid").replace("def sigmoid(", "def my_sigmoid("),
                         predict=None)
    cells.append(v4.new_code_cell(reference_source("predict").replace("def predict(", "def predictt(")))
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert kinds(sub) == ["missing", "missing"]
    assert ("cell 7 starts with `# GRADED FUNCTION: sigmoid` but does not define `sigmoid`; it defines "
            "`my_sigmoid` instead: rename it back to `sigmoid`.") in message(sub, "sigmoid", "missing")
    assert (f"cell {len(cells)}, line 1 defines `predictt`: if that is your `predict`, rename it to `predict`."
            in message(sub, "predict", "missing"))


def test_function_defined_inside_a_block_is_not_graded(tmp_path, assignment):
    indented = "if True:\n" + textwrap.indent(reference_source("sigmoid"), "    ")
    sub = load_submission(write_notebook(tmp_path, course_cells(sigmoid=indented)), assignment)
    assert "sigmoid" not in sub.functions
    assert ("cell 7, line 4 defines `sigmoid` inside an `if` block: a graded function must be defined at the top "
            "level of a cell, not indented.") in message(sub, "sigmoid", "missing")


def test_function_assigned_instead_of_defined(tmp_path, assignment):
    sub = load_submission(write_notebook(tmp_path, course_cells(sigmoid="sigmoid = lambda z: 1 / (1 + np.exp(-z))")),
                          assignment)
    assert "sigmoid" not in sub.functions
    assert ("cell 7, line 3 assigns `sigmoid = ...`: a graded function must be written as `def sigmoid(...):`."
            in message(sub, "sigmoid", "missing"))


def test_wrong_parameters(tmp_path, assignment):
    propagate = reference_source("propagate").replace("def propagate(w, b, X, Y):", "def propagate(w, b, X):")
    optimize = OPTIMIZE_WITH_DEEPCOPY.replace("num_iterations=100, learning_rate=0.009, print_cost=False):",
                                              "num_iterations, learning_rate, print_cost):")
    sub = load_submission(write_notebook(tmp_path, course_cells(propagate=propagate, optimize=optimize)), assignment)
    assert kinds(sub) == ["signature", "signature"]
    assert sub.functions["propagate"].params == ["w", "b", "X"]  # still kept: it fails when called
    assert message(sub, "propagate", "signature") == (
        "`propagate` has different parameters from the original notebook: expected propagate(w, b, X, Y), found "
        "propagate(w, b, X) (cell 13, line 3). The grader calls it with the original parameters, so it will "
        "fail: restore the original `def` line.")
    assert message(sub, "optimize", "signature").endswith(
        "(cell 16, line 3). `num_iterations`, `learning_rate`, `print_cost` have no default value, so a call that "
        "leaves them out fails: restore the original `def` line.")


def test_duplicated_graded_cell_last_wins(tmp_path, assignment):
    cells = course_cells()
    first = GRADED_CELL["propagate"]
    fixed = reference_source("propagate").replace("m = X.shape[1]", "m = X.shape[1]  # fixed")
    cells.insert(first + 1, v4.new_code_cell(graded("propagate", fixed)))  # cell 15, after the test cell
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert sub.functions["propagate"].cell_index == first + 2
    assert "# fixed" in sub.functions["propagate"].source
    assert message(sub, "propagate", "duplicate") == (
        f"`propagate` is defined 2 times: in cell {first + 2}, line 3 and in cell {first}, line 3. The one in "
        f"cell {first + 2}, line 3 is graded (the last cell that starts with `# GRADED FUNCTION: propagate`); "
        "delete the other copies so that the code you run is the code that is graded.")
    assert first not in {c.cell_index for c in sub.chunks}
    assert_consistent(sub, cells)


def test_graded_cell_changed_to_markdown_or_raw(tmp_path, assignment):
    cells = course_cells()
    sigmoid_cell = GRADED_CELL["sigmoid"]
    cells[sigmoid_cell - 1] = v4.new_markdown_cell(graded("sigmoid"))
    cells[GRADED_CELL["predict"] - 1] = v4.new_raw_cell(graded("predict"))
    cells.append(v4.new_code_cell(reference_source("predict")))  # the student retyped it below
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert "sigmoid" not in sub.functions and sub.functions["predict"].cell_index == len(cells)
    assert kinds(sub, "sigmoid") == ["cell_type"] and kinds(sub, "predict") == ["cell_type"]
    assert message(sub, "sigmoid", "cell_type") == (
        "cell 7 starts with `# GRADED FUNCTION: sigmoid` but is a Markdown cell, so Jupyter does not run its code "
        "and the grader does not grade it. Select the cell and change it back to Code (menu Cell > Cell Type > "
        "Code, or press Y), then run it. Until then `sigmoid` scores 0.")
    assert message(sub, "predict", "cell_type").endswith(
        f"is a Raw cell, so Jupyter does not run its code and the grader does not grade it. Select the cell and "
        f"change it back to Code (menu Cell > Cell Type > Code, or press Y), then run it. Meanwhile the definition "
        f"in cell {len(cells)}, line 1 is graded.")
    assert_consistent(sub)


def test_input_in_a_graded_cell(tmp_path, assignment):
    sigmoid = reference_source("sigmoid") + "\n\nz = float(input('z? '))\nprint(sigmoid(z))"
    predict = reference_source("predict").replace(
        "    m = X.shape[1]", "    m = X.shape[1]\n    threshold = float(input('threshold? '))")
    cells = course_cells(sigmoid=sigmoid, predict=predict)
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert kinds(sub) == ["input", "input"]
    line = graded("sigmoid", sigmoid).split("\n").index("z = float(input('z? '))") + 1
    assert message(sub, "sigmoid", "input") == (
        f"cell 7, line {line} calls input() outside any function. Top-level code is not run when grading, "
        "so this line was skipped; remove it so that the notebook runs from top to bottom without waiting "
        "for someone to type.")
    assert "input" not in chunk(sub, 7).source
    predict_line = graded("predict", predict).split("\n").index("    threshold = float(input('threshold? '))") + 1
    assert message(sub, "predict", "input") == (
        f"`predict` calls input() (cell 19, line {predict_line}). Nobody can type while grading: input() gets no "
        "text and raises EOFError, so this call fails. Take the value as a parameter instead.")
    assert_consistent(sub, cells)


def test_globals_set_by_dropped_code_and_undefined_names_are_reported(tmp_path, assignment):
    model = reference_source("model").replace("w, b = initialize_with_zeros(X_train.shape[0])",
                                              "w, b = initialize_with_zeros(num_px * num_px * 3)")
    predict = reference_source("predict").replace("(A > 0.5)", "(A > treshold)")
    sub = load_submission(write_notebook(tmp_path, course_cells(model=model, predict=predict)), assignment)
    assert kinds(sub) == ["undefined", "dropped"]
    assert message(sub, "model", "dropped") == (
        "`model` uses the global name `num_px`, which cell 4, line 2 sets with top-level code that is not run "
        "when grading (only functions, imports and simple constants are kept). Pass the value as a parameter, "
        "or compute it inside the function.")
    line = graded("predict", predict).split("\n").index("    Y_prediction = (A > treshold).astype(float)") + 1
    assert message(sub, "predict", "undefined") == (
        f"`predict` uses `treshold` (cell 19, line {line}), which is assigned neither in `predict` nor anywhere "
        "in the notebook, so that line raises NameError. Assign it first, or define or import it.")
    assert "load_dataset" not in "".join(c.source for c in sub.chunks)


def test_star_import_is_kept_only_when_a_name_needs_it(tmp_path, assignment):
    sigmoid = reference_source("sigmoid").replace("np.exp(-z)", "exp(-z)")
    cells = course_cells(sigmoid=sigmoid)
    cells[1] = v4.new_code_cell("import numpy as np\nfrom numpy import *\nfrom lr_utils import load_dataset")
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert sub.problems == []
    assert chunk(sub, 2).source == "import numpy as np\nfrom numpy import *\n"
    assert float(run_chunks(sub)["sigmoid"](0.0)) == 0.5


def test_statements_sharing_a_line(tmp_path, assignment):
    cells = course_cells()
    cells[1] = v4.new_code_cell("X = load(); import numpy as np; print(np.pi)\nimport copy")
    sub = load_submission(write_notebook(tmp_path, cells), assignment)
    assert chunk(sub, 2).source == "import numpy as np\nimport copy\n"
    assert_consistent(sub)


# --------------------------------------------------------------------------- broken files


def load_bytes(tmp_path, assignment, data: bytes, name="erin.ipynb") -> Submission:
    path = tmp_path / name
    path.write_bytes(data)
    sub = load_submission(path, assignment)
    assert sub.digest == hashlib.sha256(data).hexdigest()
    assert sub.chunks == [] and sub.functions == {}
    assert [p.function for p in sub.problems] == [None]  # the reason every function scores 0
    return sub


@pytest.mark.parametrize("data", [b"", b"  \n"])
def test_empty_file(tmp_path, assignment, data):
    sub = load_bytes(tmp_path, assignment, data)
    assert sub.status == "empty" and kinds(sub) == ["empty"]
    assert sub.problems[0].message.startswith(f"erin.ipynb is empty ({len(data)} bytes): the upload or the save failed")
    assert "File > Download" in sub.problems[0].message


def test_invalid_json(tmp_path, assignment):
    good = nbformat.writes(v4.new_notebook(cells=course_cells()))
    sub = load_bytes(tmp_path, assignment, good.replace('"cell_type": "code"', '"cell_type" "code"', 1).encode())
    assert sub.status == "unreadable" and kinds(sub) == ["unreadable"]
    assert re.fullmatch(r"erin\.ipynb is not valid JSON \(line \d+, column \d+: Expecting ':' delimiter\); re-download "
                        r"the notebook from Jupyter with File > Download .*", sub.problems[0].message)
    truncated = load_bytes(tmp_path, assignment, good[: len(good) // 2].encode())
    assert truncated.problems[0].message.startswith("erin.ipynb is cut short: its JSON ends too early (line ")
    assert "incomplete upload" in truncated.problems[0].message


@pytest.mark.parametrize("data, says", [
    (b"[1, 2, 3]", "is JSON but not a Jupyter notebook (it is a list, not an object)"),
    (b'{"name": "alice", "score": 100}', "is JSON but not a Jupyter notebook (no 'cells'; its keys are: name, score)"),
    (b'{"nbformat": 4, "cells": {"a": 1}}', "is JSON but not a Jupyter notebook (its 'cells' is not a list)"),
    (b'{"nbformat": 5, "nbformat_minor": 0, "cells": []}', "uses notebook format 5, newer than the grader reads"),
    (b"<!DOCTYPE html><html><body>Jupyter</body></html>", "is a web page (HTML), not a notebook"),
    (b"import numpy as np\n\ndef sigmoid(z):\n    return z\n", "holds Python code, not a notebook"),
    (b"PK\x03\x04\x14\x00\x00\x00 zipped", "is a ZIP archive, not a notebook"),
    (b"Hello, this is my homework", "is not a notebook: a notebook is JSON text that starts with '{', this file "
                                    "starts with 'Hello, this is my ho'"),
    (b'{"cells": []}\n<<<<<<< HEAD\n', "is not valid JSON: it holds unresolved merge-conflict markers (<<<<<<< on line 2)"),
])
def test_not_a_notebook(tmp_path, assignment, data, says):
    sub = load_bytes(tmp_path, assignment, data)
    assert sub.status == "unreadable"
    assert sub.problems[0].message.startswith(f"erin.ipynb {says}")


def test_non_utf8_bytes(tmp_path, assignment):
    good = nbformat.writes(v4.new_notebook(cells=course_cells())).encode()
    sub = load_bytes(tmp_path, assignment, good.replace(b"Congratulations", b"Congr\xe9tulations"))
    line = good[: good.index(b"Congratulations")].count(b"\n") + 1
    assert sub.problems[0].message.startswith(
        f"erin.ipynb is not UTF-8 text (byte 0xe9 on line {line} cannot be read): another program saved it in "
        "another encoding, or it was damaged; re-download the notebook from Jupyter with File > Download")
    utf16 = load_bytes(tmp_path, assignment, good.decode().encode("utf-16"))
    assert "saved as UTF-16" in utf16.problems[0].message


def test_utf8_bom_and_windows_line_ends_are_fine(tmp_path, assignment):
    text = nbformat.writes(v4.new_notebook(cells=course_cells())).replace("\\n", "\\r\\n")
    path = tmp_path / "frank.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    sub = load_submission(path, assignment)
    assert sub.problems == [] and sub.functions["sigmoid"].lineno == 3
    assert_consistent(sub)


def test_odd_cells_and_metadata_do_not_stop_loading(tmp_path, assignment):
    notebook = json.loads(nbformat.writes(v4.new_notebook(cells=course_cells())))
    notebook["metadata"] = "not a dict"
    notebook["cells"][0] = "not a cell"
    notebook["cells"][2] = {"cell_type": "code", "source": None}
    notebook["cells"][3]["metadata"] = ["odd"]
    del notebook["cells"][4]["cell_type"]
    notebook["cells"][GRADED_CELL["sigmoid"] - 1]["metadata"] = {"grader": {"function": 42}, "nbgrader": "x"}
    notebook["cells"][GRADED_CELL["sigmoid"] - 1]["unknown_key"] = True
    path = tmp_path / "gina.ipynb"
    path.write_text(json.dumps(notebook))
    sub = load_submission(path, assignment)
    assert sub.status == "ok" and sub.problems == [] and list(sub.functions) == FUNCTIONS


@pytest.mark.slow
def test_big_output_cell(tmp_path, assignment):
    cells = course_cells()
    cells[GRADED_CELL["model"]].outputs = [v4.new_output("stream", name="stdout", text="Cost after iteration\n" * 1_000_000)]
    path = write_notebook(tmp_path, cells)
    assert 25 * 2**20 < path.stat().st_size < 32 * 2**20  # just under the default limit (Limits.submission_mib)
    started = time.perf_counter()
    sub = load_submission(path, assignment)
    elapsed = time.perf_counter() - started
    assert sub.status == "ok" and sub.problems == [] and list(sub.functions) == FUNCTIONS
    print(f"{path.stat().st_size / 2**20:.0f} MiB notebook loaded in {elapsed * 1000:.0f} ms")


def test_folder_submission(tmp_path, assignment):
    folder = tmp_path / "hana"
    (folder / ".ipynb_checkpoints").mkdir(parents=True)
    notebook = write_notebook(folder, course_cells(), name="Logistic_Regression")
    write_notebook(folder / ".ipynb_checkpoints", course_cells(), name="Logistic_Regression-checkpoint")
    (folder / "lr_utils.py").write_text("def load_dataset(): pass\n")  # a course file they uploaded too
    (folder / "cat.png").write_bytes(b"\x89PNG")
    sub = load_submission(folder, assignment)
    assert sub.student == "hana" and sub.status == "ok" and sub.problems == []
    assert sub.digest == hashlib.sha256(notebook.read_bytes()).hexdigest()


def test_folder_with_several_or_no_notebooks(tmp_path, assignment):
    folder = tmp_path / "ivan"
    folder.mkdir()
    empty = load_submission(folder, assignment)
    assert empty.status == "unreadable"
    assert empty.problems[0].message == ("the folder ivan/ holds no notebook (.ipynb) or module (.py); submit your "
                                         "notebook (File > Download in Jupyter)")
    write_notebook(folder, course_cells(), name="v1")
    (folder / "old").mkdir()
    write_notebook(folder / "old", course_cells(), name="v0")
    sub = load_submission(folder, assignment)
    assert sub.status == "unreadable" and kinds(sub) == ["unreadable"]
    assert sub.problems[0].message == (
        "the folder ivan/ holds 2 notebooks or modules (old/v0.ipynb, v1.ipynb) and the grader cannot tell which "
        "one is your work; submit exactly one notebook")
    assert sub.digest != empty.digest


def test_module_in_another_encoding(tmp_path, assignment):
    sub = load_bytes(tmp_path, assignment, "# é\n".encode("latin-1") + b"import numpy as np\n", name="olga.py")
    assert sub.status == "unreadable" and sub.student == "olga"
    assert sub.problems[0].message == (
        "olga.py is not UTF-8 text (byte 0xe9 on line 1 cannot be read): another program saved it in another "
        "encoding, or it was damaged; save it as UTF-8 (your editor's Save with Encoding) and submit it again")


def test_a_fifo_does_not_hang_loading(tmp_path, assignment):
    os.mkfifo(tmp_path / "pat.ipynb")
    assert "not a regular file" in load_submission(tmp_path / "pat.ipynb", assignment).problems[0].message
    (tmp_path / "quinn").mkdir()
    os.mkfifo(tmp_path / "quinn" / "work.ipynb")
    sub = load_submission(tmp_path / "quinn", assignment)
    assert sub.status == "unreadable" and sub.problems[0].message.startswith("quinn/work.ipynb is not a regular file")


def test_symlinks_and_missing_paths_are_refused(tmp_path, assignment):
    link = tmp_path / "mallory.py"
    link.symlink_to(SOLUTION)
    sub = load_submission(link, assignment)
    assert sub.status == "unreadable" and sub.functions == {} and "symbolic link" in sub.problems[0].message
    (tmp_path / "mallory2").mkdir()
    (tmp_path / "mallory2" / "work.py").symlink_to(SOLUTION)
    inside = load_submission(tmp_path / "mallory2", assignment)
    assert inside.status == "unreadable" and "symbolic link" in inside.problems[0].message
    gone = load_submission(tmp_path / "nobody.ipynb", assignment)
    assert gone.status == "unreadable" and "does not exist" in gone.problems[0].message


@pytest.mark.parametrize("name, student", [
    ("alice.ipynb", "alice"), ("Bob Smith (1).ipynb", "Bob_Smith_1"), ("../..evil.py", "evil"),
    ("José_Núñez.ipynb", "José_Núñez"), ("notebook.ipynb.json", "notebook"), (".ipynb", "ipynb"),
])
def test_student_id_is_a_safe_folder_name(name, student):
    from grader.submission.reading import student_id
    assert student_id(Path(name)) == student


def test_no_corruption_of_a_notebook_makes_the_loader_raise(tmp_path, assignment):
    """Cut and damaged notebooks of every kind: always a Submission, never an exception."""
    good = nbformat.writes(v4.new_notebook(cells=course_cells())).encode()
    rng = np.random.default_rng(5)
    variants = [good[:n] for n in range(0, len(good), max(1, len(good) // 97))]
    for _ in range(60):
        data = bytearray(good)
        for position in rng.integers(0, len(data), size=rng.integers(1, 8)):
            data[position] = int(rng.integers(0, 256))
        variants.append(bytes(data))
    path = tmp_path / "fuzz.ipynb"
    for data in variants:
        path.write_bytes(data)
        sub = load_submission(path, assignment)
        assert_consistent(sub)
        assert sub.status == "ok" or (not sub.functions and kinds(sub) == [sub.status])


def test_loading_does_not_run_student_code(tmp_path, assignment):
    marker = tmp_path / "ran"
    body = f"open({str(marker)!r}, 'w').close()\n" + reference_source("sigmoid")
    sub = load_submission(write_notebook(tmp_path, course_cells(sigmoid=body)), assignment)
    assert "sigmoid" in sub.functions and "open(" not in chunk(sub, 7).source
    assert not marker.exists()


def test_unfinished_stubs_get_no_name_notes(tmp_path, assignment):
    """The generated notebook's stubs (`raise NotImplementedError()` then `return w, b`) use names
    nothing assigns; the runs check reports the stub, a NameError note would only confuse."""
    stub = textwrap.dedent('''\
        def initialize_with_zeros(dim):
            # YOUR CODE HERE
            raise NotImplementedError()
            return w, b''')
    sub = load_submission(write_notebook(tmp_path, course_cells(initialize_with_zeros=stub)), assignment)
    assert sub.problems == [] and "initialize_with_zeros" in sub.functions


def test_parsing_only_the_cells_that_matter_changes_nothing(tmp_path, assignment):
    """Cells are parsed only when their text may bind a needed name; every way of binding a
    name must still be found (compare with every cell parsed up front)."""
    from grader.submission import reading, selection

    bindings = textwrap.dedent("""\
        import numpy.linalg
        from math import (
            pi,
            e as euler)
        SCALE: float = 2.0
        a, (OFFSET, *REST) = 1, (2, 3, 4)
        try:
            import scipy.special as sp
        except ImportError:
            sp = None
        for counter in range(3):
            pass
        with open(__file__) as handle:
            pass
        if (limit := 10) > 5:
            pass
        class Base:
            pass
        def helper(x): return x
        del a""")
    uses = ["numpy.linalg.norm(z)", "pi * euler", "SCALE", "OFFSET + sum(REST)", "sp", "counter", "handle",
            "limit", "Base", "helper(z)", "a"]
    cells = course_cells()
    cells.insert(3, v4.new_code_cell(bindings))
    cells.append(v4.new_code_cell("\n".join(f"def use_{i}(z):\n    return {use}" for i, use in enumerate(uses))))
    units = reading.notebook_units(nbformat.writes(v4.new_notebook(cells=cells)).encode(), "x.ipynb",
                                   FUNCTIONS + [f"use_{i}" for i in range(len(uses))])
    functions = FUNCTIONS + [f"use_{i}" for i in range(len(uses))]

    def outcome(eager: bool):
        chosen = selection.Selection([selection.Parsed(u) for u in units if u.is_code])
        defs = selection._defs_pattern(tuple(functions))
        for p in chosen.parsed:
            p.defines = set(defs.findall(p.unit.text))
            if eager:
                p.body  # noqa: B018 - parse now
        selection.Chooser(chosen, functions, units, True).run()
        kept = {p.unit.cell_index: sorted(s.lineno for s in chosen.kept.get(id(p), {}).values()) for p in chosen.parsed}
        return kept, [(n.function, n.kind, n.message) for n in chosen.notes]

    lazy, eager = outcome(False), outcome(True)
    assert lazy == eager
    kept, notes = lazy
    assert kept[4] == [1, 2, 5, 6, 7, 17, 19]  # imports, constants, the try block, Base, helper
    dropped = {m.split("global name `")[1].split("`")[0] for f, k, m in notes if k == "dropped"}
    assert dropped == {"counter", "handle", "limit", "a"}  # a loop, a with, a walrus, a del


def test_extreme_code_is_reported_not_crashed_on(tmp_path, assignment):
    deep = "def sigmoid(z):\n    f = " + "lambda: " * 2000 + "z\n    return 1 / (1 + np.exp(-z))\n"
    deeper = "def predict(w, b, X):\n    return " + "(" * 10 + "-" * 100_000 + "1" + ")" * 10 + "\n"
    nul = reference_source("propagate").replace("m = X.shape[1]", "m = X.shape[1]\x00")
    sub = load_submission(write_notebook(tmp_path, course_cells(sigmoid=deep, predict=deeper, propagate=nul)), assignment)
    assert "sigmoid" in sub.functions  # valid Python however deep: kept
    assert message(sub, "predict", "syntax").startswith(
        "SyntaxError in cell 19: the code is nested too deeply for Python to read\nFix it (")
    line = graded("propagate", nul).split("\n").index("    m = X.shape[1]\x00") + 1
    assert message(sub, "propagate", "syntax").startswith(
        f"SyntaxError in cell 13, line {line}: source code string cannot contain null bytes\n"
        "        m = X.shape[1]?\n"
        "                      ^\n")
    assert_consistent(sub)
