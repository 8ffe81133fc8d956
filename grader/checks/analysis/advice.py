"""The assignment's words in the checks' messages: what sizes count, its hints, its docstrings.

A check's own text is generic (it names no function or formula of any assignment); what is
particular to the assignment comes from ``config.yaml`` (``FunctionSpec.words``: size meanings
and hints, see :mod:`grader.wording`) and from the reference's docstrings. Nothing here reads a
hidden case: the advice for failed hidden cases is made from the public cases' sizes only.
"""
from __future__ import annotations

import ast
import re

_DOC_LINE = re.compile(r"^\s*([A-Za-z_]\w*)\s+--\s+(.+?)\s*$")
_ROOT = re.compile(r"^[A-Za-z_]\w*")


def with_hint(fix: str, spec, check: str, kind: str = "") -> str:
    """``fix`` followed by the assignment's hint for a finding of ``check`` of this ``kind``."""
    words = getattr(spec, "words", None)
    hint = words.hint(check, kind) if words is not None else ""
    if not hint or hint in fix:
        return fix
    return f"{fix}; {hint}" if fix else hint


def meaning(spec, size: str) -> str:
    words = getattr(spec, "words", None)
    return words.meaning(size) if words is not None else ""


def once_per(spec, sizes) -> str:
    """How often something that grows with ``sizes`` runs: "once for each of the m examples"."""
    sizes = list(sizes)
    if len(sizes) > 1:
        return f"once per element (it grows with {' and '.join(sizes)})"
    counted = meaning(spec, sizes[0])
    return f"once for each of the {sizes[0]} {counted}" if counted else f"once for each unit of {sizes[0]}"


def sizes_named(spec, sizes) -> str:
    """"n (features), m (examples)", or "n, m" without meanings."""
    return ", ".join(f"{s} ({meaning(spec, s)})" if meaning(spec, s) else s for s in sizes)


def untried_sizes(spec) -> list:
    """Sizes the public seeded cases never try, as "m = 1", "n different from m" or "n equal to
    m" (public sizes only: what a hidden case holds is never looked at)."""
    dims = list(spec.size_names)
    public = [case.sizes for case in spec.cases if not case.hidden and case.seed is not None]
    if not dims or not public:
        return []
    untried = [f"{d} = 1" for d in dims if not any(sizes.get(d) == 1 for sizes in public)]
    if len(dims) == 2 and not any(sizes.get(dims[0]) != sizes.get(dims[1]) for sizes in public):
        untried.append(f"{dims[0]} different from {dims[1]}")
    elif len(dims) == 2 and not any(sizes.get(dims[0]) == sizes.get(dims[1]) for sizes in public):
        untried.append(f"{dims[0]} equal to {dims[1]}")   # square inputs hide a swapped axis from errors
    elif len(dims) > 2 and not any(len({sizes.get(d) for d in dims}) == len(dims) for sizes in public):
        untried.append(f"{', '.join(dims)} all different")
    return untried


def hidden_advice(spec) -> str:
    """What to try when this function fails hidden cases: sizes the public cases leave out, in the
    assignment's words, and its ``hidden`` hint."""
    untried = untried_sizes(spec)
    text = "this case's inputs are hidden; if the public cases pass, "
    if untried:
        meanings = [f"{d} counts the {meaning(spec, d)}" for d in spec.size_names if meaning(spec, d)]
        text += f"try sizes they do not: {', '.join(untried)}" + (f" ({'; '.join(meanings)})" if meanings else "")
    else:
        text += "try other inputs of your own: other sizes, values and signs"
    if any(case.kwargs for case in spec.cases if not case.hidden):
        text += ", and other keyword arguments"
    return with_hint(text, spec, "hidden")


def documented(reference, function: str, path: str) -> str:
    """The reference docstring's line for the output at ``path`` ("grads['dw']" -> the line of
    ``grads``), e.g. "x -- the row-normalized matrix, of shape (n, m)"; "" when there is none.
    The docstring is the notebook's: it reveals nothing of a hidden case."""
    source = getattr(reference, "source", None)
    definition = source.def_of(function) if source is not None else None
    root = _ROOT.match(path or "")
    if definition is None or root is None:
        return ""
    doc = ast.get_docstring(definition) or ""
    returns = doc.split("Returns:", 1)[1] if "Returns:" in doc else doc
    for line in returns.splitlines():
        match = _DOC_LINE.match(line)
        if match and match.group(1) == root.group(0):
            return f"{match.group(1)} -- {match.group(2)}"
    return ""
