"""Budgets on everything a student controls, in the report writers (issue 9, item 3).

A ``sigmoid`` returning ``{"A" * 40_000_000: 1}`` once produced 400 MB feedback files and
a 480 MB results.json. The writers must hold on their own, whatever reaches them: these
tests build huge ``TestResult`` / ``Finding`` objects directly and check that each file
stays under its cap, is still valid (JSON, well-formed HTML, Markdown with its fences
closed), says what it left out, and that writing it never builds the huge text first
(peak memory traced while writing).
"""
from __future__ import annotations

import json
import tracemalloc

import pytest

from grader.outcomes import Finding, StudentResult, Verdict
from grader.outcomes import TestResult as ScoredTest
from grader.report import write_student
from grader.report.budgets import FILE_BYTES, MAX_FINDINGS, MESSAGE_CHARS, PRINTED_CHARS, VALUE_CHARS
from grader.score import score_verdict
from test_report_tree import parse_html

HUGE = "A" * 40_000_000     # two objects, shared by every field that uses them:
HUGE_KEY = "{'" + HUGE + "': 1}"   # a test must not itself build gigabytes
FILES = ("results.json", "feedback.md", "feedback.html")


def huge_finding(case: str, line: int, hidden: bool = False) -> Finding:
    """Findings on different lines are different findings (they are not grouped together)."""
    return Finding(message=HUGE, case=case, hidden=hidden, line=line, filename=HUGE, excerpt=HUGE,
                   inputs=HUGE, expected=HUGE_KEY, actual=HUGE_KEY, fix=HUGE)


def scored_test(function: str, check: str, findings: list, hidden: bool = False, output: str = "failed") -> ScoredTest:
    return ScoredTest(name=f"{function}: {check}", function=function, check=check, hidden=hidden, score=0.5,
                      max_score=1.0, output=output, passed=False, findings=findings)


def huge_result(assignment, findings_per_test: int = 3) -> StudentResult:
    tests = []
    for function in assignment.functions:
        for check in ("values", "shapes", "rank1", "vectorized", "runs"):
            for hidden in (False, True):
                findings = [huge_finding(f"case {i}", line=len(tests) * findings_per_test + i, hidden=hidden)
                            for i in range(findings_per_test)]
                tests.append(scored_test(function, check, findings, hidden, output=HUGE))
    return StudentResult(student="mallory", source=HUGE, status="ok", tests=tests,
                         notes=[HUGE] * 50, printed={name: HUGE for name in assignment.functions})


def write(assignment, result, out) -> dict:
    write_student(assignment, result, out)
    return {name: (out / result.student / name).read_text(encoding="utf-8") for name in FILES}


def assert_valid(files: dict) -> None:
    json.loads(files["results.json"])
    parse_html(files["feedback.html"])
    fences = [line.strip() for line in files["feedback.md"].splitlines() if line.strip().startswith("```")]
    assert len(fences) % 2 == 0, "a fenced block of feedback.md is not closed"


def test_every_file_stays_under_its_cap_and_valid(assignment, tmp_path):
    result = huge_result(assignment)
    files = write(assignment, result, tmp_path)
    for name, text in files.items():
        assert len(text.encode("utf-8")) <= FILE_BYTES, (name, len(text))
    assert_valid(files)
    document = json.loads(files["results.json"])
    # Every test is listed with its points, whatever was cut from the outputs.
    assert [(t["name"], t["score"], t["max_score"]) for t in document["tests"]] == \
        [(t.name, t.score, t.max_score) for t in result.tests]
    assert document["score"] == result.score
    assert any("capped at 1,048,576 bytes" in t["output"] for t in document["tests"])
    for name in ("feedback.md", "feedback.html"):
        assert "capped at 1,048,576 bytes" in files[name]
        assert "more characters not shown" in files[name]


def test_the_score_and_every_function_s_table_survive_the_cut(assignment, tmp_path):
    result = huge_result(assignment)
    files = write(assignment, result, tmp_path)
    page = parse_html(files["feedback.html"])
    assert [h.text() for h in page.find_all("h2") if ":" in h.text()] == \
        [f"{name}: 5 / 10" for name in assignment.functions]
    assert len(page.find_all("table")) == len(assignment.functions)
    assert f"**Score:** {result.score:g} / {result.max_score:g}" in files["feedback.md"]


