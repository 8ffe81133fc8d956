"""``OUT/report.html``: the class at a glance, for the instructor.

Sections: an overview (how many, mean and median score, statuses), the score distribution
(a figure), failure rates per function and check (a figure and a table), the most frequent
findings and the mistakes the grader diagnosed (counts, and one anonymised example each: no
student's id or file name), the slowest submissions, skipped files, and pairs of
submissions with near-identical code (``similarity.csv``).

One self-contained file: figures are inline SVG made by matplotlib (``figures.py``), styles
inline, no script, and a Content-Security-Policy that forbids loading anything, so it reads
the same from a file, an e-mail attachment or a web server, offline. Every text from the
results is escaped, and clipped like the feedback's. Written by ``grader grade`` after each
batch (a registered batch file) and by ``grader report OUT``.
"""
from __future__ import annotations

import statistics
from html import escape
from pathlib import Path

from grader.layout import REPORT, SIMILARITY, SKIPPED, TIMINGS
from grader.report.figures import failure_heatmap, score_histogram
from grader.report.budgets import LINE_CHARS, MESSAGE_CHARS
from grader.report.classdata import ClassData, diagnosed_mistakes, failure_rates, frequent_findings, read_class
from grader.report.files import atomic_write, number
from grader.report.text import one_line

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
SLOWEST = 10
MAX_ROWS = 200   # similarity pairs and skipped entries shown (the CSV / txt files have them all)

CSS = """body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: 0.2rem 0.55rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f6f8fa; padding: 0 0.2rem; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 2rem; }
figure { margin: 0.5rem 0 1rem; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #57606a; font-size: 0.9rem; }
.note { color: #57606a; }
"""


def class_report_html(data: ClassData) -> str:
    sections = [_overview(data), _distribution(data), _failures(data), _findings(data), _diagnoses(data),
                _slowest(data), _skipped(data), _similarity(data)]
    title = escape(one_line(f"{data.title}: class report", LINE_CHARS))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
            + "\n".join(sections) + "\n</body>\n</html>\n")


def write_class_report(out: Path, title: str | None = None) -> Path:
    out = Path(out)
    path = out / REPORT
    atomic_write(path, class_report_html(read_class(out, title)))
    return path


def render_batch_report(assignment, results, out: Path) -> str:
    """The batch file's render (``register_batch_file``): the page for OUT as just written."""
    return class_report_html(read_class(out, assignment.title))


def _t(text, limit: int = LINE_CHARS) -> str:
    return escape(one_line(str(text), limit))


