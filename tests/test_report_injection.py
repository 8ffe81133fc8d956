"""Feedback renders student text as text (issue 9, item 7).

Every string a student controls (file names, the file name given to ``compile``, exception
messages, printed output, dict keys in values, code excerpts) is planted with headings,
links, images, HTML, fences and table syntax. The rendered feedback.html must hold exactly
the elements the grader writes, feedback.md and the results.json outputs must parse
(mistune's AST) to no structure the student chose, and every planted string must still be
readable, literally, where it belongs.
"""
from __future__ import annotations

import json
import random

import pytest

from grader.outcomes import Finding, StudentResult
from grader.outcomes import TestResult as ScoredTest
from grader.report import write_student
from grader.report.text import md_block, md_code, md_text, visible
from test_report_tree import parse_html

FAKE_SCORE = "# Score 31 of 31"
REMOTE_IMG = "![x](http://evil.example/pixel.png)"
ATTACKS = [
    f"eve\n{FAKE_SCORE}\n<img src=http://evil.example/a.png>",             # newline in a file name
    f"<h1>Score 31 of 31</h1> [click here](http://evil.example/) {REMOTE_IMG}",
    "[x](javascript:alert(1)) <a href='javascript:alert(1)'>y</a> <script>alert(1)</script>",
    "</code></pre><script>alert(1)</script>",
    "``````````` a run of backticks longer than any fence ``` `",
    "<http://evil.example/auto> www.evil.example https://evil.example/x mail@evil.example",
    "[ref]: http://evil.example/def\n[ref] *em* **strong** _u_ ~~s~~ $x$ &lt;b&gt; &amp; \\",
    "1. ordered\n> quote\n---\n===\n    indented code\n| a | b |\n|---|---|\n| c | d |",
    "<!-- comment --> <?php x ?> <![CDATA[ y ]]> <!DOCTYPE z>",
    "line one\rline two\u2028line three\x1b[31mred\x00nul\u202eesrever",
]
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "strong", "code",
                "pre", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "blockquote", "br"}


def evil_result(student: str = "eve") -> StudentResult:
    findings = [Finding(
        message=f"ZeroDivisionError: {attack}\nsecond line {attack}", case="public case 1 (n=2, m=3)",
        line=3, filename=f"<evil {attack}>", excerpt=f"x = 1 ` {attack}",
        inputs=f"z = {attack!r}", expected="{'a': 1}", actual=f"{{{attack!r}: 1}}", fix=f"check {attack}",
    ) for attack in ATTACKS]
    hidden = [Finding(message=f"NameError: {attack}", case="hidden case 1", hidden=True, line=4,
                      filename=f"<evil {attack}>", excerpt=attack) for attack in ATTACKS]
    tests = [
        ScoredTest(name=f"sigmoid: values (public cases)", function="sigmoid", check="values", hidden=False,
                   score=0.0, max_score=1.0, output=f"{ATTACKS[0]}\nmore", passed=False, findings=findings),
        ScoredTest(name=f"sigmoid: {ATTACKS[7]}", function="sigmoid", check="shapes", hidden=True,
                   score=0.0, max_score=1.0, output=ATTACKS[1], passed=False, findings=hidden),
        ScoredTest(name=f"other: {ATTACKS[2]}", function="not_graded", check="runs", hidden=False,
                   score=1.0, max_score=1.0, output=ATTACKS[3], passed=True),
    ]
    return StudentResult(student=student, source=f"{ATTACKS[0]}.ipynb", status="ok", tests=tests,
                         notes=[f"cell 3: {attack}" for attack in ATTACKS] + [ATTACKS[7]],
                         printed={"sigmoid": "\n".join(ATTACKS), "propagate": ATTACKS[4]})


