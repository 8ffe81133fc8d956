"""Find the solution regions of a reference file and turn them into student stubs.

Three marker styles are understood, all of them Python comments (found with
``tokenize``, so a marker quoted inside a string or docstring is just text):

- nbgrader's ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` (each marker alone on its line);
- Otter's ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` (``# BEGIN SOLUTION NO PROMPT`` too);
- a trailing ``# SOLUTION`` after the code of one line (consecutive ones form one region).

In the stub, each region becomes ``# YOUR CODE HERE`` + ``raise NotImplementedError()``
at the region's indentation; everything else (signature, docstring, the code around
the region) is kept. A malformed region is a :class:`SolutionError` naming the file,
the line and the fix.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from grader import syntax
from grader.errors import SolutionError

STUB_LINES = ("# YOUR CODE HERE", "raise NotImplementedError()")

_BLOCK = re.compile(r"^#+\s*(BEGIN|END)\s+SOLUTION(\s+NO\s+PROMPT)?\s*$")
_INLINE = re.compile(r"^#+\s*SOLUTION\s*$")


@dataclass(frozen=True)
class Region:
    """One solution region. Lines are 1-based and inclusive.

    For a block region, ``start``/``end`` are the BEGIN/END marker lines and the
    solution is the lines strictly between them; for an inline region (trailing
    ``# SOLUTION`` markers) ``start``..``end`` are the solution lines themselves.
    """

    kind: str          # "block" or "inline"
    start: int
    end: int
    indent: str        # the stub is written at this indentation
    function: str      # the innermost function holding the region
    solution: tuple    # the solution's source lines (without newline)


def find_regions(source: str, filename: str | Path = "<source>") -> list[Region]:
    """All solution regions of ``source``, in order; SolutionError if one is malformed."""
    lines = source.splitlines()
    markers = _markers(source, filename)
    functions = _function_spans(source, filename)
    regions: list[Region] = []
    open_begin: int | None = None
    inline: list[int] = []  # consecutive lines ending in "# SOLUTION"

    def close_inline() -> None:
        if inline:
            first, last = inline[0], inline[-1]
            regions.append(_region("inline", first, last, lines[first - 1:last], lines, functions, filename))
            inline.clear()

    for line, kind in markers:
        if kind != "inline" or (inline and line != inline[-1] + 1):
            close_inline()
        if kind == "begin":
            if open_begin is not None:
                raise SolutionError(
                    f"line {line}: a solution region begins inside the region opened at line {open_begin}"
                    " (regions cannot be nested)", path=filename,
                    hint=f"add an END SOLUTION marker before line {line}, or remove this BEGIN SOLUTION")
            open_begin = line
        elif kind == "end":
            if open_begin is None:
                raise SolutionError(f"line {line}: END SOLUTION without a BEGIN SOLUTION before it", path=filename,
                                    hint="add the matching BEGIN SOLUTION marker above, or remove this one")
            regions.append(_region("block", open_begin, line, lines[open_begin:line - 1], lines, functions, filename))
            open_begin = None
        else:  # inline
            if open_begin is not None:
                raise SolutionError(
                    f"line {line}: a '# SOLUTION' line inside the region opened at line {open_begin}"
                    " (regions cannot be nested)", path=filename,
                    hint="the whole block is already a solution; remove the trailing '# SOLUTION'")
            inline.append(line)
    close_inline()
    if open_begin is not None:
        raise SolutionError(f"line {open_begin}: solution region is never closed", path=filename,
                            hint="add '### END SOLUTION' (same indentation) after the solution's last line")
    return regions


def make_stub(source: str, filename: str | Path = "<source>") -> str:
    """The student version of ``source``: every solution region replaced by the stub."""
    lines = source.splitlines()
    out: list[str] = []
    position = 1  # next source line to copy
    for region in find_regions(source, filename):
        out.extend(lines[position - 1:region.start - 1])
        out.extend(region.indent + text for text in STUB_LINES)
        position = region.end + 1
    out.extend(lines[position - 1:])
    stub = "\n".join(out) + ("\n" if source.endswith("\n") or not source else "")
    try:
        syntax.parse(stub)
    except SyntaxError as exc:
        raise SolutionError(
            f"the stub made from this file is not valid Python (line {exc.lineno} of the stub: {exc.msg})",
            path=filename,
            hint="a region must hold whole statements at one indentation: put the markers around complete "
                 "lines of the same block") from None
    return stub


def solution_lines(source: str, filename: str | Path = "<source>") -> list[str]:
    """Every line inside a solution region (what must never reach students)."""
    return [text for region in find_regions(source, filename) for text in region.solution]


# --------------------------------------------------------------------------- helpers


def _markers(source: str, filename) -> list[tuple[int, str]]:
    """(line, "begin" | "end" | "inline") for every marker comment, in order."""
    found = []
    lines = source.splitlines()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.COMMENT:
                continue
            text = token.string.strip()
            line, column = token.start
            alone = not lines[line - 1][:column].strip()
            block = _BLOCK.match(text)
            if block:
                if not alone:
                    raise SolutionError(f"line {line}: {block.group(1)} SOLUTION must be alone on its line",
                                        path=filename, hint="move the marker to a line of its own")
                found.append((line, block.group(1).lower()))
            elif _INLINE.match(text):
                if alone:
                    raise SolutionError(f"line {line}: a '# SOLUTION' marker must end a line of code", path=filename,
                                        hint="put it after the code it marks, or use BEGIN/END SOLUTION for a block")
                found.append((line, "inline"))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise SolutionError(f"cannot read the file as Python: {exc}", path=filename) from None
    return found


def _function_spans(source: str, filename) -> list[tuple[int, int, str, int]]:
    """(first line after ``def``, last line, name, def line) of every function, at any depth.

    A function's last line is extended over the comment and blank lines that follow its
    last statement at a deeper indentation than its ``def``: an END SOLUTION marker after
    the final ``return`` still belongs to the function.
    """
    try:
        tree = syntax.parse(source, filename=str(filename))
    except SyntaxError as exc:
        raise SolutionError(f"line {exc.lineno}: syntax error: {exc.msg}", path=filename) from None
    lines = source.splitlines()
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            last = node.end_lineno
            while last < len(lines):
                following = lines[last]
                stripped = following.strip()
                if stripped and not (stripped.startswith("#")
                                     and len(following) - len(following.lstrip()) > node.col_offset):
                    break
                last += 1
            spans.append((node.lineno + 1, last, node.name, node.lineno))
    return spans


def _region(kind, start, end, solution, lines, functions, filename) -> Region:
    holders = [span for span in functions if span[0] <= start and end <= span[1]]
    if not holders:
        partly = [span for span in functions if span[0] <= start <= span[1] or span[0] <= end <= span[1]]
        if partly:
            first, last, name, _ = partly[0]
            why = f"it starts or ends inside function {name!r} (lines {first}-{last}) but not both"
        else:
            why = "it is not inside any function"
        raise SolutionError(f"line {start}: solution region (lines {start}-{end}) is outside a function: {why}",
                            path=filename,
                            hint="put solution markers only inside function bodies; students get the code "
                                 "outside functions as it is")
    innermost = max(holders, key=lambda span: span[0])
    marker_line = lines[start - 1]
    indent = marker_line[:len(marker_line) - len(marker_line.lstrip())]
    return Region(kind=kind, start=start, end=end, indent=indent, function=innermost[2], solution=tuple(solution))
