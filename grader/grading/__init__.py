"""Grading one submission in the trusted process: prepare once per batch (``batch``), run a
submission's calls in its sandboxed session (``execute``), judge each function (``judge``)."""
from grader.grading.batch import Batch, PreparedProbe
from grader.grading.execute import execute, missing_reason, unrun, unrun_all
from grader.grading.judge import JudgeError
# Judged once per run: execute already judged a function whose callers' calls depend on it.
from grader.grading.callees import judge_once as judge

__all__ = ["Batch", "PreparedProbe", "execute", "judge", "JudgeError", "missing_reason", "unrun", "unrun_all"]
