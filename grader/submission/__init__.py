"""Load a student's submission: the code grading needs, and what is wrong with the rest.

``load_submission(path, assignment) -> Submission`` reads ``<student>.ipynb``, ``<student>.py``
or a folder ``<student>/`` holding one of them. It never runs student code (``ast`` only) and
never raises for a bad submission: every problem becomes a :class:`Problem` for the function
it affects, with a message that says what happened, where, and what to do.

What is kept (see :mod:`grader.submission.selection` for the exact rules): the graded
functions, and the imports, helpers and constants they need, transitively. Each kept cell
becomes a :class:`CodeChunk` whose line N is the cell's line N (dropped lines are blank), so
tracebacks and feedback point at the student's real lines.

Reading is safe and bounded (:mod:`grader.submission.files`, :mod:`grader.submission.reading`):
only regular files are opened, never through a link and never blocking, at most
``assignment.limits.submission_mib`` bytes; the JSON, the cells and the code have caps no
course notebook comes near, and past any of them the submission gets one ``too_large`` problem.
Finding submissions and naming students: :mod:`grader.submission.discover`.
"""
from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader import signature, versions
from grader.config import Limits
from grader.reference import parse_reference
from grader.signature import Signature
from grader.submission import files, pysource, reading, selection
from grader.submission.formats import format_of
from grader.submission.reading import EMPTY, TOO_LARGE, UNREADABLE, ReadFailure

__all__ = ["load_submission", "max_bytes_of", "Submission", "CodeChunk", "FunctionSource", "Problem",
           "OK", "EMPTY", "UNREADABLE", "PROBLEM_KINDS"]

OK = "ok"
STATUSES = (OK, UNREADABLE, EMPTY)
# unreadable/empty: the whole file; too_large: the whole file, over a cap (bytes, JSON values,
# cells, code); syntax: the cell does not parse; missing: no definition;
# unwritten: still its version's template as handed out (not run: the template earns nothing);
# later: needs a name that only cells after its own bind (run from top to bottom: a NameError);
# signature: other parameters than its version's; duplicate: defined twice (the graded one is
# named); cell_type: a graded cell turned Markdown/Raw; input: input() in a graded cell;
# dropped: needs a global set by code that is not kept; undefined: needs a name bound nowhere;
# internal: a bug in the grader (never expected). A function not run (a "later" name other code
# binds when grading) has its reason first.
PROBLEM_KINDS = ("unreadable", "empty", TOO_LARGE, "syntax", "missing", "unwritten", "later", "signature",
                 "duplicate", "cell_type", "input", "dropped", "undefined", "internal")

log = logging.getLogger(__name__)


@dataclass
class CodeChunk:
    """Code to load in the sandbox, in order. ``source`` line N is line N of the cell (or file)."""

    filename: str            # what tracebacks show: "<cell 7>" or "<bob.py>"
    source: str
    cell_index: int | None   # 1-based cell number (as in the filename); None for a .py file
    first_line: int          # the first line that holds kept code (the lines above are blank)


@dataclass
class FunctionSource:
    """Where a graded function is. ``source`` spans lines ``lineno``..``end_lineno`` of its chunk,
    decorators included, with dropped code on those lines blanked (it parses on its own)."""

    name: str
    filename: str
    lineno: int
    end_lineno: int
    source: str
    params: list             # parameter names in order; "*args" / "**kwargs" keep their stars
    cell_index: int | None


@dataclass
class Problem:
    function: str | None     # the graded function it affects
    kind: str                # one of PROBLEM_KINDS
    message: str             # what happened, where (cell, line, caret), what to do


