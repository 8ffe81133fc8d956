"""Helpers of the adversarial suite (issue 5): hostile and broken submissions.

- notebooks built from the reference solution (``honest_cells``), with one function or cell
  replaced by hostile code;
- a test ``config.yaml`` in a temporary folder that points at the real ``solutions/`` with
  short limits (``write_config``), so a hang costs ~1.5 s, not 10;
- ``run_grader``: the real CLI (``python -m grader grade``) in a subprocess, with a wall bound;
- ``Results``: what the grader wrote in OUT (gradebook.csv, results.json), per function;
- ``snapshot`` / ``changed``: the file tree before/after, to prove nothing outside OUT changed;
- ``Listener``: TCP, UDP and Unix-socket listeners on 127.0.0.1 that record any contact.
"""
from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "logreg" / "logreg.py"
PROJECT_CONFIG = ROOT / "config.yaml"
FUNCTIONS = ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model")
MARKER_LINE = re.compile(r"^\s*#+\s*(BEGIN|END)\s+SOLUTION")

# Headlines the runs check gives each failed call status (grader/checks/runs.py): what a
# student reads as the reason of a 0.
REASONS = {
    "timeout": "did not return in time",
    "memory": "ran out of memory",
    "killed": "crashed the process",
    "wrong_type": "returned something that is not plain data",
    "forbidden": "tried an operation that grading forbids",
    "error": "raised an error",
    "missing": "could not be called",
}


# --------------------------------------------------------------------------- submissions


def reference_functions() -> dict:
    """Each reference function's source (solution markers removed): honest work."""
    source = SOLUTION.read_text(encoding="utf-8")
    functions = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            text = ast.get_source_segment(source, node)
            functions[node.name] = "\n".join(line for line in text.splitlines() if not MARKER_LINE.search(line))
    return functions


def honest_cells(overrides: dict | None = None, extra: list | None = None, imports: str = "import numpy as np",
                 skip: tuple = ()) -> list:
    """[(cell_type, source)] of a complete, correct notebook; ``overrides`` replaces a graded
    cell's function source, ``extra`` cells are appended after the graded ones."""
    ref = reference_functions()
    overrides = overrides or {}
    cells = [("markdown", "# Logistic Regression with a Neural Network mindset\n\nMy submission."),
             ("code", imports)]
    for name in FUNCTIONS:
        if name in skip:
            continue
        cells.append(("code", f"# GRADED FUNCTION: {name}\n\n{overrides.get(name, ref[name])}\n"))
    cells.extend(extra or [])
    return cells


def notebook_text(cells: list, version: int = 4) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in cells:
        if kind == "code":
            nb.cells.append(nbformat.v4.new_code_cell(source))
        elif kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            nb.cells.append(nbformat.v4.new_raw_cell(source))
    if version == 3:
        nb = nbformat.convert(nb, 3)
        return nbformat.writes(nb, version=3)
    return nbformat.writes(nb) + "\n"


