"""The class report (OUT/report.html, ``grader report OUT``), and its rendering in headless Chromium."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.report.classdata import findings_of, read_class
from grader.report.classreport import class_report_html
from test_report_tree import parse_html

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """The logreg examples graded, with a stray file in the submissions folder."""
    from grader.config import load_config
    from grader.pipeline import grade_folder

    assignment = load_config(ROOT / "config.yaml").assignment("logreg")
    submissions = tmp_path_factory.mktemp("submissions")
    for path in assignment.examples.iterdir():
        shutil.copy(path, submissions / path.name)
    (submissions / "notes.txt").write_text("not a submission")
    folder = tmp_path_factory.mktemp("out") / "logreg"
    grade_folder(assignment, submissions, folder, jobs=2, quiet=True, force=True)
    return folder


def gradebook(out: Path) -> dict:
    with open(out / "gradebook.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_grade_writes_the_report_with_every_section(out):
    tree = parse_html((out / "report.html").read_text())
    headings = [h.text() for h in tree.find_all("h2")]
    for title in ("Overview", "Score distribution", "Failure rates per function and check",
                  "Most frequent findings", "Diagnosed mistakes", "Slowest submissions", "Skipped files",
                  "Near-identical submissions"):
        assert title in headings
    assert len(tree.find_all("svg")) == 2                    # the two figures, inline
    assert not tree.find_all("script") and not tree.find_all("img") and not tree.find_all("link")
    meta = [m for m in tree.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert meta and "default-src 'none'" in meta[0].attrs["content"]
    text = tree.text()
    assert "notes.txt" in text                                # skipped files come from skipped.txt
    slowest = tree.find_all("table")[-3].text()                # slowest, skipped, similarity
    assert "frank_predict_never_returns" in slowest           # the hang is the slowest submission


def test_failure_rates_match_the_gradebook(out):
    data = read_class(out)
    book = gradebook(out)
    from grader.report.classdata import failure_rates

    functions, checks, counts = failure_rates(data)
    assert functions[0] == "sigmoid" and "values" in checks
    for function in functions:
        lost = sum(1 for row in book.values() if float(row[function]) < max(float(r[function]) for r in book.values()))
        worst = max(counts[(function, check)][0] for check in checks if (function, check) in counts)
        assert worst <= lost and (lost == 0) == (worst == 0), function
    assert counts[("predict", "runs")] == (2, 7)              # erin's syntax error and frank's hang


def test_frequent_findings_count_students_and_name_none(out):
    from grader.report.classdata import frequent_findings

    data = read_class(out)
    groups = frequent_findings(data)
    assert groups and all(g.students >= 1 for g in groups)
    assert groups == sorted(groups, key=lambda g: -g.students)
    students = [s.student for s in data.students]
    for group in groups:
        shown = " ".join([group.example.message, group.example.case, group.example.excerpt, group.example.fix])
        assert not any(student in shown for student in students), shown
    html = (out / "report.html").read_text()
    assert "rank-1" in html and "SyntaxError" in html


def test_findings_are_read_back_from_what_the_grader_wrote(out):
    document = json.loads((out / "carol_rank1_w" / "results.json").read_text())
    failed = [t for t in document["tests"] if t["status"] == "failed"]
    findings = [f for t in failed for f in findings_of(t)]
    assert any("rank-1" in f.message and f.case.startswith("public case") and f.fix for f in findings)
    assert all("\\" not in f.message for f in findings)      # Markdown escapes undone


def test_diagnosed_mistakes_are_counted_when_results_carry_them(out, tmp_path):
    copy = tmp_path / "logreg"
    shutil.copytree(out, copy)
    for student in ("erin_syntax_error", "frank_predict_never_returns"):  # both fail predict
        path = copy / student / "results.json"
        document = json.loads(path.read_text())
        for test in document["tests"]:
            if test["status"] == "failed":
                test["extra_data"]["diagnosis"] = {"mistake": "predict_broken",
                                                   "message": f"{student}: predict gives no predictions"}
        path.write_text(json.dumps(document))
    done = subprocess.run([sys.executable, "-m", "grader", "report", str(copy), "--config", str(ROOT / "config.yaml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    tree = parse_html((copy / "report.html").read_text())
    assert tree.find_all("title")[0].text().startswith("Logistic Regression")
    section = tree.text().split("Diagnosed mistakes", 1)[1].split("Slowest submissions", 1)[0]
    assert "predict_broken" in section and "<student>: predict gives" in section
    rows = [[c.text() for c in r.find_all("td")] for r in tree.find_all("tr") if "predict_broken" in r.text()]
    assert [row[:3] for row in rows] == [["predict", "predict_broken", "2"]]  # two students, one example
    assert "erin_syntax_error:" not in section and "frank_predict_never_returns:" not in section


def test_report_is_the_same_page_from_grade_and_from_report(out, tmp_path):
    copy = tmp_path / "logreg"
    shutil.copytree(out, copy)
    subprocess.run([sys.executable, "-m", "grader", "report", str(copy), "--config", str(ROOT / "config.yaml")],
                   cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert (copy / "report.html").read_bytes() == (out / "report.html").read_bytes()


def test_student_text_in_the_report_is_escaped(out, tmp_path):
    data = read_class(out)
    data.students[0].tests = [{"name": "x", "status": "failed", "output": "0 / 1 points. x\n- <script>alert(1)</script>",
                               "extra_data": {"function": "<b>f</b>", "check": "values"}}]
    html = class_report_html(data)
    tree = parse_html(html)
    assert not tree.find_all("script") and not tree.find_all("b")
    assert "<script>alert(1)</script>" in tree.text()


def test_report_of_a_folder_that_is_not_graded_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "grader", "report", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "not a graded folder" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_report_renders_in_headless_chromium_with_its_figures(out):
    from chromium import Browser, find_or_install

    executable, why = find_or_install()
    if executable is None:
        pytest.skip(why)
    browser = Browser(executable)
    try:
        browser.open_page()
        browser.send("Page.navigate", {"url": (out / "report.html").resolve().as_uri()})
        browser.wait_for("Page.loadEventFired")
        figures = browser.send("Runtime.evaluate", {"returnByValue": True, "expression": """
            JSON.stringify([...document.querySelectorAll('figure')].map(f => {
              const svg = f.querySelector('svg'), box = svg ? svg.getBoundingClientRect() : null,
                    style = svg ? getComputedStyle(svg) : null;
              return {svg: !!svg, width: box ? box.width : 0, height: box ? box.height : 0,
                      shapes: svg ? svg.querySelectorAll('path, rect, use').length : 0,
                      labels: svg ? svg.querySelectorAll('text').length : 0,
                      shown: !!style && style.visibility === 'visible' && style.display !== 'none'};
            }))"""})["result"]["value"]
        BUILD.mkdir(exist_ok=True)
        shot = BUILD / "report-screenshot.png"
        browser.screenshot(shot)
        problems = browser.problems()
    finally:
        browser.close()
    figures = json.loads(figures)
    assert len(figures) == 2
    for figure in figures:
        assert figure["svg"] and figure["shown"] and figure["width"] > 300 and figure["height"] > 150, figure
        assert figure["shapes"] > 10 and figure["labels"] > 3, figure
    assert problems == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_report_command_has_help():
    done = subprocess.run([sys.executable, "-m", "grader", "report", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "usage: grader report" in done.stdout
