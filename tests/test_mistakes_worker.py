"""The mistake worker (grader/mistakes/worker.py): models run in a process of their own, each call
on a timer and under the memory limit, their prints go nowhere, the grader kills it at its
deadline; declared models (config.yaml, mistakes.py) and their errors."""
from __future__ import annotations

import copy
import importlib
import textwrap

import pytest
import yaml

from grader import outcomes as st
from grader.cases import make_cases
from grader.config import load_config
from grader.errors import ConfigError, SolutionError
from grader.mistakes import MistakeBook
from grader.mistakes.evaluate import evaluate
from grader.mistakes.models import from_file
from grader.reference import load_reference

SOLUTION = textwrap.dedent('''
    import numpy as np


    def scaled(x, factor=2.0):
        """x times factor."""
        ### BEGIN SOLUTION
        y = x * factor
        ### END SOLUTION
        return y
''')
MISTAKES = textwrap.dedent('''
    import signal
    import time

    import numpy as np


    def halved(x, factor=2.0):
        return x * factor / 2


    def slow(x, factor=2.0):
        time.sleep(600)


    def hungry(x, factor=2.0):
        return np.ones(1 << 33)


    def chatty(x, factor=2.0):
        for _ in range(1000):
            print("COST AFTER ITERATION", flush=True)
        return -x * factor


    def deaf(x, factor=2.0):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)


    MISTAKES = [
        {"function": "scaled", "id": "halved", "message": "halved", "compute": halved},
        {"function": "scaled", "id": "slow", "message": "slow", "compute": slow},
        {"function": "scaled", "id": "hungry", "message": "hungry", "compute": hungry},
        {"function": "scaled", "id": "chatty", "message": "chatty", "compute": chatty},
    ]
''')
CONFIG = {
    "course": {"name": "test"},
    "assignments": {"week": {
        "title": "Week", "solution": "solutions/week/week.py", "limits": {"memory_mib": 512},
        "functions": {"scaled": {
            "points": {"values": 1, "shapes": 1}, "timeout_seconds": 2,
            "inputs": {"x": {"dist": "normal", "shape": ["n", "m"]}},
            "public": [{"seed": 1, "sizes": {"n": 2, "m": 3}}],
            "hidden": [{"seed": 11, "sizes": {"n": 3, "m": 2}, "kwargs": {"factor": 3.0}}],
        }},
    }},
}


