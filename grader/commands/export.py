"""``grader export KIND``: grades and assignments in the formats other tools read."""
from __future__ import annotations

import importlib

from grader.exports import KINDS


def add_parser(commands) -> None:
    parser = commands.add_parser("export", help="write grades or an assignment for another tool",
                                 description="Write grades or an assignment in the format another tool reads; "
                                             "each kind has its own --help.")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind in KINDS:
        importlib.import_module(f"grader.exports.{kind}").add_arguments(kinds)


def run(args) -> int:
    return importlib.import_module(f"grader.exports.{args.kind}").run(args)
