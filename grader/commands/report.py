"""``grader report OUT``: (re)make the class report ``OUT/report.html`` from a graded folder."""
from __future__ import annotations

from pathlib import Path


def add_parser(commands) -> None:
    parser = commands.add_parser("report", help="make the class report of a graded folder",
                                 description="Write OUT/report.html from what grader grade left in OUT "
                                             "(gradebook.csv, the students' results.json, skipped.txt, "
                                             "timings.csv, similarity.csv): score distribution, failure rates "
                                             "per function and check, the most frequent findings and diagnosed "
                                             "mistakes, the slowest submissions, skipped files and "
                                             "near-identical submissions. One file, readable offline.")
    parser.add_argument("out", type=Path, metavar="OUT", help="a grader grade output folder")
    parser.add_argument("--config", default=Path("config.yaml"), type=Path,
                        help="the course configuration, for the assignment's title (default: %(default)s)")


def run(args) -> int:
    from grader.errors import UserError
    from grader.layout import GRADEBOOK
    from grader.report.classreport import write_class_report

    if not (args.out / GRADEBOOK).is_file():
        raise UserError(f"no {GRADEBOOK} here, so this is not a graded folder", path=args.out,
                        hint="pass the OUT folder of a grader grade run (default: build/grades/<assignment>)")
    path = write_class_report(args.out, _title(args.config, args.out))
    print(f"class report: {path}")
    return 0


def _title(config: Path, out: Path) -> str | None:
    """The assignment's title from config.yaml when it is there and names the assignment."""
    from grader.config import load_config
    from grader.errors import UserError
    from grader.report.classdata import read_class

    try:
        name = read_class(out).name
        return load_config(config).assignment(name).title
    except (UserError, OSError, ValueError):
        return None
