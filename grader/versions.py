"""Versions of an assignment's notebook: what each one handed out, and which one a submission is.

A course that adopts the grader has students on its own notebooks of several years, and their
notebooks differ: a ``def`` line gained defaults, a template started handing out a loop, a
public test started asking for ``b`` as a float. ``config.yaml`` declares the versions an
assignment accepts (``versions:``, see docs/config.md, "Versions"), each with a template file
(the stubs as that version handed them out: its ``def`` lines and its own code), clues (text only
its notebooks hold) and type expectations. The assignment's own material is the version
:data:`CURRENT`, made from the reference with its solution regions removed.

- :func:`match` tells which version a submission is, from its own cells: the notebook's
  metadata, the clues in its text, its ``def`` lines, the template lines it kept;
- :func:`template_loops` says which loops of a function the submission's version handed out
  (the teaching checks never charge a student for them);
- :func:`type_expected` / :func:`type_problem` judge a scalar output by the version's type rule.

Nothing here runs student code: syntax trees and text only.
"""
from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

from grader import signature, syntax
from grader.markers import make_stub
from grader.signature import Signature

CURRENT = "current"
CURRENT_TITLE = "this course's own notebook"
# The type rules a version may set for a scalar output (what its own public tests accepted).
TYPE_KINDS = {
    "number": "a number (an int or a float)",
    "float": "a float (0.0, not 0)",
    "numpy_float": "a numpy float (np.float64), as numpy's reductions return",
    "zero_d": "a numpy scalar or a 0-d array (np.squeeze of the result)",
}
MIN_LINE = 12   # template lines shorter than this ("return s") say nothing about a version


@dataclass(frozen=True)
class FunctionTemplate:
    """One graded function as a version handed it out."""

    name: str
    signature: Signature
    loops: tuple = ()            # headers of the loops its template holds ("for i in range(A.shape[1])")
    lines: tuple = ()            # its template's lines, stripped and sorted (to recognise the version)
    stub: str = ""               # its code as handed out, in a form that ignores layout (see stub_form)


@dataclass(frozen=True)
class VersionSpec:
    name: str
    title: str                   # how feedback names it: "the course's 2018 notebook (v5)"
    # function -> FunctionTemplate (left out of repr: a signature's set of defaults has no fixed order,
    # and the template file itself identifies the version's code)
    functions: dict = field(default_factory=dict, repr=False)
    clues: tuple = ()            # text only this version's notebooks hold
    types: dict = field(default_factory=dict)       # function -> {output path -> kind of TYPE_KINDS}
    current: bool = False
    names: dict = field(default_factory=dict)       # graded function -> the name this version gave it
    # graded function -> {parameter its def line has and the reference's lacks -> config.InputSpec
    # of the value the grader passes for it} (left out of repr: specs of arrays)
    arguments: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CallShapes:
    """How calls differ between a submission's version and the reference, for its sandbox.

    ``fill``: function -> ((position, parameter, value), ...), parameters of the submission's
    ``def`` that the reference lacks and its version declares a value for (``arguments:``); the
    grader's calls, made the reference's way, pass them. ``adapt``: function -> (the version's
    parameters, the reference's), for call-backs: a student's code calls another graded function
    the way its version's template wrote it, and reaches the reference without the parameters
    only the version has."""

    fill: dict = field(default_factory=dict)
    adapt: dict = field(default_factory=dict)

    def filled(self, fn: str, args, kwargs: dict) -> dict:
        """``kwargs`` of a call of ``fn`` made the reference's way, with the values of the parameters
        only the submission's version has, where the call leaves them out."""
        extra = {param: value for position, param, value in self.fill.get(fn, ())
                 if len(args) <= position and param not in kwargs}
        return {**kwargs, **extra} if extra else kwargs


@dataclass(frozen=True)
class VersionMatch:
    version: VersionSpec
    why: str                     # what in the submission pointed to it

    @property
    def name(self) -> str:
        return self.version.name

    @property
    def note(self) -> str:
        """What the feedback says about the version (nothing for the assignment's own material)."""
        if self.version.current:
            return ""
        return (f"This notebook is {self.version.title}, recognised from {self.why}: it is graded by that "
                "version's own `def` lines, template code and types.")


# --------------------------------------------------------------------------- templates


