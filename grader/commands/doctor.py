"""``grader doctor``: which sandbox protections work on this machine."""
from __future__ import annotations

from grader.commands import add_common


def add_parser(commands) -> None:
    parser = commands.add_parser("doctor", help="show which sandbox protections work on this machine",
                                 description="Probe the sandbox on this machine and print which protections "
                                             "are active (network namespace, filesystem restriction, rlimits, "
                                             "seccomp, running as root or not), warning about missing ones.")
    add_common(parser, "whose limits to probe with (default: the first)")


def run(args) -> int:
    """With a configuration at hand, probe with its limits (the first assignment's, or the named one's)."""
    from grader.config import load_config
    from grader.sandbox.doctor import run_doctor

    limits = None
    if args.config.is_file():
        config = load_config(args.config)
        limits = config.assignment(args.assignment or next(iter(config.assignments))).limits
    return run_doctor(limits)