def _table(header: list, rows: list, numeric: tuple = ()) -> str:
    head = "".join(f"<th>{_t(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(f"<td class=\"n\">{cell}</td>" if i in numeric else f"<td>{cell}</td>"
                        for i, cell in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"


def _overview(data: ClassData) -> str:
    graded = data.graded
    scores = [s.score for s in graded]
    maximum = max((s.max_score for s in data.students), default=0.0)
    statuses: dict = {}
    for student in data.students:
        statuses[student.status] = statuses.get(student.status, 0) + 1
    rows = [["submissions", str(len(data.students))], ["graded", str(len(graded))],
            ["maximum", number(maximum)]]
    if scores:
        rows += [["mean score", f"{statistics.fmean(scores):.2f}"], ["median score", number(statistics.median(scores))],
                 ["full marks", str(sum(1 for s in graded if s.score >= s.max_score > 0))]]
    rows += [[f"status {_t(k)}", str(v)] for k, v in sorted(statuses.items())]
    return "<h2 id=\"overview\">Overview</h2>\n" + _table(["", "value"], rows, numeric=(1,))


def _distribution(data: ClassData) -> str:
    scores = [s.score for s in data.graded]
    if not scores:
        return "<h2 id=\"scores\">Score distribution</h2>\n<p class=\"note\">No submission was graded.</p>"
    maximum = max(s.max_score for s in data.graded)
    svg = score_histogram(scores, maximum, "scores")
    return ("<h2 id=\"scores\">Score distribution</h2>\n"
            f"<figure>{svg}<figcaption>How many students got each total score ({len(scores)} graded "
            "submissions).</figcaption></figure>")


def _failures(data: ClassData) -> str:
    functions, checks, counts = failure_rates(data)
    if not functions:
        return "<h2 id=\"failures\">Failure rates</h2>\n<p class=\"note\">No tests in these results.</p>"
    svg = failure_heatmap(functions, checks, counts, "failures")
    rows = []
    for function in functions:
        cells = [f"<code>{_t(function)}</code>"]
        for check in checks:
            failed, of = counts.get((function, check), (0, 0))
            cells.append(f"{failed}/{of} ({failed / of:.0%})" if of else "")
        rows.append(cells)
    return ("<h2 id=\"failures\">Failure rates per function and check</h2>\n"
            f"<figure>{svg}<figcaption>Share of graded students failing each function's check (public or "
            "hidden cases).</figcaption></figure>\n"
            + _table(["function", *checks], rows, numeric=tuple(range(1, len(checks) + 1))))


def _example(finding) -> str:
    parts = [_t(finding.message, MESSAGE_CHARS)]
    if finding.case:
        parts.append(f"<br><span class=\"note\">case: {_t(finding.case)}</span>")
    if finding.excerpt:
        parts.append(f"<br><span class=\"note\">code:</span> <code>{_t(finding.excerpt)}</code>")
    if finding.fix:
        parts.append(f"<br><span class=\"note\">fix: {_t(finding.fix, MESSAGE_CHARS)}</span>")
    return "".join(parts)


def _findings(data: ClassData) -> str:
    groups = frequent_findings(data)
    head = "<h2 id=\"findings\">Most frequent findings</h2>\n"
    if not groups:
        return head + "<p class=\"note\">No test failed.</p>"
    rows = [[f"<code>{_t(g.function)}</code>", _t(g.check), str(g.students), _example(g.example)] for g in groups]
    return (head + "<p class=\"note\">Students per finding (the same message at other sizes, or failing several "
            "checks, counts once), with one example; the example names no student.</p>\n"
            + _table(["function", "checks", "students", "example"], rows, numeric=(2,)))


def _diagnoses(data: ClassData) -> str:
    groups = diagnosed_mistakes(data)
    head = "<h2 id=\"mistakes\">Diagnosed mistakes</h2>\n"
    if not groups:
        return head + ("<p class=\"note\">No known mistake was diagnosed in these results (results.json tests "
                       "carry <code>extra_data.diagnosis</code> when one is).</p>")
    rows = [[f"<code>{_t(g.function)}</code>", _t(g.what), str(g.students), _t(g.example.message, MESSAGE_CHARS)]
            for g in groups]
    return head + _table(["function", "mistake", "students", "example"], rows, numeric=(2,))


def _slowest(data: ClassData) -> str:
    head = "<h2 id=\"slowest\">Slowest submissions</h2>\n"
    if not data.seconds:
        return head + (f"<p class=\"note\">Not measured: {TIMINGS} is written when grader grade grades in this "
                       "machine's processes (not on a Dask cluster).</p>")
    by_id = {s.student: s for s in data.students}
    slow = sorted(((sec, name) for name, sec in data.seconds.items() if name in by_id), reverse=True)[:SLOWEST]
    rows = [[_t(name), f"{sec:.2f}", f"{number(by_id[name].score)}/{number(by_id[name].max_score)}",
             _t(by_id[name].status)] for sec, name in slow]
    return (head + "<p class=\"note\">Seconds from the start of a submission's run to its last verdict, as "
            f"measured by the last run that graded it ({TIMINGS}): the one part of OUT that differs between "
            "two runs.</p>\n" + _table(["student", "seconds", "score", "status"], rows, numeric=(1, 2)))


def _skipped(data: ClassData) -> str:
    head = "<h2 id=\"skipped\">Skipped files</h2>\n"
    if not data.skipped:
        return head + "<p class=\"note\">Nothing in the submissions folder was skipped.</p>"
    rows = [[f"<code>{_t(name)}</code>", _t(reason, MESSAGE_CHARS)] for name, reason in data.skipped[:MAX_ROWS]]
    more = (f"<p class=\"note\">{len(data.skipped) - MAX_ROWS:,} more in {SKIPPED}.</p>"
            if len(data.skipped) > MAX_ROWS else "")
    return head + _table(["entry", "why it was not graded"], rows) + more


def _similarity(data: ClassData) -> str:
    head = "<h2 id=\"similarity\">Near-identical submissions</h2>\n"
    if data.pairs is None:
        return head + f"<p class=\"note\">Not computed ({SIMILARITY} is written by grader grade).</p>"
    if not data.pairs:
        return head + "<p class=\"note\">No pair of submissions is above the similarity threshold.</p>"
    rows = [[_t(a), _t(b), f"{score:.2f}", _t(" ".join(functions))] for a, b, score, functions in
            data.pairs[:MAX_ROWS]]
    return (head + "<p class=\"note\">Pairs whose graded code is near-identical once names, comments and "
            "layout are set aside (the template's code left out; threshold: <code>similarity.threshold</code> "
            "in config.yaml). A reason to look at both notebooks, not a verdict.</p>\n"
            + _table(["student", "student", "similarity", "near-identical functions"], rows, numeric=(2,)))
