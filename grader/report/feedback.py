"""feedback.md (and its HTML rendering): what passed, what failed, and how to fix it.

Public cases show their inputs, the expected and the actual values; hidden cases show
only the kind of failure (the checks never put hidden inputs or outputs in a Finding).
"""
from __future__ import annotations

import re
from html import escape

from grader.report.files import number

POLICIES = {
    "reference": "When one of your graded functions calls another graded function (for example "
                 "`propagate` calling `sigmoid`), the reference version of the called function was used, "
                 "so a mistake in one function costs only that function's points.",
    "as_submitted": "Your functions were graded as submitted: when one graded function calls another, "
                    "your own version was used, so a mistake in one function can also affect the "
                    "functions that call it.",
}


def fenced(text: str, info: str = "") -> str:
    """A code block that student text cannot break out of (fence longer than any run inside)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def finding_markdown(finding) -> str:
    where = f"**{finding.case}**: " if finding.case else ""
    lines = [f"- {where}{_inline(finding.message)}"]
    if finding.line:
        at = f"line {finding.line}"
        lines.append(f"  - at {at}" + (f": `{_code(finding.excerpt)}`" if finding.excerpt else ""))
    if not finding.hidden:
        for label, text in (("inputs", finding.inputs), ("expected", finding.expected), ("got", finding.actual)):
            if text:
                lines.append(f"  - {label}:\n\n" + _indent(fenced(text)) + "\n")
    if finding.fix:
        lines.append(f"  - how to fix: {_inline(finding.fix)}")
    return "\n".join(lines)


def test_markdown(test) -> str:
    head = f"{number(test.score)} / {number(test.max_score)} points. " if test.max_score else ""
    body = test.output.splitlines()[0] if test.output else ""
    parts = [f"{head}{body}".strip()]
    parts += [finding_markdown(f) for f in test.findings]
    return "\n".join(p for p in parts if p)


def feedback_markdown(assignment, result) -> str:
    out = [f"# {assignment.title}", "",
           f"**Student:** {result.student}  ", f"**Submission:** `{_code(result.source)}`  ",
           f"**Score:** {number(result.score)} / {number(result.max_score)}", ""]
    if result.status != "ok":
        out += [f"> Your submission could not be graded normally (status: **{result.status}**).", ""]
    if result.notes:
        out += ["## Notes on your submission", ""] + [f"- {_inline(n)}" for n in result.notes] + [""]
    out += ["## How functions that call each other were graded", "", POLICIES.get(result.attribution, ""), ""]
    for function in assignment.functions:
        tests = [t for t in result.tests if t.function == function]
        out += _function_section(function, tests, result.printed.get(function, ""))
    extra = [t for t in result.tests if t.function not in assignment.functions]
    if extra:
        out += _function_section("Other tests", extra, "")
    return "\n".join(out).rstrip() + "\n"


def _function_section(function: str, tests: list, printed: str) -> list:
    score = sum(t.score for t in tests)
    total = sum(t.max_score for t in tests)
    out = [f"## `{function}`: {number(score)} / {number(total)}", "",
           "| check | cases | result | points |", "|---|---|---|---|"]
    for test in tests:
        cases = "hidden" if test.hidden else "public"
        result = "passed" if test.passed else "**failed**"
        out.append(f"| {test.check} | {cases} | {result} | {number(test.score)} / {number(test.max_score)} |")
    out.append("")
    failing = [t for t in tests if not t.passed]
    for test in failing:
        out += [f"### {test.name}", ""]
        out += [finding_markdown(f) for f in test.findings] or ["- failed"]
        out.append("")
    if printed:
        out += ["Your function printed (public cases; the output is capped):", "", fenced(printed), ""]
    return out


def feedback_html(assignment, result, markdown: str) -> str:
    import mistune

    render = mistune.create_markdown(escape=True, plugins=["table"])
    body = render(markdown)
    title = escape(f"{assignment.title}: {result.student}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


CSS = """body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; }
pre { background: #f6f8fa; padding: 0.6rem; overflow-x: auto; }
code { background: #f6f8fa; padding: 0 0.2rem; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; }
blockquote { border-left: 4px solid #cf222e; margin-left: 0; padding-left: 1rem; }
"""


def _inline(text: str) -> str:
    # Student-controlled text (error messages) must not open a code block or an HTML tag.
    return text.replace("\n", " ").replace("`", "'")


def _code(text: str) -> str:
    return text.replace("`", "'")


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else line for line in text.splitlines())
