"""feedback.md (and its HTML rendering): what passed, what failed, and how to fix it.

Public cases show their inputs, the expected and the actual values; hidden cases show
only the kind of failure (the checks never put hidden inputs or outputs in a Finding).

Every string that comes from the student (file names, messages, values, output) goes
through ``grader.report.text``: it can only ever be literal text, a code span or a fenced
block, never Markdown structure or HTML. Every one is clipped, and the file as a whole is
capped (``grader.report.budgets``).
"""
from __future__ import annotations

from grader.report.budgets import (CUT_NOTE, FILE_BYTES, LINE_CHARS, MAX_FINDINGS, MAX_NOTES, MESSAGE_CHARS,
                                   PRINTED_CHARS, PRINTED_TAIL, VALUE_CHARS, Block, Section, assemble)
from grader.report.files import number
from grader.report.text import clip, md_block, md_code, md_text, omitted_note

POLICIES = {
    "reference": "When one of your graded functions calls another graded function, the reference version "
                 "of the called function was used, so a mistake in one function costs only that "
                 "function's points.",
    "as_submitted": "Your functions were graded as submitted: when one graded function calls another, "
                    "your own version was used, so a mistake in one function can also affect the "
                    "functions that call it.",
}
INDENT = "    "   # a block inside a list item


def message_markdown(message: str, first_prefix: str) -> str:
    """A message's first line inline after ``first_prefix``; further lines (a caret under
    code...) as a fenced block inside the same list item."""
    head, left_out = clip(message, MESSAGE_CHARS)
    first, _, rest = head.partition("\n")
    text = f"{first_prefix}{md_text(first, MESSAGE_CHARS)}"
    if not rest.strip():
        return text + omitted_note(left_out)
    text += "\n\n" + md_block(rest, MESSAGE_CHARS, indent=INDENT) + "\n"
    return text + (f"\n{INDENT}{omitted_note(left_out).strip()}\n" if left_out else "")


def finding_markdown(finding, label: str | None = None) -> str:
    """One finding as a list item. ``label`` (Markdown we built) replaces the case name."""
    if label is None:
        label = f"**{md_text(finding.case, LINE_CHARS)}**: " if finding.case else ""
    lines = [message_markdown(finding.message, f"- {label}")]
    if finding.line:
        name = clip(finding.filename or "", LINE_CHARS)[0].strip("<>")
        where = f"{md_text(name, LINE_CHARS)}, " if name.strip() else ""
        excerpt = md_code(finding.excerpt, LINE_CHARS) if finding.excerpt else ""
        lines.append(f"  - at {where}line {md_text(str(finding.line), 20)}" + (f": {excerpt}" if excerpt else ""))
    if not finding.hidden:
        for name, text in (("inputs", finding.inputs), ("expected", finding.expected), ("got", finding.actual)):
            if text:
                lines.append(f"  - {name}:\n\n" + md_block(text, VALUE_CHARS, indent=INDENT) + "\n")
    if finding.fix:
        lines.append(f"  - how to fix: {md_text(finding.fix, MESSAGE_CHARS)}")
    return "\n".join(lines)


def more_findings(count: int) -> str:
    return f"- \u2026 and {count:,} more finding(s) like these, not shown: fix the ones above first"


DIAGNOSIS = "**Diagnosis** (your outputs are those of this mistake on every case they were compared on): "


def diagnosis_markdown(diagnosis: dict, prefix: str = "") -> str:
    """The mistake a model names (grader/mistakes), first in what the student reads."""
    return f"{prefix}{DIAGNOSIS}{md_text(str(diagnosis.get('message', '')), MESSAGE_CHARS)}"


def test_markdown(test) -> str:
    """A test's output for results.json: points, its summary line, its diagnosis, its findings (capped)."""
    head = f"{number(test.score)} / {number(test.max_score)} points. " if test.max_score else ""
    first = clip(test.output or "", MESSAGE_CHARS)[0].partition("\n")[0]
    parts = [f"{head}{md_text(first, MESSAGE_CHARS)}".strip()]
    if test.diagnosis:
        parts.append(diagnosis_markdown(test.diagnosis, "\n"))
    parts += [finding_markdown(f) for f in test.findings[:MAX_FINDINGS]]
    if len(test.findings) > MAX_FINDINGS:
        parts.append(more_findings(len(test.findings) - MAX_FINDINGS))
    return "\n".join(p for p in parts if p)


def feedback_sections(assignment, result) -> list:
    """The feedback as sections of blocks, for :func:`feedback_markdown` and ``feedback_html``."""
    header = Section()
    header.add(f"# {md_text(assignment.title, LINE_CHARS)}")
    header.add(f"**Student:** {md_text(result.student, LINE_CHARS)}  \n"
               f"**Submission:** {md_code(result.source, LINE_CHARS) or '(none)'}  \n"
               f"**Score:** {number(result.score)} / {number(result.max_score)}")
    if result.status != "ok":
        header.add(f"> Your submission could not be graded normally "
                   f"(status: **{md_text(result.status, LINE_CHARS)}**).")
    sections = [header]
    if result.notes:
        notes = Section()
        notes.add("## Notes on your submission", detail=True)
        for index, note in enumerate(result.notes[:MAX_NOTES]):
            notes.add(message_markdown(note, "- "), detail=True, tight=index > 0)
        if len(result.notes) > MAX_NOTES:
            notes.add(f"- \u2026 and {len(result.notes) - MAX_NOTES:,} more note(s), not shown", detail=True, tight=True)
        sections.append(notes)
    policy = Section()
    policy.add("## How functions that call each other were graded")
    policy.add(POLICIES.get(result.attribution, ""))
    sections.append(policy)
    for function in assignment.functions:
        sections.append(function_section(result, function))
    extra = [t for t in result.tests if t.function not in assignment.functions]
    if extra:
        sections.append(_function_section("Other tests", extra, ""))
    return sections


