"""Time each sandboxed call of grading, by function and by case or probe, on a few submissions.

    .venv/bin/python bench/profile_calls.py SUBMISSIONS [--limit 20] [--config config.yaml]

Loads the assignment and its batch once, then runs ``grader.grading.execute`` on each
submission in its own sandboxed session (as ``grader grade`` does, one at a time) and prints
the wall seconds of the round trips per function and kind of call (public or hidden case, each
check's probes), summed over the submissions, with this process's and its children's CPU.
"""
from __future__ import annotations

import argparse
import collections
import resource
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    parser.add_argument("--assignment", default="logreg")
    parser.add_argument("--reference-callees", action="store_true",
                        help="every call of another graded function a call-back to the reference (Batch.own_callees off)")
    args = parser.parse_args(argv)
    from grader.config import load_config
    import importlib

    from grader.grading.batch import Batch
    from grader.sandbox import Sandbox
    from grader.submission import load_submission

    execute_module = importlib.import_module("grader.grading.execute")
    assignment = load_config(args.config).assignment(args.assignment)
    batch = Batch.prepare(assignment)
    batch.own_callees = not args.reference_callees
    paths = sorted(p for p in args.submissions.iterdir() if not p.name.startswith("_"))[:args.limit]
    seconds, counts = collections.Counter(), collections.Counter()
    label = ["?"]

    def timed(call):
        def wrapper(fn, *a, **kw):
            started = time.perf_counter()
            try:
                return call(fn, *a, **kw)
            finally:
                seconds[(fn, label[0])] += time.perf_counter() - started
                counts[(fn, label[0])] += 1
        return wrapper

    run_cases, run_probe = execute_module._Progress.run_cases, execute_module._run_probe

    def cases(self, session, hidden, *args, **kwargs):
        label[0] = "hidden" if hidden else "public"
        return run_cases(self, session, hidden, *args, **kwargs)

    def probe(session, item, proxies, timeout):
        label[0] = item.probe.name
        return run_probe(session, item, proxies, timeout)

    execute_module._Progress.run_cases, execute_module._run_probe = cases, probe
    started = time.perf_counter()
    with Sandbox(assignment.limits, jobs=2, reference=batch.reference.source) as sandbox:
        for path in paths:
            submission = load_submission(path, assignment, batch.reference.source)
            if submission.status != "ok" or not submission.chunks:
                continue
            session = sandbox.open(submission.chunks, student=path.stem)
            session.call = timed(session.call)
            try:
                execute_module.execute(batch, session, submission)
            finally:
                session.close()
    wall = time.perf_counter() - started
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = sum(seconds.values())
    for (fn, kind), s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"{1000 * s / len(paths):8.2f} ms/sub {100 * s / total:5.1f}%  {counts[(fn, kind)]:5d} calls  {fn:22s} {kind}")
    print(f"{len(paths)} submissions, {wall:.2f} s wall, calls {total:.2f} s; CPU self "
          f"{own.ru_utime + own.ru_stime:.2f} s, children {kids.ru_utime + kids.ru_stime:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
