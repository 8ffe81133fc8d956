"""Errors meant for a person: what happened, where, and what to do about it.

The CLI prints these without a traceback; anything else escaping is a bug in the grader.
"""


class UserError(Exception):
    """A problem in the instructor's input (config, solutions, command line)."""

    def __init__(self, message: str, *, path=None, hint: str | None = None):
        self.message = message
        self.path = path
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  how to fix: {self.hint}"
        return text


class ConfigError(UserError):
    """config.yaml is invalid."""


class SolutionError(UserError):
    """A reference solution file is malformed (markers, missing functions)."""
