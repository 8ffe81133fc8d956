"""Code the student makes at run time is the student's code, whatever file name it claims.

The dynamic layer follows where code objects come from (observers.CodeOrigins), so a loop
compiled under a standard-library file name still counts; the static layer fails code run from
strings or built as code objects, with a fix, because what it cannot read it cannot check.
"""
from __future__ import annotations

import json.decoder
from pathlib import Path

import numpy as np
import pytest

from grader.checks.analysis.loops import loop_spots
from grader.checks.analysis.submission_code import SubmissionCode
from grader.checks.analysis.traces import parse_lines_report
from grader.checks.vectorized import CHECK
from grader.sandbox.observers import OBSERVERS
from variants.harness import LocalRunner, student_code

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

STDLIB_FILE = json.decoder.__file__
LOOP = "total = 0.0\nfor v in X.ravel():\n    total += v\n"

# exec and compile reached without their names, so that only the dynamic layer can see them
HIDDEN_EXEC = f'''import builtins
import json.decoder

import numpy as np

LOOP = {LOOP!r}


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    run = getattr(builtins, "ex" + "ec")
    make = getattr(builtins, "com" + "pile")
    scope = {{"X": z}}
    run(make(LOOP, json.decoder.__file__, "exec"), scope)
    return 1 / (1 + np.exp(-z))
'''


def lines_in(report, filename) -> int:
    return sum(count for (name, _), count in parse_lines_report(report)["lines"].items() if name == filename)


def traced(function, X) -> dict:
    observer = OBSERVERS["lines"]()
    observer.start({"<cell 1>"})
    try:
        with student_code():
            function(X)
    finally:
        report = observer.stop()
    return report


@pytest.mark.parametrize("how", ["exec", "function", "code swap"])
def test_code_made_under_a_standard_library_file_name_is_traced_as_the_student_s(how):
    with student_code():
        code = compile(LOOP, STDLIB_FILE, "exec")
        function_code = compile("def f(X):\n    total = 0.0\n    for v in X.ravel():\n        total += v\n",
                                STDLIB_FILE, "exec").co_consts[0]

    def by_exec(X):
        exec(code, {"X": X})

    def by_function(X):
        type(by_exec)(function_code, {})(X)

    def by_swap(X):
        def g(X):
            return None
        g.__code__ = function_code
        g(X)

    function = {"exec": by_exec, "function": by_function, "code swap": by_swap}[how]
    small, large = traced(function, np.ones((2, 2))), traced(function, np.ones((2, 40)))
    assert lines_in(small, STDLIB_FILE) > 0
    assert lines_in(large, STDLIB_FILE) > lines_in(small, STDLIB_FILE) + 60


def test_library_code_loaded_before_the_student_s_is_not_traced():
    def uses_json(X):
        json.decoder.JSONDecoder().decode("[" + ",".join("1" for _ in range(3)) + "]")

    assert lines_in(traced(uses_json, np.ones(2)), STDLIB_FILE) == 0


def test_a_loop_hidden_from_the_static_layer_is_caught_by_its_growth(tmp_path):
    from grader.config import load_config

    assignment = load_config(Path(__file__).resolve().parents[1] / "config.yaml").assignment("logreg")
    path = tmp_path / "eve.py"
    path.write_text(HIDDEN_EXEC, encoding="utf-8")
    runner = LocalRunner(assignment, path)
    assert not [s for s in loop_spots(SubmissionCode.from_source(HIDDEN_EXEC), "sigmoid") if s.kind == "exec"]
    [verdict] = CHECK.judge(runner.run("sigmoid", [CHECK]))
    assert verdict.fraction == 0.0
    [finding] = [f for f in verdict.findings if not f.message.startswith("note:")]
    assert finding.message.startswith("sigmoid: code run from a string or a code object runs once per element")
    assert STDLIB_FILE not in finding.message  # a file name the student chose is not repeated back


@pytest.mark.slow
def test_end_to_end_the_sandboxed_child_records_code_origins(tmp_path):
    from grader.config import load_config
    from grader.pipeline import grade_paths

    assignment = load_config(Path(__file__).resolve().parents[1] / "config.yaml").assignment("logreg")
    path = tmp_path / "eve.py"
    path.write_text(HIDDEN_EXEC, encoding="utf-8")
    [result] = grade_paths(assignment, [path], jobs=1)
    [test] = [t for t in result.tests if t.function == "sigmoid" and t.check == "vectorized"]
    assert test.score == 0.0 and "code run from a string or a code object runs once per element" in test.output


# ------------------------------------------------------------------ the static layer


STRING_CODE = '''import types
import numpy as np


def via_eval(z):
    return eval("1 / (1 + np.exp(-z))")


def via_function_type(z, code):
    return types.FunctionType(code, globals())(z)


def via_code_swap(z, other):
    via_eval.__code__ = other.__code__
    return types.CodeType
'''


def test_string_code_and_code_objects_are_static_spots():
    code = SubmissionCode.from_source(STRING_CODE)
    assert [s.what for s in loop_spots(code, "via_eval")] == ["eval()"]
    assert [s.what for s in loop_spots(code, "via_function_type")] == ["types.FunctionType"]
    assert [s.what for s in loop_spots(code, "via_code_swap")] == ["a function's __code__"]


def test_code_run_from_a_string_fails_even_without_a_loop_and_says_why(assignment, tmp_path):
    path = tmp_path / "eval_sigmoid.py"
    path.write_text("import numpy as np\n\n\n# GRADED FUNCTION: sigmoid\ndef sigmoid(z):\n"
                    "    return eval(\"1 / (1 + np.exp(-z))\")\n", encoding="utf-8")
    [verdict] = CHECK.judge(LocalRunner(assignment, path).run("sigmoid", [CHECK]))
    assert verdict.fraction == 0.0
    [finding] = verdict.findings
    assert finding.line == 6 and finding.excerpt == 'return eval("1 / (1 + np.exp(-z))")'
    assert "runs code the grader cannot read" in finding.message
    assert finding.fix.startswith("write the code in the function itself")
