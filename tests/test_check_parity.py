"""check() in the notebook and the grader give the same verdicts, in the same words, on the corpus.

The grader side is the real thing (``grade_paths``: loader, sandbox, probes, every check); the
notebook side is the generated ``grader_check.py``, imported as a notebook imports it, on the
same kept code, compiled under the same cell names and registered with ``linecache`` the way
IPython registers a cell. Graded callees are the reference's on both sides (as the configured
attribution says), so each function is judged on its own code. Compared, per function and check,
on the public cases: the points, and every finding's message (notes included) and fix.

Two differences are by design. Vectorization's timing layer needs the reference's time on the
same machine, so the notebook has none: where grading fails a spot on timing alone, the notebook
must name the same spot in a note. And rank-1 and vectorization are judged once a function passes
a case of the values or shapes check: where it passes only hidden ones, the notebook, which has
only the public cases, says so instead. Every other verdict must be equal: the share of the
check's points earned (the notebook scores the public cases alone) and every finding.
"""
from __future__ import annotations

import importlib.util
import linecache
import sys
from pathlib import Path

import pytest

from grader.config import load_config
from grader.generate import generate_assignment
from grader.pipeline import grade_paths
from grader.reference import load_reference
from grader.submission import load_submission
from test_compare_parity import bench_variants

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TIMING = "times the reference's time"
NOT_YET = "not judged yet: this check is judged once"


def fraction(score: float, most: float):
    return round(score / most, 4) if most else None


def shipped_check(assignment, folder: Path):
    generate_assignment(assignment, folder)
    spec = importlib.util.spec_from_file_location(f"grader_check_{assignment.name}", folder / "grader_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus(assignment, tmp: Path) -> dict:
    """Submission path -> the functions to compare on it."""
    found = {path: list(assignment.functions) for path in sorted((ROOT / "examples" / assignment.name).glob("*.ipynb"))}
    if assignment.name == "logreg":
        for path in sorted((ROOT / "tests/variants").glob("*/*.py")):
            text = path.read_text(encoding="utf-8")
            found[path] = [name for name in assignment.functions if f"def {name}(" in text]
        found.update(bench_variants(tmp))
    return found


def graded_view(result, name: str) -> dict:
    """check -> (score, max, [(message, fix)]) of the grader's tests of ``name`` on public cases."""
    view = {}
    for test in result.tests:
        if test.function == name and not test.hidden:
            view[test.check] = (fraction(test.score, test.max_score), [(f.message, f.fix) for f in test.findings])
    return view


def same(graded: tuple, shown: tuple | None) -> bool:
    """Equal verdicts; a fix may lack the assignment's hint that quotes the solution or a hidden
    case (such hints stay out of the notebook, and feedback gives them)."""
    if shown is None or graded[0] != shown[0] or len(graded[1]) != len(shown[1]):
        return False
    return all(m == n and (f == g or f.startswith(g + "; ")) for (m, f), (n, g) in zip(graded[1], shown[1]))


def kernel_view(module, assignment, reference, path: Path, name: str) -> dict:
    namespace = {"__name__": "__student__"}
    for chunk in load_submission(path, assignment, reference.source).chunks:
        lines = chunk.source.splitlines(True)
        linecache.cache[chunk.filename] = (len(chunk.source), None, lines, chunk.filename)
        try:
            exec(compile(chunk.source, chunk.filename, "exec"), namespace)
        except Exception:  # a cell that does not run: what it defines stays undefined, as when graded
            pass
    namespace.update(reference.proxies_for(name, assignment.attribution))
    result = module.check(name, namespace=namespace)
    if not result.tests:   # not defined: the notebook says to run its cell (which shows the error)
        return {}
    return {test.check: (fraction(test.score, test.max_score), [(f.message, f.fix) for f in test.findings])
            for test in result.tests}


@pytest.mark.parametrize("name", ["logreg", "numpy_basics", "planar"])
def test_check_in_the_notebook_and_the_grader_agree_on_the_corpus(name, tmp_path, capsys, monkeypatch):
    assignment = load_config(ROOT / "config.yaml").assignment(name)
    module = shipped_check(assignment, tmp_path / "shipped")
    monkeypatch.syspath_prepend(str(tmp_path / "shipped"))   # the extra files, beside the notebook
    reference = load_reference(assignment.solution, list(assignment.functions))
    submissions = corpus(assignment, tmp_path)
    results = {r.student: r for r in grade_paths(assignment, list(submissions), jobs=2)}
    compared, differences, failing = 0, [], 0
    by_design = {"timing": 0, "hidden cases only": 0, "not defined": 0}
    for path, names in submissions.items():
        for function in names:
            graded = graded_view(results[path.stem], function)
            shown = kernel_view(module, assignment, reference, path, function)
            for check, (earned, findings) in graded.items():
                compared += 1
                failing += earned is not None and earned < 1
                said = shown.get(check, (None, []))[1]
                if not shown and any(m.startswith(("could not be called", "not judged: ")) for m, _ in findings):
                    by_design["not defined"] += 1
                    continue
                if any(TIMING in message for message, _ in findings):
                    by_design["timing"] += 1
                    spots = [m.split(" iterates over")[0].split(": ", 1)[1] for m, _ in findings if TIMING in m]
                    noted = [m for m, _ in said if m.startswith("note:")]
                    assert all(any(spot in note for note in noted) for spot in spots), (path.name, function, noted)
                    continue
                if len(said) == 1 and said[0][0].startswith(NOT_YET) and all(
                        graded[required][0] == 0 for required in ("values", "shapes") if required in graded):
                    by_design["hidden cases only"] += 1
                    continue
                if not same((earned, findings), shown.get(check)):
                    differences.append(f"{path.name} {function} {check}:\n  graded {(earned, findings)}\n"
                                       f"  check  {shown.get(check)}")
    capsys.readouterr()
    print(f"{name}: {compared} verdicts compared, {failing} failing, differing by design: {by_design}")
    assert not differences, "\n".join(differences)
    assert compared >= 40 and failing >= 5, (compared, failing)
