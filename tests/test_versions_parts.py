"""The parts behind grading every version of a notebook fairly: which version a submission is,
what a graded function sees in a top-to-bottom run, type rules, the template's loops, the
`versions:` configuration, and the reference's output kept off the grader's console."""
from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import nbformat.v4 as v4
import numpy as np
import pytest

from grader import versions
from grader.config import load_config
from grader.errors import ConfigError
from grader.grading.batch import Batch
from grader.pipeline import grade_folder
from grader.submission import load_submission

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "tests" / "versions" / "notebooks" / "logreg"
SIGMOID = "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"


def notebook(tmp_path: Path, *sources, name="ann", metadata=None) -> Path:
    nb = v4.new_notebook(cells=[v4.new_code_cell(s) for s in sources], metadata=metadata or {})
    path = tmp_path / f"{name}.ipynb"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def kinds(sub, function) -> list:
    return [p.kind for p in sub.problems_for(function)]


# --------------------------------------------------------------------------- a top-to-bottom run


def test_a_name_only_later_cells_assign_is_the_name_error_a_top_to_bottom_run_raises(tmp_path, assignment):
    path = notebook(tmp_path, "import numpy as np",
                    "# GRADED FUNCTION: initialize_with_zeros\ndef initialize_with_zeros(dim):\n    return w, b",
                    "dim = 2\nw, b = initialize_with_zeros(dim)",     # binds them after the call: dropped anyway
                    "w, b = np.zeros((2, 1)), 0.0")                  # a demo cell: a constant, after the function
    sub = load_submission(path, assignment)
    assert kinds(sub, "initialize_with_zeros") == ["later", "later"]
    message = sub.problems_for("initialize_with_zeros")[0].message
    assert message == (
        "`initialize_with_zeros` uses `b` (cell 2, line 3), which is not assigned yet when cell 3, line 2 first runs "
        "`initialize_with_zeros`: only cell 3, line 2 assigns it. Run from top to bottom, the notebook raises "
        "NameError: name 'b' is not defined there. Take `b` as a parameter or assign it inside the function (or in a "
        "cell above).")
    assert "w, b = np.zeros" not in "".join(c.source for c in sub.chunks)   # not kept: a NameError when run
    assert "initialize_with_zeros" in sub.functions                         # run: nothing else binds them


def test_a_function_is_not_run_when_code_kept_for_another_binds_its_later_name(tmp_path, assignment):
    path = notebook(tmp_path, "import numpy as np",
                    "# GRADED FUNCTION: initialize_with_zeros\ndef initialize_with_zeros(dim):\n    return w, b",
                    "w, b = np.zeros((2, 1)), 0.0",
                    "# GRADED FUNCTION: predict\ndef predict(w_, b_, X):\n    return np.dot(w.T, X) + b")
    sub = load_submission(path, assignment)
    assert "w, b = np.zeros((2, 1)), 0.0" in "".join(c.source for c in sub.chunks)   # predict sees them, as run
    assert "predict" in sub.functions and "initialize_with_zeros" not in sub.functions
    first = sub.problems_for("initialize_with_zeros")[0]
    assert first.kind == "later" and first.message.endswith(
        "Until then the grader does not run `initialize_with_zeros`: code it keeps for other functions assigns "
        "`b`, `w`, which would hide this error, so `initialize_with_zeros` scores 0.")


def test_each_function_sees_the_binding_before_it_helpers_too(tmp_path, assignment):
    path = notebook(tmp_path, "import numpy as np\nTHRESHOLD = 0.5",
                    "def label(a):\n    return (a > THRESHOLD).astype(float)",           # a helper before predict
                    "# GRADED FUNCTION: predict\ndef predict(w, b, X):\n    return label(np.dot(w.T, X) + b) * unit()",
                    "def unit():\n    return 1.0",                                      # a helper after it
                    "THRESHOLD = 0.9")                                                  # rebound after it
    sub = load_submission(path, assignment)
    assert kinds(sub, "predict") == ["later"] and "uses `unit`" in sub.problems_for("predict")[0].message
    kept = "".join(c.source for c in sub.chunks)
    assert "THRESHOLD = 0.5" in kept and "THRESHOLD = 0.9" not in kept and "def unit" not in kept


