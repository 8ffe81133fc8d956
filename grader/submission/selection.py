"""Which code of a submission the grader keeps, and what to tell the student about the rest.

The rules (see ``docs/internals.md``, ``grader.submission``):

1. A graded function's definition is the last top-level ``def NAME`` of the last *graded cell*
   of NAME (a cell starting with ``# GRADED FUNCTION: NAME``, or marked so in its metadata by
   our generator or by nbgrader); when no graded cell defines it (the student split or copied
   cells), the last top-level ``def NAME`` of any code cell. Other definitions are duplicates.
2. From there, the needed module-level names are followed transitively to the statements that
   bind them: imports, defs, classes, and constants (literals, arithmetic, calls of module
   functions such as ``np.finfo(float).eps``). Everything else is dropped: training runs, plots,
   prints, loops, ``input()``, test calls. A name bound only by dropped code is reported, never kept.
3. In a notebook, a name counts as a top-to-bottom run would have it: a graded function (and the
   helpers it calls) sees the last binding before the notebook first runs it (the first top-level
   statement after its def that uses it: its test cell, usually; without one, its own cell whole),
   a constant the bindings above it. A name only later code binds is the NameError the student
   would get, and is reported so; when code kept for other functions binds it anyway, the
   function is not run (``blocked``), since running it would hide that error. In a module, the
   last binding counts.
4. A cell that does not parse is not kept; its graded functions get a ``syntax`` problem.

Costs stay linear in the size of the submission: a name is looked up only in the units that
hold it as a word, each name is resolved once (iteratively: a chain of ten thousand constants
is not ten thousand nested calls), and at most :data:`MAX_NOTES` notes are written per graded
function, so that a hostile notebook cannot make the analysis or its messages explode.
The messages themselves are written in :mod:`grader.submission.reports`.
"""
from __future__ import annotations

import ast
import builtins
import importlib.util
import warnings
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from grader.submission import pysource, reports
from grader.submission.parsed import (Binding, Definition, Parsed, binding_pattern, defs_pattern, definitions,
                                      word_index)
from grader.submission.reading import Unit

__all__ = ["select", "Selection", "Note", "Chooser", "Parsed", "Definition", "Binding", "MAX_NOTES",
           "BUILTINS", "IPYTHON_NAMES"]

BUILTINS = frozenset(dir(builtins))
# Names IPython puts in a notebook's namespace: not student bindings, not errors.
IPYTHON_NAMES = frozenset({"display", "get_ipython", "In", "Out", "exit", "quit", "_", "__", "___"})
MAX_NOTES = 10   # per graded function: the first ones are what the student fixes first
WHOLE_CELL = 1 << 30   # a line after any line of a cell: a function sees all of its own cell

_defs_pattern = defs_pattern  # the name tests use


@dataclass
class Note:
    function: str | None
    kind: str
    message: str


@dataclass
class Selection:
    parsed: list[Parsed]
    kept: dict = field(default_factory=dict)       # id(Parsed) -> {statement ids}
    winners: dict = field(default_factory=dict)    # function -> Definition (node set)
    notes: list = field(default_factory=list)
    blocked: set = field(default_factory=set)      # functions not to run (see rule 3)


def select(units: list[Unit], functions: list[str], is_notebook: bool, course_modules=()) -> Selection:
    """``course_modules``: module names of the assignment's extra files, importable while grading."""
    selection = Selection([Parsed(u) for u in units if u.is_code])
    defs = defs_pattern(tuple(functions))
    for position, p in enumerate(selection.parsed):  # one scan of each cell for the graded names it may define
        p.position = position
        p.defines = set(defs.findall(p.unit.text)) if "def" in p.unit.text else set()
    with warnings.catch_warnings():
        # SyntaxWarnings ("\d", `x is 1`...) are the student's business, not the grader's log's.
        warnings.simplefilter("ignore", SyntaxWarning)
        Chooser(selection, functions, units, is_notebook, course_modules).run()
    return selection


