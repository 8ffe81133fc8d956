"""Finding submissions and naming students (issue 9: "Submissions are read safely", "Unambiguous students").

Which entries of the submissions folder are graded, which are skipped and why, and the student
ids: safe folder names, unique after NFC and case folding, never one of OUT's own entries, the
same whatever order the entries come in, with a note for every clash and rename.
"""
from __future__ import annotations

import itertools
import os
import re
import socket
import stat
import threading
import unicodedata
from pathlib import Path

import pytest

from grader.errors import UserError
from grader.report import write_batch
from grader.submission.discover import (EMPTY_FOLDER, NOT_A_SUBMISSION, SPECIAL, SYMLINK, Discovery, Found, Skipped,
                                        discover, work_for)
from grader.submission.students import MAX_ID_BYTES, OUT_ENTRIES, RESERVED_IDS, assign_ids, same_id_key

ROOT = Path(__file__).resolve().parents[1]
ALICE = ROOT / "examples" / "logreg" / "alice_correct.ipynb"
CAP = 32 * 2**20
BOUND = 60.0  # seconds; what is looked for is a hang, which never ends


def promptly(call, *args, **kwargs):
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call(*args, **kwargs)
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(BOUND)
    assert not thread.is_alive(), f"{call.__name__} has not returned after {BOUND} s: it hangs"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def notebook(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ALICE.read_bytes())
    return path


def test_what_is_graded_and_what_is_skipped(tmp_path):
    notebook(tmp_path / "alice.ipynb")
    (tmp_path / "bob.py").write_text("def sigmoid(z): return z\n")
    notebook(tmp_path / "carol" / "work.ipynb")
    notebook(tmp_path / "ivy.IPYNB")
    notebook(tmp_path / "gus.ipynb.bak")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "slides.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "data.xyz").write_bytes(b"")
    notebook(tmp_path / ".hidden.ipynb")
    (tmp_path / "_private.py").write_text("")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.png").write_bytes(b"\x89PNG")
    (tmp_path / "hidden_only").mkdir()
    notebook(tmp_path / "hidden_only" / ".ipynb_checkpoints" / "work-checkpoint.ipynb")
    os.mkfifo(tmp_path / "eve.py")
    (tmp_path / "zed.py").symlink_to("/dev/zero")
    (tmp_path / "copy.ipynb").symlink_to(tmp_path / "alice.ipynb")
    (tmp_path / "linked").symlink_to(tmp_path / "carol")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock.py"))
        found = promptly(discover, tmp_path, max_bytes=CAP)
    finally:
        server.close()
    assert found == Discovery(
        found=[Found(tmp_path / "alice.ipynb", "alice", "alice.ipynb"),
               Found(tmp_path / "bob.py", "bob", "bob.py"),
               Found(tmp_path / "carol", "carol", "carol/"),
               Found(tmp_path / "ivy.IPYNB", "ivy", "ivy.IPYNB")],
        skipped=[Skipped("copy.ipynb", SYMLINK),
                 Skipped("data.xyz", NOT_A_SUBMISSION),
                 Skipped("eve.py", "a named pipe (FIFO), not a regular file: the grader opens only regular files and "
                                   "folders; put the student's notebook file here instead"),
                 Skipped("gus.ipynb.bak", NOT_A_SUBMISSION + "; if it is the student's work, rename it to gus.ipynb"),
                 Skipped("hidden_only", EMPTY_FOLDER),
                 Skipped("linked", SYMLINK),
                 Skipped("notes.txt", NOT_A_SUBMISSION),
                 Skipped("photos", EMPTY_FOLDER),
                 Skipped("slides.pdf", NOT_A_SUBMISSION),
                 Skipped("sock.py", SPECIAL.format(kind="a socket")),
                 Skipped("zed.py", SYMLINK)],
        notes=[])
    assert NOT_A_SUBMISSION == "not a submission: only <student>.ipynb, <student>.py or a folder <student>/ are graded"
    assert SYMLINK == ("a symbolic link: the grader does not follow links, which could point anywhere on this "
                       "machine; put the file or folder itself here")
    assert EMPTY_FOLDER == ("a folder holding no notebook (.ipynb) or module (.py), so there is nothing to grade in "
                            "it; put the student's notebook in it, or remove the folder")


