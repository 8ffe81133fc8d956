"""Grade a batch of submissions: prepare once, run each submission sandboxed, judge, report.

- :class:`Batch` holds what is computed once per batch in the trusted process: the
  reference, every case's inputs and the reference's outputs, the checks and their probes.
- :func:`execute` runs one submission's calls in its sandboxed child and returns the
  plain data the checks judge (:class:`~grader.checks.FunctionRun` per function).
- :func:`judge` turns a FunctionRun into scored tests with every configured check.
- :func:`grade_paths` ties them together with the pytest engine (``grader.engine``),
  and :func:`grade_folder` adds the reports; it is what ``grader grade`` runs.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import outcomes as st
from grader.cases import make_cases
from grader.checks import Check, FunctionRun, ProbeRun, all_checks
from grader.config import AssignmentSpec
from grader.errors import SolutionError, UserError
from grader.outcomes import CallOutcome, CaseRun, StudentResult, TestResult, Verdict
from grader.reference import Reference, load_reference
from grader.score import score_verdict


@dataclass
class PreparedProbe:
    probe: object                 # grader.checks.Probe
    expected: object = None
    reference_seconds: list = field(default_factory=list)


@dataclass
class Batch:
    """Everything trusted that grading needs, computed once and shared by all submissions."""

    assignment: AssignmentSpec
    reference: Reference
    cases: dict                   # function -> [Case]
    expected: dict                # function -> [reference output per case]
    checks: dict                  # function -> [Check] configured for it (with points)
    probes: dict                  # function -> {check name: [PreparedProbe]}
    observers: dict               # function -> tuple of observer names for its case calls
    stats: dict = field(default_factory=dict)

    @classmethod
    def prepare(cls, assignment: AssignmentSpec) -> "Batch":
        started = time.perf_counter()
        reference = load_reference(assignment.solution, list(assignment.functions))
        registry = all_checks()
        cases, expected, checks, probes, observers = {}, {}, {}, {}, {}
        for name, spec in assignment.functions.items():
            _check_inputs_match_parameters(reference, assignment, spec)
            cases[name] = make_cases(spec)
            expected[name] = [_reference_output(reference, assignment, case) for case in cases[name]]
            checks[name] = [check for check_name, check in registry.items() if check_name in spec.points]
            probes[name] = {}
            for check in checks[name]:
                prepared = []
                for probe in check.probes(spec, assignment):
                    item = PreparedProbe(probe)
                    if probe.with_reference:
                        item.expected, item.reference_seconds = _time_reference(reference, probe)
                    prepared.append(item)
                probes[name][check.name] = prepared
            observers[name] = tuple(dict.fromkeys(o for check in checks[name] for o in check.observers))
        batch = cls(assignment, reference, cases, expected, checks, probes, observers)
        batch.stats["prepare_seconds"] = time.perf_counter() - started
        return batch


def _check_inputs_match_parameters(reference: Reference, assignment: AssignmentSpec, spec) -> None:
    """Inputs are passed by position, so config.yaml must list them in the reference's order."""
    import inspect

    params = list(inspect.signature(reference.function(spec.name)).parameters)
    inputs = list(spec.inputs)
    if params[: len(inputs)] != inputs:
        raise UserError(
            f"assignments.{assignment.name}.functions.{spec.name}.inputs lists {', '.join(inputs)}, but the "
            f"reference {spec.name}() takes ({', '.join(params)})",
            path=assignment.root / "config.yaml",
            hint="list the inputs in the order of the function's parameters; pass the others as kwargs")


def _reference_output(reference: Reference, assignment: AssignmentSpec, case):
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. overflow in exp for |z| = 1000: expected, harmless
            return reference.run(case.function, case.args, case.kwargs)
    except Exception as exc:
        raise SolutionError(
            f"the reference {case.function}() raised {type(exc).__name__}: {exc} on case {case.name!r}",
            path=assignment.solution,
            hint="fix the reference, or the case's inputs in config.yaml") from exc


def _time_reference(reference: Reference, probe):
    seconds = []
    result = None
    for _ in range(max(1, probe.repeat)):
        args, kwargs = copy.deepcopy(probe.case.args), copy.deepcopy(probe.case.kwargs)
        start = time.perf_counter()
        result = reference.function(probe.case.function)(*args, **kwargs)
        seconds.append(time.perf_counter() - start)
    return result, seconds


# --------------------------------------------------------------------------- execute