class Chooser:
    def __init__(self, selection: Selection, functions, units, is_notebook, course_modules=()):
        self.s = selection
        self.course_modules = frozenset(course_modules)
        self._index: dict[str, list[Binding]] = {}
        self._bindings: dict[int, Binding] = {}
        self.functions = functions
        self.units = units
        self.is_notebook = is_notebook
        self._resolved: dict[tuple, tuple] = {}   # (name, limit) -> resolve()'s answer
        self._stars: list | None = None
        self._counts: dict = {}     # function -> notes written for it
        self._unwritten: dict = {}  # function -> notes over MAX_NOTES, counted only
        self.later: dict = {}       # function -> {name only later cells bind: its note, or None}
        self._first_use: dict = {}  # function -> (Parsed, statement) first running it, or None

    # ---- helpers
    @cached_property
    def words(self) -> dict[str, list[int]]:
        return word_index(self.s.parsed)

    def mentioning(self, name: str) -> list[Parsed]:
        """The units whose text may bind or use ``name``, in notebook order. Non-ASCII names
        are looked for everywhere (Python normalizes identifiers; words in the text are not)."""
        if name == "*":
            name = "import"
        elif not name.isascii():
            return self.s.parsed
        return [self.s.parsed[i] for i in self.words.get(name, ())]

    def bindings(self, name: str) -> list[Binding]:
        """The top-level statements that bind ``name``, in notebook order."""
        found = self._index.get(name)
        if found is None:
            pattern, found = None, []
            for p in self.mentioning(name):
                if "_parsed" not in p.__dict__ and name.isascii():  # parse it only if it may bind name
                    pattern = pattern or binding_pattern(name)
                    if not pattern.search(p.unit.text):
                        continue
                for stmt in p.bindings.get(name, ()):
                    binding = self._bindings.get(id(stmt))
                    if binding is None:
                        binding = self._bindings[id(stmt)] = Binding(p, stmt)
                    found.append(binding)
            self._index[name] = found
        return found

    @cached_property
    def names(self) -> list[str]:
        """Every name bound at the top level anywhere (parses everything: rare messages only)."""
        return sorted({name for p in self.s.parsed for name in p.bindings if name != "*"})

    def full(self, function) -> bool:
        """Has ``function`` had its share of notes? Callers skip costly analysis then."""
        return self._counts.get(function, 0) >= MAX_NOTES

    def note(self, function, kind, message) -> Note | None:
        if self.full(function):
            self._unwritten[function] = self._unwritten.get(function, 0) + 1
            return None
        self._counts[function] = self._counts.get(function, 0) + 1
        self.s.notes.append(Note(function, kind, message))
        return self.s.notes[-1]

    def keep(self, parsed: Parsed, stmt: ast.stmt) -> None:
        self.s.kept.setdefault(id(parsed), {})[id(stmt)] = stmt

    def run(self) -> None:
        for name in self.functions:
            self.choose(name)
        for name in self.functions:
            winner = self.s.winners.get(name)
            if winner is not None:
                self.follow(name, winner)
        self._block_shadowed()
        self._say_unwritten()

    def _say_unwritten(self) -> None:
        for function, count in self._unwritten.items():
            last = next(n for n in reversed(self.s.notes) if n.function == function)
            last.message += (f"\n(and {count} more problem{'s' if count > 1 else ''} like these in "
                             f"`{function}`, not listed: fix the ones above first)")

    # ---- the graded definition of each function
    def choose(self, name: str) -> None:
        changed_type = reports.cell_types(self, name)
        found = definitions(self.s.parsed, name)
        graded = [d for d in found if name in d.parsed.unit.marks]
        if graded:
            winner, why = graded[-1], f"the last cell that {graded[-1].parsed.unit.marks[name]}"
        elif found:
            winner, why = found[-1], "the last definition" + (" in the notebook" if self.is_notebook else "")
        else:
            if not changed_type:  # else that note already says why it is missing
                reports.missing(self, name)
            return
        if winner.node is None:
            reports.syntax(self, name, winner)
        else:
            self.s.winners[name] = winner
        others = [d for d in found if d is not winner]
        if others:
            reports.duplicates(self, name, winner, others, why)

    # ---- what the graded definitions need
    def limit_of(self, binding: Binding) -> tuple | None:
        """Where a statement runs in a top-to-bottom run (None in a module: order does not count)."""
        return (binding.parsed.position, binding.stmt.lineno) if self.is_notebook else None

    def root_limit(self, function: str, winner: Definition) -> tuple | None:
        """What a graded function sees: what is bound before the notebook first runs it (the first
        top-level statement after its def that uses it: its test cell, usually), or, when nothing
        does, every cell up to its own, its own whole."""
        if not self.is_notebook:
            return None
        used = self.first_use(function)
        return (used[0].position, used[1].lineno) if used else (winner.parsed.position, WHOLE_CELL)

    def first_use(self, function: str) -> tuple | None:
        """(unit, statement) where the notebook first runs ``function`` after its def, or None."""
        if function not in self._first_use:
            winner = self.s.winners.get(function)
            self._first_use[function] = _first_use_of(self, function, winner) if winner is not None else None
        return self._first_use[function]

    def bindings_before(self, name: str, limit: tuple | None) -> list[Binding]:
        found = self.bindings(name)
        return found if limit is None else [b for b in found if (b.parsed.position, b.stmt.lineno) < limit]

    def resolve(self, name: str, limit: tuple | None = None) -> tuple:
        """(binding, None) when ``name`` resolves, before ``limit``, to something the grader keeps;
        (None, binding) when its last binding there is dropped code; (None, None) when nothing there
        binds it.

        A constant is kept when its calls are of modules and every name it needs resolves (before
        the constant itself, in a notebook). Computed once per name and limit, depth first with an
        explicit stack; a constant that needs itself through others (a cycle) is dropped, as Python
        would fail to run it."""
        key = (name, limit)
        if key in self._resolved:
            return self._resolved[key]
        stack, open_ = [key], set()
        while stack:
            current = stack[-1]
            if current in self._resolved:
                stack.pop()
                continue
            bindings = self.bindings_before(*current)
            last = bindings[-1] if bindings else None
            if last is None or last.category != "constant":
                ok = last is not None and last.category in ("module", "import", "def")
                self._resolved[current] = (None, None) if last is None else (last, None) if ok else (None, last)
                stack.pop()
                continue
            inner = self.limit_of(last)
            depends = [(d, inner) for d in sorted(last.call_roots | (last.needs - set(self.functions)))]
            if current not in open_:
                open_.add(current)
                stack += [d for d in depends if d not in self._resolved and d not in open_]
                continue
            ok = all(self._is_module(root, inner) for root in last.call_roots) and all(
                self._available(need, inner) for need in last.needs)
            self._resolved[current] = (last, None) if ok else (None, last)
            open_.discard(current)
            stack.pop()
        return self._resolved[key]

    def _is_module(self, name: str, limit) -> bool:
        binding, _ = self._resolved.get((name, limit), (None, None))  # unresolved: in a cycle
        return binding is not None and binding.category == "module"

    def _available(self, name: str, limit) -> bool:
        if name in self.functions:
            return name in self.s.winners
        if (name, limit) not in self._resolved:
            return False  # in a cycle
        binding, dropped = self._resolved[(name, limit)]
        return binding is not None or (dropped is None and name in BUILTINS)

    def follow(self, function: str, winner: Definition) -> None:
        self.keep(winner.parsed, winner.node)
        needs = pysource.needed_names(winner.node)
        reports.inputs(self, function, winner, needs)
        root = self.root_limit(function, winner)
        todo = deque((need, None, root) for need in sorted(needs))
        seen = {(need, root) for need in needs}
        unfinished = None
        while todo:
            name, via, limit = todo.popleft()
            if name in self.functions:
                continue  # the graded definition (kept anyway) or a stand-in from the grader
            binding, dropped = self.resolve(name, limit)
            if binding is not None:
                self.keep(binding.parsed, binding.stmt)
                # a def's names are looked up when it is called (as the graded function's are);
                # a constant's when its own line runs
                inner = self.limit_of(binding) if binding.category == "constant" else limit
                for need in sorted(binding.needs | binding.call_roots):
                    if (need, inner) not in seen:
                        seen.add((need, inner))
                        todo.append((need, binding, inner))
                continue
            if name in BUILTINS or name in IPYTHON_NAMES:
                continue
            if via is None and unfinished is None:
                unfinished = _unfinished(winner.node)
            if via is None and unfinished:
                continue  # a stub (raise NotImplementedError): the grader's runs already say so
            self.unresolved(function, name, winner if via is None else via, via, dropped, limit)

    def unresolved(self, function: str, name: str, where, via, dropped, limit) -> None:
        """Say why ``name`` is not there for ``function`` (at most MAX_NOTES notes, the rest counted)."""
        stars = self.star_imports(limit) if dropped is None else []
        later = self.later_binding(name, limit) if dropped is None and not stars else None
        if later is not None:
            self.later.setdefault(function, {})[name] = None
        if self.full(function):  # counted only: the analysis would cost for nothing
            if stars:
                self.keep_stars(stars)
            else:
                self.note(function, "undefined", "")
        elif dropped is not None:
            reports.dropped(self, function, name, via, dropped)
        elif reports.unbound_in_broken_code(self, function, name, via, limit):
            return
        elif stars:
            self.keep_stars(stars)
        elif later is not None:
            self.later[function][name] = reports.defined_later(self, function, name, where, via, later)
        else:
            reports.undefined(self, function, name, where, via)

    def later_binding(self, name: str, limit) -> Binding | None:
        """The first binding of ``name`` after ``limit`` (a top-to-bottom run reaches it too late)."""
        if limit is None:
            return None
        return next((b for b in self.bindings(name) if (b.parsed.position, b.stmt.lineno) >= limit), None)

    def _block_shadowed(self) -> None:
        """Functions that need a name only later cells bind, while code kept for other functions
        binds it: run, they would find it and hide the NameError, so they are not run."""
        if not self.later:
            return
        bound: set = set()
        for p in self.s.parsed:
            for stmt in self.s.kept.get(id(p), {}).values():
                bound |= pysource.module_bindings(stmt)
        for function, names in self.later.items():
            shadowed = sorted(set(names) & bound)
            if not shadowed or function not in self.s.winners:
                continue
            self.s.blocked.add(function)
            note = next((names[n] for n in shadowed if names[n] is not None), None)
            if note is not None:
                note.message += reports.not_run(function, shadowed)

    def star_imports(self, limit=None) -> list[Binding]:
        """``from X import *`` statements (before ``limit``) that may provide a name nothing else
        binds: those of installed libraries (``from numpy import *``) and of the assignment's extra
        files (``from planar_utils import *``); another file next to the notebook (``from
        public_tests import *``) is not there when grading. Found, never imported."""
        if self._stars is None:
            self._stars = [b for b in self.bindings("*") if b.category == "import"
                           and b.stmt.level == 0 and b.stmt.module
                           and (b.stmt.module in self.course_modules or _installed(b.stmt.module.split(".")[0]))]
        return [b for b in self._stars if limit is None or (b.parsed.position, b.stmt.lineno) < limit]

    def keep_stars(self, stars) -> None:
        for star in stars:
            self.keep(star.parsed, star.stmt)


def _first_use_of(ch, function: str, winner: Definition) -> tuple | None:
    """(unit, top-level statement) that first uses ``function`` after its def, in notebook order:
    a call, or the function passed on (``sigmoid_test(sigmoid)``); defs and lambdas only refer to it."""
    start, end = winner.parsed.position, winner.node.end_lineno
    for p in ch.mentioning(function):
        if p.position < start:
            continue
        for stmt in p.body:
            if p.position == start and stmt.lineno <= end:
                continue
            if pysource.runs_name(stmt, function):
                return p, stmt
    return None


def _unfinished(node: ast.AST) -> bool:
    """Does a function still hold the stub's ``raise NotImplementedError``?"""
    for n in ast.walk(node):
        if isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False


@lru_cache(maxsize=256)
def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