def test_what_the_notebook_binds_before_it_first_runs_the_function_is_there(tmp_path, assignment):
    """A helper in a cell between the graded cell and its test, a global its test cell sets before
    the call: a top-to-bottom run has them when it runs the function."""
    path = notebook(tmp_path, "import numpy as np",
                    "# GRADED FUNCTION: predict\ndef predict(w, b, X):\n    return label(np.dot(w.T, X) + b) * unit",
                    "def label(a):\n    return (a > 0.5).astype(float)",
                    "unit = 1.0\nprint(predict(np.zeros((2, 1)), 0.0, np.ones((2, 3))))")
    sub = load_submission(path, assignment)
    assert sub.problems_for("predict") == [] and "unit = 1.0" in "".join(c.source for c in sub.chunks)


def test_in_a_module_the_last_binding_counts_as_before(tmp_path, assignment):
    path = tmp_path / "bo.py"
    path.write_text("import numpy as np\n\ndef predict(w, b, X):\n    return label(np.dot(w.T, X) + b)\n\n"
                    "def label(a):\n    return (a > 0.5).astype(float)\n")
    sub = load_submission(path, assignment)
    assert sub.problems_for("predict") == [] and "predict" in sub.functions


# --------------------------------------------------------------------------- versions


def test_a_notebook_is_matched_to_its_version_from_its_own_cells(tmp_path, assignment):
    old = ("# GRADED FUNCTION: optimize\ndef optimize(w, b, X, Y, num_iterations, learning_rate, print_cost = False):\n"
           "    return {'w': w, 'b': b}, {}, []")
    sub = load_submission(notebook(tmp_path, "import numpy as np", old), assignment)
    assert sub.version.name in ("v3", "v5", "v6a")   # no text tells them apart here: they grade alike
    assert not kinds(sub, "optimize")                # its def line is that version's: no note
    demo = "w, b, X, Y = np.array([[1.],[2.]]), 2., np.array([[1.,2.,-1.],[3.,4.,-3.2]]), np.array([[1,0,1]])"
    assert load_submission(notebook(tmp_path, "import numpy as np", old, demo), assignment).version.name == "v5"
    updates = "# This one is named '6a'"
    assert load_submission(notebook(tmp_path, updates, old, demo), assignment).version.name == "v6a"
    # the generated notebook names its assignment in its metadata; a module of today's def lines is today's
    ours = notebook(tmp_path, "import numpy as np", old, metadata={"grader": {"assignment": "logreg"}}, name="cy")
    mine = load_submission(ours, assignment)
    assert mine.version.name == versions.CURRENT and mine.version.note == "" and kinds(mine, "optimize") == ["signature"]
    module = tmp_path / "dee.py"
    module.write_text("import numpy as np\n\n" + SIGMOID)
    assert load_submission(module, assignment).version.name == versions.CURRENT


def test_without_declared_versions_nothing_is_matched(tmp_path, assignment):
    bare = dataclasses.replace(assignment, versions=())
    sub = load_submission(notebook(tmp_path, "import numpy as np", "# GRADED FUNCTION: sigmoid\n" + SIGMOID), bare)
    assert sub.version is None and not kinds(sub, "sigmoid")
    assert not any(note.startswith("This notebook is") for note in sub.notes)


