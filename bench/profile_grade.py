"""Where ``grader grade`` spends its CPU: this process (cProfile) and its children (getrusage).

    .venv/bin/python bench/profile_grade.py SUBMISSIONS [--out DIR] [--jobs J] [--backend threads] [--prof FILE]

Grades SUBMISSIONS as ``grader grade --force --quiet`` does, then prints the CPU seconds of this
process and of its reaped children (zygotes, sandboxed children, reference processes, worker
processes) per submission, and, with ``--prof``, writes a cProfile of this process (the
judging thread and the grading threads) for ``python -m pstats``.
"""
from __future__ import annotations

import argparse
import cProfile
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--backend", default=None)
    parser.add_argument("--prof", type=Path, help="write a cProfile of this process here")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="profile-grade-"))
    from grader.cli import main as grader_main

    argv = ["grade", str(args.submissions), "--out", str(out), "--force", "--quiet"]
    if args.jobs:
        argv += ["--jobs", str(args.jobs)]
    if args.backend:
        argv += ["--backend", args.backend]
    profiler = cProfile.Profile() if args.prof else None
    if profiler:
        threading.setprofile(lambda *a: None)   # threads started below are profiled by their own hook
        profiler.enable()
    start = time.perf_counter()
    try:
        grader_main(argv)
    except SystemExit:
        pass
    wall = time.perf_counter() - start
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.prof)
    n = sum(1 for p in args.submissions.iterdir() if not p.name.startswith("_")) if args.submissions.is_dir() else 1
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_s, kids_s = own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime
    print(f"{n} submissions in {wall:.2f} s wall; CPU: this process {own_s:.2f} s, children {kids_s:.2f} s; "
          f"{1000 * (own_s + kids_s) / n:.1f} ms CPU per submission; out {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
