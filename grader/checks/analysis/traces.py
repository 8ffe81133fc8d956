"""Validate the observers' reports (untrusted: they come from the student's child) into plain tuples.

A report that is not exactly the shape an observer writes is ``None``: the checks treat a
missing or malformed report as suspicious, never as clean.
"""
from __future__ import annotations

from grader.sandbox.observers import MAX_ENTRIES

MAX_DIMENSIONS = 32


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _shape(value) -> bool:
    return isinstance(value, list) and len(value) <= MAX_DIMENSIONS and all(_count(d) for d in value)


def parse_lines_report(report) -> dict | None:
    """A ``lines`` report as {"intact", "lines": {(file, line): n}, "calls": {(file, first, name): n}}."""
    if not isinstance(report, dict):
        return None
    lines, calls = report.get("lines"), report.get("calls")
    if not isinstance(lines, list) or not isinstance(calls, list):
        return None
    parsed_lines, parsed_calls = {}, {}
    for item in lines[:MAX_ENTRIES]:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
                and _count(item[1]) and _count(item[2])):
            return None
        parsed_lines[(item[0], item[1])] = parsed_lines.get((item[0], item[1]), 0) + item[2]
    for item in calls[:MAX_ENTRIES]:
        if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], str) and isinstance(item[2], str)
                and isinstance(item[1], int) and _count(item[3])):
            return None
        key = (item[0], item[1], item[2])
        parsed_calls[key] = parsed_calls.get(key, 0) + item[3]
    return {"intact": report.get("intact") is True, "lines": parsed_lines, "calls": parsed_calls}


def parse_locals_report(report) -> dict | None:
    """A ``locals`` report as {"intact", "bound": [(file, line, fn, var, shape)], "before": [(file, line, fn, env)]}."""
    if not isinstance(report, dict):
        return None
    bound, before = report.get("bound"), report.get("before")
    if not isinstance(bound, list) or not isinstance(before, list):
        return None
    parsed_bound, parsed_before = [], []
    for item in bound[:MAX_ENTRIES]:
        if not (isinstance(item, list) and len(item) == 6 and isinstance(item[0], str) and isinstance(item[1], int)
                and isinstance(item[2], str) and isinstance(item[3], str) and _shape(item[4])):
            return None
        parsed_bound.append((item[0], item[1], item[2], item[3], tuple(item[4])))
    for item in before[:3 * MAX_ENTRIES]:
        if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], str) and isinstance(item[1], int)
                and isinstance(item[2], str) and isinstance(item[3], dict)):
            return None
        env = {k: tuple(v) for k, v in item[3].items() if isinstance(k, str) and _shape(v)}
        parsed_before.append((item[0], item[1], item[2], env))
    return {"intact": report.get("intact") is True, "bound": parsed_bound, "before": parsed_before}