def test_a_function_left_as_its_version_handed_it_out_is_not_run(tmp_path, assignment):
    stub = ("# GRADED FUNCTION: sigmoid\ndef sigmoid(z):\n    \"\"\"my words\"\"\"\n    #(≈ 1 line of code)\n    # s = ...\n"
            "    # YOUR CODE STARTS HERE\n\n    # YOUR CODE ENDS HERE\n\n    return s")
    sub = load_submission(notebook(tmp_path, "import numpy as np", stub, "from public_tests import *"), assignment)
    assert sub.version.name == "2021" and "sigmoid" not in sub.functions
    assert [(p.kind, p.message) for p in sub.problems_for("sigmoid")] == [(
        "unwritten", "`sigmoid` is still the template of the course's notebook of 2021 and later as it was handed out: "
                     "write its code between the markers; until then it scores 0.")]
    written = stub.replace("    # YOUR CODE ENDS HERE", "    s = z\n    # YOUR CODE ENDS HERE")
    wrong = load_submission(notebook(tmp_path, "import numpy as np", written, "from public_tests import *",
                                     name="bo"), assignment)
    assert "sigmoid" in wrong.functions and not wrong.problems_for("sigmoid")   # written, wrong: graded


def test_an_earlier_name_is_renamed_where_the_new_one_is_not_defined(tmp_path):
    numpy = load_config(ROOT / "config.yaml").assignment("numpy_basics")
    old = ("# GRADED FUNCTION: normalizeRows\ndef normalizeRows(x):\n    return x / np.linalg.norm(x, axis=1, "
           "keepdims=True)\n")
    sub = load_submission(notebook(tmp_path, "import numpy as np", old, "print(normalizeRows(np.eye(2)))"), numpy)
    assert sub.renamed == {"normalize_rows": "normalizeRows"}
    assert sub.functions["normalize_rows"].source.startswith("def normalize_rows(x):")
    assert any(note.startswith("This notebook calls `normalizeRows` what this assignment calls `normalize_rows`")
               for note in sub.notes)
    both = load_submission(notebook(tmp_path, "import numpy as np", old,
                                    old.replace("normalizeRows", "normalize_rows"), name="cy"), numpy)
    assert both.renamed == {} and both.functions["normalize_rows"].cell_index == 3


def test_type_rules():
    problem = versions.type_problem
    assert problem("number", 0) is None and problem("number", 0.0) is None and problem("number", np.array(1.5)) is None
    assert problem("number", True) and problem("number", "0") and problem("number", np.zeros((1, 1)))
    assert problem("float", 0.0) is None and problem("float", np.float64(0)) is None
    assert problem("float", 0) and problem("float", np.array(0.0))
    assert problem("numpy_float", np.float64(1)) is None and problem("numpy_float", 1.0)
    assert problem("zero_d", np.array(2.0)) is None and problem("zero_d", np.float64(2)) is None
    assert problem("zero_d", 2.0) and problem("zero_d", np.zeros((1, 1)))


def test_templates_give_signatures_and_loops():
    text = "def predict(w, b, X):\n    for i in range( A.shape[1] ):\n        pass\n    while (k>0):\n        k -= 1\n"
    template = versions.parse_template(text, "t.py", ["predict"])["predict"]
    assert template.signature.params == ("w", "b", "X")
    assert template.loops == ("for i in range(A.shape[1])", "while k > 0")
    with pytest.raises(ValueError, match="line 1"):
        versions.parse_template("def predict(:\n", "t.py", ["predict"])


# --------------------------------------------------------------------------- configuration


def write_config(tmp_path: Path, versions_yaml: str) -> Path:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    start = text.index("    versions:\n")
    end = text.index("    # hints: each function's own advice")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    path = tmp_path / "config.yaml"
    path.write_text(text[:start] + textwrap.indent(versions_yaml, "    ") + text[end:], encoding="utf-8")
    return path