def execute(batch: Batch, sandbox, submission, hand_over=None) -> dict:
    """Run every case and probe of every function of one submission; return FunctionRuns.

    ``hand_over(session)``, if given, receives the still-open session at the end instead of
    closing it (the instructor's tests of this student then reuse its child)."""
    runs = {}
    assignment = batch.assignment
    usable = submission.status == "ok"
    session = sandbox.open(submission.chunks, student=submission.student) if usable and submission.chunks else None
    try:
        for name, spec in assignment.functions.items():
            source = submission.functions.get(name)
            run = FunctionRun(spec=spec, assignment=assignment, cases=[], source=source, submission=submission,
                              output_names=batch.reference.output_names.get(name), reference=batch.reference)
            if source is None or session is None:
                runs[name] = unrun(batch, name, submission, st.MISSING, missing_reason(submission, name),
                                   source=source)
                continue
            proxies = batch.reference.proxy_names(name, assignment.attribution)
            timed_out = None
            for case, expected in zip(batch.cases[name], batch.expected[name]):
                if timed_out is not None:
                    # One hang costs this function's cases, not a full timeout for each of them.
                    run.cases.append(CaseRun(case, expected, CallOutcome(
                        st.TIMEOUT, error=f"not run: it did not return within {spec.timeout_seconds:g} s "
                                          f"on an earlier case ({timed_out})")))
                    continue
                outcome = session.call(name, case.args, case.kwargs, proxies=proxies,
                                       timeout=spec.timeout_seconds, observe=batch.observers[name])
                if outcome.status == st.MISSING:
                    outcome = _load_failure(session, source, name) or outcome
                run.cases.append(CaseRun(case, expected, outcome))
                if outcome.status == st.TIMEOUT:
                    timed_out = case.name
            if timed_out is not None:
                runs[name] = run
                continue
            for check_name, prepared in batch.probes[name].items():
                run.probes[check_name] = [_run_probe(session, item, proxies, spec.timeout_seconds)
                                          for item in prepared]
            runs[name] = run
    finally:
        if session is not None:
            if hand_over is not None:
                hand_over(session)
            else:
                session.close()
    return runs


def _load_failure(session, source, name: str) -> CallOutcome | None:
    """Why a function is not defined in the child: its cell failed to load (hung, died, raised).

    Without this, a cell that hangs or exits while loading reads "not defined by the submission".
    """
    for report in getattr(session, "load_report", ()):
        if report.filename == source.filename and not report.ok:
            cell = source.filename.strip("<>")
            return CallOutcome(report.status, error=f"{name} was never defined: loading {cell} failed: {report.error}",
                               traceback=report.traceback, line=report.line, filename=report.filename,
                               stdout=report.stdout)
    return None


def unrun(batch: Batch, name: str, submission, status: str, message: str, source=None) -> FunctionRun:
    """A function none of whose cases ran: each case's outcome is ``status`` with ``message``."""
    return FunctionRun(
        spec=batch.assignment.functions[name], assignment=batch.assignment, source=source,
        submission=submission, missing=message, output_names=batch.reference.output_names.get(name),
        reference=batch.reference,
        cases=[CaseRun(case, expected, CallOutcome(status, error=message))
               for case, expected in zip(batch.cases[name], batch.expected[name])])


def _run_probe(session, item: PreparedProbe, proxies, timeout) -> ProbeRun:
    probe = item.probe
    outcomes = []
    for _ in range(max(1, probe.repeat)):
        outcome = session.call(probe.case.function, probe.case.args, probe.case.kwargs, proxies=proxies,
                               timeout=timeout, observe=probe.observe)
        outcomes.append(outcome)
        if not outcome.ok:
            break
    return ProbeRun(probe=probe, outcomes=outcomes, expected=item.expected,
                    reference_seconds=list(item.reference_seconds))


def missing_reason(submission, name: str) -> str:
    for problem in submission.problems:
        if problem.function == name:
            return problem.message
    if submission.status != "ok":
        return next((p.message for p in submission.problems if p.function is None),
                    f"the submission could not be read ({submission.status})")
    return f"no function named {name} was found in the submission"


# --------------------------------------------------------------------------- judge


def judge(batch: Batch, run: FunctionRun) -> list:
    """Every configured check's verdicts on one function, scored."""
    spec = run.spec
    verdicts_by_check: dict[str, list] = {}
    tests: list[TestResult] = []
    for check in batch.checks[spec.name]:
        verdicts = _verdicts(check, run, verdicts_by_check)
        verdicts_by_check[check.name] = verdicts
        if run.source is not None:
            for verdict in verdicts:  # a line without a cell is in the function's own cell
                for finding in verdict.findings:
                    if finding.line and not finding.filename:
                        finding.filename = run.source.filename
        tests.extend(score_verdict(v, spec.points[check.name], check.per_case) for v in verdicts)
    return tests