def course(tmp_path, mistakes=MISTAKES, config=CONFIG):
    solutions = tmp_path / "solutions" / "week"
    solutions.mkdir(parents=True, exist_ok=True)
    (solutions / "week.py").write_text(SOLUTION, encoding="utf-8")
    if mistakes is not None:
        (solutions / "mistakes.py").write_text(mistakes, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return load_config(tmp_path / "config.yaml").assignment("week")


def book_of(assignment) -> MistakeBook:
    reference = load_reference(assignment.solution, list(assignment.functions))
    cases = {name: make_cases(spec) for name, spec in assignment.functions.items()}
    expected = {name: [reference.run(name, c.args, c.kwargs) for c in found] for name, found in cases.items()}
    return MistakeBook.prepare(assignment, reference, cases, expected)


def test_each_model_runs_on_every_case_slow_and_hungry_ones_are_stopped_alone(tmp_path, capfd):
    assignment = course(tmp_path)
    book = book_of(assignment)
    evaluation, usable = book.evaluation("scaled")
    outcomes = evaluation.outcomes
    assert evaluation.complete, evaluation.error
    assert [o.status for o in outcomes["halved"]] == [st.OK, st.OK]
    x = book.cases["scaled"][1].args[0]
    assert outcomes["halved"][1].value == pytest.approx(x * 3.0 / 2)
    # the slow one hit its call's timer on the first case; the rest was not run
    assert [o.status for o in outcomes["slow"]] == [st.TIMEOUT, st.NOT_RUN]
    assert [o.status for o in outcomes["hungry"]] == [st.MEMORY, st.MEMORY]
    assert [o.status for o in outcomes["chatty"]] == [st.OK, st.OK]
    assert "COST AFTER ITERATION" not in capfd.readouterr().out   # a model's prints go nowhere
    # the generated ones ran too; those giving the reference's outputs are set aside
    assert "factor:y:factor" in outcomes and "float32" in outcomes
    assert "float32" not in {m.id for m in usable} and "halved" in {m.id for m in usable}


def test_a_model_that_blocks_its_timer_is_killed_with_the_worker_at_the_deadline(tmp_path):
    assignment = course(tmp_path, MISTAKES.replace('"compute": slow}', '"compute": deaf}'))
    spec = assignment.functions["scaled"]
    models = from_file(assignment.solution, ["scaled"])["scaled"]
    evaluation = evaluate(assignment.solution, assignment.solution_dir / "mistakes.py", spec, models,
                          make_cases(spec), assignment.limits, deadline_seconds=4)
    assert not evaluation.complete and evaluation.outcomes == {}
    assert "did not finish within 4 s" in evaluation.error


def test_a_mistakes_file_that_fails_to_import_leaves_the_generated_models(tmp_path, capsys):
    broken = MISTAKES.replace("import signal\n", "import signal\nraise RuntimeError('not ready')\n")
    book = book_of(course(tmp_path, broken))
    evaluation, usable = book.evaluation("scaled")
    assert evaluation.complete and "not ready" in evaluation.error
    assert [o.status for o in evaluation.outcomes["halved"]] == [st.NOT_RUN, st.NOT_RUN]
    assert "factor:y:factor" in {m.id for m in usable}
    assert "the mistake models of scaled" in capsys.readouterr().err and book.stats["errors"]


def declared(replace: dict, message="twice as much") -> dict:
    config = copy.deepcopy(CONFIG)
    config["assignments"]["week"]["functions"]["scaled"]["mistakes"] = {
        "declared": {"doubled": {"message": message, "replace": replace}}}
    return config


def test_a_model_declared_in_config_replaces_text_of_the_reference(tmp_path):
    book = book_of(course(tmp_path, None, declared({"y = x * factor": "y = x * factor * 2"})))
    assert book.models["scaled"][0].id == "doubled"       # declared ones first
    evaluation, _ = book.evaluation("scaled")
    x = book.cases["scaled"][0].args[0]
    assert evaluation.outcomes["doubled"][0].value == pytest.approx(x * 4)


def test_a_replacement_not_in_the_reference_is_a_config_error_with_its_key(tmp_path):
    with pytest.raises(ConfigError) as caught:
        book_of(course(tmp_path, None, declared({"y = x * 3": "y = x"})))
    assert "assignments.week.functions.scaled.mistakes.declared.doubled.replace: 'y = x * 3' is not in" \
           in str(caught.value)
    with pytest.raises(ConfigError, match="not valid Python"):
        book_of(course(tmp_path, None, declared({"y = x * factor": "y = x * (factor"})))


def test_the_config_schema_checks_declared_mistakes(tmp_path):
    config = declared({"y = x * factor": "y = x"})
    del config["assignments"]["week"]["functions"]["scaled"]["mistakes"]["declared"]["doubled"]["message"]
    with pytest.raises(ConfigError, match=r"mistakes\.declared\.doubled: 'message' is a required property"):
        course(tmp_path, None, config)
    config = copy.deepcopy(CONFIG)
    config["assignments"]["week"]["functions"]["scaled"]["mistakes"] = {"generated": "yes"}
    with pytest.raises(ConfigError, match="Mistakes"):
        course(tmp_path, None, config)


@pytest.mark.parametrize("text, words", [
    ("MISTAKES = 3\n", "defines no MISTAKES list"),
    ("MISTAKES = [{'function': 'scaled', 'id': 'x', 'message': 'm'}]\n", "expected a dict literal with the keys"),
    ("MISTAKES = [{'function': 'other', 'id': 'x', 'message': 'm', 'compute': f}]\ndef f(x): pass\n",
     "'other' is not a graded function"),
    ("MISTAKES = [{'function': 'scaled', 'id': 'x', 'message': 'm', 'compute': g}]\ndef f(x): pass\n",
     "compute names 'g', which is not a function defined at the top level"),
    ("MISTAKES = [{'function': 'scaled', 'id': 'x', 'message': '', 'compute': f}]\ndef f(x): pass\n",
     "message must be a non-empty string literal"),
    ("def f(x): pass\nMISTAKES = [{'function': 'scaled', 'id': 'x', 'message': 'm', 'compute': f}] * 2\n",
     "defines no MISTAKES list"),
])
def test_a_malformed_mistakes_file_is_an_error_naming_it(tmp_path, text, words):
    with pytest.raises(SolutionError) as caught:
        book_of(course(tmp_path, text))
    assert words in str(caught.value) and "mistakes.py" in str(caught.value)


def test_an_id_declared_in_both_places_is_an_error(tmp_path):
    text = "MISTAKES = [{'function': 'scaled', 'id': 'doubled', 'message': 'm', 'compute': f}]\ndef f(x): pass\n"
    with pytest.raises(ConfigError, match="doubled are declared both in config.yaml and in mistakes.py"):
        book_of(course(tmp_path, text, declared({"y = x * factor": "y = x * factor * 2"})))


def test_generated_models_can_be_switched_off(tmp_path):
    config = declared({"y = x * factor": "y = x * factor * 2"})
    config["assignments"]["week"]["functions"]["scaled"]["mistakes"]["generated"] = False
    book = book_of(course(tmp_path, None, config))
    assert [m.id for m in book.models["scaled"]] == ["doubled"]


def _quick_models(tmp_path):
    """The course with its one quick declared model (no timer, no memory limit reached)."""
    quick = MISTAKES[:MISTAKES.index("MISTAKES = [")] + (
        'MISTAKES = [{"function": "scaled", "id": "halved", "message": "halved", "compute": halved}]\n')
    assignment = course(tmp_path, quick)
    spec = assignment.functions["scaled"]
    return assignment, spec, from_file(assignment.solution, ["scaled"])["scaled"], make_cases(spec)


def test_a_kept_evaluation_is_read_back_instead_of_starting_a_worker(tmp_path, monkeypatch):
    evaluate_module = importlib.import_module("grader.mistakes.evaluate")
    assignment, spec, models, cases = _quick_models(tmp_path)
    store = tmp_path / "store"
    args = (assignment.solution, assignment.solution_dir / "mistakes.py", spec, models, cases, assignment.limits)
    fresh = evaluate(*args, store=store)
    assert fresh.complete and len(list(store.glob("*.frame"))) == 1
    monkeypatch.setattr(evaluate_module, "_worker_bytes", lambda *a: pytest.fail("a worker started"))
    kept = evaluate(*args, store=store)
    assert kept.complete and kept.error == fresh.error and set(kept.outcomes) == set(fresh.outcomes)
    for mistake, outcomes in fresh.outcomes.items():
        for a, b in zip(outcomes, kept.outcomes[mistake]):
            assert a.status == b.status and a.error == b.error
            assert a.value is None or (a.value.dtype == b.value.dtype and (a.value == b.value).all())
    # another solution (its helpers or mistakes.py included) is another key: computed again
    (assignment.solution_dir / "helper.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.undo()
    evaluate(*args, store=store)
    assert len(list(store.glob("*.frame"))) == 2


def test_an_evaluation_with_a_timeout_in_it_is_never_kept(tmp_path):
    assignment = course(tmp_path)          # its "slow" model hits its call's timer
    spec = assignment.functions["scaled"]
    models = from_file(assignment.solution, ["scaled"])["scaled"]
    store = tmp_path / "store"
    evaluation = evaluate(assignment.solution, assignment.solution_dir / "mistakes.py", spec, models,
                          make_cases(spec), assignment.limits, store=store)
    assert evaluation.complete and evaluation.outcomes["slow"][0].status == st.TIMEOUT
    assert not list(store.glob("*.frame"))
