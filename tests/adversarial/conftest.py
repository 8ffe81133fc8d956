"""Fixtures of the adversarial suite: the hostile batch, graded once by the real CLI.

Every hostile and broken submission of ``corpus.py`` goes into ONE folder, graded by ONE
``grader grade`` run (the sandbox's start-up is paid once); the tests then read what the
grader wrote, and compare the file trees and the listeners before/after.
"""
from __future__ import annotations

import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from advkit import (FUNCTIONS, ROOT, Listener, Results, Run, load_assignment, run_grader,  # noqa: E402
                    snapshot, snapshot_project, write_config, write_notebook)

# The whole hostile batch must finish within this (it takes ~1/3 of it on 2 cores).
BATCH_BOUND_SECONDS = 240


@dataclass
class Batch:
    tmp: Path
    submissions: Path
    out: Path
    config: Path
    values: dict
    corpus: dict                  # student -> Hostile
    run: Run
    results: Results
    before: dict                  # name -> snapshot
    after: dict
    listener: Listener


def public_literals(config: Path) -> dict:
    """The public cases of sigmoid and predict, with the reference's outputs, as Python text."""
    import numpy as np

    from grader.cases import make_cases
    from grader.reference import load_reference

    assignment = load_assignment(config)
    reference = load_reference(assignment.solution, list(assignment.functions))
    literals = {}
    for name, key, given_index in (("sigmoid", "SIGMOID_PUBLIC", 0), ("predict", "PREDICT_PUBLIC", 2)):
        pairs = []
        for case in make_cases(assignment.functions[name]):
            if not case.hidden:
                answer = reference.run(name, case.args, case.kwargs)
                pairs.append((np.asarray(case.args[given_index]).tolist(), np.asarray(answer).tolist()))
        literals[key] = repr(pairs)
    return literals


def write_submission(folder: Path, hostile) -> Path:
    path = folder / f"{hostile.student}{hostile.suffix}"
    if hostile.raw is not None:
        path.write_bytes(hostile.raw)
    else:
        write_notebook(path, hostile.cells)
    return path


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory) -> Batch:
    from corpus import broken_corpus, hostile_corpus

    tmp = tmp_path_factory.mktemp("adversarial")
    submissions, out = tmp / "submissions", tmp / "out"
    submissions.mkdir()
    # A long model timeout: the output floods of model must be drained, not cut by the clock.
    config = write_config(tmp / "course", function_timeouts={"model": 8})
    listener = Listener(tmp / "listener.sock")
    token = secrets.token_hex(8)
    values = {"ROOT": str(ROOT), "SUBS": str(submissions), "OUT": str(out), "CONFIG": str(config),
              "TOKEN": token, "PORT": str(listener.tcp_port), "UDP_PORT": str(listener.udp_port),
              "UNIX_PATH": listener.unix_path, **public_literals(config)}
    corpus = {h.student: h for h in hostile_corpus(values) + broken_corpus(values)}
    for hostile in corpus.values():
        write_submission(submissions, hostile)
    # Two more shapes of a broken submission: a link to the reference, a folder of two notebooks.
    (submissions / "sub_symlink.ipynb").symlink_to(ROOT / "solutions" / "logreg" / "notebook.md")
    (submissions / "sub_two_notebooks").mkdir()
    for name in ("first.ipynb", "second.ipynb"):
        write_notebook(submissions / "sub_two_notebooks" / name, corpus["honest"].cells)

    roots = {"submissions": submissions, "course": config.parent}
    before = {name: snapshot(path) for name, path in roots.items()}
    before["project"] = snapshot_project()
    try:
        run = run_grader(submissions, out, config, bound=BATCH_BOUND_SECONDS, cwd=tmp,
                         env={"GRADER_ADVERSARIAL_SECRET": token})
        time.sleep(0.3)   # let the listener thread record a late contact, if any
        after = {name: snapshot(path) for name, path in roots.items()}
        after["project"] = snapshot_project()
    finally:
        listener.close()
    assert run.returncode == 0, run
    return Batch(tmp, submissions, out, config, values, corpus, run, Results(out), before, after, listener)


@pytest.fixture(scope="session")
def honest_scores(hostile_batch) -> dict:
    results = hostile_batch.results
    return {name: results.score("honest", name) for name in FUNCTIONS}
