"""The ``grader`` command: a thin layer over the stages. Every command has ``--help``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import __version__
from grader.errors import UserError


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config.yaml", type=Path,
                        help="the course configuration (default: %(default)s)")
    parser.add_argument("--assignment", default=None,
                        help="which assignment of config.yaml (default: the only one)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader",
        description="Grade numpy deep-learning assignments: generate student material from "
                    "reference solutions, then grade submitted notebooks with hidden tests in a sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    gen = commands.add_parser("generate", help="write assignments/<name>/ from solutions/ and config.yaml",
                              description="Write the student material (stub module, notebook, public tests) "
                                          "for an assignment. Deterministic: a rerun changes no byte.")
    _add_common(gen)
    gen.add_argument("--out", type=Path, default=None,
                     help="output folder (default: assignments/<assignment> next to config.yaml)")

    grade = commands.add_parser("grade", help="grade a folder of submissions",
                                description="Grade SUBMISSIONS/<student>.ipynb, <student>.py or <student>/ "
                                            "and write gradebook.csv plus per-student results.json, "
                                            "feedback.md and feedback.html into OUT.")
    _add_common(grade)
    grade.add_argument("submissions", type=Path, help="folder of submissions")
    grade.add_argument("--out", type=Path, default=Path("build/grades"), help="output folder (default: %(default)s)")
    grade.add_argument("--jobs", type=int, default=None,
                       help="submissions graded at once (default: the number of CPU cores + 1); "
                            "a large batch is split between that many grader processes")
    grade.add_argument("--force", action="store_true", help="regrade everything, ignoring the cache")
    grade.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="grade on a Dask cluster, e.g. tcp://HOST:8786 (needs grader[dask])")
    grade.add_argument("--backend", default=None, metavar="NAME",
                       help="where to grade: threads (this process), processes (several grader processes), "
                            "dask (with --scheduler); default: decided from the batch and the options")
    grade.add_argument("--quiet", action="store_true", help="print no summary table")

    doctor = commands.add_parser("doctor", help="show which sandbox protections work on this machine",
                                 description="Probe the sandbox on this machine and print which protections "
                                             "are active (network namespace, filesystem restriction, rlimits, "
                                             "seccomp, running as root or not), warning about missing ones.")
    _add_common(doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            return _generate(args)
        if args.command == "grade":
            return _grade(args)
        if args.command == "doctor":
            from grader.sandbox.doctor import run_doctor
            return run_doctor()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `grader grade ... | head`: the reader left, nothing to report
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


def _generate(args) -> int:
    from grader.config import load_config
    from grader.generate import generate_assignment

    config = load_config(args.config)
    assignment = config.assignment(args.assignment)
    out = args.out or config.root / "assignments" / assignment.name
    written = generate_assignment(assignment, out)
    print(f"wrote {len(written)} files to {out}")
    return 0


def _grade(args) -> int:
    from grader.backends import Options, default_jobs
    from grader.config import load_config
    from grader.pipeline import grade_folder

    config = load_config(args.config)
    assignment = config.assignment(args.assignment)
    jobs = args.jobs or default_jobs()
    options = Options(backend=args.backend, scheduler=args.scheduler)
    return grade_folder(assignment, args.submissions, args.out, jobs=jobs, force=args.force,
                        options=options, quiet=args.quiet)
