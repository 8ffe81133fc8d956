"""What ``grader export KIND`` writes: one module per kind, each with ``add_arguments(parser)``
(its own options) and ``run(args) -> int``. A new kind is a module here and one line in
:data:`KINDS`."""
from __future__ import annotations

KINDS: tuple = ("gradescope", "canvas", "moodle", "csv", "nbgrader")