def test_a_device_is_skipped_without_being_opened(tmp_path):
    try:
        os.mknod(tmp_path / "dev.ipynb", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating a device needs CAP_MKNOD")
    found = promptly(discover, tmp_path, max_bytes=CAP)
    assert found.found == [] and found.skipped == [Skipped("dev.ipynb", SPECIAL.format(kind="a character device"))]


def test_a_missing_folder_is_the_instructors_error(tmp_path):
    with pytest.raises(UserError, match="submissions folder not found"):
        discover(tmp_path / "nowhere", max_bytes=CAP)


def test_a_file_over_the_cap_is_graded_and_noted(tmp_path):
    with open(tmp_path / "olga.ipynb", "wb") as handle:
        handle.truncate(200 * 10**6)
    found = promptly(discover, tmp_path, max_bytes=CAP)
    assert found.found == [Found(tmp_path / "olga.ipynb", "olga", "olga.ipynb")]  # so that Olga's row says why
    assert found.notes == ["olga.ipynb is 190.7 MiB, more than the 32 MiB the grader reads of one submission: it is "
                           "not read, and the feedback of `olga` says how to make it smaller."]


def test_names_that_once_shared_ids_get_distinct_ones(tmp_path):
    for name in ("alice.py", "alice!.py", "alice_py.py"):
        (tmp_path / name).write_text("x = 1\n")
    notebook(tmp_path / "alice.ipynb")
    notebook(tmp_path / "alice" / "work.ipynb")
    found = discover(tmp_path, max_bytes=CAP)
    assert sorted((f.source, f.student) for f in found.found) == [
        ("alice!.py", "alice-3"), ("alice.ipynb", "alice"), ("alice.py", "alice-4"), ("alice/", "alice-2"),
        ("alice_py.py", "alice_py")]
    assert found.notes == [
        "4 submissions have the same student id `alice` (ids ignore case, how accents are encoded and characters "
        "not allowed in folder names): graded alice.ipynb as `alice`, alice/ as `alice-2`, alice!.py as `alice-3`, "
        "alice.py as `alice-4`. Check which one is the student's work and remove the others."]


def test_nfc_and_nfd_spellings_and_case_are_one_student(tmp_path):
    nfc, nfd = unicodedata.normalize("NFC", "José"), unicodedata.normalize("NFD", "José")
    assert nfc != nfd
    notebook(tmp_path / f"{nfd}.ipynb")
    notebook(tmp_path / f"{nfc}.ipynb")
    (tmp_path / "Bob.py").write_text("x = 1\n")
    (tmp_path / "bob.py").write_text("x = 1\n")
    found = discover(tmp_path, max_bytes=CAP)
    ids = {f.source: f.student for f in found.found}
    assert ids == {f"{nfc}.ipynb": nfc, f"{nfd}.ipynb": f"{nfc}-2", "Bob.py": "Bob", "bob.py": "bob-2"}
    assert len({same_id_key(i) for i in ids.values()}) == 4
    assert len(found.notes) == 2 and found.notes[0].startswith(
        f"2 submissions have the same student id `{nfc}` (ids ignore case, how accents are encoded and characters "
        f"not allowed in folder names): graded {nfc}.ipynb as `{nfc}`, {nfd}.ipynb as `{nfc}-2`.")


@pytest.mark.parametrize("name, student", [
    ("gradebook.csv.py", "gradebook.csv-2"), ("Gradebook.ipynb", "Gradebook-2"), ("report.html.ipynb", "report.html-2"),
    ("skipped.txt.py", "skipped.txt-2"), ("SKIPPED.ipynb", "SKIPPED-2"), ("cache.ipynb", "cache"),
])
def test_ids_never_name_outs_own_entries(tmp_path, name, student):
    notebook(tmp_path / name)
    found = discover(tmp_path, max_bytes=CAP)
    assert [f.student for f in found.found] == [student]
    if student != "cache":
        assert found.notes == [f"{name} as `{student}`: the student id `{student[:-2]}` is a name the grader uses for "
                               "its own files in the output folder, so it was changed."]


def test_a_suffix_never_takes_another_students_id(tmp_path):
    for name in ("report.ipynb", "report-2.ipynb", "ann.ipynb", "ann.py", "ann-2.py"):
        notebook(tmp_path / name)
    ids = {f.source: f.student for f in discover(tmp_path, max_bytes=CAP).found}
    assert ids == {"report.ipynb": "report-3", "report-2.ipynb": "report-2", "ann.ipynb": "ann", "ann.py": "ann-3",
                   "ann-2.py": "ann-2"}


def test_the_report_writers_write_only_reserved_names(tmp_path, assignment):
    """OUT_ENTRIES is the list of what the grader writes in OUT beside the student folders."""
    write_batch(assignment, [], tmp_path)
    assert {p.name for p in tmp_path.iterdir()} <= set(OUT_ENTRIES)
    assert {"gradebook.csv", "report.html", "skipped.txt", ".cache"} <= set(OUT_ENTRIES)
    assert {"gradebook.csv", "gradebook", "report.html", "report", "skipped.txt", "skipped"} <= RESERVED_IDS


def test_ids_are_the_same_whatever_the_order():
    entries = [("alice.py", False), ("alice.ipynb", False), ("alice", True), ("ALICE!.py", False),
               (unicodedata.normalize("NFD", "Zoë.ipynb"), False), ("Zoë.py", False), ("gradebook.py", False)]
    expected = dict(zip(entries, assign_ids(entries)[0]))
    for order in itertools.permutations(entries):
        ids, notes = assign_ids(list(order))
        assert dict(zip(order, ids)) == expected
        assert notes == assign_ids(entries)[1]


@pytest.mark.parametrize("name", [
    "Bob Smith (1).ipynb", "../..evil.py", "line\nbreak.ipynb", "tab\there.py", "..ipynb", "-.py", "$%&.ipynb",
    "\udcff\udcfe.ipynb", "𠀀" * 200 + ".ipynb", "a" * 300 + ".py", "José Núñez.ipynb", "CON.py",
])
def test_ids_are_safe_folder_names(tmp_path, name):
    student = assign_ids([(name, False), (name, False)])[0][1]  # a suffixed one, the longest
    assert re.fullmatch(r"[\w.-]+", student) and not student.startswith((".", "-"))
    assert len(student.encode("utf-8")) <= MAX_ID_BYTES + 4
    (tmp_path / student).mkdir()
    (tmp_path / student / f".{student}.json.abcdefgh.tmp").write_text("")  # what atomic_write creates


def test_submissions_given_as_paths_get_the_same_ids_and_sources(tmp_path):
    for name in ("alice.py", "alice.ipynb", "gradebook.csv.py"):
        notebook(tmp_path / name)
    found = discover(tmp_path, max_bytes=CAP).found
    assert work_for([f.path for f in found]) == found
