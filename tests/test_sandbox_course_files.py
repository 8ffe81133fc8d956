"""An assignment's extra files (public student material such as planar_utils.py) are importable
by graded code, from a read-only copy; nothing else of solutions/ is readable by the child; an
import of any other module fails with a message saying it is not available while grading.
Real sandboxed children, no mocks."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.config import Limits
from grader.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
LIMITS = Limits(call_seconds=5.0, submission_seconds=60.0, cpu_seconds=20, memory_mib=1024,
                output_kib=16, file_size_mib=4, open_files=64)


@dataclass
class Chunk:
    filename: str
    source: str


def chunks(*sources: str) -> list:
    return [Chunk(f"<cell {i + 1}>", textwrap.dedent(s)) for i, s in enumerate(sources)]


@pytest.fixture
def course(tmp_path):
    """A solutions folder as a course has it: the reference, a hidden test, a public helper file."""
    solutions = tmp_path / "solutions" / "week"
    solutions.mkdir(parents=True)
    (solutions / "week.py").write_text("SECRET_SOLUTION = 'the answer'\n")
    (solutions / "test_hidden_week.py").write_text("HIDDEN_INPUT = 'secret input'\n")
    (solutions / "week_utils.py").write_text("def sigmoid(x):\n    return 'sigmoid of ' + str(x)\n")
    for path in [solutions, *solutions.iterdir()]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)   # world-readable, like a checkout
    return solutions


PROBES = """
    import os
    from week_utils import sigmoid

    def use(x):
        return sigmoid(x)

    def where():
        import week_utils
        return week_utils.__file__

    def listing(folder):
        return sorted(os.listdir(folder))

    def read(path):
        with open(path) as handle:
            return handle.read()

    def write(path):
        with open(path, "w") as handle:
            handle.write("def sigmoid(x):\\n    return 'forged'\\n")
        return "written"
"""


def test_extra_files_are_importable_and_nothing_else_of_solutions_is_readable(course):
    helper = course / "week_utils.py"
    with Sandbox(LIMITS, deny_paths=[course.parent], jobs=1, import_files=[helper]) as sb:
        folder = sb.course_folder
        with sb.open(chunks(PROBES)) as session:
            assert all(report.ok for report in session.load_report), session.load_report
            used = session.call("use", (2,))
            copy = session.call("where")
            listed = session.call("listing", (folder,))
            solution = session.call("read", (str(course / "week.py"),))
            hidden = session.call("read", (str(course / "test_hidden_week.py"),))
            original = session.call("read", (str(helper),))
            forged = session.call("write", (copy.value,))
        with sb.open(chunks(PROBES)) as other:       # the next student imports the course's file
            again = other.call("use", (3,))
    assert used.status == "ok" and used.value == "sigmoid of 2", used
    assert copy.status == "ok" and Path(copy.value).parent == Path(folder), copy
    assert not Path(folder).resolve().is_relative_to(course.parent.resolve())
    assert listed.status == "ok" and listed.value == ["week_utils.py"], listed
    for attempt in (solution, hidden, original):        # solutions/ stays denied, the helper too
        assert attempt.status == "forbidden", attempt
        assert "secret" not in attempt.stdout and attempt.value is None
    assert forged.status == "forbidden", forged           # the copy is read-only
    assert again.status == "ok" and again.value == "sigmoid of 3", again
    assert not os.path.exists(folder), "the copy is removed with the sandbox"


def test_without_import_files_the_helper_is_not_importable(course):
    with Sandbox(LIMITS, deny_paths=[course.parent], jobs=1) as sb, sb.open(chunks(PROBES)) as session:
        report = session.load_report[0]
        used = session.call("use", (2,))
    assert sb.course_folder is None
    assert not report.ok and "No module named 'week_utils'" in report.error
    assert "not available while grading" in report.error


MISSING_MODULE = ["""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from week_utils import sigmoid
    SCALE = 2
    """, """
    def fit(x):
        return LogisticRegression(x)

    def use(x):
        return sigmoid(x) * SCALE

    def late(x):
        import matplotlib_for_the_grader_test
        return x

    def typo(x):
        return sigmod(x)
