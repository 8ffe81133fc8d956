"""Student text as literal text, in Markdown, in a text file or on a console.

Everything a student controls (file names, exception messages, printed output, dict keys,
anything a check quotes) reaches the reports only through these functions:

- :func:`md_text` for prose: the characters that could start Markdown or HTML are
  backslash-escaped, so the text can only ever be a run of plain text;
- :func:`md_code` for a code span, delimited by a backtick run longer than any inside;
- :func:`md_block` for a fenced block, fenced by a backtick run longer than any inside;
- :func:`one_line` for a line of a text file or of the console.

None of them lets a line break through (newlines and other control characters become the
visible Unicode "control pictures" ␊ ␍ ␛ ...), so student text never starts a line and
can never open a heading, a list, a quote, a table row, a link definition or a fence.
Each also clips its text to a number of characters, with a note saying how much was left
out; slicing first keeps the cost proportional to what is written, whatever the input size.
"""
from __future__ import annotations

import re

# A text up to this many characters over its cap is kept whole: a text clipped once (by
# grader.score) carries its note, and clipping it again would only add a second note.
NOTE_ROOM = 80

_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"
# Line and paragraph separators (and the C1 "next line"): other renderers treat them as breaks.
_PICTURES.update({0x85: "\u2424", 0x2028: "\u2424", 0x2029: "\u2424"})
# The other C1 controls and the bidirectional overrides, which can make text display in an
# order that is not the order it is in (a fake score read backwards).
_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0) if code != 0x85})
_PICTURES.update({code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_VISIBLE = str.maketrans(_PICTURES)
_BLOCK_VISIBLE = str.maketrans({k: v for k, v in _PICTURES.items() if k not in (0x09, 0x0A)})

# Inline characters that can open Markdown (or GFM, or HTML) anywhere in a line. ">" only
# opens a quote at a line start (handled there); "[" is
# harmless alone: a link needs "](" or "][" (escaped below) or a link definition, which needs
# a line start; "!" only makes an image before "[". "_" between two letters or digits never
# emphasises, so identifiers like initialize_with_zeros stay readable in feedback.md.
_ALWAYS = re.compile(r"[\\`*<&|~$]|_(?!(?<=[^\W_]_)[^\W_])|\](?=[(\[])|(?<=[Ww]{3})\.|:(?=//)", re.UNICODE)
_LEADING_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_BACKTICKS = re.compile(r"`+")


def visible(text: str) -> str:
    """``text`` with every control character (newlines too) replaced by a visible picture."""
    return str(text).translate(_VISIBLE)


def clip(text: str, limit: int) -> tuple[str, int]:
    """The first ``limit`` characters of ``text`` and how many were left out (0: all kept)."""
    text = str(text)
    if len(text) <= limit + NOTE_ROOM:
        return text, 0
    return text[:limit], len(text) - limit


def omitted_note(count: int) -> str:
    return f" \u2026 ({count:,} more characters not shown)" if count else ""


def md_text(text: str, limit: int) -> str:
    """``text`` as one run of literal Markdown text, on one line, at most ``limit`` characters."""
    head, left_out = clip(text, limit)
    head = visible(head).strip()
    escaped = _ALWAYS.sub(lambda m: "\\" + m.group(0), head)
    # At the start of a list item or a table cell these would open a block (heading, quote,
    # list, thematic break, link definition): escape the first character when it is
    # punctuation, and "1." / "1)" which would start an ordered list.
    number = _LEADING_LIST_NUMBER.match(escaped)
    if number:
        escaped = f"{number.group(1)}\\{number.group(2)}{escaped[number.end():]}"
    elif escaped[:1] in _ASCII_PUNCTUATION and escaped[:1] != "\\":
        escaped = "\\" + escaped
    return escaped + omitted_note(left_out)


def md_code(text: str, limit: int) -> str:
    """``text`` as an inline code span on one line (empty text gives an empty string)."""
    head, left_out = clip(text, limit)
    head = visible(head)
    if not head:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(head)), default=0)
    fence = "`" * (longest + 1)
    # A space on both sides is stripped by the parser: it lets the text start or end with a
    # backtick (or a space) without merging with the delimiter.
    pad = " " if head[0] in "` " or head[-1] in "` " else ""
    return f"{fence}{pad}{head}{pad}{fence}" + omitted_note(left_out)


def md_block(text: str, limit: int, indent: str = "", tail: int = 0) -> str:
    """``text`` as a fenced code block, each line prefixed by ``indent`` (inside list items).

    A text over ``limit`` keeps its first characters, and with ``tail`` also its last ones
    (where a program prints its final result, or the sandbox its note on truncated output),
    as two blocks with the count of what was left out between them."""
    text = str(text)
    if len(text) <= limit + NOTE_ROOM:
        return _fenced(text, indent)
    tail = min(tail, limit)
    note = f"{indent}({len(text) - limit:,} more characters not shown)"
    blocks = [_fenced(text[:limit - tail], indent), note] + ([_fenced(text[-tail:], indent)] if tail else [])
    return "\n\n".join(blocks)


def _fenced(text: str, indent: str) -> str:
    """The fence is longer than any backtick run in the text, so no line of it can close the
    block. Line breaks are normalised before indenting so that every line any Markdown
    renderer sees as a line carries the indent and stays inside the block."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BLOCK_VISIBLE).rstrip()
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    # Tabs are expanded as a terminal would: renderers disagree on tabs in indented blocks.
    lines = [fence, *(line.expandtabs(8) for line in text.split("\n")), fence]
    return "\n".join((indent + line) if line.strip() else "" for line in lines)


def one_line(text: str, limit: int) -> str:
    """``text`` for a line of a text file or of the console: no control character, clipped."""
    head, left_out = clip(text, limit)
    return visible(head) + omitted_note(left_out)