def loop_header(node: ast.AST) -> str:
    """``for i in range(A.shape[1])`` / ``while x > 0``, however it was spaced."""
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}"
    if isinstance(node, ast.While):
        return f"while {ast.unparse(node.test)}"
    return ""


def stub_form(node, lines: list) -> str:
    """A def's parameters and code (``lines``: its file's), with no docstring, comment, ``pass`` or
    layout: the same for a function left as its template handed it out (where the template has
    comments only, a template file has ``pass``)."""
    body = node.body
    skip = set()
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        skip = set(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    first = body[0].lineno if body else node.end_lineno
    kept = []
    for number in range(first, (node.end_lineno or first) + 1):
        if number in skip or number > len(lines):
            continue
        code = "".join(lines[number - 1].split("#", 1)[0].split())
        if code and code != "pass":
            kept.append(code)
    return repr(_shape(node)) + "\n" + "\n".join(kept)


def is_unwritten(node, lines: list, version) -> bool:
    """Is a submission's def ``node`` (``lines``: its cell's) its version's template as handed out,
    nothing written? Only for a declared version: the assignment's own stubs raise
    NotImplementedError and say so."""
    template = version.functions.get(node.name) if version is not None and not version.current else None
    return template is not None and bool(template.stub) and stub_form(node, lines) == template.stub


def _loops(node: ast.AST) -> tuple:
    found = [n for n in ast.walk(node) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))]
    return tuple(loop_header(n) for n in sorted(found, key=lambda n: (n.lineno, n.col_offset)))


def parse_template(text: str, filename: str, functions, names=None) -> dict:
    """The graded functions ``text`` defines at its top level, as :class:`FunctionTemplate` s, under
    their graded names (``names``: graded name -> the name the template gives it, when another).
    Raises ValueError (with the line) when it does not parse."""
    try:
        tree = syntax.parse(text, filename=filename)
    except SyntaxError as exc:
        raise ValueError(f"line {exc.lineno}: {exc.msg}") from None
    lines = text.split("\n")
    graded = {(names or {}).get(name, name): name for name in functions}   # its name -> graded name
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in graded:
            name = graded[node.name]
            own = {line.strip() for line in lines[node.lineno - 1:node.end_lineno]}
            kept = tuple(sorted(line for line in own if len(line) >= MIN_LINE))
            found[name] = FunctionTemplate(name, Signature.of(node), _loops(node), kept, stub_form(node, lines))
    return found


