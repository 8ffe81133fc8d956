"""Run a variant's function in-process, the way the engine feeds the teaching checks.

For unit tests of the checks' judgement: the student's code is compiled with a cell-like
filename, the real observers are started and stopped around each call (as the sandboxed
child does), code origins are recorded while student code loads and runs (as in the child),
calls are timed around the call (as the parent does around a round trip), other graded
functions are the reference's (reference attribution), and the checks get the batch's
reference and per-batch state. The end-to-end tests in test_vectorized.py / test_rank1.py go
through ``grader.pipeline`` and the real sandbox instead.
"""
from __future__ import annotations

import copy
import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from grader.cases import make_cases
from grader.checks import FunctionRun, ProbeRun
from grader.outcomes import CallOutcome, CaseRun
from grader.reference import load_reference
from grader.sandbox.observers import OBSERVERS, ORIGINS, record_code_origins

VARIANTS = Path(__file__).resolve().parent
CORRECT = sorted((VARIANTS / "correct").glob("*.py"))
CAUGHT = sorted((VARIANTS / "caught").glob("*.py"))
MARKER = "# <- caught"


@dataclass
class Chunk:
    filename: str
    source: str
    cell_index: int = 1
    first_line: int = 1


@dataclass
class Submission:
    student: str
    chunks: list
    functions: dict = field(default_factory=dict)
    digest: str = ""
    status: str = "ok"
    problems: list = field(default_factory=list)


@dataclass
class Source:
    name: str
    filename: str
    lineno: int
    end_lineno: int
    source: str
    params: list


def expectation(path: Path) -> tuple[str, str, int]:
    """(check, function, line) a caught variant declares: its first line and its marker."""
    text = path.read_text(encoding="utf-8")
    head = re.match(r"# caught: (\w+) (\w+)", text)
    assert head, f"{path.name}: first line must be '# caught: <check> <function>'"
    lines = [i for i, line in enumerate(text.splitlines(), 1) if MARKER in line]
    assert len(lines) == 1, f"{path.name}: exactly one '{MARKER}' marker"
    return head.group(1), head.group(2), lines[0]


def defined_functions(source: str, assignment) -> list:
    import ast
    tree = ast.parse(source)
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in assignment.functions]


class LocalRunner:
    """Builds FunctionRuns for one variant file against one assignment."""

    def __init__(self, assignment, path: Path):
        self.assignment = assignment
        self.path = Path(path)
        self.filename = f"<{self.path.name}>"
        self.source = self.path.read_text(encoding="utf-8")
        self.reference = reference_of(assignment)
        chunk = Chunk(self.filename, self.source)
        self.submission = Submission(student=self.path.stem, chunks=[chunk], digest=self.path.name)
        import ast
        for node in ast.parse(self.source).body:
            if isinstance(node, ast.FunctionDef):
                self.submission.functions[node.name] = Source(
                    node.name, self.filename, node.lineno, node.end_lineno, ast.get_source_segment(self.source, node),
                    [a.arg for a in node.args.args])

    def namespace(self, name: str) -> dict:
        namespace = {"__name__": "__student__"}
        with student_code():
            exec(compile(self.source, self.filename, "exec"), namespace)
        namespace.update(self.reference.proxies_for(name, self.assignment.attribution))
        return namespace

    def call(self, function, args, kwargs, observe=()) -> CallOutcome:
        observers = [OBSERVERS[o]() for o in observe]
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        reports = {}
        start = time.perf_counter()
        for observer in observers:
            observer.start({self.filename})
        try:
            with student_code():
                value = function(*args, **kwargs)
            status, error = "ok", ""
        except Exception as exc:  # the student's code raised: where, as the sandboxed child says
            value, status, error = None, "error", f"{type(exc).__name__}: {exc}"
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.filename]
            line, filename = (frames[-1].lineno, self.filename) if frames else (None, "")
        finally:
            for name, observer in zip(reversed(observe), reversed(observers)):
                reports[name] = observer.stop()
        seconds = time.perf_counter() - start
        if status == "ok":
            line, filename = None, ""
        return CallOutcome(status=status, value=value, error=error, seconds=seconds, observations=reports,
                           line=line, filename=filename)

    def run(self, name: str, checks) -> FunctionRun:
        spec = self.assignment.functions[name]
        namespace = self.namespace(name)
        function = namespace[name]
        observe = tuple(dict.fromkeys(o for check in checks for o in check.observers))
        run = FunctionRun(spec=spec, assignment=self.assignment, cases=[], source=self.submission.functions.get(name),
                          submission=self.submission, output_names=self.reference.output_names.get(name),
                          reference=self.reference, state=_states(self.assignment, self.reference))
        for case in make_cases(spec):
            expected = self.reference.run(name, case.args, case.kwargs)
            run.cases.append(CaseRun(case, expected, self.call(function, case.args, case.kwargs, observe)))
        for check in checks:
            runs = []
            for probe in check.probes(spec, self.assignment, self.reference):
                outcomes = []
                for _ in range(max(1, probe.repeat)):
                    outcome = self.call(function, probe.case.args, probe.case.kwargs, probe.observe)
                    outcomes.append(outcome)
                    if not outcome.ok:
                        break
                probe_run = ProbeRun(probe=probe, outcomes=outcomes)
                if probe.with_reference:
                    reference = self.reference.function(name)
                    for _ in range(max(1, probe.repeat)):
                        a, k = copy.deepcopy(probe.case.args), copy.deepcopy(probe.case.kwargs)
                        start = time.perf_counter()
                        probe_run.expected = reference(*a, **k)
                        probe_run.reference_seconds.append(time.perf_counter() - start)
                runs.append(probe_run)
            run.probes[check.name] = runs
        return run


class student_code:
    """Record code origins while student code loads or runs (the sandboxed child records from
    its fork on; this process records only then, so pytest's own code is never counted)."""

    def __enter__(self):
        record_code_origins()

    def __exit__(self, *exc):
        ORIGINS.recording = False


_REFERENCES: dict = {}
_STATES: dict = {}


def _states(assignment, reference) -> dict:
    """One per-batch state per assignment for the whole test session, as one batch would have."""
    from grader.checks import all_checks

    key = str(assignment.solution)
    if key not in _STATES:
        _STATES[key] = {name: check.prepare(assignment, reference) for name, check in all_checks().items()}
    return _STATES[key]


def reference_of(assignment):
    key = str(assignment.solution)
    if key not in _REFERENCES:
        _REFERENCES[key] = load_reference(assignment.solution, list(assignment.functions))
    return _REFERENCES[key]
