"""Plain dataclasses that carry results between the stages.

sandbox → :class:`CallOutcome` (one call of a student function, as plain data)
grading → :class:`CaseRun` / :class:`FunctionRun` (what the checks judge)
checks  → :class:`Verdict` with :class:`Finding` s (what the reports show)
score   → :class:`TestResult` / :class:`StudentResult` (what the files hold)

No formats here: the report writers turn these into CSV, JSON, Markdown and HTML.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


# How a call ended. "ok" is the only status with a value.
OK = "ok"
ERROR = "error"            # the student's code raised
TIMEOUT = "timeout"        # wall-clock limit of the call or of the submission
MEMORY = "memory"          # MemoryError / address-space limit
KILLED = "killed"          # the child died (signal, os._exit, segfault, CPU limit)
WRONG_TYPE = "wrong_type"  # the result is not plain data (subclass, custom object...)
FORBIDDEN = "forbidden"    # the sandbox refused an operation (network, file, fork...)
MISSING = "missing"        # the function is not in the submission (or could not be loaded)
NOT_RUN = "not_run"        # skipped: e.g. the submission's time budget was spent
TOO_LARGE = "too_large"    # the result is over the plain-data budget (limits.value_mib, parts, lengths)

CALL_STATUSES = (OK, ERROR, TIMEOUT, MEMORY, KILLED, WRONG_TYPE, FORBIDDEN, MISSING, NOT_RUN, TOO_LARGE)


@dataclass
class CallOutcome:
    """What one sandboxed call produced, decoded into plain data by the parent."""

    status: str
    value: Any = None             # decoded result when status == "ok"
    error: str = ""               # short reason ("ZeroDivisionError: division by zero")
    traceback: str = ""           # the student's frames only (filenames like "<cell 7>")
    line: int | None = None       # line of the student's code where it failed, if known
    filename: str = ""            # the chunk that line is in, e.g. "<cell 7>"
    stdout: str = ""              # captured stdout+stderr, capped (see Limits.output_kib)
    seconds: float = 0.0          # wall time measured by the parent (round trip)
    observations: dict = field(default_factory=dict)  # in-child observers' reports (plain data)

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class Case:
    """A case with its inputs made: ``args`` in call order and ``kwargs``."""

    function: str
    name: str
    hidden: bool
    args: tuple
    kwargs: dict
    sizes: dict
    np_seed: int | None = None    # numpy's global RandomState is seeded with it before the call

    @property
    def key(self) -> str:
        return f"{self.function}::{self.name}"


@dataclass
class CaseRun:
    case: Case
    expected: Any                 # the reference's output (trusted, computed in the parent)
    outcome: CallOutcome          # the student's


@dataclass
class Finding:
    """One thing a student should read: what, where, expected vs got, how to fix."""

    message: str
    case: str | None = None       # case name (never the hidden inputs themselves)
    hidden: bool = False
    line: int | None = None       # line in the student's code
    filename: str = ""            # the chunk that line is in, e.g. "<cell 7>"
    excerpt: str = ""             # that line's code
    inputs: str = ""              # for public cases only
    expected: str = ""            # for public cases only
    actual: str = ""
    fix: str = ""


@dataclass
class Verdict:
    """A check's judgement of one function over a group of cases.

    ``fraction`` is the share of the check's points earned, in [0, 1]; ``weight`` is the
    share of the check's points this group carries (public vs hidden cases).
    """

    function: str
    check: str
    hidden: bool
    fraction: float
    weight: float = 1.0
    findings: list = field(default_factory=list)
    passed_cases: int = 0
    total_cases: int = 0
    name: str = ""                # test name override (defaults to "function: check (public|hidden)")

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0


@dataclass
class TestResult:
    """One row of results.json's tests[]."""

    name: str
    function: str
    check: str
    hidden: bool
    score: float
    max_score: float
    output: str
    passed: bool
    findings: list = field(default_factory=list)
    # {"mistake": id, "message": text} when a mistake model explains this failed test's function
    # (grader/mistakes); the message names no input or value, so hidden tests carry it too.
    diagnosis: dict | None = None

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"


@dataclass
class StudentResult:
    student: str
    source: str                   # the submission's path, relative to the submissions folder
    status: str                   # ok | unreadable | empty | error
    tests: list = field(default_factory=list)  # TestResult
    notes: list = field(default_factory=list)  # submission-level messages (loader problems...)
    attribution: str = "reference"
    printed: dict = field(default_factory=dict)  # function -> what it printed on public cases (capped)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 4)

    def function_score(self, function: str) -> float:
        return round(sum(t.score for t in self.tests if t.function == function), 4)

    def to_dict(self) -> dict:
        """Plain data, for the results cache and for results crossing processes or machines."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "StudentResult":
        data = dict(data)
        tests = [TestResult(**{**test, "findings": [Finding(**f) for f in test.get("findings", [])]})
                 for test in data.pop("tests")]
        return cls(tests=tests, **data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "StudentResult":
        return cls.from_dict(json.loads(text))