@pytest.fixture(scope="module")
def written(tmp_path_factory, assignment):
    out = tmp_path_factory.mktemp("out")
    write_student(assignment, evil_result(), out)
    folder = out / "eve"
    return {name: (folder / name).read_text(encoding="utf-8")
            for name in ("feedback.md", "feedback.html", "results.json")}


def markdown_tokens(text: str) -> list:
    import mistune

    return mistune.create_markdown(renderer=None, plugins=["table"])(text)


def walk(tokens):
    for token in tokens:
        yield token
        yield from walk(token.get("children", ()))


def assert_no_student_structure(markdown: str, headings: set) -> None:
    """What mistune parses from ``markdown``: no link, image, HTML or emphasis at all; only
    the headings the grader writes; strong text only around our labels."""
    tokens = list(walk(markdown_tokens(markdown)))
    kinds = {token["type"] for token in tokens}
    assert not kinds & {"link", "image", "inline_html", "block_html", "emphasis", "thematic_break",
                        "strikethrough", "inline_math"}, kinds
    found = {"".join(child.get("raw", "") for child in walk(t["children"]))
             for t in tokens if t["type"] == "heading"}
    assert found <= headings, found - headings


def test_feedback_html_has_only_the_grader_s_elements(written, assignment):
    page = parse_html(written["feedback.html"])
    assert page.tags() <= ALLOWED_TAGS, page.tags() - ALLOWED_TAGS
    for node in page.iter():
        assert set(node.attrs) <= {"lang", "charset", "http-equiv", "content", "name"}, (node.tag, node.attrs)
    assert [h.text() for h in page.find_all("h1")] == [assignment.title]
    h2 = {h.text() for h in page.find_all("h2")}
    expected = {"Notes on your submission", "How functions that call each other were graded", "Other tests: 1 / 1"}
    assert h2 - expected == {f"{name}: {'0 / 2' if name == 'sigmoid' else '0 / 0'}" for name in assignment.functions}
    assert {h.text() for h in page.find_all("h3")} == {"What to fix"}
    for strong in page.find_all("strong"):
        assert strong.text() in {"Student:", "Submission:", "Score:", "failed", "public case 1 (n=2, m=3)",
                                 "hidden case 1"}, strong.text()


def test_feedback_html_loads_nothing_from_anywhere(written):
    page = parse_html(written["feedback.html"])
    csp = [m.attrs["content"] for m in page.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]
    assert any(m.attrs.get("http-equiv") == "Content-Security-Policy" for m in page.find_all("head")[0].iter())
    assert not page.find_all("img") and not page.find_all("a") and not page.find_all("script")


def test_student_text_is_still_shown_literally(written):
    page = parse_html(written["feedback.html"])
    codes = [node.text() for node in page.find_all("code")]
    assert visible(f"{ATTACKS[0]}.ipynb") in codes                           # the submission's file name
    items = [node.text() for node in page.find_all("li")]
    blocks = [node.text() for node in page.find_all("pre")]
    for finding in evil_result().tests[0].findings:
        first, _, rest = finding.message.partition("\n")
        assert any(visible(first).strip() in item for item in items), first       # an exception's first line
        last = visible_block(rest.replace("\r\n", "\n").replace("\r", "\n")).rstrip().split("\n")[-1].strip()
        assert any(last in block for block in blocks), rest                          # its further lines
        where = visible(finding.filename.strip("<>")).strip()                       # compile(..., "<evil ...>")
        assert any(f"at {where}, line 3: {visible(finding.excerpt)}" in item for item in items), where
    for attack in ATTACKS:
        assert any(f"x = 1 ` {visible(attack)}" == code for code in codes), attack     # the code excerpt
        assert any(f"{{{attack!r}: 1}}" in code for code in codes), attack            # dict keys in a value
    assert any(ATTACKS[3] in block and ATTACKS[4] in block for block in blocks)       # printed output


