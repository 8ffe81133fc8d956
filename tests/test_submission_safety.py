"""Submissions are read safely and loaded in bounded time (issue 9, items 3-4 of "what to build").

Special files (FIFOs, devices, links to /dev/zero or /proc/kmsg), files over the size cap and
notebooks built to make loading slow (400 000 cells, millions of JSON values, deep nesting,
long chains of constants) must each give a clear problem, promptly. A hang is the failure
these tests look for: every call runs in a thread joined with a generous bound (the limit it
tests, never a tight wall-clock figure), so that the suite fails instead of hanging.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader.cache import submission_key
from grader.submission import load_submission
from grader.submission.files import MIB, ReadFailure, members, read_regular
from grader.submission.reading import MAX_CELLS, MAX_CODE_BYTES, MAX_JSON_VALUES
from grader.submission.selection import MAX_NOTES

ROOT = Path(__file__).resolve().parents[1]
ALICE = ROOT / "examples" / "logreg" / "alice_correct.ipynb"
FUNCTIONS = ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"]
BOUND = 60.0  # seconds: the per-submission limit (Limits.submission_seconds); a hang never ends


def promptly(call, *args, bound: float = BOUND, **kwargs):
    """``call(*args, **kwargs)`` in a thread; fails if it has not returned within ``bound``."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call(*args, **kwargs)
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(bound)
    assert not thread.is_alive(), f"{getattr(call, '__name__', call)} has not returned after {bound} s: it hangs"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def alice_cells() -> list:
    return json.loads(ALICE.read_text(encoding="utf-8"))["cells"]


def write_cells(path: Path, cells: list) -> Path:
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    path.write_text(json.dumps(notebook, separators=(",", ":")), encoding="utf-8")
    return path


def code(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}


def problem(sub):
    assert len(sub.problems) == 1, sub.problems
    return sub.problems[0]


# --------------------------------------------------------------------------- special files


def test_a_fifo_named_like_a_module_is_refused_without_blocking(tmp_path, assignment):
    fifo = tmp_path / "eve.py"
    os.mkfifo(fifo)
    sub = promptly(load_submission, fifo, assignment)
    assert sub.status == "unreadable" and problem(sub).message == (
        "eve.py is not a regular file but a named pipe (FIFO), which the grader does not open; "
        "submit the notebook file itself")
    key = promptly(submission_key, "base", fifo)  # the cache key read it, and the batch hung
    assert key == promptly(submission_key, "base", fifo)
    regular = tmp_path / "regular.py"
    regular.write_text("x = 1\n")
    assert key != submission_key("base", regular)


def test_a_link_to_dev_zero_is_refused_and_never_read(tmp_path, assignment):
    link = tmp_path / "eve.py"
    link.symlink_to("/dev/zero")
    sub = promptly(load_submission, link, assignment)
    assert sub.status == "unreadable" and problem(sub).message == (
        "eve.py is a symbolic link, which the grader does not follow; submit the file itself")
    promptly(submission_key, "base", link)  # it raised MemoryError, reading /dev/zero to the end


