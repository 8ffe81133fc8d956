"""Naming the mistake, calibrated (grader/mistakes): a diagnosis only when exactly one mistake
explains a failed function, never on a correct one; measured on the corpus (tests/mistakes_corpus),
the examples of every assignment, the benchmark's variants and tests/variants."""
from __future__ import annotations

import dataclasses

import pytest
from mistakes_corpus.harness import ROOT, Diagnoser, corpus_samples, measure
from mistakes_corpus.harness import all_samples

from grader import outcomes as st
from grader.config import load_config
from grader.mistakes import match
from grader.outcomes import CallOutcome

COURSE = load_config(ROOT / "config.yaml")


@pytest.fixture(scope="module")
def figures():
    return measure(all_samples(COURSE), COURSE)


@pytest.fixture(scope="module")
def logreg():
    return Diagnoser(COURSE.assignments["logreg"])


def test_the_corpus_has_thirty_single_mistake_submissions_across_the_assignments():
    samples = corpus_samples()
    mistaken = [s for s in samples if s.mistaken]
    assert len(mistaken) >= 30
    assert {s.assignment for s in mistaken} == set(COURSE.assignments)
    assert any(not s.mistaken for s in samples) and any(s.mistaken and s.expected is None for s in samples)


def test_every_modelled_mistake_is_named_and_nothing_is_named_wrongly(figures):
    wrong = [(s.source, s.function, s.named, s.expected) for s in figures.named_wrong]
    missed = [(s.source, s.function, s.expected) for s in figures.missed]
    assert not wrong and not missed


def test_no_correct_submission_gets_a_diagnosis(figures):
    correct = [s for s in figures.samples if not s.mistaken]
    assert len(correct) > 40
    assert not [(s.source, s.function, s.named) for s in correct if s.named is not None]


def test_at_least_80_percent_of_the_corpus_mistakes_are_named(figures):
    corpus = [s for s in figures.samples if s.source.startswith("corpus/") and s.mistaken]
    named = [s for s in corpus if s.named is not None and s.named == s.expected]
    assert len(named) / len(corpus) >= 0.8, figures.summary()
    assert figures.summary()["precision"] == 1.0


def test_a_function_that_passes_is_never_diagnosed_nor_are_its_models_run(logreg):
    book_before = dict(logreg.book.stats)
    source = (ROOT / "tests" / "variants" / "correct" / "dot.py").read_text(encoding="utf-8")
    run = logreg.run(source, "predict")
    assert logreg.book.diagnose(run) is None
    assert logreg.book.stats["failed_functions"] == book_before["failed_functions"]


def test_a_student_who_raises_everywhere_with_no_model_raising_alike_gets_nothing(logreg):
    run = logreg.run("def propagate(w, b, X, Y):\n    raise ValueError('not yet')\n", "propagate")
    assert logreg.book.diagnose(run) is None


def student_like(logreg, mistake: str, function: str, change=None):
    """A FunctionRun whose outcomes are ``mistake``'s (changed by ``change(index, outcome)``)."""
    evaluation, _ = logreg.book.evaluation(function)
    run = logreg.run(_reference_source(function), function)
    for index, case_run in enumerate(run.cases):
        outcome = evaluation.outcomes[mistake][index]
        case_run.outcome = change(index, outcome, case_run) if change else outcome
    return run


def _reference_source(function: str) -> str:
    import inspect

    from grader.reference import load_reference

    logreg = COURSE.assignments["logreg"]
    return inspect.getsource(load_reference(logreg.solution, list(logreg.functions)).function(function))


def test_a_run_with_a_models_outcomes_is_named_by_it(logreg):
    assert logreg.book.diagnose(student_like(logreg, "sign:dw", "propagate")).mistake == "sign:dw"


def test_a_model_that_differs_where_the_student_passed_does_not_explain_the_run(logreg):
    def passes_case_0(index, outcome, case_run):
        return CallOutcome(st.OK, value=case_run.expected) if index == 0 else outcome
    assert logreg.book.diagnose(student_like(logreg, "sign:dw", "propagate", passes_case_0)) is None


def test_two_models_that_differ_only_where_the_student_gave_no_evidence_are_ambiguous(logreg):
    evaluation, _ = logreg.book.evaluation("propagate")
    tolerance, names = COURSE.assignments["logreg"].functions["propagate"].tolerance, ["grads", "cost"]
    first, second = "product:dw:*", "swapped:dw:np.dot:0<>1"
    agree = [match.same(a, b, tolerance, names) is True
             for a, b in zip(evaluation.outcomes[first], evaluation.outcomes[second])]
    assert any(agree) and not all(agree)
    assert logreg.book.diagnose(student_like(logreg, first, "propagate")).mistake == first

    def hangs_where_they_differ(index, outcome, case_run):
        return outcome if agree[index] else CallOutcome(st.TIMEOUT)
    assert logreg.book.diagnose(student_like(logreg, first, "propagate", hangs_where_they_differ)) is None


def test_models_that_agree_on_every_case_are_one_mistake_named_by_the_first(logreg):
    # the cost negated and its unary minus left out give the same outputs: one mistake, "sign" first
    evaluation, usable = logreg.book.evaluation("propagate")
    ids = [m.id for m in usable]
    assert ids.index("sign:cost") < ids.index("minus:cost")
    assert logreg.book.diagnose(student_like(logreg, "minus:cost", "propagate")).mistake == "sign:cost"


def test_a_timeout_of_the_student_is_no_evidence_either_way(logreg):
    def hangs_on_the_last(index, outcome, case_run):
        return CallOutcome(st.TIMEOUT) if index == len(logreg.cases["propagate"]) - 1 else outcome
    assert logreg.book.diagnose(student_like(logreg, "sign:dw", "propagate", hangs_on_the_last)).mistake == "sign:dw"


def test_a_bare_exception_is_no_evidence_and_a_note_after_the_message_is(logreg):
    tolerance = COURSE.assignments["logreg"].functions["predict"].tolerance
    bare = CallOutcome(st.ERROR, error="AssertionError")
    assert match.same(bare, bare, tolerance, None) is None
    said = CallOutcome(st.ERROR, error="ValueError: shapes (2,1) and (2,3) not aligned")
    noted = dataclasses.replace(said, error=said.error + "; a cell that defines sigmoid failed to load")
    assert match.same(said, noted, tolerance, None) is True
    assert match.same(said, dataclasses.replace(said, error=said.error + "!"), tolerance, None) is False


def test_graded_as_submitted_a_function_that_calls_others_is_not_diagnosed(logreg):
    from grader.mistakes import MistakeBook

    assignment = dataclasses.replace(COURSE.assignments["logreg"], attribution="as_submitted")
    book = MistakeBook.prepare(assignment, logreg.reference, logreg.cases, logreg.expected)
    run = student_like(logreg, "update:all", "optimize")
    assert logreg.book.diagnose(run).mistake == "update:all"
    assert book.diagnose(run) is None     # its propagate could be the student's own, and wrong
    assert book.diagnose(student_like(logreg, "minus:s:-z", "sigmoid")).mistake == "minus:s:-z"
