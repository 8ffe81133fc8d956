"""``grader gradebook``: the assignments' gradebooks joined into the course's."""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(commands) -> None:
    parser = commands.add_parser("gradebook", help="join the assignments' gradebooks into the course's",
                                 description="Read OUT/gradebook.csv of each folder (one `grader grade` run per "
                                             "assignment; NAME=OUT names the column, else the folder's name) and "
                                             "write one row per student with each assignment's total and the sum.")
    parser.add_argument("folders", nargs="+", metavar="OUT", help="grade folders, or NAME=OUT")
    parser.add_argument("--out", type=Path, default=None, help="CSV file to write (default: print it)")


def run(args) -> int:
    from grader.report.course import course_csv, read_gradebooks
    from grader.report.files import atomic_write

    text = course_csv(read_gradebooks(args.folders))
    if args.out is None:
        sys.stdout.write(text)
    else:
        atomic_write(args.out, text, durable=True)
        print(f"wrote {args.out}")
    return 0
