"""Grading one submission in the trusted process: prepare once per batch (``batch``), run a
submission's calls in its sandboxed session (``execute``), judge each function (``judge``)."""
from grader.grading.batch import Batch, PreparedProbe
from grader.grading.execute import execute, missing_reason, unrun, unrun_all
from grader.grading.judge import JudgeError, judge

__all__ = ["Batch", "PreparedProbe", "execute", "judge", "JudgeError", "missing_reason", "unrun", "unrun_all"]
