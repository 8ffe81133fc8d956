"""``check("name")`` in the student's own kernel: the grader's checks on the public cases.

This module is not used by the grader: ``grader generate`` bundles it (:mod:`grader.bundle`)
with the checks' own modules into ``grader_check.py`` next to the notebook, where it runs with
numpy alone. It judges a function the way grading does, with the same check code, so it says
the same things in the same words, but from what a student's kernel can see:

- the **public cases** only (their inputs and the reference's outputs are data in the file);
  hidden cases decide the rest of the points when graded;
- the **checks' probes** (inputs at sizes a check chooses, drawn here as the grader draws them),
  so the rank-1 and vectorization checks judge from the same static and dynamic evidence;
- no sandbox and no reference code: the function runs in the kernel, with its callees as the
  student wrote them (graded, a callee is the reference's under reference attribution), and
  vectorization's timing layer is off (it needs the reference's time on the same machine), so
  an element-wise loop that runs in C is reported as a note here, and judged by timing when graded.

The code a check reads is the kernel's: the cells that define the function and the helpers it
uses, from the source IPython keeps for each cell (``linecache``), plus the kernel's imports.
"""
from __future__ import annotations

import ast
import copy
import linecache
import signal
import sys
import threading
import time
import traceback
import types
from dataclasses import dataclass, field, replace

import numpy as np

from grader import outcomes as st
from grader.checks import FunctionRun, ProbeRun
from grader.checks.analysis.compare import NOT_WRITTEN
from grader.checks.rank1 import Rank1State
from grader.grading.judge import judge
from grader.outcomes import CallOutcome, Case, CaseRun
from grader.sandbox.observers import OBSERVERS, ORIGINS, record_code_origins
from grader.versions import CURRENT, CURRENT_TITLE, FunctionTemplate, VersionSpec

HIDDEN_NOTE = "hidden cases and other sizes are graded too"


@dataclass
class Chunk:
    filename: str
    source: str


@dataclass
class KernelSubmission:
    """The kernel's code, as the checks read a submission: chunks of source with file names."""

    student: str
    chunks: list
    digest: str = ""
    functions: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    status: str = "ok"


@dataclass
class FunctionSource:
    name: str
    filename: str
    lineno: int
    end_lineno: int
    source: str
    params: list
    cell_index: int | None = None


class _Docstrings:
    """The reference's docstrings (the notebook's own): what the shapes check quotes."""

    def __init__(self, docstrings: dict):
        self.defs = {}
        for name, text in docstrings.items():
            tree = ast.parse(f"def {name}():\n    {text!r}\n")
            self.defs[name] = tree.body[0]

    def def_of(self, name: str):
        return self.defs.get(name)


class ReferenceView:
    """What the checks ask of the reference, as data: docstrings and output names. The kernel
    has no reference code, so nothing is called back (timing, which would, is off here)."""

    def __init__(self, output_names: dict, docstrings: dict, template_loops: dict | None = None):
        self.output_names = dict(output_names)
        self.source = _Docstrings(docstrings)
        # The notebook's own version, as grader.versions.version_of reads it: the loops its
        # template hands out (never charged, as in grading).
        self.version = VersionSpec(CURRENT, CURRENT_TITLE, {
            name: FunctionTemplate(name, None, tuple(loops)) for name, loops in (template_loops or {}).items()},
            current=True)

    def proxy_names(self, name: str, attribution: str) -> tuple:
        return ()


# --------------------------------------------------------------------------- the kernel's code


def user_function(value, module_name: str) -> bool:
    return isinstance(value, types.FunctionType) and value.__module__ == module_name


def kernel_code(function, namespace: dict, graded) -> tuple[list, set]:
    """The chunks of code the checks read, and their file names: every cell that defines the
    function, a graded function, or a helper they use (transitively), and the kernel's imports."""
    module_name = namespace.get("__name__", "__main__")
    todo = [function] + [namespace[n] for n in graded if user_function(namespace.get(n), module_name)]
    files, seen = [], set()
    while todo:
        current = todo.pop(0)
        filename = current.__code__.co_filename
        if filename in seen:
            continue
        seen.add(filename)
        lines = linecache.getlines(filename)
        if not lines:
            continue
        files.append(Chunk(filename, "".join(lines)))
        try:
            tree = ast.parse(files[-1].source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and user_function(namespace.get(node.id), module_name):
                todo.append(namespace[node.id])
    imports = [line for name, value in sorted(namespace.items()) if not name.startswith("_")
               for line in [_import_line(name, value)] if line]
    chunks = [Chunk("<imports>", "\n".join(imports) + "\n")] + files
    return chunks, {chunk.filename for chunk in files}


def _import_line(name: str, value) -> str:
    """The import statement that binds ``name`` to ``value`` (a module, or a module's function)."""
    if isinstance(value, types.ModuleType):
        return f"import {value.__name__} as {name}"
    module = getattr(value, "__module__", None)
    own = getattr(value, "__name__", None)
    if isinstance(module, str) and isinstance(own, str) and callable(value) and module.split(".")[0] in sys.modules \
            and not isinstance(value, types.FunctionType):
        return f"from {module} import {own} as {name}"
    return ""


def function_source(function, name: str) -> FunctionSource | None:
    code = function.__code__
    lines = linecache.getlines(code.co_filename)
    try:
        tree = ast.parse("".join(lines))
    except SyntaxError:
        return None
    node = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name
                 and n.lineno <= code.co_firstlineno <= (n.end_lineno or n.lineno)), None)
    if node is None:
        return None
    source = "".join(lines[node.lineno - 1:node.end_lineno])
    return FunctionSource(name, code.co_filename, node.lineno, node.end_lineno, source,
                          [a.arg for a in node.args.args])