@dataclass
class Submission:
    student: str
    path: Path
    status: str              # ok | unreadable | empty
    digest: str              # sha256 of the submitted bytes (of the file graded, for a folder)
    chunks: list = field(default_factory=list)
    functions: dict = field(default_factory=dict)   # name -> FunctionSource
    problems: list = field(default_factory=list)
    version: versions.VersionMatch | None = None     # the notebook version it was recognised as
    renamed: dict = field(default_factory=dict)      # graded function -> the earlier name it was found under

    def problems_for(self, function: str) -> list:
        return [p for p in self.problems if p.function == function]

    @property
    def notes(self) -> list:
        """What the feedback says about the submission as a whole: its version, then its problems."""
        said = [self.version.note] if self.version is not None and self.version.note else []
        said += [f"This notebook calls `{old}` what this assignment calls `{name}`, as an earlier version of the "
                 f"notebook did: it is graded as `{name}`." for name, old in self.renamed.items()]
        return said + [p.message for p in self.problems]


def _reference_source(assignment, reference):
    if reference is not None:
        return reference
    solution = getattr(assignment, "solution", None)
    if solution is None:
        return None
    return parse_reference(solution, ())


def max_bytes_of(assignment) -> int:
    """The cap on bytes read of one submission: ``assignment.limits.submission_mib``."""
    limits = getattr(assignment, "limits", None)
    return int(getattr(limits, "submission_mib", Limits.submission_mib)) * files.MIB


def load_submission(path, assignment, reference=None) -> Submission:
    """Read one submission; never raises for a broken one (see the module docstring).

    ``assignment`` needs ``functions`` (the graded names, in order) and ``limits.submission_mib``
    (the cap on bytes read; the default limit when it has no ``limits``); ``reference`` (the
    batch's :class:`~grader.reference.ReferenceSource`) gives the expected parameters, parsed
    from ``assignment.solution`` when not given. An unreadable reference is the instructor's
    problem and raises :class:`grader.errors.SolutionError`.
    """
    path = Path(path)
    functions = list(assignment.functions)
    source = _reference_source(assignment, reference)
    accepted = [versions.current_version(source, functions), *getattr(assignment, "versions", ())]
    student = reading.student_id(path)
    digest = hashlib.sha256(b"").hexdigest()
    try:
        ignored = {Path(f).name for f in getattr(assignment, "extra_files", ()) or ()}
        target = reading.locate(path, ignored)
        shown = files.printable(path.name if target == path else str(target.relative_to(path.parent)))
        data = reading.read_regular(target, max_bytes_of(assignment), shown=shown)
        digest = hashlib.sha256(data).hexdigest()
        fmt = format_of(target.name)
        is_notebook = fmt.cells
        name = files.printable(target.name)
        units = fmt.units(data, name, functions)
        if not any(u.is_code and u.text.strip() for u in units) and not any(u.marks for u in units):
            raise ReadFailure(EMPTY, f"{name} has no code in it, so there is nothing to grade; check "
                                     "that you submitted the notebook you worked in (File > Download in Jupyter)")
    except ReadFailure as failure:
        if digest == hashlib.sha256(b"").hexdigest() and _is_folder(path):
            digest = reading.folder_digest(path)
        return _failed(student, path, failure.status, digest, functions, failure.message, failure.kind)
    try:
        course = [Path(f).stem for f in getattr(assignment, "extra_files", ()) or () if str(f).endswith(".py")]
        renamed = versions.rename(units, accepted, functions)
        built = _build(student, path, digest, units, functions, accepted, is_notebook, course,
                       getattr(assignment, "name", ""))
        built.renamed = renamed
        return built
    except Exception as exc:  # a bug of ours must cost one submission, not the batch
        log.exception("loading %s failed", path)
        return _failed(student, path, UNREADABLE, digest, functions,
                       f"the grader could not read this submission ({type(exc).__name__}: {exc}); this is a "
                       "bug in the grader, not in your work: please tell the course staff", "internal")


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def _failed(student, path, status, digest, functions, message, kind) -> Submission:
    """Nothing gradable: one problem for the whole submission (``function`` None), which is
    the reason every function scores 0."""
    return Submission(student=student, path=path, status=status, digest=digest,
                      problems=[Problem(None, kind, message)])