def test_writing_costs_what_is_written_not_what_was_returned(assignment, tmp_path):
    """Peak memory while writing three 1 MiB files from 40-million-character texts."""
    result = huge_result(assignment)
    tracemalloc.start()
    try:
        write_student(assignment, result, tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * FILE_BYTES, f"peak {peak / FILE_BYTES:.0f} MiB while writing"


def test_findings_shown_per_test_are_capped_with_a_count_of_the_rest(assignment, tmp_path):
    findings = [Finding(message=f"w has the wrong value on case {i}", case=f"case {i}", fix="look") for i in range(5000)]
    result = StudentResult(student="zed", source="zed.py", status="ok",
                           tests=[scored_test("sigmoid", "values", findings)])
    files = write(assignment, result, tmp_path)
    items = [li.text() for li in parse_html(files["feedback.html"]).find_all("li")
             if li.text().startswith("case ")]
    assert len([i for i in items if "wrong value" in i]) == MAX_FINDINGS
    assert f"and {5000 - MAX_FINDINGS:,} more finding(s) like these" in files["feedback.md"]
    output = json.loads(files["results.json"])["tests"][0]["output"]
    assert output.count("wrong value") == MAX_FINDINGS and f"{5000 - MAX_FINDINGS:,} more" in output


def test_one_failure_repeated_on_every_case_is_still_shown_once(assignment, tmp_path):
    """Grouping (one hang fails every case) keeps working past the cap on distinct findings."""
    same = [Finding(message="did not return in time", case=f"case {i}") for i in range(200)]
    result = StudentResult(student="zed", source="zed.py", status="ok",
                           tests=[scored_test("sigmoid", "runs", same), scored_test("sigmoid", "values", list(same))])
    markdown = write(assignment, result, tmp_path)["feedback.md"]
    assert markdown.count("did not return in time") == 1 and "more finding" not in markdown


@pytest.mark.parametrize("field, cap", [("message", MESSAGE_CHARS), ("actual", VALUE_CHARS),
                                        ("inputs", VALUE_CHARS), ("fix", MESSAGE_CHARS)])
def test_each_text_is_clipped_with_a_note(assignment, tmp_path, field, cap):
    finding = Finding(**{"message": "m", "case": "c", field: "x" * (cap * 3)})
    result = StudentResult(student="zed", source="zed.py", status="ok", tests=[scored_test("sigmoid", "values", [finding])])
    files = write(assignment, result, tmp_path)
    assert f"{cap * 2:,} more characters not shown" in files["feedback.md"]
    assert "x" * cap in files["feedback.md"] and "x" * (cap + 100) not in files["feedback.md"]
    assert_valid(files)


def test_printed_output_keeps_its_start_and_its_end_with_a_note(assignment, tmp_path):
    printed = "".join(f"cost after iteration {i}\n" for i in range(100_000))
    result = StudentResult(student="zed", source="zed.py", status="ok", printed={"sigmoid": printed})
    files = write(assignment, result, tmp_path)
    assert f"({len(printed) - PRINTED_CHARS:,} more characters not shown)" in files["feedback.md"]
    blocks = [pre.text() for pre in parse_html(files["feedback.html"]).find_all("pre")]
    assert len(blocks) == 2 and blocks[0].startswith("cost after iteration 0\n")
    assert blocks[1].endswith("cost after iteration 99999\n") and "iteration 50000\n" not in "".join(blocks)
    assert sum(len(block) for block in blocks) <= PRINTED_CHARS + 2


def test_huge_files_are_byte_identical_on_a_rewrite(assignment, tmp_path):
    first = write(assignment, huge_result(assignment), tmp_path / "a")
    second = write(assignment, huge_result(assignment), tmp_path / "b")
    assert first == second


def test_a_scored_test_keeps_bounded_findings(assignment):
    verdict = Verdict(function="sigmoid", check="values", hidden=False, fraction=0.0,
                      findings=[huge_finding(f"case {i}", line=7) for i in range(1000)])
    scored = score_verdict(verdict, 2.0, per_case=True)
    assert len(scored.findings) == MAX_FINDINGS + 1
    assert scored.findings[-1].message.startswith(f"\u2026 and {1000 - MAX_FINDINGS:,} more finding(s)")
    for finding in scored.findings[:-1]:
        assert len(finding.message) < MESSAGE_CHARS + 100 and len(finding.actual) < VALUE_CHARS + 100
        assert finding.case.startswith("case ") and finding.line == 7
    assert len(scored.output) < (MAX_FINDINGS + 1) * (2 * MESSAGE_CHARS + 2 * 400)
    small = Verdict(function="sigmoid", check="values", hidden=False, fraction=1.0,
                    findings=[Finding(message="fine", case="c")])
    assert score_verdict(small, 1.0, per_case=True).findings == small.findings
