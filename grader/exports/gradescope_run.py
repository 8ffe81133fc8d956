"""Inside a Gradescope autograder (``grader export gradescope``): grade the one submission.

``python -m grader.exports.gradescope_run --root ROOT --config CONFIG --assignment NAME``:

- ``ROOT/submission/`` holds what the student uploaded. One notebook or module (the usual
  case) is graded as that file, so its student id and results are exactly what ``grader
  grade`` gives the same file; several files (a notebook and a helper module, data files) are
  graded as one submission folder, as ``grader grade`` grades ``<student>/``;
- grading is ``grader grade``'s own (``pipeline.grade_folder``): the same sandbox with every
  protection this machine allows, limits, checks and results.json;
- that results.json is copied to ``ROOT/results/results.json``. Should grading itself fail (a
  bug, a broken image), a results.json still says so, with no score, so the student sees
  a message instead of Gradescope's generic error, and the log has the details.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from grader.report.files import atomic_write, make_folder

FAILED = ("The autograder could not grade this submission ({why}). This is a problem with the "
          "autograder, not with your work: please tell the course staff.")


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gradescope_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--assignment", required=True)
    args = parser.parse_args(argv)
    results = args.root / "results"
    make_folder(results)
    try:
        document = grade_submission(args.root / "submission", args.config, args.assignment)
    except Exception as exc:  # the student must get a results.json whatever went wrong
        traceback.print_exc()
        why = f"{type(exc).__name__}: {exc}"
        document = json.dumps({"score": 0, "output": FAILED.format(why=why), "visibility": "visible",
                               "tests": []}, indent=2) + "\n"
    atomic_write(results / "results.json", document)
    return 0


def grade_submission(submission: Path, config_path: Path, name: str) -> str:
    """The results.json text ``grader grade`` writes for this submission."""
    from grader.backends import default_jobs
    from grader.config import load_config
    from grader.pipeline import grade_folder
    from grader.submission.discover import discover

    assignment = load_config(config_path).assignment(name)
    found = discover(submission).found
    work = Path(tempfile.mkdtemp(prefix="grader-gradescope-"))
    out = work / "out"
    try:
        if len(found) == 1 and not found[0].path.is_dir():
            target = found[0].path                     # graded as `grader grade FILE` grades it
        else:                                          # one submission folder, as <student>/ in a batch
            target = work / "batch"
            folder = found[0].path if len(found) == 1 else submission
            shutil.copytree(folder, target / folder.name, symlinks=True)
        grade_folder(assignment, target, out, jobs=default_jobs(), force=True, quiet=True)
        students = [p for p in out.iterdir() if (p / "results.json").is_file()]
        if len(students) != 1:
            raise RuntimeError(f"expected one graded student, found {len(students)}")
        text = (students[0] / "results.json").read_text(encoding="utf-8")
        summary = (students[0] / "feedback.md").read_text(encoding="utf-8")
        print(summary[:4000])   # for the staff's view of the autograder's output
        return text
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