def function_section(result, function: str) -> Section:
    """One function's part of the feedback: its tests' table and what to fix (also what the
    feedback notebook puts under the function's cell)."""
    tests = [t for t in result.tests if t.function == function]
    return _function_section(md_code(function, LINE_CHARS), tests, result.printed.get(function, ""))


def section_markdown(section: Section) -> str:
    return "".join(("\n" if b.tight else "\n\n") + b.text for b in section.blocks).strip() + "\n"


def feedback_markdown(assignment, result, sections: list | None = None) -> str:
    sections = sections if sections is not None else feedback_sections(assignment, result)
    # Each block is sized with the separator before it, so the cap holds for the joined text.
    kept = assemble(sections, lambda block: ("\n" if block.tight else "\n\n") + block.text,
                    FILE_BYTES - 1, Block(cut_note()))
    return "".join(text for _, text in kept).strip() + "\n"


def cut_note() -> str:
    return "> " + CUT_NOTE.format(cap=FILE_BYTES)


def _short_name(test) -> str:
    prefix = f"{test.function}: "
    return test.name[len(prefix):] if test.name.startswith(prefix) else test.name


def _function_section(title: str, tests: list, printed: str) -> Section:
    section = Section()
    score = sum(t.score for t in tests)
    total = sum(t.max_score for t in tests)
    section.add(f"## {title}: {number(score)} / {number(total)}")
    diagnoses = {(str(t.diagnosis.get("mistake")), str(t.diagnosis.get("message"))): t.diagnosis
                 for t in tests if t.diagnosis and not t.passed}
    for diagnosis in list(diagnoses.values())[:MAX_NOTES]:
        section.add(diagnosis_markdown(diagnosis, "> "))
    rows = ["| test | result | points |", "|---|---|---|"]
    for test in tests:
        result = "passed" if test.passed else "**failed**"
        rows.append(f"| {md_text(_short_name(test), LINE_CHARS)} | {result} | "
                    f"{number(test.score)} / {number(test.max_score)} |")
    section.add("\n".join(rows))
    groups, more = _group_findings([t for t in tests if not t.passed])
    # Tests without findings (the instructor's own) say what failed in their output: what the
    # test checks, in the instructor's words, never its assertion.
    said = [f"- **{md_text(_short_name(t), LINE_CHARS)}**: "
            f"{md_text(clip(t.output or '', MESSAGE_CHARS)[0].partition(chr(10))[0], MESSAGE_CHARS)}"
            for t in tests if not t.passed and not t.findings]
    if groups:
        section.add("### What to fix", detail=True)
        for index, (finding, checks, cases) in enumerate(groups):
            where = f"**{md_text(', '.join(cases), MESSAGE_CHARS)}**" if cases else ""
            kinds = md_text(", ".join(checks), LINE_CHARS)
            label = f"{where} ({kinds}): " if where else f"({kinds}) "
            section.add(finding_markdown(finding, label=label), detail=True, tight=index > 0)
        if more:
            section.add(more_findings(more), detail=True, tight=True)
        for line in said:
            section.add(line, detail=True, tight=True)
    elif said:
        section.add("### What to fix\n\n" + "\n".join(said))
    if printed:
        section.add("Your function printed (public cases; the output is capped):", detail=True)
        section.add(md_block(printed, PRINTED_CHARS, tail=PRINTED_TAIL), detail=True)
    return section


def _group_findings(tests: list) -> tuple[list, int]:
    """Findings that say the same thing (one hang fails runs, shapes and values on every case)
    are shown once, with the checks and cases they concern; public cases keep their inputs.
    At most MAX_FINDINGS groups, and how many findings fit in none of them. The grouping key
    holds clipped texts only: comparing what is shown, at the cost of what is shown."""
    groups: dict = {}
    more = 0
    for test in tests:
        for finding in test.findings:
            key = (clip(finding.message, MESSAGE_CHARS), finding.line, clip(finding.excerpt, LINE_CHARS),
                   clip(finding.fix, MESSAGE_CHARS), finding.hidden, clip(finding.inputs, VALUE_CHARS),
                   clip(finding.expected, VALUE_CHARS), clip(finding.actual, VALUE_CHARS))
            entry = groups.get(key)
            if entry is None:
                if len(groups) >= MAX_FINDINGS:
                    more += 1
                    continue
                entry = groups[key] = (finding, [], [])
            if test.check not in entry[1]:
                entry[1].append(test.check)
            if finding.case and finding.case not in entry[2] and len(entry[2]) < MAX_FINDINGS:
                entry[2].append(finding.case)
    return list(groups.values()), more