@pytest.mark.parametrize("entry, said", [
    ("versions:\n  old: {title: Old, template: solutions/logreg/versions/nope.py}\n", "file 'solutions/logreg/versions/nope.py'"),
    ("versions:\n  old: {title: Old, template: solutions/logreg/lr_utils.py}\n", "defines none of the graded functions"),
    ("versions:\n  old: {title: Old, template: solutions/logreg/versions/v3.py, types: {fit: {b: number}}}\n",
     "versions.old.types: unknown function(s) fit"),
    ("versions:\n  old: {title: Old, template: solutions/logreg/versions/v3.py, types: {predict: {b: int}}}\n",
     "'int' is not one of"),
    ("versions:\n  current: {title: Old, template: solutions/logreg/versions/v3.py}\n", "versions"),
    ("versions:\n  old: {title: Old, template: solutions/logreg/versions/v3.py, arguments: {fit: {x: {value: 1}}}}\n",
     "versions.old.arguments: fit is not a function of solutions/logreg/versions/v3.py"),
    ("versions:\n  old: {title: Old, template: solutions/logreg/versions/v3.py, "
     "arguments: {optimize: {nope: {value: 1}}}}\n", "versions.old.arguments.optimize.nope: optimize(w, b, X, Y, "
     "num_iterations, learning_rate, print_cost) in solutions/logreg/versions/v3.py has no parameter nope"),
    ("versions:\n  old: {title: Old, template: solutions/logreg/versions/v3.py, "
     "arguments: {optimize: {print_cost: {dist: normal, shape: [n, 1]}}}}\n",
     "versions.old.arguments.optimize.print_cost: uses the size(s) n"),
])
def test_bad_versions_are_reported_with_their_key(tmp_path, entry, said):
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, entry))
    assert said in str(caught.value) and 'section "Versions"' in caught.value.hint


def test_template_loops_option(tmp_path, assignment):
    from grader.checks import all_checks
    check = all_checks()["vectorized"]
    assert check.parse_options({"template_loops": "charge"})["template_loops"] == "charge"
    with pytest.raises(ValueError, match="template_loops: expected one of allow, advise, charge"):
        check.parse_options({"template_loops": "forgive"})

    def predict_vectorized(mode: str) -> dict:
        predict = assignment.functions["predict"]
        options = dict(predict.checks["vectorized"], template_loops=mode)
        spec = dataclasses.replace(predict, checks={**predict.checks, "vectorized": options})
        changed = dataclasses.replace(assignment, functions={**assignment.functions, "predict": spec})
        folder, out = tmp_path / mode, tmp_path / f"out-{mode}"
        folder.mkdir()
        shutil.copy(NOTEBOOKS / "v3_ada_correct.ipynb", folder / "ada.ipynb")
        grade_folder(changed, folder, out, jobs=1, quiet=True)
        tests = json.loads((out / "ada" / "results.json").read_text())["tests"]
        return next(t for t in tests if t["name"] == "predict: vectorized")

    charged, allowed = predict_vectorized("charge"), predict_vectorized("allow")
    assert charged["score"] == 0 and "runs once for each of the m examples" in charged["output"]
    assert allowed["score"] == 1 and "template" not in allowed["output"]


# --------------------------------------------------------------------------- the grader's console


def test_the_reference_prints_nothing_while_the_batch_computes_with_it(assignment, capfd):
    optimize = assignment.functions["optimize"]
    loud = [dataclasses.replace(case, kwargs={**case.kwargs, "print_cost": True}) for case in optimize.cases]
    changed = dataclasses.replace(assignment, functions={**assignment.functions,
                                                         "optimize": dataclasses.replace(optimize, cases=tuple(loud))})
    capfd.readouterr()
    Batch.prepare(changed)
    printed = capfd.readouterr()
    assert "Cost after iteration" not in printed.out + printed.err


def test_nothing_a_student_causes_reaches_the_graders_console(tmp_path):
    """A model that hard-codes print_cost=True: the reference optimize it calls back prints."""
    nb = nbformat.read(NOTEBOOKS / "y2021_jo_correct.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.source.startswith("# GRADED FUNCTION: model"):
            cell.source = cell.source.replace("learning_rate, print_cost)", "learning_rate, True)")
            assert "learning_rate, True)" in cell.source
    folder = tmp_path / "in"
    folder.mkdir()
    nbformat.write(nb, folder / "loud.ipynb")
    done = subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), "--out", str(tmp_path / "out"),
                           "--config", str(ROOT / "config.yaml"), "--assignment", "logreg", "--jobs", "1"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "loud" in done.stdout and "Cost after iteration" not in done.stdout + done.stderr
    feedback = (tmp_path / "out" / "loud" / "results.json").read_text()
    assert json.loads(feedback)["score"] == 31
