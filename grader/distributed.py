"""Grade on a Dask cluster: ``grader grade SUBMISSIONS --scheduler tcp://HOST:8786``.

Each Dask task grades a chunk of submissions on a worker with the same local path as
``grader grade`` (``grade_paths``: the worker's own sandbox, zygotes and pytest engine), so a
cluster gives the same results as one machine, byte for byte.

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
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

from grader import __version__
from grader.errors import UserError
from grader.outcomes import StudentResult

CHUNK_MAX = 25            # submissions per task, at most
TASKS_PER_THREAD = 3      # aim for this many tasks per worker thread (load balance vs overhead)
IN_FLIGHT_PER_THREAD = 2  # chunks queued per worker thread at any time


# --------------------------------------------------------------------------- client side


def grade_on_cluster(assignment, paths: list, scheduler_address: str, ids: list | None = None,
                     on_done=None, chunk_size: int | None = None) -> list:
    """Grade ``paths`` on the Dask cluster at ``scheduler_address``; one StudentResult per path, in order.

    ``on_done(result)`` is called in this process as each result arrives (in completion order).
    """
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise UserError("--scheduler needs Dask, which is not installed",
                        hint='install the extra: pip install "grader[dask]" (or "dask[distributed]")') from None
    from grader.engine import student_ids

    paths = [Path(p) for p in paths]
    if not paths:
        return []
    ids = list(ids) if ids is not None else student_ids(paths)
    course = course_bundle(assignment)
    try:
        # How long to keep trying: Dask's connect timeout (30 s unless configured, e.g. with
        # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s).
        client = Client(scheduler_address)
    except (OSError, TimeoutError) as exc:
        raise UserError(f"could not reach the Dask scheduler at {scheduler_address}: {exc}",
                        hint="start one with `dask scheduler` and workers with `dask worker "
                             f"{scheduler_address}` (see docs/scale.md), or leave out --scheduler") from None
    results: list = [None] * len(paths)
    with client:
        threads = sum(client.nthreads().values())
        if threads == 0:
            client.wait_for_workers(1, timeout=60)
            threads = sum(client.nthreads().values())
        size = chunk_size or max(1, min(CHUNK_MAX, math.ceil(len(paths) / (threads * TASKS_PER_THREAD))))
        starts = list(range(0, len(paths), size))
        [course_future] = client.scatter([course], broadcast=True, hash=False)
        batch_id = uuid.uuid4().hex[:12]  # task keys unique to this run, even for the same course

        def submit(start: int):
            part = [(ids[i], submission_payload(paths[i])) for i in range(start, min(start + size, len(paths)))]
            return client.submit(grade_chunk, course_future, part, pure=False,
                                 key=f"grade-{batch_id}-{start}")

        pending = iter(starts)
        start_of = {}
        in_flight = as_completed()
        for start in _take(pending, max(1, threads * IN_FLIGHT_PER_THREAD)):
            future = submit(start)
            start_of[future.key] = start
            in_flight.add(future)
        for future in in_flight:
            start = start_of.pop(future.key)
            try:
                chunk = future.result()
            except Exception as exc:  # a worker-side failure of ours: say which students it concerns
                last = min(start + size, len(paths)) - 1
                raise RuntimeError(f"grading {ids[start]}..{ids[last]} on the cluster failed: "
                                   f"{type(exc).__name__}: {exc}") from exc
            future.release()
            for offset, text in enumerate(chunk):
                result = StudentResult.from_json(text)
                results[start + offset] = result
                if on_done is not None:
                    on_done(result)
            for next_start in _take(pending, 1):
                future = submit(next_start)
                start_of[future.key] = next_start
                in_flight.add(future)
    return results


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


def submission_payload(path: Path) -> dict:
    """A submission as bytes: a file, or a folder's files with their relative names."""
    path = Path(path)
    if path.is_dir():
        files = {}
        for member in sorted(p for p in path.rglob("*") if p.is_file()):
            try:
                files[str(member.relative_to(path))] = member.read_bytes()
            except OSError:
                continue  # unreadable here: the worker's loader reports what is missing
        return {"name": path.name, "dir": True, "files": files}
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    return {"name": path.name, "dir": False, "files": {"": data}}


# --------------------------------------------------------------------------- worker side

_LOCK = threading.Lock()
_COURSES: dict = {}   # digest -> (folder, assignment, batch), per worker process


def grade_chunk(course: dict, part: list) -> list:
    """Run on a worker: grade a chunk [(student id, payload)] and return JSON results, in order."""
    from grader.grade import grade_paths

    if course["version"] != __version__:
        raise RuntimeError(f"this worker runs grader {__version__}, the client grader {course['version']}: "
                           f"install the same version on both")
    with _LOCK:
        assignment, batch = _prepared(course)
        with tempfile.TemporaryDirectory(prefix="grader-dask-") as tmp:
            paths = [_write_submission(Path(tmp), payload) for _, payload in part]
            results = grade_paths(assignment, paths, jobs=_worker_jobs(), batch=batch,
                                  ids=[student for student, _ in part])
    return [r.to_json() for r in results]


def _worker_jobs() -> int:
    import os

    try:
        from distributed import get_worker
        return max(1, int(get_worker().state.nthreads))
    except Exception:  # not in a worker (called directly): use the cores
        return os.cpu_count() or 1


def _prepared(course: dict):
    from grader.grade import Batch

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


def _write_submission(folder: Path, payload: dict) -> Path:
    name = Path(payload["name"]).name  # never a path outside the folder
    target = folder / name
    if payload["dir"]:
        target.mkdir()
        for rel, data in payload["files"].items():
            member = (target / rel).resolve()
            if not member.is_relative_to(target.resolve()):
                continue
            member.parent.mkdir(parents=True, exist_ok=True)
            member.write_bytes(data)
    else:
        target.write_bytes(payload["files"][""])
    return target
