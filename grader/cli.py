"""The ``grader`` command: a thin layer over the stages. Every command has ``--help``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import __version__
from grader.errors import UserError


def _add_common(parser: argparse.ArgumentParser, assignment_help: str) -> None:
    parser.add_argument("--config", default="config.yaml", type=Path,
                        help="the course configuration (default: %(default)s)")
    parser.add_argument("--assignment", default=None, metavar="NAME", help=assignment_help)


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
                                          "of every assignment, or of the one named. Deterministic: a rerun "
                                          "changes no byte.")
    _add_common(gen, "only this assignment of config.yaml (default: every one)")
    gen.add_argument("--out", type=Path, default=None,
                     help="output folder, with --assignment (default: assignments/<assignment> next to config.yaml)")

    grade = commands.add_parser("grade", help="grade a folder of submissions",
                                description="Grade SUBMISSIONS/<student>.ipynb, <student>.py or <student>/ "
                                            "and write gradebook.csv plus per-student results.json, "
                                            "feedback.md and feedback.html into OUT. Without SUBMISSIONS, "
                                            "grade the example submissions of every assignment (or of the "
                                            "one named), each into OUT/<assignment>/.")
    _add_common(grade, "which assignment of config.yaml the submissions are for (default: the only one, "
                       "or the one the submissions name or whose functions they define)")
    grade.add_argument("submissions", type=Path, nargs="?", default=None,
                       help="folder of submissions, or one submission (default: the assignments' examples)")
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

    book = commands.add_parser("gradebook", help="join the assignments' gradebooks into the course's",
                               description="Read OUT/gradebook.csv of each folder (one `grader grade` run per "
                                           "assignment; NAME=OUT names the column, else the folder's name) and "
                                           "write one row per student with each assignment's total and the sum.")
    book.add_argument("folders", nargs="+", metavar="OUT", help="grade folders, or NAME=OUT")
    book.add_argument("--out", type=Path, default=None, help="CSV file to write (default: print it)")

    doctor = commands.add_parser("doctor", help="show which sandbox protections work on this machine",
                                 description="Probe the sandbox on this machine and print which protections "
                                             "are active (network namespace, filesystem restriction, rlimits, "
                                             "seccomp, running as root or not), warning about missing ones.")
    _add_common(doctor, "whose limits to probe with (default: the first)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            return _generate(args)
        if args.command == "grade":
            return _grade(args)
        if args.command == "gradebook":
            return _gradebook(args)
        if args.command == "doctor":
            return _doctor(args)
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


def _gradebook(args) -> int:
    from grader.report.course import course_csv, read_gradebooks
    from grader.report.files import atomic_write

    text = course_csv(read_gradebooks(args.folders))
    if args.out is None:
        sys.stdout.write(text)
    else:
        atomic_write(args.out, text, durable=True)
        print(f"wrote {args.out}")
    return 0


def _doctor(args) -> int:
    """With a configuration at hand, probe with its limits (the first assignment's, or the named one's)."""
    from grader.config import load_config
    from grader.sandbox.doctor import run_doctor

    limits = None
    if args.config.is_file():
        config = load_config(args.config)
        limits = config.assignment(args.assignment or next(iter(config.assignments))).limits
    return run_doctor(limits)


def _generate(args) -> int:
    from grader.config import load_config
    from grader.generate import generate_assignment

    config = load_config(args.config)
    if args.out is not None and args.assignment is None and len(config.assignments) > 1:
        raise UserError("--out names one folder, and several assignments are configured",
                        hint="add --assignment NAME, or leave out --out")
    chosen = [config.assignment(args.assignment)] if args.assignment or args.out else config.assignments.values()
    for assignment in chosen:
        out = args.out or config.root / "assignments" / assignment.name
        written = generate_assignment(assignment, out)
        print(f"wrote {len(written)} files to {out}")
    return 0


def _grade(args) -> int:
    from grader.backends import Options, default_jobs
    from grader.config import load_config
    from grader.pipeline import choose_assignment, grade_examples, grade_folder

    config = load_config(args.config)
    jobs = args.jobs or default_jobs()
    options = Options(backend=args.backend, scheduler=args.scheduler)
    if args.submissions is None:
        return grade_examples(config, args.assignment, args.out, jobs=jobs, force=args.force, options=options,
                              quiet=args.quiet)
    assignment = choose_assignment(config, args.assignment, args.submissions)
    return grade_folder(assignment, args.submissions, args.out, jobs=jobs, force=args.force,
                        options=options, quiet=args.quiet)
