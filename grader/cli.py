"""The ``grader`` command: a thin layer over the stages. Every command has ``--help``; each
lives in its own module under ``grader/commands/``."""
from __future__ import annotations

import argparse
import importlib
import keyword
import os
import sys

from grader import __version__
from grader.commands import COMMANDS
from grader.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader",
        description="Grade numpy deep-learning assignments: generate student material from "
                    "reference solutions, then grade submitted notebooks with hidden tests in a sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        _module(name).add_parser(subparsers)
    return parser


def _module(name: str):
    # A command named by a Python keyword (import) lives in a module with a trailing underscore.
    return importlib.import_module(f"grader.commands.{name}_" if keyword.iskeyword(name) else f"grader.commands.{name}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _module(args.command).run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `grader grade ... | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
