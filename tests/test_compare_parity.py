"""The students' public tests and the grader give the same verdicts: per public case, per check.

The grader side is the real thing (``grade_paths``: the sandbox, the codec, the shapes and values
checks); the student side is the generated ``public_tests.py`` with its shipped
``grader_compare.py``, run in this process on the same code, the way a notebook runs it. The
corpus: the student variants under ``tests/variants/``, the example submissions, and the
benchmark's variants (wrong values, rank-1 arrays, an int bias, exceptions).
"""
from __future__ import annotations

import importlib.util
import signal
import sys
from pathlib import Path

import pytest

from grader.cases import make_cases
from grader.generate import generate_assignment
from grader.pipeline import grade_paths
from grader.reference import load_reference
from grader.submission import load_submission

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ("shapes", "values")


class Hung(Exception):
    pass


class Raised:
    """What a call that raised or hung gives the public tests: no expected output matches it."""


def guarded(function, seconds: float):
    """``function``, with a raise or a hang (past the grader's call limit) turned into a value.

    In a notebook the student sees their traceback; here the remaining cases are compared too.
    Either way the case fails, as it does when graded."""
    def call(*args, **kwargs):
        def expire(signum, frame):
            raise Hung()

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return function(*args, **kwargs)
        except Exception:  # the student's code raised (or hung): the case fails
            return Raised()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return call


@pytest.fixture(scope="module")
def shipped(assignment, tmp_path_factory):
    """The generated public tests, imported as a notebook imports them (grader_compare beside them)."""
    out = tmp_path_factory.mktemp("shipped") / assignment.name
    generate_assignment(assignment, out)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(out))
        patch.delitem(sys.modules, "grader_compare", raising=False)
        spec = importlib.util.spec_from_file_location("public_tests_parity", out / "public_tests.py")
        public = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(public)
        runtime = sys.modules["grader_compare"]
        assert Path(runtime.__file__).parent == out
        yield public, runtime


def bench_variants(folder: Path) -> dict:
    """The benchmark's variants as one-function .py submissions: path -> [function]."""
    # Loaded by path: the name ``variants`` is the package of tests/variants/.
    spec = importlib.util.spec_from_file_location("bench_variants", ROOT / "bench" / "variants.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    found = {}
    for function, kinds in bench.VARIANTS.items():
        for kind, source in kinds.items():
            if kind == "timeout":  # one never-returning predict is in the examples already
                continue
            path = folder / f"bench_{function}_{kind}.py"
            path.write_text(f"import numpy as np\n\n\n# GRADED FUNCTION: {function}\n{source}", encoding="utf-8")
            found[path] = [function]
    return found


@pytest.fixture(scope="module")
def corpus(assignment, tmp_path_factory) -> dict:
    """Submission path -> the functions to compare on it."""
    found = {path: list(assignment.functions) for path in sorted((ROOT / "examples/logreg").glob("*.ipynb"))}
    for path in sorted((ROOT / "tests/variants").glob("*/*.py")):
        found[path] = [name for name in assignment.functions if f"def {name}(" in path.read_text(encoding="utf-8")]
    found.update(bench_variants(tmp_path_factory.mktemp("bench_variants")))
    stems = [path.stem for path in found]
    assert len(set(stems)) == len(stems), "two submissions would get the same student id"
    return found


def grader_failures(result, name: str, labels: list) -> dict:
    """check -> the public cases the grader failed, from the result's findings."""
    failed = {check: set() for check in CHECKS}
    for test in result.tests:
        if test.function == name and test.check in CHECKS and not test.hidden:
            for finding in test.findings:
                failed[test.check] |= {finding.case} if finding.case else set(labels)
    return failed


def runtime_failures(shipped, assignment, reference, path: Path, name: str, labels: list) -> dict:
    """check -> the public cases the shipped public test of ``name`` failed on the submission's code."""
    public, runtime = shipped
    namespace = {"__name__": "__student__"}
    for chunk in load_submission(path, assignment, reference.source).chunks:
        try:
            exec(compile(chunk.source, chunk.filename, "exec"), namespace)
        except Exception:  # a cell that does not run: what it defines stays undefined, as when graded
            pass
    if name not in namespace:
        return {check: set(labels) for check in CHECKS}
    # The graded function's callees are the reference's, as the configured attribution says.
    namespace.update(reference.proxies_for(name, assignment.attribution))
    try:
        getattr(public, f"{name}_test")(guarded(namespace[name], assignment.limits.call_seconds))
    except runtime.PublicTestFailed as failed:
        return {check: {label for label, problems in failed.problems.items()
                        if any(p.check == check for p in problems)} for check in CHECKS}
    return {check: set() for check in CHECKS}


def test_public_tests_and_grader_agree_on_every_public_case_of_the_corpus(assignment, shipped, corpus, capsys):
    reference = load_reference(assignment.solution, list(assignment.functions))
    results = {r.student: r for r in grade_paths(assignment, list(corpus), jobs=2)}
    disagreements, failures, compared = [], {check: 0 for check in CHECKS}, 0
    only = {"shapes": 0, "values": 0}
    for path, names in corpus.items():
        for name in names:
            labels = [case.name for case in make_cases(assignment.functions[name], hidden=False)]
            graded = grader_failures(results[path.stem], name, labels)
            ran = runtime_failures(shipped, assignment, reference, path, name, labels)
            for check in CHECKS:
                compared += len(labels)
                failures[check] += len(graded[check])
                if graded[check] != ran[check]:
                    disagreements.append(f"{path.name} {name} {check}: grader failed {sorted(graded[check])}, "
                                         f"public tests failed {sorted(ran[check])}")
            only["shapes"] += len(graded["shapes"] - graded["values"])
            only["values"] += len(graded["values"] - graded["shapes"])
    capsys.readouterr()
    assert not disagreements, "\n".join(disagreements)
    # The corpus tells right from wrong: many cases of each verdict, and each check failing alone.
    assert compared >= 300 and all(count >= 15 for count in failures.values()), (compared, failures)
    assert only["shapes"] >= 3 and only["values"] >= 3, only
