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


def _message_markdown(message: str) -> list:
    """A message's first line inline; further lines (a caret under code...) as a code block."""
    first, _, rest = message.partition("\n")
    lines = [_inline(first)]
    if rest.strip():
        lines.append("\n" + _indent(fenced(rest)) + "\n")
    return lines


def finding_markdown(finding, cases: str | None = None) -> str:
    label = cases if cases is not None else (f"**{finding.case}**: " if finding.case else "")
    message = _message_markdown(finding.message)
    lines = [f"- {label}{message[0]}", *message[1:]]
    if finding.line:
        where = finding.filename.strip("<>") + ", " if getattr(finding, "filename", "") else ""
        lines.append(f"  - at {where}line {finding.line}" + (f": `{_code(finding.excerpt)}`" if finding.excerpt else ""))
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
        out += ["## Notes on your submission", ""]
        for note in result.notes:
            message = _message_markdown(note)
            out += [f"- {message[0]}", *message[1:]]
        out.append("")
    out += ["## How functions that call each other were graded", "", POLICIES.get(result.attribution, ""), ""]
    for function in assignment.functions:
        tests = [t for t in result.tests if t.function == function]
        out += _function_section(function, tests, result.printed.get(function, ""))
    extra = [t for t in result.tests if t.function not in assignment.functions]
    if extra:
        out += _function_section("Other tests", extra, "")
    return "\n".join(out).rstrip() + "\n"


def _short_name(test) -> str:
    prefix = f"{test.function}: "
    return test.name[len(prefix):] if test.name.startswith(prefix) else test.name


def _function_section(function: str, tests: list, printed: str) -> list:
    score = sum(t.score for t in tests)
    total = sum(t.max_score for t in tests)
    out = [f"## `{function}`: {number(score)} / {number(total)}", "",
           "| test | result | points |", "|---|---|---|"]
    for test in tests:
        result = "passed" if test.passed else "**failed**"
        out.append(f"| {_inline(_short_name(test))} | {result} | {number(test.score)} / {number(test.max_score)} |")
    out.append("")
    groups = _group_findings([t for t in tests if not t.passed])
    if groups:
        out += ["### What to fix", ""]
        for finding, checks, cases in groups:
            where = f"**{', '.join(cases)}**" if cases else ""
            label = f"{where} ({', '.join(checks)}): " if where else f"({', '.join(checks)}) "
            out.append(finding_markdown(finding, cases=label))
        out.append("")
    elif any(not t.passed for t in tests):
        out += ["### What to fix", "", "- an instructor's hidden test failed", ""]
    if printed:
        out += ["Your function printed (public cases; the output is capped):", "", fenced(printed), ""]
    return out


def _group_findings(tests: list) -> list:
    """Findings that say the same thing (one hang fails runs, shapes and values on every case)
    are shown once, with the checks and cases they concern. Public cases keep their inputs."""
    groups: dict = {}
    for test in tests:
        for finding in test.findings:
            key = (finding.message, finding.line, finding.excerpt, finding.fix, finding.hidden,
                   finding.inputs, finding.expected, finding.actual)
            entry = groups.setdefault(key, (finding, [], []))
            if test.check not in entry[1]:
                entry[1].append(test.check)
            if finding.case and finding.case not in entry[2]:
                entry[2].append(finding.case)
    return list(groups.values())


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