def test_feedback_markdown_parses_to_the_grader_s_structure_only(written, assignment):
    headings = {assignment.title, "Notes on your submission", "How functions that call each other were graded",
                "What to fix", "Other tests: 1 / 1"} | {f"{name}: 0 / {2 if name == 'sigmoid' else 0}"
                                                       for name in assignment.functions}
    assert_no_student_structure(written["feedback.md"], headings)


def test_results_json_outputs_render_as_text_too(written):
    document = json.loads(written["results.json"])
    outputs = [document["output"]] + [test["output"] for test in document["tests"]]
    for output in outputs:
        assert_no_student_structure(output, set())
        page = parse_html(render(output))
        assert page.tags() <= ALLOWED_TAGS, page.tags() - ALLOWED_TAGS
    assert "\n" not in "".join(test["name"] for test in document["tests"])


def render(markdown: str) -> str:
    from grader.report.html import markdown_renderer

    return markdown_renderer()(markdown)


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_renderer_itself_shows_no_link_image_or_html(attack):
    """A second wall: even Markdown written by the grader could not link anywhere."""
    page = parse_html(render(f"{attack}\n\n[a](http://evil.example) ![b](http://evil.example/i.png) <b>x</b>"))
    assert not page.tags() & {"a", "img", "script", "b"}, page.tags()


def random_texts(count: int, seed: int) -> list:
    """Strings of Markdown's and HTML's special characters, letters, digits and spaces."""
    alphabet = list("`*_[]()<>!&#|~$\\:/.-+=>'\" \t\n\rab1") + ["www.", "http://", "```", "](", "<a ", "1. "]
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(count)]


CONTEXTS = ["paragraph", "list item", "table cell", "strong"]


@pytest.mark.parametrize("context", CONTEXTS)
def test_md_text_is_always_exactly_its_text(context):
    for text in random_texts(1500, seed=CONTEXTS.index(context)):
        shown = md_text(text, 1000)
        markdown = {"paragraph": f"A {shown} Z", "list item": f"- {shown}",
                    "table cell": f"| t |\n|---|\n| {shown} |", "strong": f"**x {shown} y**"}[context]
        page = parse_html(render(markdown))
        expected = {"paragraph": {"p"}, "list item": {"ul", "li"}, "table cell": {"table", "thead", "tbody", "tr",
                                                                                  "th", "td"},
                    "strong": {"p", "strong"}}[context]
        assert page.tags() <= expected, (text, markdown, page.tags())
        literal = " ".join(visible(text).split())
        assert literal in " ".join(page.text().split()), (text, markdown, page.text())


def test_md_code_is_always_one_code_span_of_exactly_its_text():
    for text in random_texts(1500, seed=7):
        if not text.strip():
            continue
        page = parse_html(render(f"A {md_code(text, 1000)} Z"))
        assert page.tags() == {"p", "code"}, (text, page.tags())
        assert [c.text() for c in page.find_all("code")] == [visible(text)], text


@pytest.mark.parametrize("indent", ["", "    "])
def test_md_block_is_always_one_block_of_exactly_its_text(indent):
    for text in random_texts(800, seed=11 + len(indent)):
        if not text.strip():
            continue
        markdown = f"- item\n\n{md_block(text, 1000, indent=indent)}\n\nafter" if indent else \
            f"{md_block(text, 1000)}\n\nafter"
        page = parse_html(render(markdown))
        blocks = page.find_all("pre")
        assert len(blocks) == 1 and len(page.find_all("code")) == 1, (text, markdown)
        expected = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
        got = blocks[0].text().rstrip("\n")
        assert [line.rstrip() for line in got.split("\n")] == \
            [line.rstrip() for line in visible_block(expected).split("\n")], (text, markdown)
        assert page.find_all("p")[-1].text() == "after"


def visible_block(text: str) -> str:
    """Control characters as pictures, except newlines; tabs expanded as a terminal does."""
    return "\n".join("".join(c if c == "\t" else visible(c) for c in line).expandtabs(8) for line in text.split("\n"))
