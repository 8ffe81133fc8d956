"""The diagnosis as students and instructors get it: graded end to end (sandbox, pipeline), each
example's classic mistake is named in results.json (extra_data.diagnosis), first in its function's
feedback, the same words on hidden tests with nothing of the hidden case; results round-trip
through the cache's plain data; the class summary counts students per mistake."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from grader.config import load_config
from grader.outcomes import Finding, StudentResult
from grader.outcomes import TestResult as Scored
from grader.pipeline import grade_folder
from grader.report.feedback import feedback_markdown
from grader.report.gradescope import results_json
from grader.report.mistakes import mistake_counts

ROOT = Path(__file__).resolve().parents[1]
COURSE = load_config(ROOT / "config.yaml")
sys.path.insert(0, str(ROOT / "examples"))
import make_examples  # noqa: E402

sys.path.remove(str(ROOT / "examples"))


@pytest.fixture(scope="module", params=list(COURSE.assignments), ids=str)
def graded(request, tmp_path_factory):
    assignment = COURSE.assignments[request.param]
    out = tmp_path_factory.mktemp(f"diagnosed-{assignment.name}")
    grade_folder(assignment, assignment.examples, out, jobs=2, quiet=True)
    return assignment, out


def results(out: Path) -> dict:
    return {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*/results.json"))}


@pytest.mark.slow
def test_each_examples_mistake_is_named_where_a_model_exists_and_nothing_else(graded):
    assignment, out = graded
    expected = make_examples.examples_module(assignment).DIAGNOSED
    named = {}
    for student, document in results(out).items():
        for test in document["tests"]:
            diagnosis = test["extra_data"].get("diagnosis")
            if diagnosis:
                assert set(diagnosis) == {"mistake", "message"} and diagnosis["message"]
                assert test["status"] == "failed" and test["extra_data"]["check"] in ("shapes", "values")
                named.setdefault(student, {})[test["extra_data"]["function"]] = diagnosis["mistake"]
    assert named == expected


@pytest.mark.slow
def test_the_diagnosis_comes_first_in_the_functions_feedback(graded):
    assignment, out = graded
    for student, functions in make_examples.examples_module(assignment).DIAGNOSED.items():
        document = results(out)[student]
        for function in functions:
            message = next(t["extra_data"]["diagnosis"]["message"] for t in document["tests"]
                           if t["extra_data"].get("diagnosis") and t["extra_data"]["function"] == function)
            feedback = (out / student / "feedback.md").read_text(encoding="utf-8")
            section = feedback[feedback.index(f"## `{function}`"):]
            words = message.split(":")[0]
            assert section.index("**Diagnosis**") < section.index("| test | result | points |")
            assert words in section[:section.index("| test |")]
            html = (out / student / "feedback.html").read_text(encoding="utf-8")
            assert "<strong>Diagnosis</strong>" in html
            failed = [t for t in document["tests"] if t["extra_data"]["function"] == function
                      and t["status"] == "failed" and t["extra_data"].get("diagnosis")]
            assert all(t["output"].split("\n")[2].startswith("**Diagnosis**") for t in failed)


def hidden_numbers(spec) -> set:
    """Numbers of the function's hidden cases, as a report would print them (distinctive ones)."""
    import numpy as np

    from grader.cases import make_cases

    found = set()

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (np.ndarray, float)):
            for v in np.ravel(value)[:6]:
                if abs(v) > 0.01 and float(v) != int(v):
                    found.update(n for n in (f"{v:.4f}", f"{v:.3f}", repr(float(v))) if len(n.lstrip("-")) >= 5)
    for case in make_cases(spec):
        if case.hidden:
            for value in (*case.args, *case.kwargs.values()):
                collect(value)
    return found


@pytest.mark.slow
def test_a_hidden_cases_diagnosis_names_the_mistake_and_nothing_of_the_case(graded):
    assignment, out = graded
    checked = 0
    for student, document in results(out).items():
        for test in document["tests"]:
            if not (test["extra_data"]["hidden"] and test["extra_data"].get("diagnosis")):
                continue
            text = test["output"] + json.dumps(test["extra_data"])
            assert "inputs:" not in text and "expected:" not in text and "got:" not in text
            numbers = hidden_numbers(assignment.functions[test["extra_data"]["function"]])
            assert not [n for n in numbers if n in text], (student, test["name"])
            checked += 1
    assert checked >= 2
    if assignment.name == "planar":   # its predict example fails a hidden case only: named there too
        judy = results(out)["judy_predict_threshold_inclusive"]["tests"]
        assert [t["extra_data"]["hidden"] for t in judy if t["extra_data"].get("diagnosis")] == [True]


def a_result(diagnosis=None, hidden=True) -> StudentResult:
    test = Scored(name="f: values (hidden cases)", function="f", check="values", hidden=hidden, score=0.0,
                      max_score=1.0, output="0/1 hidden cases passed", passed=False,
                      findings=[Finding(message="differs", case="hidden case 1", hidden=hidden)], diagnosis=diagnosis)
    return StudentResult(student="s", source="s.py", status="ok", tests=[test])


def test_a_result_with_a_diagnosis_round_trips_through_plain_data():
    result = a_result({"mistake": "sign:dw", "message": "dw has the opposite sign"})
    again = StudentResult.from_json(result.to_json())
    assert again == result and again.tests[0].diagnosis == {"mistake": "sign:dw", "message": "dw has the opposite sign"}
    old = json.loads(a_result().to_json())
    del old["tests"][0]["diagnosis"]                      # a result cached before diagnoses existed
    assert StudentResult.from_dict(old).tests[0].diagnosis is None


def test_results_json_and_feedback_carry_the_diagnosis_as_literal_text():
    assignment = COURSE.assignments["logreg"]
    result = a_result({"mistake": "x", "message": "# not a heading <b>nor html</b>"})
    result.tests[0].function = "propagate"
    document = json.loads(results_json(assignment, result))
    assert document["tests"][0]["extra_data"]["diagnosis"] == {"mistake": "x",
                                                               "message": "# not a heading <b>nor html</b>"}
    feedback = feedback_markdown(assignment, result)
    assert "> **Diagnosis**" in feedback and "\\# not a heading \\<b>nor html\\</b>" in feedback
    assert "<b>nor" not in feedback.replace("\\<b>", "")
    plain = json.loads(results_json(assignment, a_result()))
    assert "diagnosis" not in plain["tests"][0]["extra_data"]


def test_the_class_summary_counts_each_student_once_per_mistake():
    def student(name, *diagnosed):
        result = a_result()
        result.student = name
        result.tests = []
        for function, mistake in diagnosed:
            for hidden in (False, True):
                test = a_result({"mistake": mistake, "message": f"about {mistake}"}, hidden).tests[0]
                test.function = function
                result.tests.append(test)
        return result

    batch = [student("ann", ("g", "sign:dw")), student("bob", ("g", "sign:dw"), ("f", "rank1:w")),
             student("cid", ("f", "rank1:w")), student("dee"), None, student("eve", ("g", "division:db/m"))]
    counts = mistake_counts(batch, functions=["f", "g"])
    assert [(c.function, c.mistake, c.count) for c in counts] == [
        ("f", "rank1:w", 2), ("g", "sign:dw", 2), ("g", "division:db/m", 1)]
    assert counts[0].students == ("bob", "cid") and counts[0].message == "about rank1:w"
    assert mistake_counts([]) == []
