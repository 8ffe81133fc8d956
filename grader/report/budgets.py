"""What one student's report files may cost: caps on everything a student controls.

A submission can return a dict with a 40-million-character key, raise an exception whose
message is a novel, or fail the same way on every case. The report writers hold on their
own, whatever the stages before them let through:

- each text is clipped to a number of characters (with a note saying how many were left out);
- a test shows at most :data:`MAX_FINDINGS` findings (then "... and N more like these");
- each file is at most :data:`FILE_BYTES` bytes, whatever is in it, and stays valid.

The caps are far above what honest work produces (the example feedback files are 5-20 KB,
their longest value about 300 characters), and low enough that a class of 1000 hostile
students still writes a few GB at most, in time proportional to that.

A file is assembled from blocks (:class:`Block`): the *essential* ones (score, headings,
score tables) are always written; the *details* (findings, printed output, notes) are
written in order while they fit, and where they stop a note says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

MAX_FINDINGS = 20        # findings shown per test, and per function in feedback.md
MAX_NOTES = 20           # submission-level notes shown
LINE_CHARS = 300         # one-line names: student, source, file name, case, test name, code excerpt
MESSAGE_CHARS = 2_000    # a finding's message or fix, a note, a test's summary line
VALUE_CHARS = 4_000      # a public case's inputs, expected or actual value (numpy elides past 1000 items)
PRINTED_CHARS = 8_000    # what one function printed on its public cases...
PRINTED_TAIL = 2_000     # ...of which the last characters (final result, the sandbox's truncation note)
FILE_BYTES = 1 << 20     # each of results.json, feedback.md and feedback.html

CUT_NOTE = ("Details were left out here: this file is capped at {cap:,} bytes, and what the "
            "submission produced (very long messages, values or output) filled it. Every test's "
            "points are counted in full; fix the problems shown, then look again.")


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


@dataclass
class Block:
    """A self-contained piece of Markdown. ``tight`` joins it to the previous block with a
    single newline (the next item of the same list) instead of a blank line."""

    text: str
    detail: bool = False
    tight: bool = False


@dataclass
class Section:
    blocks: list = field(default_factory=list)

    def add(self, text: str, *, detail: bool = False, tight: bool = False) -> None:
        if text:
            self.blocks.append(Block(text, detail, tight))


def assemble(sections: list, render: Callable[[Block], str], cap: int, note: Block) -> list:
    """The rendered blocks that fit in ``cap`` bytes, as a list of (block, rendered text).

    Essential blocks are all kept (their size depends on the assignment, not on the
    student). Details are kept in order until the first that does not fit; from there on
    no detail is rendered, and each section that loses one ends with ``note``. At most one
    block is rendered past the cap."""
    essential = {id(b): render(b) for s in sections for b in s.blocks if not b.detail}
    note_text = render(note)
    used = sum(utf8_size(text) for text in essential.values())
    room = cap - used - utf8_size(note_text) * len(sections)
    full = False
    kept = []
    for section in sections:
        cut = False
        for block in section.blocks:
            if not block.detail:
                kept.append((block, essential[id(block)]))
                continue
            if full:
                cut = True
                continue
            text = render(block)
            size = utf8_size(text)
            if size > room:
                full = cut = True
                continue
            room -= size
            kept.append((block, text))
        if cut:
            kept.append((note, note_text))
    return kept