def _verdicts(check: Check, run: FunctionRun, earlier: dict) -> list:
    name = run.spec.name
    if check.per_case:
        return check.judge(run)
    if run.missing:
        return [Verdict(function=name, check=check.name, hidden=False, fraction=0.0,
                        findings=[st.Finding(message=f"not judged: {run.missing}")])]
    required = [earlier[r] for r in check.requires if r in earlier]
    if required and not any(v.passed_cases for verdicts in required for v in verdicts):
        either = " or ".join(r for r in check.requires if r in earlier)
        return [Verdict(function=name, check=check.name, hidden=False, fraction=0.0, findings=[st.Finding(
            message=f"not judged yet: this check is judged once {name} passes at least one case of the "
                    f"{either} check")])]
    try:
        return check.judge(run)
    except Exception as exc:  # a bug in a check must not cost the batch; it is reported, not hidden
        raise RuntimeError(f"the {check.name} check failed on {name}: {type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- batch


def find_submissions(folder: Path) -> list:
    """The submissions in a folder: <student>.ipynb, <student>.py, or <student>/, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("submissions folder not found", path=folder,
                        hint="pass the folder that holds <student>.ipynb files")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name.startswith("_"):
            continue
        if entry.is_dir() or entry.suffix in (".ipynb", ".py"):
            found.append(entry)
    return found


def grade_paths(assignment: AssignmentSpec, paths: list, *, jobs: int = 2, batch: Batch | None = None,
                progress: bool = False, stats: dict | None = None, ids: list | None = None,
                on_done=None, deny_paths: tuple = (), processes: int | None = None) -> list:
    """Grade submissions (paths) and return a StudentResult per path, in the same order.

    ``jobs`` submissions are graded at once. A large batch is split between several grader
    processes (``grader.parallel``; ``processes=None`` decides from the batch size and the
    cores, ``1`` keeps everything in this process). ``on_done(result)`` is called as soon as
    each student's result is final.
    """
    import os

    from grader.engine import run_engine, student_ids
    from grader.parallel import grade_in_processes, plan_processes

    if not paths:
        return []
    paths = [Path(p) for p in paths]
    # A prepared batch lives in this process: it is graded here.
    processes, per_process = plan_processes(jobs, len(paths), os.cpu_count() or 1,
                                            1 if batch is not None else processes)
    if processes > 1:
        bar = None
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(paths), unit="student", desc="grading", dynamic_ncols=True, leave=False)
        try:
            return grade_in_processes(assignment, paths, ids if ids is not None else student_ids(paths),
                                      processes=processes, jobs_per_process=per_process, on_done=on_done,
                                      progress=bar, deny_paths=tuple(deny_paths), stats=stats)
        finally:
            if bar is not None:
                bar.close()
    batch = batch or Batch.prepare(assignment)
    return run_engine(batch, paths, jobs=jobs, progress=progress, stats=stats,
                      ids=ids, on_done=on_done, deny_paths=tuple(deny_paths))


def grade_one(assignment: AssignmentSpec, path) -> StudentResult:
    return grade_paths(assignment, [path], jobs=1)[0]


def grade_folder(assignment: AssignmentSpec, submissions: Path, out: Path, *, jobs: int, force: bool = False,
                 scheduler: str | None = None, quiet: bool = False) -> int:
    import sys

    from grader import cache
    from grader.engine import student_ids
    from grader.report import print_summary, write_gradebook, write_student

    out = Path(out)
    paths = find_submissions(submissions)
    if not paths:
        raise UserError("no submissions found (expected <student>.ipynb, <student>.py or <student>/)",
                        path=submissions)
    ids = student_ids(paths)
    base = cache.batch_key(assignment)
    keys = [cache.submission_key(base, path) for path in paths]
    results: list = [None] * len(paths)
    if not force:
        for i in range(len(paths)):
            results[i] = cache.load(out, ids[i], keys[i])
    todo = [i for i, result in enumerate(results) if result is None]
    key_of = {ids[i]: keys[i] for i in todo}

    def finished(result) -> None:
        write_student(assignment, result, out)
        cache.store(out, result, key_of[result.student])

    if todo:
        todo_paths, todo_ids = [paths[i] for i in todo], [ids[i] for i in todo]
        if scheduler:
            from grader.distributed import grade_on_cluster
            graded = grade_on_cluster(assignment, todo_paths, scheduler, ids=todo_ids, on_done=finished)
        else:
            out.mkdir(parents=True, exist_ok=True)
            graded = grade_paths(assignment, todo_paths, jobs=jobs, ids=todo_ids, on_done=finished,
                                 progress=sys.stderr.isatty() and not quiet, deny_paths=(submissions, out))
        for i, result in zip(todo, graded):
            results[i] = result
    for i, result in enumerate(results):
        if i not in todo:
            write_student(assignment, result, out)  # cheap, and repairs a deleted file
    write_gradebook(assignment, results, out)
    if not quiet:
        reused = len(paths) - len(todo)
        if reused:
            print(f"{reused} submission(s) unchanged since the last run: results reused (--force regrades)")
        print_summary(assignment, results, out)
    return 0