# --------------------------------------------------------------------------- calls


class _TimedOut(BaseException):
    pass


def call(function, args, kwargs, *, filenames, observe=(), np_seed=None, timeout=None) -> CallOutcome:
    """One call as the sandboxed child makes it: fresh copies of the inputs, numpy's global seed
    when the case has one, the observers around it; what it raised, said as the child says it."""
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    observers = [(name, OBSERVERS[name]()) for name in observe]
    alarm = timeout and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if alarm:
        def expire(signum, frame):
            raise _TimedOut()
        previous = signal.signal(signal.SIGALRM, expire)
    started = time.perf_counter()
    value, status, error, trace, line, filename = None, st.OK, "", "", None, ""
    try:
        if np_seed is not None:
            np.random.seed(np_seed)
        # Code the call makes (exec under any file name) is the student's, as in the sandbox;
        # only while the call runs, so the kernel's own code never counts.
        record_code_origins()
        for _, observer in observers:
            observer.start(filenames)
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            value = function(*args, **kwargs)
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimedOut:
        status, error = st.TIMEOUT, f"{function.__name__}() did not return within {timeout:g} s"
    except MemoryError as exc:
        status, (error, trace, line, filename) = st.MEMORY, _described(exc, filenames)
    except Exception as exc:  # the student's code raised: said as the grader says it
        status, (error, trace, line, filename) = st.ERROR, _described(exc, filenames)
    finally:
        if alarm:
            signal.signal(signal.SIGALRM, previous)
        reports = {name: observer.stop() for name, observer in reversed(observers)}
        ORIGINS.recording = False
    return CallOutcome(status, value=value, error=error, traceback=trace, line=line, filename=filename,
                       seconds=time.perf_counter() - started, observations=reports)


def _described(exc: BaseException, filenames) -> tuple:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in filenames
              or (f.filename.startswith("<") and not f.filename.startswith("<frozen"))]
    line = frames[-1].lineno if frames else None
    filename = frames[-1].filename if frames else ""
    trace = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) + text if frames else ""
    return text, trace, line, filename


# --------------------------------------------------------------------------- the runtime


@dataclass
class Result:
    """One function's checks on its public cases: the grader's tests (scored from them)."""

    function: str
    tests: list
    max_points: float
    note: str = ""

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def passed(self) -> bool:
        return bool(self.tests) and all(t.passed for t in self.tests)

    def __repr__(self) -> str:
        return render(self)


