"""The naive baseline: one fresh Python process per submission, running the same checks.

    python bench/naive.py --config config.yaml OUT_DIR SUBMISSION

This is how a simple grader works: start an interpreter for each student, import numpy
(and the grader), compute the reference's outputs, load the student's code, call each
function on every case, judge with the same checks, write the student's reports, exit.
It runs the grader's own pipeline on that one submission (``grade_paths``: the reference's
outputs, the loader, the pytest engine with every check and the instructor's hidden tests,
then ``write_student``), so the only differences from ``grader grade`` are the ones the
design is about: a fresh interpreter, pytest session and reference per student instead of
once per batch, and no sandbox (the student's code runs in this process, which would be unsafe in
production and makes the baseline *cheaper* than a real naive grader with isolation; a
call's time limit interrupts it with an asynchronous exception). Observers (the line tracer and the locals watcher that the
teaching checks read) run in-process as they would in the sandboxed child, and results
cross the same plain-data codec, so the checks see the same evidence.

Prints one JSON line: {"student", "score", "max_score", "status", "seconds"}.
"""
from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import builtins  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import threading  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402,F401  (what every naive grader pays for, per student)

# numpy's global RandomState's seed, taken before student code runs (a student may replace
# np.random.seed): the cases with an np_seed are seeded with it, as in the sandboxed child.
SEED_NUMPY = np.random.mtrand._rand.seed


class _CallTimeout(BaseException):
    pass


def _interrupt(thread_id: int) -> None:
    """Raise _CallTimeout in that thread (the engine calls from worker threads: no SIGALRM there)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(_CallTimeout))


class InProcessSession:
    """The sandbox Session's interface, without the sandbox: chunks exec'd in this process."""

    def __init__(self, chunks, output_cap: int, reference=None, calls=None):
        from grader.outcomes import CallOutcome  # noqa: F401  (imported for the calls below)

        self.reference = reference      # the imported solution: proxies are names of its functions
        self.calls = calls              # grader.versions.CallShapes of the submission's version, or None
        self.namespace = {"__builtins__": builtins, "__name__": "submission"}
        self.filenames: set = set()
        self.output_cap = output_cap
        self.load_report = []
        for chunk in chunks:
            self.filenames.add(chunk.filename)
            linecache.cache[chunk.filename] = (len(chunk.source), None, chunk.source.splitlines(True), chunk.filename)
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                    exec(compile(chunk.source, chunk.filename, "exec", dont_inherit=True), self.namespace)
                self.load_report.append({"status": "ok", "stdout": out.getvalue()[:output_cap]})
            except BaseException as exc:  # noqa: BLE001 - a student's SystemExit is an error too
                self.load_report.append({"status": "error", "error": f"{type(exc).__name__}: {exc}"})

    def call(self, fn, args, kwargs, proxies=None, timeout=10.0, observe=(), np_seed=None):
        from grader import outcomes as st
        from grader.sandbox import wire
        from grader.sandbox.observers import OBSERVERS

        func = self.namespace.get(fn)
        if not callable(func):
            return st.CallOutcome(st.MISSING, error=f"{fn} is not defined by the submission")
        # Inputs and outputs cross the plain-data codec, as they do between grader and child.
        buffers: list = []
        targs = [wire.encode(a, buffers, "argument") for a in args]
        tkw = {k: wire.encode(v, buffers, "argument") for k, v in kwargs.items()}
        args = [wire.decode(t, buffers) for t in targs]
        kwargs = {k: wire.decode(t, buffers) for k, t in tkw.items()}
        missing = object()
        if self.calls is not None:   # as Session.call does for an earlier notebook's def lines
            kwargs = self.calls.filled(fn, args, kwargs)
        proxies = {name: self._proxy(name) for name in (proxies or ())}
        saved = {name: self.namespace.get(name, missing) for name in proxies}
        self.namespace.update(proxies)
        observers = []
        for name in observe:
            observer = OBSERVERS[name]()
            observer.start(set(self.filenames))
            observers.append((name, observer))
        out = io.StringIO()
        status, value, error, line, tb = st.OK, None, "", None, ""
        timer = threading.Timer(timeout, _interrupt, args=(threading.get_ident(),))
        started = time.perf_counter()
        timer.start()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                if np_seed is not None:   # as the sandboxed child does, right before the call
                    SEED_NUMPY(np_seed)
                value = func(*args, **kwargs)
        except _CallTimeout:
            status, error = st.TIMEOUT, f"did not return within {timeout:g} s"
        except BaseException as exc:  # noqa: BLE001
            status = st.MEMORY if isinstance(exc, MemoryError) else st.ERROR
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in self.filenames]
            line = frames[-1].lineno if frames else None
            if frames:
                tb = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) + error
        finally:
            timer.cancel()
            seconds = time.perf_counter() - started
            observations = {name: observer.stop() for name, observer in reversed(observers)}
            for name, old in saved.items():
                if old is missing:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = old
        if status == st.OK:
            try:
                buffers = []
                tree = wire.encode(value, buffers, "result")
                value = wire.decode(tree, buffers)
            except wire.NotPlainData as exc:
                status, value, error = st.WRONG_TYPE, None, str(exc)
        else:
            value = None
        return st.CallOutcome(status, value=value, error=error, traceback=tb, line=line,
                              stdout=out.getvalue()[:self.output_cap], seconds=seconds,
                              observations=observations)

    def _proxy(self, name: str):
        function = getattr(self.reference, name)
        shape = self.calls.adapt.get(name) if self.calls is not None else None
        if shape is None:
            return function

        from grader.sandbox.child import fit_call

        def fitted(*args, **kwargs):
            args, kwargs = fit_call(shape[0], shape[1], args, kwargs)
            return function(*args, **kwargs)
        return fitted

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class InProcessSandbox:
    """``grader.sandbox.Sandbox``'s interface, without the sandbox."""

    def __init__(self, limits, deny_paths=(), jobs: int = 1, reference=None, **_):
        from grader.reference import import_solution

        self.output_cap = int(getattr(limits, "output_kib", 64)) * 1024
        self.reference = import_solution(reference.path) if reference is not None else None

    def open(self, chunks, student=None, timeout=None, calls=None):
        return InProcessSession(chunks, self.output_cap, self.reference, calls)

    def start(self) -> None:
        """Nothing to start (the engine may start a sandbox while it prepares the batch)."""

    def close(self) -> None:
        """Nothing to stop."""

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()


def grade(config: Path, assignment_name, path: Path, out: Path):
    """``grader grade`` on one submission, in this process: same engine, checks and reports."""
    import grader.engine
    from grader.config import load_config
    from grader.pipeline import grade_paths
    from grader.report import write_student

    grader.engine.Sandbox = InProcessSandbox   # the engine looks it up when it starts
    assignment = load_config(config).assignment(assignment_name)
    [result] = grade_paths(assignment, [path], jobs=1)  # prepares the reference's outputs: per student
    write_student(assignment, result, out)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Grade one submission in this fresh process (the bench's baseline).")
    parser.add_argument("out", type=Path, help="output folder (results.json, feedback.* per student)")
    parser.add_argument("submission", type=Path)
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    parser.add_argument("--assignment", default="logreg")
    args = parser.parse_args(argv)
    result = grade(args.config, args.assignment, args.submission, args.out)
    print(json.dumps({"student": result.student, "score": result.score, "max_score": result.max_score,
                      "status": result.status, "seconds": round(time.perf_counter() - STARTED, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
