"""results.json in Gradescope's autograder results schema, with our extra_data on every test."""
from __future__ import annotations

import json

from grader.report.feedback import test_markdown


def results_json(assignment, result) -> str:
    tests = []
    for test in result.tests:
        tests.append({
            "name": test.name,
            "score": test.score,
            "max_score": test.max_score,
            "status": test.status,
            "output": test_markdown(test),
            "output_format": "md",
            "visibility": "visible",
            "extra_data": {"function": test.function, "check": test.check, "hidden": test.hidden},
        })
    notes = "\n".join(f"- {note}" for note in result.notes)
    document = {
        "score": result.score,
        "output": (f"{assignment.title}: {result.score:g} / {result.max_score:g}"
                   + (f"\n\nNotes on your submission:\n{notes}" if notes else "")),
        "output_format": "md",
        "visibility": "visible",
        "extra_data": {"student": result.student, "assignment": assignment.name, "status": result.status,
                       "max_score": result.max_score, "attribution": result.attribution},
        "tests": tests,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
