"""``grader export gradescope --assignment NAME --out autograder.zip``: a Gradescope autograder.

The zip follows Gradescope's autograder specification: ``setup.sh`` and ``run_autograder`` at
its root. Gradescope unzips it into ``/autograder/source`` and runs ``setup.sh`` once, when the
image is built; then, for each submission, ``run_autograder``, which reads the student's files
in ``/autograder/submission/`` and writes ``/autograder/results/results.json``. The variable
``AUTOGRADER_ROOT`` replaces ``/autograder`` (to try the zip anywhere: unzip it into
``ROOT/source``, put a notebook in ``ROOT/submission``, run both scripts).

In the zip:
- ``wheels/grader-*.whl``: this grader, built from its source; ``setup.sh`` makes a virtual
  environment (``source/venv``, with Python 3.11 or newer: the image's, or installed with
  apt-get where the image has none) and installs the wheel into it, which brings its
  dependencies from PyPI (Gradescope's setup has network access; grading does not need it);
- ``course/``: ``config.yaml`` reduced to the one assignment, and the files it names
  (solutions, hidden tests, extra files): what grading needs and nothing else of the course;
- ``run_autograder``: ``python -m grader.exports.gradescope_run``, which grades the one
  submission exactly as ``grader grade`` does (same sandbox, every protection the machine
  allows; same results.json, byte for byte) and copies its results.json into place.
"""
from __future__ import annotations

import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

from grader.errors import UserError
from grader.report.files import atomic_write, make_folder

# Fixed zip entry times: the same course and grader give the same zip.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
SCRIPTS = {"setup.sh": "gradescope_setup.sh", "run_autograder": "gradescope_run_autograder.sh"}


def add_arguments(kinds) -> None:
    parser = kinds.add_parser("gradescope", help="a Gradescope autograder zip for one assignment",
                              description=__doc__.split("\n\n", 1)[1].split("\n\nIn the zip:")[0])
    parser.add_argument("--assignment", required=True, metavar="NAME", help="the assignment of config.yaml")
    parser.add_argument("--config", default=Path("config.yaml"), type=Path,
                        help="the course configuration (default: %(default)s)")
    parser.add_argument("--out", default=Path("autograder.zip"), type=Path, metavar="ZIP",
                        help="the zip to write (default: %(default)s)")
    parser.add_argument("--wheel", default=None, type=Path, metavar="WHL",
                        help="a grader wheel to put in (default: built from this grader's source)")


def run(args) -> int:
    from grader.config import load_config

    config = load_config(args.config)
    assignment = config.assignment(args.assignment)
    with tempfile.TemporaryDirectory(prefix="grader-gradescope-") as tmp:
        wheel = args.wheel or build_wheel(Path(tmp))
        entries = {f"wheels/{wheel.name}": wheel.read_bytes()}
        entries.update(course_files(config.path, assignment))
        for name, template in SCRIPTS.items():
            text = (Path(__file__).parent / template).read_text(encoding="utf-8")
            entries[name] = text.replace("@ASSIGNMENT@", assignment.name).encode()
    make_folder(Path(args.out).parent)
    atomic_write(args.out, zip_bytes(entries))
    print(f"{args.out}: Gradescope autograder for {assignment.name} ({len(entries)} files); upload it as the "
          f"assignment's autograder (Configure Autograder > Zip file upload)")
    return 0


def build_wheel(folder: Path) -> Path:
    """This grader's wheel, built with pip from a copy of its source (the tree stays clean)."""
    source = Path(__file__).resolve().parents[2]
    if not (source / "pyproject.toml").is_file():
        raise UserError("this grader is not installed from its source, so no wheel can be built here",
                        hint="build one (pip wheel --no-deps SOURCE) and pass it: --wheel FILE")
    copy = folder / "source"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (source / name).is_file():
            shutil.copy(source / name, copy / name)
    shutil.copytree(source / "grader", copy / "grader", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = folder / "wheels"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(copy)],
                          capture_output=True, text=True, timeout=600)
    built = sorted(wheels.glob("grader-*.whl"))
    if done.returncode != 0 or not built:
        raise UserError(f"building the grader's wheel failed: {done.stderr.strip()[-800:]}",
                        hint="build one (pip wheel --no-deps SOURCE) and pass it: --wheel FILE")
    return built[0]


def course_files(config_path: Path, assignment) -> dict:
    """``course/config.yaml`` with only this assignment, and every file it names, by path."""
    root = Path(config_path).resolve().parent
    raw = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
    raw["assignments"] = {assignment.name: raw["assignments"][assignment.name]}
    data = raw["assignments"][assignment.name]
    data.pop("examples", None)  # example submissions are not the autograder's business
    entries = {"course/config.yaml": yaml.safe_dump(raw, sort_keys=False, allow_unicode=True).encode()}
    files = [assignment.solution, *assignment.extra_files, *assignment.hidden_tests]
    if assignment.notebook is not None:
        files.append(assignment.notebook)
    files += [p for p in assignment.solution_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(set(Path(p).resolve() for p in files)):
        if not path.is_relative_to(root):
            raise UserError(f"{path} is outside the folder of config.yaml, so it cannot go into the autograder",
                            path=config_path, hint="keep the course's files beside config.yaml")
        entries[f"course/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return entries


def zip_bytes(entries: dict) -> bytes:
    """The zip: entries sorted, fixed times, the two scripts executable (Gradescope runs them)."""
    with tempfile.SpooledTemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                mode = 0o755 if name in SCRIPTS else 0o644
                info.external_attr = (stat.S_IFREG | mode) << 16
                archive.writestr(info, entries[name])
        buffer.seek(0)
        return buffer.read()