"""]


def test_a_module_that_is_not_there_is_named_in_the_load_report_and_in_each_call_it_breaks(course):
    with Sandbox(LIMITS, deny_paths=[course.parent], jobs=1, import_files=[course / "week_utils.py"]) as sb, \
            sb.open(chunks(*MISSING_MODULE)) as session:
        report = session.load_report[0]
        fit = session.call("fit", (1,))
        use = session.call("use", (1,))
        late = session.call("late", (1,))
        typo = session.call("typo", (1,))
    assert not report.ok and report.line == 3, report
    assert report.error.startswith("ModuleNotFoundError: No module named 'sklearn'"), report.error
    assert ("the module 'sklearn' is not available while grading" in report.error
            and "and the course's files: week_utils)" in report.error), report.error
    # Each name the failed cell should have bound says where it was to come from, and why it did not.
    for outcome, name in ((fit, "LogisticRegression"), (use, "sigmoid")):
        assert outcome.status == "error", outcome
        assert outcome.error.startswith(f"NameError: name '{name}' is not defined"), outcome.error
        assert (f"; <cell 1>, line 3 was to define it, but failed while loading: the module 'sklearn' is not "
                "available while grading") in outcome.error, outcome.error
    assert late.status == "error" and "'matplotlib_for_the_grader_test' is not available while grading" in late.error
    # A name no failed cell binds is the student's own typo: no note about imports.
    assert typo.status == "error" and typo.error == "NameError: name 'sigmod' is not defined", typo.error


NORMAL_USER_SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from tests.test_sandbox_course_files import LIMITS, PROBES, chunks
from grader.sandbox import Sandbox
with Sandbox(LIMITS, deny_paths=[{denied!r}], jobs=1, import_files=[{helper!r}]) as sb, \\
        sb.open(chunks(PROBES)) as session:
    used = session.call("use", (2,))
    solution = session.call("read", ({solution!r},))
print(json.dumps({{"used": [used.status, used.value], "solution": solution.status}}))
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to start a process as another user with setpriv")
def test_a_normal_user_grader_gives_its_children_the_course_files(course):
    """The copy is readable by whoever runs the grader (not only by root)."""
    for path in [course.parent.parent, course.parent]:
        os.chmod(path, 0o755)
    script = NORMAL_USER_SCRIPT.format(root=str(ROOT), denied=str(course.parent),
                                       helper=str(course / "week_utils.py"), solution=str(course / "week.py"))
    options = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all,+dac_read_search",
               "--ambient-caps=-all,+dac_read_search"]
    proc = subprocess.run(["setpriv", *options, "--", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=120, cwd="/")
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"used": ["ok", "sigmoid of 2"], "solution": "forbidden"}, report


# ----------------------------------------------------------------------------- loading and grading


STAR_NOTEBOOK = [("import numpy as np\nfrom week_utils import *\nfrom public_tests import *\n"),
                 ("# GRADED FUNCTION: use\n\ndef use(x):\n    return sigmoid(x)\n")]


def test_a_star_import_of_a_course_file_is_kept_and_works_while_grading(course, tmp_path):
    """``from planar_utils import *`` as next to the notebook: kept (it may bind what the graded
    code needs) and importable; a star import of another local file is not kept."""
    import nbformat
    import yaml

    from grader.config import load_config
    from grader.pipeline import grade_folder
    from grader.submission import load_submission

    (course / "week.py").write_text("from week_utils import sigmoid\n\n\ndef use(x):\n"
                                    "    ### BEGIN SOLUTION\n    return sigmoid(x)\n    ### END SOLUTION\n")
    config = {"course": {"name": "C"}, "assignments": {"week": {
        "title": "Week", "solution": "solutions/week/week.py", "extra_files": ["solutions/week/week_utils.py"],
        "functions": {"use": {"points": {"values": 1}, "inputs": {"x": {"dist": "normal", "shape": [], "as": "float"}},
                              "public": [{"seed": 1, "sizes": {}}]}}}}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    assignment = load_config(tmp_path / "config.yaml").assignment("week")
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in STAR_NOTEBOOK])
    nbformat.write(notebook, submissions / "star.ipynb")
    loaded = load_submission(submissions / "star.ipynb", assignment)
    kept = "".join(chunk.source for chunk in loaded.chunks)
    assert "from week_utils import *" in kept and "from public_tests import *" not in kept, kept
    assert not loaded.problems, loaded.problems
    grade_folder(assignment, submissions, tmp_path / "out", jobs=1, quiet=True)
    row = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[1]
    assert row.startswith("star,star.ipynb,1,1,1,ok"), row
