"""The way a batch goes, top to bottom: what ``grader grade`` runs.

1. **find** the submissions in the folder (``submission.discover``); what is not a
   submission is listed in ``OUT/skipped.txt`` and warned about;
2. **cache**: a student whose submission, configuration, solutions and grader are unchanged
   since the last run keeps its result (``cache``);
3. **backend**: the rest is graded where the options say (``backends``: this process,
   several processes, a Dask cluster), each submission run sandboxed and judged, results
   arriving as each finishes, within a deadline computed from the limits;
4. **reports**: each student's files are written (and cached) as its result arrives; a
   student whose result never came is reported as not graded, with the reason; then the
   timings, the pairs of near-identical submissions (``similarity``), the gradebook, the
   class report and the summary.
"""
from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from grader import cache
from grader.similarity import write_similarity
from grader.backends import Job, Options, batch_seconds, choose_backend
from grader.engine.results import INTERNAL, not_graded
from grader.errors import UserError
from grader.report import print_summary, skipped_warning, write_batch, write_skipped, write_student
from grader.report.files import make_folder
from grader.report.progress import progress_display
from grader.report.timings import measured_seconds, write_timings
from grader.submission import max_bytes_of
from grader.submission.discover import discover, work_for
from grader.submission.identify import identify


def grade_folder(assignment, submissions: Path, out: Path, *, jobs: int, force: bool = False,
                 options: Options = Options(), quiet: bool = False, feedback_notebooks: bool = False) -> int:
    out = Path(out)
    max_bytes = max_bytes_of(assignment)
    found = discover(submissions, max_bytes=max_bytes)
    for note in found.notes:
        print(f"warning: {note}", file=sys.stderr)
    work = found.found
    if not work:
        raise UserError("no submissions found (expected <student>.ipynb, <student>.py or <student>/)",
                        path=submissions)
    make_folder(out)
    write_skipped(out, found.skipped)
    if found.skipped:
        print(skipped_warning(found.skipped, out), file=sys.stderr)
    base = cache.batch_key(assignment)
    keys = [cache.submission_key(base, item.path, max_bytes) for item in work]
    results = [None if force else cache.load(out, item.student, key) for item, key in zip(work, keys)]
    todo = [i for i, result in enumerate(results) if result is None]

    def finished(position: int, result) -> None:
        index = todo[position]
        results[index] = result
        write_student(assignment, result, out)
        if feedback_notebooks:
            _write_feedback_notebook(assignment, result, work[index].path, out)
        if result.status != INTERNAL:  # a grader failure is graded again next time
            cache.store(out, result, keys[index])

    stats: dict = {}
    grade(assignment, [work[i] for i in todo], jobs=jobs, options=options, on_result=finished,
          deny_paths=(Path(submissions), out), progress=not quiet, stats=stats)
    graded = set(todo)
    for i, result in enumerate(results):
        if i not in graded:
            write_student(assignment, result, out)  # cheap, and repairs a deleted file
            if feedback_notebooks:
                _write_feedback_notebook(assignment, result, work[i].path, out, only_missing=True)
    write_timings(out, measured_seconds(stats, [work[i].student for i in todo]), [item.student for item in work])
    write_similarity(assignment, work, keys, out)
    write_batch(assignment, results, out)
    if not quiet:
        reused = len(work) - len(todo)
        if reused:
            print(f"{reused} submission(s) unchanged since the last run: results reused (--force regrades)")
        print_summary(assignment, results, out)
    return 0


def _write_feedback_notebook(*args, **kwargs) -> None:
    # Imported when asked for (--feedback-notebooks): it needs nbformat, which takes about
    # 0.3 s to import (jsonschema with it), a tenth of a small batch's start.
    from grader.feedback_notebook import write_feedback_notebook

    write_feedback_notebook(*args, **kwargs)


def choose_assignment(config, name: str | None, submissions: Path):
    """The assignment named, the only one configured, or the one the submissions are for."""
    if name is not None or len(config.assignments) == 1:
        return config.assignment(name)
    first = next(iter(config.assignments.values()))
    found = discover(submissions, max_bytes=max_bytes_of(first)).found
    chosen, why = identify(found, {n: list(a.functions) for n, a in config.assignments.items()}, max_bytes_of(first))
    if chosen is None:
        raise UserError(f"several assignments are configured ({', '.join(config.assignments)}) and {why}",
                        path=submissions, hint="name the assignment: --assignment NAME (make grade ASSIGNMENT=NAME)")
    print(f"grading for the assignment {chosen}: {why} (--assignment NAME to choose)", file=sys.stderr)
    return config.assignment(chosen)


def grade_examples(config, name: str | None, out: Path, **options) -> int:
    """Grade each assignment's example submissions (``examples:``, default ``examples/<name>``)
    into ``out/<name>``: what ``make grade`` shows on a fresh clone."""
    chosen = [config.assignment(name)] if name else list(config.assignments.values())
    graded = 0
    for assignment in chosen:
        if not assignment.examples.is_dir():
            print(f"{assignment.name}: no example submissions in {assignment.examples}", file=sys.stderr)
            continue
        if graded and not options.get("quiet"):
            print()
        grade_folder(assignment, assignment.examples, Path(out) / assignment.name, **options)
        graded += 1
    if not graded:
        raise UserError("no example submissions to grade", path=config.path,
                        hint="name a folder of submissions: grader grade SUBMISSIONS (make grade SUBMISSIONS=dir)")
    return 0


def grade(assignment, work: list, *, jobs: int, options: Options = Options(), processes: int | None = None,
          on_result=None, deny_paths: tuple = (), stats: dict | None = None, batch=None,
          progress: bool = False, store: Path | None = None) -> list:
    """Grade ``work`` (``Found`` items) and return a StudentResult per item, in order.
    ``processes`` is a shortcut for ``options.processes``. ``store``: a folder of the grader's,
    never readable by student code, where the mistake models' outputs are kept for every grader
    process of the batch and for later batches (none: a batch split between processes shares a
    private folder of its own). They are derived from the hidden cases: never a folder that
    students may see, such as OUT.

    ``on_result(position, result)`` is called as each result arrives. ``progress`` shows the
    batch's progress on stderr: tqdm's bar on a terminal, else a line every few seconds
    (``report.progress``), so a batch logged to a file or run by CI says it is alive. Whatever happens, every
    item gets a result: one that did not arrive within the batch's bound is reported as not
    graded, with the reason."""
    if not work:
        return []
    seconds = batch_seconds(assignment, len(work), jobs)
    job = Job(assignment, list(work), jobs, time.monotonic() + seconds, tuple(deny_paths), stats, batch,
              store=str(store) if store is not None else None)
    if processes is not None:
        options = dataclasses.replace(options, processes=processes)
    backend = choose_backend(job, options)
    results: list = [None] * len(work)
    bar = progress_display(len(work)) if progress else None

    def arrived(position: int, result) -> None:
        results[position] = result
        if on_result is not None:
            on_result(position, result)
        if bar is not None:
            bar.update(1)

    try:
        for position, result in backend.grade(job):
            arrived(position, result)
        for position, result in enumerate(results):
            if result is None:
                arrived(position, not_graded(assignment, work[position],
                                             f"grading did not finish within the batch's time bound ({seconds:g} s)"))
    finally:
        if bar is not None:
            bar.close()
    return results


def grade_paths(assignment, paths: list, *, jobs: int = 2, **options) -> list:
    """Grade submission paths (ids from their names, as ``grader grade`` makes them)."""
    return grade(assignment, work_for([Path(p) for p in paths]), jobs=jobs, **options)
