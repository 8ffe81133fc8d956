"""``grader grade``: a folder of submissions, or every assignment's examples."""
from __future__ import annotations

from pathlib import Path

from grader.commands import add_common


def add_parser(commands) -> None:
    parser = commands.add_parser("grade", help="grade a folder of submissions (or one)",
                                 description="Grade SUBMISSIONS/<student>.ipynb, <student>.py or <student>/ "
                                             "and write gradebook.csv plus per-student results.json, "
                                             "feedback.md and feedback.html into OUT. Without SUBMISSIONS, "
                                             "grade the example submissions of every assignment (or of the "
                                             "one named), each into OUT/<assignment>/.")
    add_common(parser, "which assignment of config.yaml the submissions are for (default: the only one, "
                       "or the one the submissions name or whose functions they define)")
    parser.add_argument("submissions", type=Path, nargs="?", default=None,
                        help="folder of submissions, or one submission file (alice.ipynb) "
                             "(default: the assignments' examples)")
    parser.add_argument("--out", type=Path, default=Path("build/grades"), help="output folder (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="submissions graded at once (default: the number of CPU cores + 1); "
                             "a large batch is split between that many grader processes")
    parser.add_argument("--force", action="store_true", help="regrade everything, ignoring the cache")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="grade on a Dask cluster, e.g. tcp://HOST:8786 (needs grader[dask])")
    parser.add_argument("--backend", default=None, metavar="NAME",
                        help="where to grade: threads (this process), processes (several grader processes), "
                             "dask (with --scheduler); default: decided from the batch and the options")
    parser.add_argument("--feedback-notebooks", action="store_true",
                        help="also write each student's feedback.ipynb (their notebook, each graded cell followed "
                             "by its feedback) and its HTML rendering by nbconvert, feedback_notebook.html "
                             "(about 0.2 s more per student)")
    parser.add_argument("--quiet", action="store_true", help="print no progress (bar or lines) and no summary table")


def run(args) -> int:
    from grader.backends import Options, default_jobs
    from grader.config import load_config
    from grader.pipeline import choose_assignment, grade_examples, grade_folder

    config = load_config(args.config)
    jobs = args.jobs or default_jobs()
    options = Options(backend=args.backend, scheduler=args.scheduler)
    if args.submissions is None:
        return grade_examples(config, args.assignment, args.out, jobs=jobs, force=args.force, options=options,
                              quiet=args.quiet, feedback_notebooks=args.feedback_notebooks)
    assignment = choose_assignment(config, args.assignment, args.submissions)
    return grade_folder(assignment, args.submissions, args.out, jobs=jobs, force=args.force,
                        options=options, quiet=args.quiet, feedback_notebooks=args.feedback_notebooks)
