"""nbgrader, side by side with the grader, on the same notebooks (issue 14).

What ``make bench`` does with it, and what ``tests/test_export_nbgrader.py`` shares:

1. ``tool_env``: a virtual environment under ``build/env-<name>`` with nbgrader (never a
   dependency of the grader; reused while its ``.installed`` marker names the same packages).
   When the package registry cannot be reached it raises ``ToolUnavailable``, and the bench
   reports nbgrader's figures as null instead of assuming any.
2. ``course``: ``grader export nbgrader`` of the assignment into an nbgrader course folder (for the
   bench, its grading cells only: ``grading_cells_only``), then ``nbgrader generate_assignment``
   (the released notebook students would start from).
3. ``submit``: each student's graded cells pasted into the released notebook's solution cells
   (matched by grade_id, which is the function's name), as a student filling it in would.
4. ``nbgrader autograde``, timed (wall, and CPU of the reaped children through getrusage), and
   ``nbgrader export`` to CSV for the raw scores.

Nothing here imports pytest: the test module turns ``ToolUnavailable`` into a skip.
"""
from __future__ import annotations

import collections
import csv
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

# The one environment the bench and the tools tests share (build/env-nbgrader). matplotlib
# because the course's notebooks import it next to their data loading: without it that cell
# fails and nbgrader would run a cheaper notebook than the students'.
NBGRADER_PACKAGES = ["nbgrader==0.9.*", "numpy", "matplotlib"]

# Words in pip's error output that mean the registry was not reached (not a broken package).
UNREACHABLE = ("Could not find a version", "connection", "Connection", "Network", "Temporary failure",
               "No matching distribution", "Name or service not known", "timed out")


class ToolUnavailable(RuntimeError):
    """The tool cannot be installed here (the package registry is unreachable)."""


class ToolFailed(RuntimeError):
    """A tool ran and failed; the message holds its command and the end of its output."""


def tool_env(name: str, packages: list, root: Path = ROOT, timeout: float = 900) -> Path:
    """``root/build/env-<name>`` with ``packages`` installed; reused when its marker matches."""
    env = root / "build" / f"env-{name}"
    python = env / "bin" / "python"
    marker = env / ".installed"
    wanted = " ".join(packages)
    if marker.is_file() and marker.read_text() == wanted and python.exists():
        return env
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    try:
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise ToolUnavailable(f"installing {wanted} into {env} took more than {timeout:.0f} s "
                              f"(is the package registry reachable?)") from error
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        if any(word in done.stderr for word in UNREACHABLE):
            raise ToolUnavailable(f"{wanted} cannot be installed (package registry unreachable): {last}")
        raise ToolFailed(f"installing {wanted} into {env} failed:\n{done.stderr[-3000:]}")
    marker.write_text(wanted)
    return env


def run_tool(command: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """A program of a tool environment, with that environment's programs first on PATH (nbgrader
    calls alembic, and its kernels are the environment's Python)."""
    bin_dir = Path(command[0]).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    try:
        done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              env=env)
    except subprocess.TimeoutExpired as error:
        raise ToolFailed(f"{' '.join(map(str, command))} did not finish within {timeout:.0f} s") from error
    if done.returncode != 0:
        raise ToolFailed(f"{' '.join(map(str, command))} failed (exit {done.returncode}):\n"
                         f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def graded_cells(path: Path) -> dict:
    """function -> the source of its graded cell in a submitted notebook (by the cell's grader
    metadata, or its ``# GRADED FUNCTION: name`` header when a student's copy lost the metadata)."""
    notebook = nbformat.read(path, as_version=4)
    cells = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        name = cell.get("metadata", {}).get("grader", {}).get("function")
        if not name and cell.source.lstrip().startswith("# GRADED FUNCTION:"):
            name = cell.source.lstrip().splitlines()[0].split(":", 1)[1].strip()
        if name:
            cells[name] = cell.source
    return cells


def paste_answers(release: nbformat.NotebookNode, answers: dict) -> nbformat.NotebookNode:
    """A copy of the released notebook with each solution cell whose grade_id names a function
    in ``answers`` replaced by that answer; the others (a deleted cell) keep the released stub."""
    notebook = nbformat.from_dict(release)
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]
    return notebook


