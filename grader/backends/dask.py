"""Grade on a Dask cluster: ``grader grade SUBMISSIONS --scheduler tcp://HOST:8786``.

Each Dask task grades a chunk of submissions on a worker with the engine ``grader grade``
uses locally (the worker's own sandbox, zygote and pytest session), so a cluster gives the
same results as one machine, byte for byte.

What crosses the network, and why:
- **to the workers**, once per batch (``Client.scatter``, broadcast): the assignment's
  settings (the parsed ``AssignmentSpec``; plain frozen dataclasses) and the bytes of the
  files grading reads (the solution folder with its helpers and instructor tests, the extra
  and hidden-test files), with their paths relative to the course folder. Workers need not
  share a file system with the machine that runs ``grader grade``; each unpacks the course
  into a private temporary folder, keyed by the content's digest, and prepares the batch (the
  reference's outputs) once per worker process, not per task.
- **to the workers**, per task: the bytes of the chunk's submissions, with their file names
  and student ids. Chunks are submitted as earlier ones finish (a bounded number in flight),
  so neither the client nor the scheduler holds every submission at once.
- **back**, per task: each StudentResult as JSON text (plain data only, never a pickle of
  anything derived from student code); the client rebuilds the dataclasses.

The cluster is trusted infrastructure (it receives the reference solutions and hidden tests);
student code runs only in the workers' sandboxes, as it does locally.

Within a worker process, grading tasks run one at a time (a lock), each using as many
sandboxes as the worker has threads (``dask worker --nthreads``), because one pytest session
per process at a time is what pytest supports.
"""
from __future__ import annotations

import atexit
import dataclasses
import hashlib
import math
import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

from grader import __version__
from grader.backends.base import Job, batch_seconds
from grader.engine import run_engine
from grader.engine.results import not_graded
from grader.errors import UserError
from grader.grading import Batch
from grader.outcomes import StudentResult
from grader.submission import max_bytes_of
from grader.submission.discover import Found
from grader.submission.files import read_all

CHUNK_MAX = 25            # submissions per task, at most
TASKS_PER_THREAD = 3      # aim for this many tasks per worker thread (load balance vs overhead)
IN_FLIGHT_PER_THREAD = 2  # chunks queued per worker thread at any time


class DaskBackend:
    name = "dask"

    def __init__(self, address: str, chunk_size: int | None = None):
        self.address = address
        self.chunk_size = chunk_size

    def grade(self, job: Job):
        try:
            from dask.distributed import Client
        except ImportError:
            raise UserError("--scheduler needs Dask, which is not installed",
                            hint='install the extra: pip install "grader[dask]" (or "dask[distributed]")') from None
        if not job.work:
            return
        course = course_bundle(job.assignment)
        try:
            # How long to keep trying: Dask's connect timeout (30 s unless configured, e.g. with
            # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s).
            client = Client(self.address)
        except (OSError, TimeoutError) as exc:
            raise UserError(f"could not reach the Dask scheduler at {self.address}: {exc}",
                            hint="start one with `dask scheduler` and workers with `dask worker "
                                 f"{self.address}` (see docs/scale.md), or leave out --scheduler") from None
        with client:
            yield from self._run(client, job, course)

    def _run(self, client, job: Job, course: dict):
        from dask.distributed import wait

        threads = sum(client.nthreads().values())
        if threads == 0:
            client.wait_for_workers(1, timeout=max(1.0, min(60.0, job.deadline - time.monotonic())))
            threads = sum(client.nthreads().values())
        size = self.chunk_size or max(1, min(CHUNK_MAX, math.ceil(len(job.work) / (threads * TASKS_PER_THREAD))))
        starts = iter(range(0, len(job.work), size))
        [course_future] = client.scatter([course], broadcast=True, hash=False)
        batch_id = uuid.uuid4().hex[:12]  # task keys unique to this run, even for the same course

        def submit(start: int):
            part = [(found.student, found.source, read_all(found.path, max_bytes_of(job.assignment)))
                    for found in job.work[start:start + size]]
            return client.submit(grade_chunk, course_future, part, pure=False, key=f"grade-{batch_id}-{start}")

        start_of = {}
        for start in _take(starts, max(1, threads * IN_FLIGHT_PER_THREAD)):
            start_of[submit(start)] = start
        while start_of and (remaining := job.deadline - time.monotonic()) > 0:
            try:
                done, _ = wait(list(start_of), timeout=min(remaining, 1.0), return_when="FIRST_COMPLETED")
            except TimeoutError:  # Dask's wait raises where concurrent.futures' returns
                continue
            for future in done:
                start = start_of.pop(future)
                yield from self._chunk_results(job, future, start, size)
                future.release()
                for next_start in _take(starts, 1):
                    start_of[submit(next_start)] = next_start

    @staticmethod
    def _chunk_results(job: Job, future, start: int, size: int):
        chunk = job.work[start:start + size]
        try:
            texts = future.result(timeout=10.0)
        except Exception as exc:  # a worker-side failure of ours: those students are not graded
            reason = f"the cluster failed on it ({type(exc).__name__}: {exc})"
            for offset, found in enumerate(chunk):
                yield start + offset, not_graded(job.assignment, found, reason)
            return
        for offset, text in enumerate(texts):
            yield start + offset, StudentResult.from_json(text)


