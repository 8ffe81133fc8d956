"""Checks stay apart: one registry of names, shared analysis in grader/checks/analysis, per-batch
state from Check.prepare, and the batch's one parsed reference (nothing re-reads the solution)."""
from __future__ import annotations

import ast
import dataclasses
import shutil
from pathlib import Path

from grader.checks import all_checks, check_names
from grader.checks.analysis.submission_code import CodeCache
from grader.checks.rank1 import CHECK as RANK1
from grader.checks.rank1 import Rank1State
from grader.checks.vectorized import CHECK as VECTORIZED
from grader.reference import load_reference

CHECKS = Path(__file__).resolve().parents[1] / "grader" / "checks"


def modules(folder: Path = CHECKS):
    return sorted(p for p in folder.rglob("*.py"))


def imported(path: Path) -> set:
    """Every module a file imports, at any depth (function-local imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


# ------------------------------------------------------------------ one list of check names


def test_check_names_are_the_registry_in_judging_order():
    defined = sorted(p.stem for p in CHECKS.glob("*.py") if "\nCHECK = " in p.read_text(encoding="utf-8"))
    assert sorted(check_names()) == defined
    assert check_names() == tuple(all_checks())
    orders = [all_checks()[name].order for name in check_names()]
    assert orders == sorted(orders)
    assert "dtype" not in check_names()


# ------------------------------------------------------------------ no check reaches into another


def test_no_check_imports_another_check_and_analysis_imports_no_check():
    names = set(check_names())
    for path in modules():
        own = path.stem
        for module in imported(path):
            parts = module.split(".")
            if parts[:2] == ["grader", "checks"] and len(parts) > 2 and parts[2] in names:
                assert parts[2] == own, f"{path.name} imports the {parts[2]} check ({module})"
    assert not (CHECKS.parent / "static.py").exists()


def test_no_module_level_caches_or_locks_in_checks():
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    text = ast.unparse(decorator)
                    assert "cache" not in text, f"{path.name}:{node.lineno} {text}"
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                text = ast.unparse(node)
                assert "Lock(" not in text and "_CACHE" not in text, f"{path.name}: {text}"
        assert "global " not in path.read_text(encoding="utf-8") or path.name == "__init__.py", path


def test_checks_never_read_or_import_the_solution_themselves():
    for path in modules():
        assert "grader.reference" not in imported(path), path.name
        assert "assignment.solution" not in path.read_text(encoding="utf-8"), path.name


# ------------------------------------------------------------------ per-batch state


def test_each_batch_gets_its_own_state_and_every_function_run_reaches_it(assignment):
    from grader.grading import Batch, unrun
    from variants.harness import Submission

    first, second = Batch.prepare(assignment), Batch.prepare(assignment)
    assert isinstance(first.states["rank1"], Rank1State)
    assert first.states["rank1"] is not second.states["rank1"]
    assert set(first.states["rank1"].habits) == {n for n, s in assignment.functions.items() if s.size_names}
    run = unrun(first, "sigmoid", Submission("bob", []), "missing", "no sigmoid")
    assert run.state is first.states and RANK1.state(run) is first.states["rank1"]


def test_a_function_run_outside_a_batch_gets_a_state_made_on_first_use(assignment):
    from grader.checks import FunctionRun

    run = FunctionRun(spec=assignment.functions["sigmoid"], assignment=assignment, cases=[])
    state = RANK1.state(run)
    assert isinstance(state, Rank1State) and RANK1.state(run) is state


def test_the_code_cache_parses_each_submission_once():
    from variants.harness import Chunk, Submission

    cache = CodeCache()
    alice = Submission("alice", [Chunk("<cell 1>", "def f(x):\n    return x\n")], digest="a" * 64)
    assert cache.get(alice) is cache.get(alice)
    anonymous = Submission("bob", [Chunk("<cell 1>", "def g(x):\n    return x\n")])
    other = Submission("carol", [Chunk("<cell 1>", "def h(x):\n    return x\n")])
    assert set(cache.get(anonymous).defs) == {"g"} and set(cache.get(other).defs) == {"h"}


def test_the_checks_of_a_batch_share_one_parse_of_a_submission_and_only_of_its_code(assignment):
    from grader.checks import FunctionRun
    from grader.checks.analysis.submission_code import code_of
    from variants.harness import Chunk, Submission

    alice = Submission("alice", [Chunk("<cell 1>", "def f(x):\n    return x\n")], digest="a" * 64)
    state: dict = {}      # one batch's
    runs = [FunctionRun(spec=assignment.functions[name], assignment=assignment, cases=[], submission=alice,
                        state=state) for name in ("sigmoid", "propagate")]
    assert code_of(runs[0]) is code_of(runs[1])
    assert code_of(FunctionRun(spec=runs[0].spec, assignment=assignment, cases=[], submission=alice)) \
        is not code_of(runs[0])                                  # another batch parses again
    # the same bytes under another file name (a .py file submitted by two students) is other code
    bob = Submission("bob", [Chunk("<bob.py>", "def f(x):\n    return x\n")], digest="a" * 64)
    other = FunctionRun(spec=runs[0].spec, assignment=assignment, cases=[], submission=bob, state=state)
    assert code_of(other) is not code_of(runs[0]) and code_of(other).defs["f"].filename == "<bob.py>"


# ------------------------------------------------------------------ the batch's one parsed reference


def test_probes_and_reference_habits_come_from_the_reference_object_not_the_file(assignment, tmp_path):
    """The solution file is gone once the batch has its Reference: nothing may read it again."""
    folder = tmp_path / "logreg"
    shutil.copytree(assignment.solution.parent, folder)
    moved = dataclasses.replace(assignment, solution=folder / assignment.solution.name)
    # a reference sigmoid with a rank-1 intermediate of its own, which students may then use too
    with open(moved.solution, "a", encoding="utf-8") as handle:
        handle.write("\n\ndef sigmoid(z):\n    flat = np.ravel(z)\n"
                     "    return (1 / (1 + np.exp(-flat))).reshape(np.shape(z))\n")
    reference = load_reference(moved.solution, list(moved.functions))
    moved.solution.unlink()

    # propagate calls sigmoid: graded behind a call-back proxy, so no timing probes
    names = [p.name for p in VECTORIZED.probes(moved.functions["propagate"], moved, reference)]
    assert names == ["dynamic: base", "dynamic: n", "dynamic: m"]
    assert "timing: large" in [p.name for p in VECTORIZED.probes(moved.functions["sigmoid"], moved, reference)]
    habits = RANK1.prepare(moved, reference).habits
    assert habits["sigmoid"]["rank1"] and not habits["initialize_with_zeros"]["rank1"]
