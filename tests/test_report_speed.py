"""The report writers' shortcuts (issue 14) write exactly what the plain way writes.

results.json and the cache entries are indented JSON written without the standard library's
pure-Python encoder, results.json's outputs are placed into its skeleton's text rather than
encoded a second time, and feedback.html remembers the blocks it has rendered. Each must
give, byte for byte, what ``json.dumps`` / a fresh mistune renderer per block give, on
honest results and on hostile ones (student text that looks like the JSON around it,
huge outputs cut at the cap).
"""
from __future__ import annotations

import copy
import json

import pytest

from grader.outcomes import Finding, StudentResult
from grader.outcomes import TestResult as ScoredTest
from grader.report.budgets import FILE_BYTES, Block, assemble, utf8_size
from grader.report import feedback as feedback_text
from grader.report.feedback import cut_note, feedback_sections
from grader.report.gradescope import results_json
from grader.report.html import feedback_html, markdown_renderer
from grader.report.jsontext import dumps
from test_report_injection import evil_result

ODD_VALUES = [
    {"a": [1, 2.5, float("nan"), float("inf"), -float("inf"), True, False, None, "é\u2028\ud800\"\\\n\x00"]},
    [], {}, [[]], [{}], (1, (2, ())), {"z": 1, "a": {"y": [], "b": ()}}, "text", 3, 1.0, -0.0, 1e300, 2 ** 80,
    None, True, {"b": 1, "a": [{"d": None, "c": [1.5, "x"]}]},
    {1: 2}, {"a": 1, 2: 3}, {None: 1}, {"x": type("Sub", (dict,), {})(q=1)}, {"x": {1, 2}}, [object()],
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=range(len(ODD_VALUES)))
def test_dumps_writes_what_json_dumps_writes_or_fails_as_it_fails(value):
    for indent in (0, 1, 2, 4):
        for sort_keys in (False, True):
            for ensure_ascii in (False, True):
                options = dict(indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii)
                try:
                    want = json.dumps(value, **options)
                except (TypeError, ValueError) as error:
                    with pytest.raises(type(error)):
                        dumps(value, **options)
                else:
                    assert dumps(value, **options) == want, options


def hostile_result(size: int) -> StudentResult:
    """Student text that imitates results.json's own text, in every field, ``size`` characters a test."""
    result = copy.deepcopy(evil_result())
    lookalike = '"output": "", "output": "\\"", {"output": ""}'
    result.notes.append(lookalike)
    for test in result.tests:
        test.name += lookalike
        test.output = lookalike * (size // len(lookalike) + 1)
        test.findings = [Finding(message=f"{lookalike} {j}", case=f"{lookalike} {j}", expected=lookalike,
                                 actual=lookalike * (size // 2000 + 1), fix=lookalike) for j in range(30)]
        test.diagnosis = {"mistake": lookalike, "message": lookalike}
    return result


RESULTS = [evil_result(), hostile_result(100), hostile_result(200_000), hostile_result(2_000_000)]


@pytest.mark.parametrize("result", RESULTS, ids=["evil", "small", "large", "over the cap"])
def test_cache_entries_are_json_dumps_of_the_result_s_dict(result):
    data = {"key": "k", "result": result}
    want = json.dumps({"key": "k", "result": result.to_dict()}, indent=1, sort_keys=True)
    assert dumps(data, indent=1, sort_keys=True, as_dicts=True) == want


@pytest.mark.parametrize("result", RESULTS, ids=["evil", "small", "large", "over the cap"])
def test_results_json_is_the_document_dumped_once_with_its_outputs_in_place(assignment, result):
    text = results_json(assignment, result)
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert utf8_size(text) <= FILE_BYTES
    outputs = [test["output"] for test in document["tests"]]
    assert len(outputs) == len(result.tests)
    shown = [(test, output) for test, output in zip(result.tests, outputs) if "Details were left out" not in output]
    assert shown and all(output == feedback_text.test_markdown(test) for test, output in shown)


def plain_feedback_html(assignment, result) -> str:
    """feedback.html as a fresh renderer per block makes it: the body of :func:`feedback_html`."""
    page = feedback_html(assignment, StudentResult(student=result.student, source="", status="ok"))
    head = page[:page.index("<body>\n") + len("<body>\n")]
    tail = "</body>\n</html>\n"
    kept = assemble(feedback_sections(assignment, result), lambda block: markdown_renderer()(block.text),
                    FILE_BYTES - utf8_size(head + tail), Block(cut_note()))
    return head + "".join(text for _, text in kept) + tail


@pytest.mark.parametrize("result", RESULTS, ids=["evil", "small", "large", "over the cap"])
def test_feedback_html_with_remembered_blocks_is_what_fresh_renderers_give(assignment, result):
    want = plain_feedback_html(assignment, result)
    first, again = feedback_html(assignment, result), feedback_html(assignment, result)
    assert first == want and again == want