def _take(iterator, count: int) -> list:
    taken = []
    for item in iterator:
        taken.append(item)
        if len(taken) >= count:
            break
    return taken


def course_bundle(assignment) -> dict:
    """What a worker needs to grade this assignment: its settings and the bytes of its files."""
    root = Path(assignment.root)
    wanted = [p for p in sorted(Path(assignment.solution_dir).rglob("*"))
              if p.is_file() and "__pycache__" not in p.parts]
    wanted += [Path(p) for p in (*assignment.extra_files, *assignment.hidden_tests)]
    files = {}
    for path in wanted:
        path = Path(path)
        if path.is_file() and path.resolve().is_relative_to(root):
            files[str(path.resolve().relative_to(root))] = path.read_bytes()
    digest = hashlib.sha256(f"grader {__version__}\n".encode())
    digest.update(repr(assignment).encode())
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return {"version": __version__, "digest": digest.hexdigest(), "root": str(root),
            "assignment": assignment, "files": files}


# --------------------------------------------------------------------------- worker side

_LOCK = threading.Lock()
_COURSES: dict = {}   # digest -> (folder, assignment, batch), per worker process


def grade_chunk(course: dict, part: list) -> list:
    """Run on a worker: grade a chunk [(student id, source, files)] and return JSON results, in order."""
    if course["version"] != __version__:
        raise RuntimeError(f"this worker runs grader {__version__}, the client grader {course['version']}: "
                           f"install the same version on both")
    # Tasks of one worker process take turns (one pytest session at a time per process); a turn
    # lasts at most what its chunk may take, so the wait for one is bounded by the chunks ahead.
    assignment = course["assignment"]
    wait = batch_seconds(assignment, CHUNK_MAX * IN_FLIGHT_PER_THREAD * 4, 1)
    if not _LOCK.acquire(timeout=wait):
        raise RuntimeError(f"this worker was busy with other chunks for {wait:g} s")
    try:
        assignment, batch = _prepared(course)
        with tempfile.TemporaryDirectory(prefix="grader-dask-") as tmp:
            work = [Found(path=_write_submission(Path(tmp), source, files), student=student, source=source)
                    for student, source, files in part]
            results: list = [None] * len(work)
            run_engine(batch, work, jobs=_worker_jobs(), emit=results.__setitem__)
    finally:
        _LOCK.release()
    reason = "the cluster worker never finished it"
    return [(result or not_graded(assignment, found, reason)).to_json() for result, found in zip(results, work)]


def _worker_jobs() -> int:
    try:
        from distributed import get_worker
        return max(1, int(get_worker().state.nthreads))
    except Exception:  # not in a worker (called directly): use the cores
        return os.cpu_count() or 1


def _prepared(course: dict):
    cached = _COURSES.get(course["digest"])
    if cached is not None:
        return cached[1], cached[2]
    folder = Path(tempfile.mkdtemp(prefix="grader-course-"))
    atexit.register(shutil.rmtree, folder, True)
    for name, data in course["files"].items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    assignment = relocate(course["assignment"], Path(course["root"]), folder)
    batch = Batch.prepare(assignment)
    for digest, (old, _, _) in list(_COURSES.items()):  # one course at a time per worker
        shutil.rmtree(old, ignore_errors=True)
        del _COURSES[digest]
    _COURSES[course["digest"]] = (folder, assignment, batch)
    return assignment, batch


def relocate(assignment, old_root: Path, new_root: Path):
    """The assignment with every path under ``old_root`` moved under ``new_root``."""
    def move(path):
        if path is None:
            return None
        path = Path(path)
        try:
            return new_root / path.relative_to(old_root)
        except ValueError:
            return path  # outside the course folder: must exist on the worker at the same path

    return dataclasses.replace(
        assignment, root=new_root, solution=move(assignment.solution), notebook=move(assignment.notebook),
        extra_files=tuple(move(p) for p in assignment.extra_files),
        hidden_tests=tuple(move(p) for p in assignment.hidden_tests))


def _write_submission(folder: Path, source: str, files: dict) -> Path:
    """A submission's files as they were read on the client: ``{"": bytes}`` for a file,
    ``{relative name: bytes}`` for a folder's members."""
    target = folder / Path(source.rstrip("/")).name  # never a path outside the folder
    if "" in files:
        target.write_bytes(files[""])
        return target
    target.mkdir()
    for rel, data in files.items():
        member = (target / rel).resolve()
        if not member.is_relative_to(target.resolve()):
            continue
        member.parent.mkdir(parents=True, exist_ok=True)
        member.write_bytes(data)
    return target