def write_notebook(path: Path, cells: list, version: int = 4) -> Path:
    path.write_text(notebook_text(cells, version), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- config


TEST_LIMITS = {"call_seconds": 1.5, "submission_seconds": 12, "cpu_seconds": 12, "memory_mib": 1024,
               "output_kib": 64, "file_size_mib": 16, "open_files": 64}


def write_config(folder: Path, limits: dict | None = None, function_timeouts: dict | None = None) -> Path:
    """A copy of the project's config.yaml in ``folder`` with the real solutions (absolute
    paths) and short limits. Returns its path."""
    raw = yaml.safe_load(PROJECT_CONFIG.read_text(encoding="utf-8"))
    raw["assignments"] = {"logreg": raw["assignments"]["logreg"]}  # the suite's submissions are logreg's
    raw["course"].setdefault("defaults", {})["limits"] = {**TEST_LIMITS, **(limits or {})}
    for assignment in raw["assignments"].values():
        for key in ("solution", "notebook"):
            if key in assignment:
                assignment[key] = str((ROOT / assignment[key]).resolve())
        for key in ("extra_files", "hidden_tests"):
            if key in assignment:
                assignment[key] = [str((ROOT / p).resolve()) for p in assignment[key]]
        for version in (assignment.get("versions") or {}).values():
            version["template"] = str((ROOT / version["template"]).resolve())
        assignment.pop("limits", None)
        for name, seconds in (function_timeouts or {}).items():
            assignment["functions"][name]["timeout_seconds"] = seconds
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text("# test configuration of the adversarial suite\n" + yaml.safe_dump(raw, sort_keys=False),
                    encoding="utf-8")
    return path


def load_assignment(config: Path):
    from grader.config import load_config

    return load_config(config).assignment("logreg")


# --------------------------------------------------------------------------- running


class Run:
    def __init__(self, returncode: int, stdout: str, stderr: str, seconds: float):
        self.returncode, self.stdout, self.stderr, self.seconds = returncode, stdout, stderr, seconds

    def __repr__(self) -> str:
        return (f"Run(rc={self.returncode}, {self.seconds:.1f}s)\n--- stdout\n{self.stdout[-3000:]}"
                f"\n--- stderr\n{self.stderr[-3000:]}")


# ``python -m grader`` that also reports its own peak memory (the grader process, not its children).
MEASURED_MAIN = ("import resource, sys; from grader.cli import main; code = main(sys.argv[1:]); "
                 "print(f'grader peak RSS KiB: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', "
                 "file=sys.stderr); sys.exit(code)")


def grader_command(submissions: Path, out: Path, config: Path, *extra: str, jobs: str | None = "2",
                   measure: bool = False) -> list:
    main = ["-c", MEASURED_MAIN] if measure else ["-m", "grader"]
    return [sys.executable, *main, "grade", str(submissions), "--out", str(out), "--config", str(config),
            *(["--jobs", jobs] if jobs else []), *extra]


def peak_rss_kib(run: "Run") -> int:
    """The grader's own peak memory, from a run with ``measure=True``."""
    for line in run.stderr.splitlines():
        if line.startswith("grader peak RSS KiB: "):
            return int(line.rpartition(" ")[2])
    raise AssertionError(f"the run did not report its memory\n{run}")


def run_grader(submissions: Path, out: Path, config: Path, *extra: str, bound: float, cwd: Path,
               env: dict | None = None, jobs: str | None = "2", measure: bool = False) -> Run:
    """Run ``grader grade`` as a subprocess; fail (after killing it) if it takes more than ``bound``.
    ``jobs=None`` leaves ``--jobs`` to its default; ``measure`` reports the grader's peak memory."""
    started = time.monotonic()
    proc = subprocess.Popen(grader_command(submissions, out, config, *extra, jobs=jobs, measure=measure),
                            cwd=cwd, env=_env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        stdout, stderr = proc.communicate()
        raise AssertionError(f"grader grade did not finish within {bound} s\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return Run(proc.returncode, stdout, stderr, time.monotonic() - started)


def _env(extra: dict | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def kill_group(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass


# --------------------------------------------------------------------------- results


class Results:
    """What the grader wrote in OUT, read back from the files."""

    def __init__(self, out: Path):
        self.out = Path(out)
        text = (self.out / "gradebook.csv").read_text(encoding="utf-8")
        self.gradebook = {row["student"]: row for row in csv.DictReader(io.StringIO(text))}
        self._results: dict = {}

    def results(self, student: str) -> dict:
        if student not in self._results:
            self._results[student] = json.loads((self.out / student / "results.json").read_text(encoding="utf-8"))
        return self._results[student]

    def tests(self, student: str, function: str | None = None, check: str | None = None,
              hidden: bool | None = None) -> list:
        found = []
        for test in self.results(student)["tests"]:
            data = test.get("extra_data", {})
            if function is not None and data.get("function") != function:
                continue
            if check is not None and data.get("check") != check:
                continue
            if hidden is not None and data.get("hidden") != hidden:
                continue
            found.append(test)
        return found

    def score(self, student: str, function: str | None = None, **where) -> float:
        if function is None and not where:
            return float(self.gradebook[student]["total"])
        return round(sum(t["score"] for t in self.tests(student, function, **where)), 4)

    def max_score(self, student: str, function: str | None = None, **where) -> float:
        return round(sum(t["max_score"] for t in self.tests(student, function, **where)), 4)

    def output(self, student: str, function: str | None = None) -> str:
        return "\n".join(t.get("output", "") for t in self.tests(student, function))

    def feedback(self, student: str) -> str:
        return (self.out / student / "feedback.md").read_text(encoding="utf-8")

    def status(self, student: str) -> str:
        return self.gradebook[student]["status"]


# --------------------------------------------------------------------------- file trees


SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", "build", ".ipynb_checkpoints"}
HASH_LIMIT = 4 * 1024 * 1024


def snapshot(root: Path, skip: tuple = (), hash_content: bool = True) -> dict:
    """relative path -> (type, size, mtime_ns, mode, sha256 of small files) for a whole tree."""
    root = Path(root)
    skip_paths = {Path(p).resolve() for p in skip}
    found = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and (here / d).resolve() not in skip_paths]
        for name in dirnames + filenames:
            path = here / name
            if name.endswith((".pyc",)):
                continue
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            kind = "l" if stat.S_ISLNK(info.st_mode) else "d" if stat.S_ISDIR(info.st_mode) else "f"
            digest = ""
            if kind == "f" and hash_content and info.st_size <= HASH_LIMIT and ".venv" not in path.parts:
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    digest = "unreadable"
            elif kind == "l":
                digest = os.readlink(path)
            mtime = info.st_mtime_ns if kind != "d" else 0   # a directory's mtime moves with any entry
            found[str(path.relative_to(root))] = (kind, info.st_size if kind == "f" else 0, mtime,
                                                  stat.S_IMODE(info.st_mode), digest)
    return found


# What must never change in the project while students are graded: the secrets, the code the
# grader runs (the venv) and the build files. The folders the team edits while this suite runs
# (grader/, tests/, docs/...) are checked with write probes and canaries instead (corpus.py).
PROTECTED = ("solutions", "config.yaml", ".venv", ".ci", "Makefile", "pyproject.toml", ".git/hooks", ".git/config")


def snapshot_project(root: Path = None) -> dict:
    root = Path(root or ROOT)
    found = {}
    for rel in PROTECTED:
        path = root / rel
        if path.is_dir():
            found.update({f"{rel}/{k}": v for k, v in snapshot(path).items()})
        elif path.exists():
            info = os.lstat(path)
            found[rel] = ("f", info.st_size, info.st_mtime_ns, stat.S_IMODE(info.st_mode),
                          hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def changed(before: dict, after: dict) -> list:
    """Paths added, removed or modified between two snapshots."""
    diffs = []
    for path in sorted(set(before) | set(after)):
        if path not in after:
            diffs.append(f"removed {path}")
        elif path not in before:
            diffs.append(f"added {path}")
        elif before[path] != after[path]:
            diffs.append(f"modified {path}: {before[path]} -> {after[path]}")
    return diffs


def find_named(roots, fragment: str, max_depth: int = 6) -> list:
    """Files or folders whose name contains ``fragment`` under ``roots`` (canary search)."""
    hits = []
    for root in roots:
        root = Path(root)
        if not root.exists():
            continue
        base = len(root.parts)
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            here = Path(dirpath)
            if len(here.parts) - base >= max_depth:
                dirnames[:] = []
            dirnames[:] = [d for d in dirnames if d not in (".git", "proc", "sys", "dev")]
            hits += [str(here / n) for n in dirnames + filenames if fragment in n]
    return hits


# --------------------------------------------------------------------------- network


class Listener:
    """TCP and UDP listeners on 127.0.0.1 and a Unix socket: they record every contact."""

    def __init__(self, unix_path: Path):
        self.contacts: list = []
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = str(unix_path)
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.unix_path)
        self.unix.listen(64)
        self.tcp_port = self.tcp.getsockname()[1]
        self.udp_port = self.udp.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        import select

        sockets = [self.tcp, self.udp, self.unix]
        while not self._stop.is_set():
            ready, _, _ = select.select(sockets, [], [], 0.1)
            for sock in ready:
                try:
                    if sock is self.udp:
                        data, addr = sock.recvfrom(65536)
                        self.contacts.append(("udp", addr, data[:200]))
                    else:
                        conn, addr = sock.accept()
                        conn.settimeout(0.5)
                        try:
                            data = conn.recv(200)
                        except OSError:
                            data = b""
                        conn.close()
                        self.contacts.append(("tcp" if sock is self.tcp else "unix", addr, data))
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()