def _defines(units, name: str) -> bool:
    pattern = re.compile(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", re.MULTILINE)
    return any(pattern.search(unit.text) for unit in units)


def rename(units, accepted, functions) -> dict:
    """Graded functions an earlier version named otherwise (``names:``), renamed in the code
    ``units`` (in place: every use of the old name, the header too) when the submission defines the
    old name and not the graded one, so that they are graded as the function they are. Returns
    {graded name: the name the submission used}."""
    code = [unit for unit in units if unit.is_code]
    done: dict = {}
    for version in accepted:
        for graded, old in (version.names.items() if version is not None else ()):
            if graded in done or graded not in functions or old == graded:
                continue
            if not _defines(code, old) or _defines(code, graded):
                continue
            word = re.compile(rf"(?<![\w.]){re.escape(old)}\b")
            for unit in code:
                if old in unit.text:
                    unit.text = word.sub(graded, unit.text)
                if old in unit.other_marks:
                    unit.other_marks.remove(old)
                    unit.marks.setdefault(graded, f"starts with `# GRADED FUNCTION: {old}`")
            done[graded] = old
    return done


_CURRENT: dict = {}   # digest of the reference's text -> its VersionSpec (the reference never changes in a run)


def current_version(source, functions=()) -> VersionSpec | None:
    """The assignment's own material as a version, from its :class:`~grader.reference.ReferenceSource`
    (``None`` without one): the reference's signatures, and the code its stubs hand out, for the
    graded ``functions`` (the source's own when not given)."""
    if source is None:
        return None
    names = tuple(functions or source.functions)
    key = (str(source.path), hashlib.sha256(source.text.encode("utf-8", "surrogatepass")).hexdigest(), names)
    if key not in _CURRENT:
        try:
            functions = parse_template(make_stub(source.text, source.path), str(source.path), names)
        except Exception:  # noqa: BLE001 - a reference the generator refuses: its signatures still hold
            functions = {name: FunctionTemplate(name, source.signatures[name]) for name in names
                         if name in source.signatures}
        _CURRENT[key] = VersionSpec(CURRENT, CURRENT_TITLE, functions, current=True)
    return _CURRENT[key]


# --------------------------------------------------------------------------- matching


def _shape(node) -> tuple:
    """(parameters, those with defaults) of a def: what a version's def line fixes."""
    return tuple(signature.parameters(node.args)), frozenset(signature.defaults(node.args))


def match(versions, defs: dict, texts: list, metadata=None, assignment: str = "") -> VersionMatch | None:
    """Which of ``versions`` (the current one first) a submission is; None when there is no choice.

    ``defs``: graded function -> its chosen ``def`` node; ``texts``: the text of every cell (or the
    file); ``metadata``: the notebook's. Ranked by: the notebook's metadata naming the assignment
    (the generator writes it: the current version), then the clues found, then the ``def`` lines
    that match, then the fewest clues missing (two versions alike but for one cell), then the
    template lines kept; ties go to the current version, then to the latest."""
    versions = [v for v in versions if v is not None]
    if len(versions) < 2:
        return None
    ours = metadata.get("grader") if isinstance(metadata, dict) else None
    generated = isinstance(ours, dict) and ours.get("assignment") == assignment and bool(assignment)
    kept = {line.strip() for text in texts for line in text.split("\n") if len(line.strip()) >= MIN_LINE}
    shapes = {name: _shape(node) for name, node in defs.items()}
    best, best_key, why = None, None, ""
    for position, version in enumerate(versions):
        clues = sum(1 for clue in version.clues if any(clue in text for text in texts))
        sigs = sum(1 for name, shape in shapes.items() if name in version.functions
                   and shape == (version.functions[name].signature.params, version.functions[name].signature.with_defaults))
        lines = sum(1 for t in version.functions.values() for line in t.lines if line in kept)
        key = (generated and version.current, clues, sigs, clues - len(version.clues), lines, version.current,
               position)
        if best_key is None or key > best_key:
            best, best_key = version, key
            why = _why(generated and version.current, clues, len(version.clues), sigs, len(defs), lines)
    return VersionMatch(best, why)


def _why(generated: bool, clues: int, of_clues: int, sigs: int, of_defs: int, lines: int) -> str:
    if generated:
        return "its notebook metadata"
    parts = []
    if clues:
        parts.append(f"text only that version holds ({clues} of {of_clues} passages)")
    if sigs:
        parts.append(f"its `def` lines ({sigs} of {of_defs} as that version wrote them)")
    if lines:
        parts.append(f"{lines} lines of its template")
    if not parts:
        return "nothing in particular (no other version fits better)"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


# --------------------------------------------------------------------------- what checks ask


def version_of(run) -> VersionSpec | None:
    """The version a FunctionRun's submission was matched to; the current one when none was."""
    found = getattr(getattr(run, "submission", None), "version", None)
    if found is not None:
        return found.version
    reference = getattr(run, "reference", None)
    given = getattr(reference, "version", None)    # the notebook's check(): the version as data
    if isinstance(given, VersionSpec):
        return given
    return current_version(getattr(reference, "source", None))


def template_loops(run, function: str) -> tuple:
    """Headers of the loops ``function``'s template handed out, in the submission's version."""
    version = version_of(run)
    template = version.functions.get(function) if version is not None else None
    return template.loops if template is not None else ()


def type_expected(run, function: str, path: str) -> str:
    """The version's type rule for output ``path`` of ``function`` ("" when it sets none)."""
    version = version_of(run)
    return (version.types.get(function) or {}).get(path, "") if version is not None else ""


def type_problem(kind: str, value) -> str | None:
    """What is wrong with ``value`` under type rule ``kind`` (one of TYPE_KINDS), or None."""
    numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    zero_d = isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"
    if kind == "number":
        ok = numeric or zero_d
    elif kind == "float":
        ok = isinstance(value, (float, np.floating))
    elif kind == "numpy_float":
        ok = isinstance(value, np.floating)
    elif kind == "zero_d":
        ok = zero_d or isinstance(value, (np.integer, np.floating))
    else:
        return None
    return None if ok else TYPE_KINDS[kind]
