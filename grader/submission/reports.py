"""The notes the selection writes for the student: what is wrong with their code, where, what to do.

Each function takes the :class:`~grader.submission.selection.Chooser` that found the problem
and adds one note through it (which caps how many each graded function gets). Everything a
student controls that goes into a message (names, lines, cell types) is shortened, so that a
note stays a few lines whatever the notebook holds.
"""
from __future__ import annotations

import ast
import difflib
import re

from grader.submission.parsed import Binding, Definition, definitions
from grader.submission.pysource import calls_to

_TYPE_NAMES = {"markdown": "Markdown", "raw": "Raw"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_SHOWN = 60        # characters of a student's name shown in a message
MAX_EXCERPT = 160     # characters of a line of code shown under a syntax error
MAX_PLACES = 10       # places listed in one message
MAX_HINTS = 5


def short(text: str, limit: int = MAX_SHOWN) -> str:
    """Student text for a message: at most ``limit`` characters, one line."""
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def listed(items: list[str]) -> str:
    """``a, b, c`` with at most :data:`MAX_PLACES` items, then how many more."""
    shown = ", ".join(items[:MAX_PLACES])
    return shown + (f" and {len(items) - MAX_PLACES} more" if len(items) > MAX_PLACES else "")


def cell_types(ch, name: str) -> bool:
    """Graded cells of ``name`` turned Markdown or Raw; True when there was one."""
    reported, found = False, None
    for unit in ch.units:
        if name in unit.marks and not unit.is_code:
            if found is None:
                found = [d for d in definitions(ch.s.parsed, name) if d.node is not None]
            kind = _TYPE_NAMES.get(unit.cell_type, repr(short(unit.cell_type)))
            then = (f" Meanwhile the definition in {found[-1].where} is graded." if found
                    else f" Until then `{name}` scores 0.")
            ch.note(name, "cell_type",
                    f"{unit.label} {unit.marks[name]} but is a {kind} cell, so Jupyter does not run "
                    "its code and the grader does not grade it. Select the cell and change it back "
                    "to Code (menu Cell > Cell Type > Code, or press Y), then run it." + then)
            reported = True
    return reported


def duplicates(ch, name: str, winner: Definition, others: list[Definition], why: str) -> None:
    places = listed([d.where + (" (does not parse)" if d.node is None else "") for d in others])
    ch.note(name, "duplicate",
            f"`{name}` is defined {len(others) + 1} times: in {winner.where} and in {places}. "
            f"The one in {winner.where} is graded ({why}); delete the other copies so that "
            "the code you run is the code that is graded.")


def _excerpt(line: str, offset: int | None, end_offset: int | None) -> str:
    """The line (a window of it around the error when long) with a caret under the error.
    Control characters (a NUL...) become "?" one for one, so the caret stays aligned."""
    start = 0
    if len(line) > MAX_EXCERPT:
        column = (offset or 1) - 1
        start = max(0, min(column - MAX_EXCERPT // 2, len(line) - MAX_EXCERPT))
        line = line[start:start + MAX_EXCERPT]
        offset = offset - start if offset and offset > start else None
        end_offset = end_offset - start if end_offset and offset else None
    prefix = "..." if start else ""
    excerpt = prefix + _CONTROL.sub("?", line.expandtabs(4))
    shown = f"\n    {excerpt.rstrip()}"
    if offset:
        column = len(prefix) + len(line[: offset - 1].expandtabs(4))
        width = max(1, (end_offset or offset + 1) - offset)
        shown += "\n    " + " " * column + "^" * min(width, max(1, len(excerpt) - column))
    return shown


def syntax(ch, name: str, definition: Definition) -> None:
    p, issue = definition.parsed, definition.issue
    line = issue.lineno
    text = p.text_lines
    shown = _excerpt(text[line - 1], issue.offset, issue.end_offset) if line and 0 < line <= len(text) else ""
    where = p.where(line)
    if p.unit.cell_index is not None:
        scope = f"none of the code in {p.label} can be graded"
        check = "Jupyter shows the same error when you run the cell"
    else:
        first, last, _ = next(b for b in p.broken if b[2] is issue)
        scope = f"lines {first} to {last} of {p.label} cannot be graded"
        check = f"`python {p.label}` shows the same error"
    ch.note(name, "syntax",
            f"{issue.kind} in {where}: {short(issue.message, 200)}{shown}\n"
            f"Fix {'this line' if line else 'it'} ({check}); until then {scope}, so `{name}` scores 0.")


def _missing_hints(ch, name: str) -> list[str]:
    hints = []
    for p in [p for p in ch.s.parsed if name in p.unit.marks][:MAX_HINTS]:
        if p.cell_magic:
            hints.append(f"{p.label} {p.unit.marks[name]} but its first line is a %%{short(p.cell_magic)} "
                         "cell magic, so its code is not run as Python: delete that line.")
            continue
        defined = [s.name for s in p.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and s.name not in ch.functions]
        instead = f"; it defines `{short(defined[-1])}` instead: rename it back to `{name}`" if defined else ""
        hints.append(f"{p.label} {p.unit.marks[name]} but does not define `{name}`{instead}.")
    for p in ch.mentioning(name):
        for stmt in p.body:
            nested = next((n for n in ast.walk(stmt) if n is not stmt and isinstance(
                n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)
            if nested is not None and len(hints) < MAX_HINTS:
                hints.append(f"{p.where(nested.lineno)} defines `{name}` inside {_describe(stmt)}: "
                             "a graded function must be defined at the top level of a cell, not indented.")
    for binding in ch.bindings(name)[:MAX_HINTS]:  # sigmoid = np.vectorize(...), sigmoid = lambda z: ...
        hints.append(f"{binding.where} assigns `{name} = ...`: a graded function must be written as "
                     f"`def {name}(...):`.")
    if not hints:
        names: dict[str, str] = {}
        for p in ch.s.parsed:
            for stmt in p.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name not in ch.functions:
                    names[stmt.name] = p.where(stmt.lineno)
            for other in p.unit.other_marks:
                names.setdefault(other, p.label)
        for close in difflib.get_close_matches(name, list(names), n=1, cutoff=0.75):
            hints.append(f"{names[close]} defines `{short(close)}`: if that is your `{name}`, rename it to `{name}`.")
    return hints[:MAX_HINTS]


def missing(ch, name: str) -> None:
    hints = _missing_hints(ch, name)
    hint = " " + " ".join(hints) if hints else ""
    if not ch.is_notebook:
        ch.note(name, "missing",
                f"`{name}` is missing: {ch.s.parsed[0].label if ch.s.parsed else 'the file'} has no "
                f"top-level `def {name}(...)`.{hint} Add it, with the parameters of the original "
                "notebook; until then it scores 0.")
        return
    ch.note(name, "missing",
            f"`{name}` is missing: no code cell defines it at the top level.{hint} It belongs in the "
            f"code cell that starts with `# GRADED FUNCTION: {name}`{_place(ch, name)}. If you "
            "deleted or renamed that cell, copy it back from a fresh copy of the assignment "
            f"notebook and complete it; until then `{name}` scores 0.")


def _place(ch, name: str) -> str:
    position = ch.functions.index(name)
    for other in reversed(ch.functions[:position]):
        if other in ch.s.winners:
            return f", after {ch.s.winners[other].parsed.label} (`{other}`)"
    for other in ch.functions[position + 1:]:
        if other in ch.s.winners:
            return f", before {ch.s.winners[other].parsed.label} (`{other}`)"
    return ""


def _user(function: str, via: Binding | None) -> str:
    return f"`{function}`" if via is None else f"`{function}` (through {_named(via)}, {via.where})"


def dropped(ch, function: str, name: str, via: Binding | None, binding: Binding) -> None:
    ch.note(function, "dropped",
            f"{_user(function, via)} uses the global name `{short(name)}`, which {binding.where} sets with "
            "top-level code that is not run when grading (only functions, imports and simple constants "
            "are kept). Pass the value as a parameter, or compute it inside the function.")


def unbound_in_broken_code(ch, function: str, name: str, via: Binding | None, limit=None) -> bool:
    """A name that code which does not parse (before ``limit``, in a notebook) seems to define: say
    so (True), else False."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    for p in ch.mentioning(name):
        for first, last, issue in p.broken:
            if limit is not None and (p.position, first) >= limit:
                continue  # after the function's own cell: a top-to-bottom run has not reached it
            if word.search("\n".join(p.text_lines[first - 1:last])):
                ch.note(function, "syntax",
                        f"{_user(function, via)} uses `{short(name)}`, which {p.label} seems to define, but "
                        f"{p.where(issue.lineno)} has a syntax error ({short(issue.message, 200)}), so none of it "
                        "can be used: fix it.")
                return True
    return False


def undefined(ch, function: str, name: str, where, via: Binding | None) -> None:
    close = difflib.get_close_matches(name, ch.names + list(ch.functions), n=1, cutoff=0.8)
    spelled = f" (or fix the spelling: did you mean `{short(close[0])}`?)" if close else ""
    node, line = _line_of(where, name)
    container = f"`{short(node.name)}`" if hasattr(node, "name") else "that code"
    ch.note(function, "undefined",
            f"{_user(function, via)} uses `{short(name)}` ({where.parsed.where(line)}), which is assigned neither "
            f"in {container} nor anywhere in the {'notebook' if ch.is_notebook else 'file'}, so that line raises "
            f"NameError. Assign it first, or define or import it{spelled}.")


def _line_of(where, name: str) -> tuple:
    """(the statement or def that uses ``name``, the first line it does so on)."""
    node = where.node if isinstance(where, Definition) else where.stmt
    return node, min((n.lineno for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name), default=None)


def defined_later(ch, function: str, name: str, where, via: Binding | None, later: Binding):
    """``name`` is bound only after the notebook first runs ``function``: a NameError, run from top
    to bottom."""
    _, line = _line_of(where, name)
    shown = short(name)
    used = ch.first_use(function)
    if used:
        when = f"when {used[0].where(used[1].lineno)} first runs `{function}`"
    else:
        when = f"in the cells up to `{function}`'s own ({ch.s.winners[function].parsed.label})"
    return ch.note(function, "later",
                   f"{_user(function, via)} uses `{shown}` ({where.parsed.where(line)}), which is not assigned yet "
                   f"{when}: only {later.where} assigns it. Run from top to bottom, the notebook raises NameError: "
                   f"name '{shown}' is not defined there. Take `{shown}` as a parameter or assign it inside the "
                   "function (or in a cell above).")


def not_run(function: str, names: list) -> str:
    """What a blocked function's note adds: why it is not run at all."""
    shown = ", ".join(f"`{short(n)}`" for n in names[:MAX_PLACES])
    return (f" Until then the grader does not run `{function}`: code it keeps for other functions assigns "
            f"{shown}, which would hide this error, so `{function}` scores 0.")


def inputs(ch, function: str, winner: Definition, needs: set) -> None:
    p = winner.parsed
    for call in calls_to(winner.node, "input") if "input" in needs else ():
        ch.note(function, "input",
                f"`{function}` calls input() ({p.where(call.lineno)}). Nobody can type while grading: "
                "input() gets no text and raises EOFError, so this call fails. Take the value as a "
                "parameter instead.")
    if not ch.is_notebook or "input" not in p.unit.text:
        return
    lines = sorted({call.lineno for stmt in p.body if stmt is not winner.node
                    and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    for call in calls_to(stmt, "input")})
    for line in lines:
        ch.note(function, "input",
                f"{p.where(line)} calls input() outside any function. Top-level code is not run when "
                "grading, so this line was skipped; remove it so that the notebook runs from top "
                "to bottom without waiting for someone to type.")


def _named(binding: Binding) -> str:
    return f"`{short(binding.name)}`" if binding.name else "top-level code"


def _describe(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.ClassDef):
        return f"class `{short(stmt.name)}`"
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"function `{short(stmt.name)}`"
    keyword = {ast.If: "if", ast.For: "for", ast.While: "while", ast.Try: "try", ast.With: "with"}
    return f"an `{keyword.get(type(stmt), type(stmt).__name__.lower())}` block"
