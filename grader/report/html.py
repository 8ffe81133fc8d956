"""feedback.html: the feedback's Markdown rendered by mistune, as a self-contained page.

Student text reaches the Markdown only as literal text, code spans or fenced blocks
(``grader.report.text``). The renderer adds two walls of its own: raw HTML is escaped
(``escape=True``) and links and images render as their text only (the feedback never
links anywhere). The page's Content-Security-Policy forbids loading anything at all
(scripts, images, fonts, frames, connections), inline styles excepted, so even a bug in
the layers above could not make a student's browser fetch a remote resource.
"""
from __future__ import annotations

import functools
import threading
from html import escape

from grader.report.budgets import FILE_BYTES, LINE_CHARS, Block, assemble, utf8_size
from grader.report.feedback import cut_note, feedback_sections
from grader.report.text import one_line

# Blocks up to this size are remembered once rendered: headings, score tables, the policy
# paragraph and the findings most students share come back on every page of a class.
MEMO_BLOCKS = 4096
MEMO_CHARS = 2_000     # so that the memory held stays a few MB, whatever students write

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1f2328; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; }
pre { background: #f6f8fa; padding: 0.6rem; overflow-x: auto; }
code { background: #f6f8fa; padding: 0 0.2rem; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; }
blockquote { border-left: 4px solid #cf222e; margin-left: 0; padding-left: 1rem; }
ul + ul { margin-top: -0.5rem; }
"""


def markdown_renderer():
    """A mistune Markdown -> HTML function that escapes raw HTML and renders no link or image."""
    import mistune

    class TextOnly(mistune.HTMLRenderer):
        def link(self, text: str, url: str, title=None) -> str:
            return text

        def image(self, text: str, url: str, title=None) -> str:
            return text

    return mistune.create_markdown(renderer=TextOnly(escape=True), plugins=["table"])


_RENDERERS = threading.local()   # one per thread: nothing says a mistune instance may be shared


def render_block(text: str) -> str:
    """``text`` (a block's Markdown) as HTML. Rendering is a function of the text alone, so a
    text seen before is not parsed again."""
    return _remembered(text) if len(text) <= MEMO_CHARS else _render(text)


@functools.lru_cache(maxsize=MEMO_BLOCKS)
def _remembered(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    render = getattr(_RENDERERS, "render", None)
    if render is None:
        render = _RENDERERS.render = markdown_renderer()
    return render(text)


def feedback_html(assignment, result, sections: list | None = None) -> str:
    sections = sections if sections is not None else feedback_sections(assignment, result)
    title = escape(one_line(f"{assignment.title}: {result.student}", 2 * LINE_CHARS))
    head = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n")
    tail = "</body>\n</html>\n"
    # Each block is rendered on its own: the cost stays proportional to what is written,
    # and the page is cut between whole elements, so it is always well-formed.
    kept = assemble(sections, lambda block: render_block(block.text), FILE_BYTES - utf8_size(head + tail),
                    Block(cut_note()))
    return head + "".join(text for _, text in kept) + tail