def pick(kinds: list, size: int, eligible=None) -> list:
    """``size`` indices into ``kinds`` (each submission's kind), deterministic and stratified: each
    kind gets its share of ``size`` in proportion to its count (largest remainders first, ties by
    kind name), spread evenly over that kind's submissions. ``eligible(index)`` filters first."""
    by_kind = collections.defaultdict(list)
    for index, kind in enumerate(kinds):
        if eligible is None or eligible(index):
            by_kind[kind].append(index)
    total = sum(len(v) for v in by_kind.values())
    size = min(size, total)
    if size <= 0:
        return []
    quotas = {k: size * len(v) / total for k, v in by_kind.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    for k in sorted(quotas, key=lambda k: (-(quotas[k] - counts[k]), k))[: size - sum(counts.values())]:
        counts[k] += 1
    chosen = []
    for kind, indices in by_kind.items():
        step = len(indices) / counts[kind] if counts[kind] else 0
        chosen.extend(indices[int(j * step)] for j in range(counts[kind]))
    return sorted(chosen)


def side_by_side(items: list, size: int = 20) -> list:
    """``size`` of the bench's submissions ([(path, plan item)], bench/make_submissions.py) for
    nbgrader and the start-up run, stratified by kind. Left out: .py modules and unreadable files
    (nbgrader takes neither), and never-ending ones (nbgrader would wait out its cell timeout on
    them, a cost that would flatter the grader)."""
    def eligible(index: int) -> bool:
        path, item = items[index]
        return Path(path).suffix == ".ipynb" and item["profile"] not in ("unreadable", "timeout")

    return [items[i][0] for i in pick([item["profile"] for _, item in items], size, eligible)]


def values_shapes_points(result) -> float:
    """The points of a result that nbgrader's export can give: the values and shapes checks' own
    tests (the instructor's hand-written test files are not exported)."""
    return sum(t.score for t in result.tests if t.check in ("values", "shapes")
               and t.name.endswith(("(public cases)", "(hidden cases)")))


def read_scores(path: Path) -> dict:
    """student id -> raw score, from ``nbgrader export``'s CSV."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}


def agreement(ours: dict, theirs: dict, tolerance: float = 1e-3) -> tuple:
    """(how many students both tools score the same, how many, [(student, ours, theirs)] that differ)."""
    students = sorted(set(ours) | set(theirs))
    differ = [(s, ours.get(s), theirs.get(s)) for s in students
              if s not in ours or s not in theirs or abs(ours[s] - theirs[s]) > tolerance]
    return len(students) - len(differ), len(students), differ


def children_cpu() -> float:
    """CPU seconds of this process's reaped children so far: nbgrader and, through it, its kernels."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def grading_cells_only(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an nbgrader source notebook without the code cells nbgrader does not grade or
    lock (the course's own cells: loading the data, training the model on it, plotting).

    The grader never runs those cells; nbgrader runs every cell, and on the logreg notebook the
    training cells cost more than all the grading (tens of seconds per notebook). Without them
    nbgrader runs only what grading needs (setup, the student's functions, the test cells), so
    the ratio measured is a lower bound, not flattered by cells that only one tool runs."""
    copy = nbformat.from_dict(notebook)
    copy.cells = [c for c in copy.cells if c.cell_type != "code" or c.get("metadata", {}).get("nbgrader")]
    return copy


def course(assignment, folder: Path, env: Path, timeout: float = 600, whole: bool = True) -> nbformat.NotebookNode:
    """An nbgrader course folder holding the exported assignment, released; the released notebook.
    ``whole=False`` releases the grading cells only (``grading_cells_only``)."""
    from grader.exports.nbgrader import export

    export(assignment, folder / "source" / assignment.name)
    if not whole:
        source = folder / "source" / assignment.name / f"{assignment.name}.ipynb"
        nbformat.write(grading_cells_only(nbformat.read(source, as_version=4)), source)
    (folder / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(folder)!r}\n",
                                               encoding="utf-8")
    run_tool([env / "bin" / "nbgrader", "generate_assignment", assignment.name, "--force"], folder, timeout)
    return nbformat.read(folder / "release" / assignment.name / f"{assignment.name}.ipynb", as_version=4)


def submit(release, assignment_name: str, folder: Path, paths: list) -> list:
    """Each notebook's graded cells pasted into the released notebook, as nbgrader expects a
    submission: ``folder/submitted/<student>/<assignment>/<assignment>.ipynb``. The student ids."""
    students = []
    for path in paths:
        target = folder / "submitted" / path.stem / assignment_name
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(paste_answers(release, graded_cells(path)), target / f"{assignment_name}.ipynb")
        students.append(path.stem)
    return students


def autograde(assignment, paths: list, folder: Path, *, whole: bool = False, timeout: float = 3600,
              log=print) -> dict:
    """Install nbgrader (or reuse it), release the assignment, autograde ``paths`` and read the scores.

    Returns {"version", "n", "wall_s", "cpu_s", "scores": {student: raw score}}; raises
    ToolUnavailable when nbgrader cannot be installed, ToolFailed when a step fails."""
    import shutil

    t = time.perf_counter()
    env = tool_env("nbgrader", NBGRADER_PACKAGES)
    version = run_tool([env / "bin" / "python", "-c", "import nbgrader; print(nbgrader.__version__)"], ROOT,
                       60).stdout.strip()
    log(f"  nbgrader {version} in {env.relative_to(ROOT) if env.is_relative_to(ROOT) else env} "
        f"(ready in {time.perf_counter() - t:.1f} s)")
    if folder.exists():
        shutil.rmtree(folder)
    t = time.perf_counter()
    release = course(assignment, folder, env, whole=whole)
    students = submit(release, assignment.name, folder, paths)
    log(f"  exported ({'the whole notebook' if whole else 'its grading cells only'}), released "
        f"(generate_assignment) and {len(students)} submission(s) filled in, {time.perf_counter() - t:.1f} s")
    cpu_before = children_cpu()
    started = time.perf_counter()
    run_tool([env / "bin" / "nbgrader", "autograde", assignment.name, "--force"], folder, timeout)
    wall = time.perf_counter() - started
    cpu = children_cpu() - cpu_before
    run_tool([env / "bin" / "nbgrader", "export", "--to", str(folder / "grades.csv")], folder, 300)
    scores = read_scores(folder / "grades.csv")
    missing = sorted(set(students) - set(scores))
    if missing:
        raise ToolFailed(f"nbgrader export has no score for {', '.join(missing)} (see {folder}/autograded/)")
    return {"version": version, "n": len(students), "wall_s": wall, "cpu_s": cpu, "whole_notebook": whole,
            "scores": {s: scores[s] for s in students}}
