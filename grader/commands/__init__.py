"""The ``grader`` subcommands, one module each: ``add_parser(subparsers)`` declares its
arguments (``--help`` comes with them) and ``run(args) -> int`` does the work, importing the
stages it needs only then (``grader --help`` stays fast). A new command is a module here and
one line in :data:`COMMANDS`."""
from __future__ import annotations

import argparse
from pathlib import Path

COMMANDS = ("generate", "grade", "gradebook", "report", "export", "import", "doctor")


def add_common(parser: argparse.ArgumentParser, assignment_help: str) -> None:
    """``--config`` and ``--assignment``, which most commands take."""
    parser.add_argument("--config", default="config.yaml", type=Path,
                        help="the course configuration (default: %(default)s)")
    parser.add_argument("--assignment", default=None, metavar="NAME", help=assignment_help)
