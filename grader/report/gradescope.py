"""results.json in Gradescope's autograder results schema, with our extra_data on every test.

Gradescope renders each ``output`` as Markdown, so they are built like feedback.md (student
text only as literal text, code spans or fenced blocks). The file is capped at
``FILE_BYTES``: every test is always listed with its name and points; the outputs are
written in order while they fit, and the outputs that do not fit are replaced by a note.
"""
from __future__ import annotations

import json

from grader.report.budgets import CUT_NOTE, FILE_BYTES, LINE_CHARS, MAX_NOTES, MESSAGE_CHARS, utf8_size
from grader.report.feedback import message_markdown, test_markdown
from grader.report.jsontext import dumps
from grader.report.text import md_text, one_line


def results_json(assignment, result) -> str:
    note = CUT_NOTE.format(cap=FILE_BYTES)
    tests = [{
        "name": one_line(test.name, LINE_CHARS),
        "score": test.score,
        "max_score": test.max_score,
        "status": test.status,
        "output": "",
        "output_format": "md",
        "visibility": "visible",
        "extra_data": _extra_data(test),
    } for test in result.tests]
    document = {
        "score": result.score,
        "output": "",
        "output_format": "md",
        "visibility": "visible",
        "extra_data": {"student": one_line(result.student, LINE_CHARS), "assignment": assignment.name,
                       "status": one_line(result.status, LINE_CHARS), "max_score": result.max_score,
                       "attribution": one_line(result.attribution, LINE_CHARS)},
        "tests": tests,
    }
    # The skeleton (names, points) is what the assignment defines; the outputs are what the
    # student's code produced. Each output is measured as the JSON it becomes, then placed.
    # Room is kept for the note in every output, and an output is built only while there
    # is room left for it: past the cap nothing more is rendered.
    targets = [document] + tests
    note_text = json.dumps(note, ensure_ascii=False)
    skeleton = _dump(document)
    room = FILE_BYTES - utf8_size(skeleton) - (utf8_size(note_text) - 2) * len(targets)
    makers = [lambda: _summary(assignment, result)] + [lambda test=test: test_markdown(test) for test in result.tests]
    placed = []
    for target, make in zip(targets, makers):
        output = make() if room > 0 else note
        text = json.dumps(output, ensure_ascii=False)
        size = utf8_size(text) - 2
        if output is not note and size <= room:
            room -= size
        else:
            output, text, room = note, note_text, 0
        target["output"] = output
        placed.append(text)
    return _placed(skeleton, placed) or _dump(document)


EMPTY_OUTPUT = '"output": ""'


def _placed(skeleton: str, outputs: list) -> str | None:
    """The skeleton's text with its empty outputs replaced by ``outputs`` (JSON strings), in
    order: what dumping the document again would give, without encoding it twice. Inside a
    JSON string every quote is escaped, so this text is only ever a key "output" with the
    value "" (the document's own first, then each test's); None if it is not once per output."""
    pieces = skeleton.split(EMPTY_OUTPUT)
    if len(pieces) != len(outputs) + 1:
        return None
    return pieces[0] + "".join(f'"output": {text}{piece}' for text, piece in zip(outputs, pieces[1:]))


def _extra_data(test) -> dict:
    data = {"function": one_line(test.function, LINE_CHARS), "check": one_line(test.check, LINE_CHARS),
            "hidden": test.hidden}
    if test.diagnosis:   # the mistake a model names (grader/mistakes): its id and its message
        data["diagnosis"] = {"mistake": one_line(str(test.diagnosis.get("mistake", "")), LINE_CHARS),
                             "message": one_line(str(test.diagnosis.get("message", "")), MESSAGE_CHARS)}
    return data


def _summary(assignment, result) -> str:
    text = f"{md_text(assignment.title, LINE_CHARS)}: {result.score:g} / {result.max_score:g}"
    if result.notes:
        notes = [message_markdown(note, "- ") for note in result.notes[:MAX_NOTES]]
        if len(result.notes) > MAX_NOTES:
            notes.append(f"- \u2026 and {len(result.notes) - MAX_NOTES:,} more note(s), not shown")
        text += "\n\nNotes on your submission:\n" + "\n".join(notes)
    return text


def _dump(document: dict) -> str:
    return dumps(document, indent=2, ensure_ascii=False) + "\n"
