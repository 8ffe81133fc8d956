"""Code the assignment's template handed out, in the student's version of the notebook.

A notebook's template may hand students a loop to fill in (the course's ``predict`` hands out
``for i in range(A.shape[1]):`` and asks for the if/else inside). That loop is not the
student's: the teaching checks never charge it (``grader.versions`` knows each version's
template; the vectorized check's ``template_loops`` option says whether to advise instead).
A student's loop is the template's when its header is one the template holds, in the graded
function itself, each template loop matched once, in line order.
"""
from __future__ import annotations

import ast

from grader.versions import loop_header, template_loops


def template_spots(code, run, spots) -> set:
    """The loop spots of ``run``'s function that its version's template handed out."""
    headers = list(template_loops(run, run.spec.name))
    definition = code.defs.get(run.spec.name)
    if not headers or definition is None:
        return set()
    loops = sorted((n for n in ast.walk(definition.node) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))),
                   key=lambda n: (n.lineno, n.col_offset))
    lines = set()
    for node in loops:
        try:
            header = loop_header(node)
        except RecursionError:  # a header nested thousands deep is no template's
            continue
        if header in headers:
            headers.remove(header)
            lines.add(node.lineno)
    return {spot for spot in spots if spot.kind == "loop" and spot.function == run.spec.name
            and spot.filename == definition.filename and spot.line in lines}


def grown_in(template: set, grown) -> set:
    """The template spots whose own line grew (``grown``: (growth, (filename, line)) pairs)."""
    lines = {key for _, key in grown}
    return {spot for spot in template if (spot.filename, spot.line) in lines}