@pytest.mark.parametrize("device, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_a_device_is_never_opened(device, kind):
    with pytest.raises(ReadFailure) as refused:
        promptly(read_regular, Path(device), 1024)
    assert refused.value.message == (f"{Path(device).name} is not a regular file but {kind}, which the grader "
                                     "does not open; submit the notebook file itself")


def test_links_to_proc_kmsg_inside_a_folder_do_not_hang(tmp_path, assignment):
    folder = tmp_path / "mallory"
    folder.mkdir()
    (folder / "work.ipynb").write_bytes(ALICE.read_bytes())
    (folder / "kmsg").symlink_to("/proc/kmsg")
    (folder / "log.py").symlink_to("/proc/kmsg")
    sub = promptly(load_submission, folder, assignment)
    assert sub.status == "ok" and sub.problems == [] and list(sub.functions) == FUNCTIONS
    assert sub.digest == hashlib.sha256(ALICE.read_bytes()).hexdigest()
    promptly(submission_key, "base", folder)
    (folder / "work.ipynb").unlink()
    (folder / "work.ipynb").symlink_to("/proc/kmsg")
    (folder / "log.py").unlink()
    sub = promptly(load_submission, folder, assignment)
    assert sub.status == "unreadable" and problem(sub).message == (
        "mallory/work.ipynb is a symbolic link, which the grader does not follow; submit the file itself")
    promptly(submission_key, "base", folder)


def test_a_fifo_in_a_folder_is_refused_by_name(tmp_path, assignment):
    folder = tmp_path / "quinn"
    folder.mkdir()
    os.mkfifo(folder / "work.ipynb")
    sub = promptly(load_submission, folder, assignment)
    assert sub.status == "unreadable" and problem(sub).message == (
        "quinn/work.ipynb is not a regular file but a named pipe (FIFO), which the grader does not open; "
        "submit the notebook file itself")
    promptly(submission_key, "base", folder)
    # Beside the real notebook, a FIFO that is not a notebook changes nothing.
    (folder / "work.ipynb").unlink()
    (folder / "work.ipynb").write_bytes(ALICE.read_bytes())
    os.mkfifo(folder / "notes.txt")
    assert promptly(load_submission, folder, assignment).status == "ok"
    promptly(submission_key, "base", folder)


def test_a_device_in_a_folder_is_refused_by_name(tmp_path, assignment):
    folder = tmp_path / "rita"
    folder.mkdir()
    try:
        os.mknod(folder / "work.ipynb", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
    except PermissionError:
        pytest.skip("creating a device needs CAP_MKNOD")
    sub = promptly(load_submission, folder, assignment)
    assert sub.status == "unreadable" and problem(sub).message == (
        "rita/work.ipynb is not a regular file but a character device, which the grader does not open; "
        "submit the notebook file itself")
    promptly(submission_key, "base", folder)


# --------------------------------------------------------------------------- the size cap


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no room on disk: what matters is what the grader reads."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def test_a_submission_over_the_cap_is_refused_before_reading(tmp_path, assignment):
    big = sparse(tmp_path / "olga.ipynb", 200 * 10**6)  # a 200 MB output
    sub = promptly(load_submission, big, assignment)
    assert sub.status == "unreadable" and sub.functions == {}
    assert problem(sub).kind == "too_large" and problem(sub).message == (
        "olga.ipynb is 190.7 MiB, more than the 32 MiB the grader reads of one submission, so it was not read. "
        "It probably holds large outputs (images, printed arrays): open it in Jupyter, clear the outputs "
        "(Kernel > Restart & Clear Output), save it, and submit it again.")
    module = sparse(tmp_path / "pat.py", 33 * MIB)
    assert problem(promptly(load_submission, module, assignment)).message == (
        "pat.py is 33 MiB, more than the 32 MiB the grader reads of one submission, so it was not read. "
        "A file this large holds data, not code: remove the data (load it from a file instead) and submit it again.")
    key = promptly(submission_key, "base", big, 32 * MIB)
    sparse(big, 201 * 10**6)
    assert promptly(submission_key, "base", big, 32 * MIB) != key
    # Next to it, a normal submission loads as always.
    assert load_submission(ALICE, assignment).status == "ok"


def test_the_cap_comes_from_the_assignment(tmp_path, assignment):
    notebook = json.loads(ALICE.read_text())
    notebook["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * (3 * MIB // 2)}]
    path = tmp_path / "tom.ipynb"
    path.write_text(json.dumps(notebook))
    tight = SimpleNamespace(functions=FUNCTIONS, solution=assignment.solution, limits=SimpleNamespace(submission_mib=1))
    sub = load_submission(path, tight)
    assert problem(sub).kind == "too_large" and "more than the 1 MiB the grader reads" in problem(sub).message
    roomy = SimpleNamespace(functions=FUNCTIONS, solution=assignment.solution, limits=SimpleNamespace(submission_mib=2))
    assert load_submission(path, roomy).status == "ok"


def test_read_regular_reads_at_most_the_cap(tmp_path):
    path = tmp_path / "f.py"
    path.write_bytes(b"a" * 100)
    assert read_regular(path, 100) == b"a" * 100
    with pytest.raises(ReadFailure) as refused:
        read_regular(path, 99)
    assert refused.value.kind == "too_large" and refused.value.message.startswith(
        "f.py is 100 bytes, more than the 99 bytes the grader reads of one submission")
    # /proc files say 0 bytes and hold more: what is read is counted, not what is said.
    with pytest.raises(ReadFailure) as longer:
        read_regular(Path("/proc/self/status"), 16)
    assert longer.value.message.startswith("status holds more than the 16 bytes the grader reads")


def test_a_huge_folder_is_not_listed_to_the_end(tmp_path, assignment):
    folder = tmp_path / "uma"
    folder.mkdir()
    (folder / "work.ipynb").write_bytes(ALICE.read_bytes())
    for i in range(10_001):
        (folder / f"{i}.png").touch()
    with pytest.raises(ReadFailure) as refused:
        promptly(members, folder)
    assert refused.value.message == ("the folder uma/ holds more than 10,000 files and folders, too many to look "
                                     "through; submit only your notebook")
    assert problem(promptly(load_submission, folder, assignment)).kind == "too_large"
    promptly(submission_key, "base", folder)


# --------------------------------------------------------------------------- the cache key


def test_the_key_of_a_folder_follows_the_notebook_within_the_cap(tmp_path):
    folder = tmp_path / "vic"
    folder.mkdir()
    (folder / "a_data.py").write_bytes(b"#" * 900)
    notebook = folder / "work.ipynb"
    notebook.write_bytes(b'{"cells": [], "x": "ab"}')
    key = submission_key("base", folder, max_bytes=1000)
    stamp = os.stat(notebook)
    notebook.write_bytes(b'{"cells": [], "x": "ba"}')  # same size: the bytes, not the size, make the key
    os.utime(notebook, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert submission_key("base", folder, max_bytes=1000) != key
    assert submission_key("other base", folder, max_bytes=1000) != submission_key("base", folder, max_bytes=1000)


# --------------------------------------------------------------------------- bounded loading


def test_a_notebook_of_400000_cells_is_refused_promptly(tmp_path, assignment):
    path = write_cells(tmp_path / "wes.ipynb", alice_cells() + [{"cell_type": "code", "source": ""}] * 400_000)
    assert path.stat().st_size < 32 * MIB
    sub = promptly(load_submission, path, assignment)
    assert problem(sub).kind == "too_large" and problem(sub).message == (
        f"wes.ipynb has 400,039 cells, more than the {MAX_CELLS:,} the grader reads in one notebook: a notebook "
        "this long was made by a program or by pasting cells many times; delete the cells you do not need (keep "
        "the graded ones), save it, and submit it again")


def test_millions_of_tiny_json_values_are_refused_before_parsing(tmp_path, assignment):
    path = tmp_path / "xia.ipynb"
    path.write_text('{"nbformat": 4, "cells": [], "metadata": [' + "{}," * 3_000_000 + "{}]}")
    sub = promptly(load_submission, path, assignment)
    assert problem(sub).kind == "too_large" and problem(sub).message.startswith(
        f"xia.ipynb holds about 3,000,005 JSON values, more than the {MAX_JSON_VALUES:,} the grader reads")
    # A damaged file of quotes and backslashes is counted in one pass (a regex that retried
    # at every quote would take hours on it).
    damaged = tmp_path / "yan.ipynb"
    damaged.write_text('{"cells": "' + '\\"' * 4 * MIB + "\\")
    assert promptly(load_submission, damaged, assignment).status == "unreadable"


def test_deep_json_nesting_is_refused(tmp_path, assignment):
    path = tmp_path / "zoe.ipynb"
    path.write_text('{"cells": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}")
    assert problem(promptly(load_submission, path, assignment)).message.startswith(
        "zoe.ipynb is JSON nested too deeply to be a notebook")


def test_code_over_the_cap_is_refused(tmp_path, assignment):
    cells = alice_cells() + [code("DATA = [" + "1.0, " * (MAX_CODE_BYTES // 5) + "]\n")]
    sub = promptly(load_submission, write_cells(tmp_path / "amy.ipynb", cells), assignment)
    assert problem(sub).kind == "too_large" and problem(sub).message.startswith(
        "amy.ipynb holds 264 KiB of code in its code cells, more than the 256 KiB the grader analyses")
    module = tmp_path / "ben.py"
    module.write_text("x = 1\n" * (MAX_CODE_BYTES // 6 + 1))
    assert problem(promptly(load_submission, module, assignment)).message.startswith(
        "ben.py is 256 KiB of code, more than the 256 KiB the grader analyses in one module")


def graded_cell(name: str, source: str) -> dict:
    return code(f"# GRADED FUNCTION: {name}\n{source}")


def test_long_chains_of_constants_are_resolved_iteratively(tmp_path, assignment):
    chain = "c0 = 1.0\n" + "".join(f"c{i} = c{i - 1} + 1\n" for i in range(1, 8000))
    cells = alice_cells() + [graded_cell("sigmoid", chain + "def sigmoid(z):\n    return 1 / (1 + np.exp(-z)) + 0 * c7999\n")]
    sub = promptly(load_submission, write_cells(tmp_path / "cal.ipynb", cells), assignment)
    assert sub.status == "ok" and "sigmoid" in sub.functions  # it was a RecursionError (an "internal" problem)
    kept = next(c.source for c in sub.chunks if c.cell_index == len(cells))
    assert "c0 = 1.0" in kept and "c7999 = c7998 + 1" in kept
    # Each level needs both of the level below: resolved once each, it was 2**40 calls.
    diamond = "a0 = 1\nb0 = 2\n" + "".join(f"a{i} = a{i - 1} + b{i - 1}\nb{i} = a{i - 1} - b{i - 1}\n"
                                           for i in range(1, 41))
    cells[-1] = graded_cell("sigmoid", diamond + "def sigmoid(z):\n    return 1 / (1 + np.exp(-z)) + 0 * a40\n")
    sub = promptly(load_submission, write_cells(tmp_path / "dan.ipynb", cells), assignment)
    assert sub.status == "ok" and "a40 = a39 + b39" in next(c.source for c in sub.chunks if c.cell_index == len(cells))
    # A cycle cannot be run by Python: dropped and reported, as before.
    cells[-1] = graded_cell("sigmoid", "p = q + 1\nq = p + 1\ndef sigmoid(z):\n    return z + p\n")
    sub = promptly(load_submission, write_cells(tmp_path / "eli.ipynb", cells), assignment)
    assert [p.kind for p in sub.problems_for("sigmoid")] == ["duplicate", "dropped"]


def test_many_problems_give_at_most_a_few_notes(tmp_path, assignment):
    undefined = "def sigmoid(z):\n" + "".join(f"    a{i} = u{i}\n" for i in range(8000)) + "    return z\n"
    cells = alice_cells() + [graded_cell("sigmoid", undefined)]
    cells += [{"cell_type": "markdown", "metadata": {}, "source": "# GRADED FUNCTION: predict"}] * 9000
    sub = promptly(load_submission, write_cells(tmp_path / "fay.ipynb", cells), assignment)
    notes = sub.problems_for("sigmoid")
    assert len(notes) == MAX_NOTES and [p.kind for p in notes[1:]] == ["undefined"] * (MAX_NOTES - 1)
    assert notes[-1].message.endswith(f"\n(and {8000 - MAX_NOTES + 1} more problems like these in `sigmoid`, "
                                      "not listed: fix the ones above first)")
    assert len(sub.problems_for("predict")) == MAX_NOTES
    assert sum(len(p.message) for p in sub.problems) < 20_000


def test_many_copies_of_a_function_are_listed_briefly(tmp_path, assignment):
    cells = alice_cells() + [code("def sigmoid(z):\n    return z")] * 8000
    sub = promptly(load_submission, write_cells(tmp_path / "gil.ipynb", cells), assignment)
    message = next(p.message for p in sub.problems if p.kind == "duplicate")
    assert message.startswith("`sigmoid` is defined 8001 times: in cell 6, line 3 and in cell 40, line 1, ")
    assert " and 7990 more. The one in cell 6, line 3 is graded" in message and len(message) < 1000


def test_a_module_of_many_pieces_with_a_syntax_error(tmp_path, assignment):
    """A broken .py is parsed piece by piece; each piece alone (padding each with the lines above
    it made this quadratic)."""
    path = tmp_path / "hal.py"
    body = "import numpy as np\n" + "".join(f"def f{i}(): pass\n" for i in range(12_000))
    path.write_text(body + "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\ndef broken(:\n")
    sub = promptly(load_submission, path, assignment)
    assert "sigmoid" in sub.functions and sub.functions["sigmoid"].lineno == 12_002
    assert [p.kind for p in sub.problems_for("sigmoid")] == []


def test_a_syntax_error_on_a_very_long_line_shows_a_window_of_it(tmp_path, assignment):
    cells = [graded_cell("sigmoid", "def sigmoid(z):\n    return (" + "z+" * 100_000 + "\n")]
    sub = promptly(load_submission, write_cells(tmp_path / "ida.ipynb", cells), assignment)
    message = next(p.message for p in sub.problems if p.kind == "syntax")
    assert message.startswith("SyntaxError in cell 1, line 3: '(' was never closed\n        return (z+z+")
    assert len(message) < 600
    lines = message.split("\n")
    assert lines[2].strip() == "^" and lines[2].index("^") == lines[1].index("(")


def test_names_that_are_not_text_are_shown_escaped(tmp_path, assignment):
    """A name with a newline or bytes that are not UTF-8 must neither break a message's line nor
    make it impossible to write as UTF-8 (feedback, the cache key)."""
    fifo = tmp_path / os.fsdecode(b"\xff\nx.py")
    os.mkfifo(fifo)
    sub = promptly(load_submission, fifo, assignment)
    assert problem(sub).message.startswith("'\\udcff\\nx.py' is not a regular file but a named pipe (FIFO)")
    problem(sub).message.encode("utf-8")
    promptly(submission_key, "base", fifo)
    folder = tmp_path / "kim"
    folder.mkdir()
    (folder / os.fsdecode(b"\xfe.py")).write_bytes(b"x = 1\n")
    (folder / "b.py").write_bytes(b"x = 1\n")
    assert "holds 2 notebooks or modules (b.py, '\\udcfe.py')" in problem(load_submission(folder, assignment)).message
    promptly(submission_key, "base", folder)