class Runtime:
    """The assignment as data (specs of its functions with their public cases, the reference's
    outputs on them and its habits the rank-1 check allows) and the checks, run in the kernel."""

    def __init__(self, assignment, public: dict, output_names: dict, docstrings: dict, habits: dict, checks: list,
                 template_loops: dict | None = None):
        self.assignment = assignment
        self.public = public            # function -> [(Case, expected)]
        self.reference = ReferenceView(output_names, docstrings, template_loops)
        self.habits = habits            # function -> {"rank1"|"square"|"accidents": set of shapes}
        self.checks = sorted(checks, key=lambda c: (c.order, c.name))

    def spec(self, name: str):
        """The function's spec with every timing layer off: it compares with the reference's time."""
        spec = self.assignment.functions[name]
        options = dict(spec.checks)
        for check in self.checks:
            given = options.get(check.name) or check.parse_options({})
            if "timing" in given:
                options[check.name] = dict(given, timing=False)
        return replace(spec, checks=options)

    def check(self, name: str, function=None, namespace: dict | None = None) -> Result:
        if name not in self.assignment.functions:
            raise KeyError(f"{name!r} is not a graded function of this notebook "
                           f"(they are: {', '.join(self.assignment.functions)})")
        spec = self.spec(name)
        ORIGINS.codes.clear()   # what earlier checks' calls made is not this one's business
        ORIGINS.overflow = False
        namespace = namespace if namespace is not None else sys.modules["__main__"].__dict__
        function = function if function is not None else namespace.get(name)
        if not callable(function) or not hasattr(function, "__code__"):
            return Result(name, [], spec.max_points, note=f"{name} is not defined: run its cell first")
        chunks, filenames = kernel_code(function, namespace, self.assignment.functions)
        source = function_source(function, name)
        submission = KernelSubmission("you", chunks, functions={name: source} if source else {})
        checks = [c for c in self.checks if c.name in spec.points]
        run = FunctionRun(spec=spec, assignment=self.assignment, cases=[], source=source, submission=submission,
                          output_names=self.reference.output_names.get(name), reference=self.reference,
                          state={"rank1": Rank1State(habits=self.habits)})
        timeout = spec.timeout_seconds
        for case, expected in self.public[name]:
            outcome = call(function, case.args, case.kwargs, filenames=filenames, np_seed=case.np_seed,
                           timeout=timeout)
            run.cases.append(CaseRun(case, expected, outcome))
            if outcome.status == st.TIMEOUT:
                break   # one hang is enough to see: the next cases would hang too
        hung = any(c.outcome.status == st.TIMEOUT for c in run.cases)
        for check in checks if not hung else ():   # as graded: after a hang, no probe runs
            run.probes[check.name] = [self._probe(function, probe, spec, filenames, timeout)
                                      for probe in check.probes(spec, self.assignment, self.reference)]
        tests = judge(types.SimpleNamespace(checks={name: checks}), run)
        stub = run.cases and all(c.outcome.error.startswith("NotImplementedError") for c in run.cases)
        return Result(name, tests, spec.max_points, note=NOT_WRITTEN.format(name=name) if stub else "")

    @staticmethod
    def _probe(function, probe, spec, filenames, timeout) -> ProbeRun:
        if probe.case.np_seed is None and spec.np_seed is not None:   # the function's default, as graded
            probe = replace(probe, case=replace(probe.case, np_seed=spec.np_seed))
        outcomes = []
        for _ in range(max(1, probe.repeat)):
            outcome = call(function, probe.case.args, probe.case.kwargs, filenames=filenames,
                           observe=probe.observe, np_seed=probe.case.np_seed, timeout=timeout)
            outcomes.append(outcome)
            if not outcome.ok:
                break
        return ProbeRun(probe=probe, outcomes=outcomes)

    def check_all(self, namespace: dict | None = None) -> "Summary":
        namespace = namespace if namespace is not None else sys.modules["__main__"].__dict__
        return Summary([self.check(name, namespace=namespace) for name in self.assignment.functions])


def public_case(function: str, name: str, args: tuple, kwargs: dict, sizes: dict, np_seed=None) -> Case:
    return Case(function=function, name=name, hidden=False, args=tuple(args), kwargs=dict(kwargs),
                sizes=dict(sizes), np_seed=np_seed)


# --------------------------------------------------------------------------- what the student reads


def _points(value: float) -> str:
    return f"{value:g}"


def render(result: Result) -> str:
    if not result.tests:
        return f"{result.function}: {result.note or 'no check of the grader gives it points: the instructor tests it'}"
    lines = [f"{result.function}: {_points(result.score)} of {_points(result.max_points)} points on the public "
             f"cases ({HIDDEN_NOTE})"]
    if result.note:
        lines.append(f"  {result.note}")
    for test in result.tests:
        if not test.max_score and not test.findings:
            continue   # a check that counts for nothing here, and has nothing to say
        mark = "ok  " if test.passed else "FAIL"
        lines.append(f"  {mark} {test.check}: {_points(test.score)}/{_points(test.max_score)}")
        for finding in test.findings:
            lines.extend("      " + line for line in render_finding(finding))
    return "\n".join(lines)


def render_finding(finding) -> list:
    lines = [f"- {finding.case}: {finding.message}" if finding.case else f"- {finding.message}"]
    if finding.line:
        lines.append(f"  line {finding.line}: {finding.excerpt}" if finding.excerpt else f"  line {finding.line}")
    for label, text in (("inputs", finding.inputs), ("expected", finding.expected), ("got", finding.actual)):
        if text:
            lines.append(f"  {label}: " + text.replace("\n", "\n  " + " " * (len(label) + 2)))
    if finding.fix:
        lines.append(f"  fix: {finding.fix}")
    return lines


@dataclass
class Summary:
    results: list

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.results), 4)

    @property
    def max_points(self) -> float:
        return round(sum(r.max_points for r in self.results), 4)

    def __repr__(self) -> str:
        width = max(len(r.function) for r in self.results) if self.results else 8
        lines = [f"{'function':<{width}}  points  checks failed on the public cases"]
        for r in self.results:
            failed = ", ".join(t.check for t in r.tests if not t.passed) or r.note or "-"
            lines.append(f"{r.function:<{width}}  {_points(r.score):>3}/{_points(r.max_points):<3} {failed}")
        lines.append(f"{'total':<{width}}  {_points(self.score):>3}/{_points(self.max_points):<3} ({HIDDEN_NOTE})")
        return "\n".join(lines)