def _build(student, path, digest, units, functions, accepted, is_notebook, course_modules=(),
           assignment="") -> Submission:
    """``accepted``: the versions of the notebook the assignment accepts, its own (current) first."""
    chosen = selection.select(units, functions, is_notebook, course_modules)
    chunks, rendered = [], {}
    for parsed in chosen.parsed:
        kept = chosen.kept.get(id(parsed))
        if not kept:
            continue
        lines = pysource.render(parsed.lines, list(kept.values()))
        rendered[id(parsed)] = lines
        first = min(pysource.statement_span(s)[0] for s in kept.values())
        chunks.append(CodeChunk(parsed.unit.filename, "\n".join(lines) + "\n", parsed.unit.cell_index, first))

    problems = [Problem(n.function, n.kind, n.message) for n in chosen.notes]
    version = versions.match(accepted, {name: w.node for name, w in chosen.winners.items()},
                             [u.text for u in units], getattr(units, "metadata", None), assignment)
    own = version.version if version is not None else accepted[0]
    unwritten = {name for name, w in chosen.winners.items() if versions.is_unwritten(w.node, w.parsed.lines, own)}
    problems = [p for p in problems if p.function not in unwritten]   # what it lacks is all of it
    problems += [Problem(name, "unwritten", f"`{name}` is still the template of {own.title} as it was handed out: "
                                            "write its code between the markers; until then it scores 0.")
                 for name in functions if name in unwritten]
    found = {}
    for name in functions:
        winner = chosen.winners.get(name)
        if winner is None:
            continue
        node, parsed = winner.node, winner.parsed
        first = pysource.statement_span(node)[0]
        lines = rendered[id(parsed)]
        params = signature.parameters(node.args)
        if name not in chosen.blocked and name not in unwritten:  # not run: its notes say why
            found[name] = FunctionSource(name=name, filename=parsed.unit.filename, lineno=first,
                                         end_lineno=node.end_lineno, source="\n".join(lines[first - 1:node.end_lineno]),
                                         params=params, cell_index=parsed.unit.cell_index)
        template = own.functions.get(name) if own is not None else None
        if template is not None and name not in unwritten:
            # the version is named where its def line is not the assignment's own
            ours = accepted[0].functions.get(name) if accepted[0] is not None else None
            named = "" if own.current or (ours is not None and ours.signature == template.signature) else own.title
            message = _signature_problem(name, node, template.signature, winner.where, named)
            if message:
                problems.append(Problem(name, "signature", message))
    order = {name: i for i, name in enumerate(functions)}
    kinds = {kind: i for i, kind in enumerate(PROBLEM_KINDS)}
    problems.sort(key=lambda p: (order.get(p.function, len(order)), kinds.get(p.kind, len(kinds))))
    return Submission(student=student, path=path, status=OK, digest=digest, chunks=chunks,
                      functions=found, problems=problems, version=version)


def _signature_problem(name: str, node, expected: Signature, where: str, version: str = "") -> str | None:
    """A note when ``node``'s parameters are not those of the original notebook (of ``version``,
    the title of the version the submission was recognised as, when not the assignment's own)."""
    params = tuple(signature.parameters(node.args))
    lacking = sorted(expected.with_defaults - signature.defaults(node.args), key=expected.params.index) \
        if params == expected.params else []
    if params == expected.params and not lacking:
        return None
    found = signature.text(node.args)
    if lacking:
        one = len(lacking) == 1
        why = (f"{', '.join(f'`{p}`' for p in lacking)} {'has' if one else 'have'} no default value, "
               f"so a call that leaves {'it' if one else 'them'} out fails")
    else:
        why = "the grader calls it with the original parameters, so it will fail"
    original = f"the original notebook ({version})" if version else "the original notebook"
    return (f"`{name}` has different parameters from {original}: expected {name}({expected.text}), "
            f"found {name}({found}) ({where}). {why[0].upper()}{why[1:]}: restore the original `def` line.")
