"""``grader generate``: the student material of every assignment, or of the one named."""
from __future__ import annotations

from pathlib import Path

from grader.commands import add_common
from grader.errors import UserError


def add_parser(commands) -> None:
    parser = commands.add_parser("generate", help="write assignments/<name>/ from solutions/ and config.yaml",
                                 description="Write the student material (stub module, notebook, public tests) "
                                             "of every assignment, or of the one named. Deterministic: a rerun "
                                             "changes no byte.")
    add_common(parser, "only this assignment of config.yaml (default: every one)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder, with --assignment (default: assignments/<assignment> next to config.yaml)")


def run(args) -> int:
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
