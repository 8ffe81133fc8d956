"""vectorized: every correct style passes, every hiding place is caught and named by line.

The corpus is tests/variants/. ``LocalRunner`` feeds the check the way the engine does (real
observers around each call, parent-side timing, reference attribution), in-process.
"""
from __future__ import annotations

import pytest

from grader.checks.analysis.traces import parse_lines_report
from grader.checks.vectorized import CHECK, timing_sizes
from variants.harness import CAUGHT, CORRECT, LocalRunner, defined_functions, expectation, reference_of

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def failures(verdict):
    return [f for f in verdict.findings if not f.message.startswith("note:")]


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_styles_pass(assignment, path):
    runner = LocalRunner(assignment, path)
    for name in defined_functions(runner.source, assignment):
        [verdict] = CHECK.judge(runner.run(name, [CHECK]))
        assert verdict.passed, (name, [f.message for f in verdict.findings])
        assert not failures(verdict), name


VECTORIZED = [p for p in CAUGHT if expectation(p)[0] == "vectorized"]


@pytest.mark.parametrize("path", VECTORIZED, ids=lambda p: p.stem)
def test_every_hiding_place_is_caught_at_its_line(assignment, path):
    _, name, line = expectation(path)
    runner = LocalRunner(assignment, path)
    [verdict] = CHECK.judge(runner.run(name, [CHECK]))
    assert not verdict.passed and verdict.fraction == 0.0
    lines = [f.line for f in failures(verdict)]
    assert line in lines, [(f.line, f.message) for f in verdict.findings]
    finding = next(f for f in failures(verdict) if f.line == line)
    assert finding.excerpt and finding.excerpt in path.read_text().splitlines()[line - 1]
    assert name in finding.message and finding.fix


def test_the_message_names_the_size_it_grows_with_and_the_measured_growth(assignment):
    path = next(p for p in CAUGHT if p.stem == "for_examples_propagate")
    runner = LocalRunner(assignment, path)
    [verdict] = CHECK.judge(runner.run("propagate", [CHECK]))
    [finding] = failures(verdict)
    assert "a for loop runs once for each of the m examples" in finding.message  # the config's words for m
    assert "when m went from 4 to 32" in finding.message and "n went" not in finding.message
    assert "np.dot" in finding.fix and "keepdims=True" in finding.fix


def test_c_level_iteration_is_caught_by_timing_with_the_static_spot(assignment):
    path = next(p for p in CAUGHT if p.stem == "map_math_exp_sigmoid")
    run = LocalRunner(assignment, path).run("sigmoid", [CHECK])
    dynamic_counts = [parse_lines_report(p.outcomes[0].observations["lines"])["lines"]
                      for p in run.probes["vectorized"] if p.probe.name.startswith("dynamic")]
    assert all(counts == dynamic_counts[0] for counts in dynamic_counts)  # no Python events grow
    [verdict] = CHECK.judge(run)
    [finding] = failures(verdict)
    assert finding.message.startswith("sigmoid: map() iterates over the data element by element")
    assert "times the reference's time" in finding.message
    assert "ms" not in finding.message  # no measured figures: feedback is byte-identical across runs


def test_a_loop_over_iterations_is_allowed_without_a_note(assignment):
    path = next(p for p in CORRECT if p.stem == "dot")
    [verdict] = CHECK.judge(LocalRunner(assignment, path).run("optimize", [CHECK]))
    assert verdict.passed and verdict.findings == []


def _run_with(assignment, stem, name, edit):
    path = next(p for p in CORRECT + CAUGHT if p.stem == stem)
    run = LocalRunner(assignment, path).run(name, [CHECK])
    for probe_run in run.probes["vectorized"]:
        for outcome in probe_run.outcomes:
            edit(probe_run, outcome)
    return CHECK.judge(run)[0]


def test_a_missing_or_forged_trace_is_suspicious_not_clean(assignment):
    def drop(probe_run, outcome):
        outcome.observations.pop("lines", None)

    def forged(probe_run, outcome):
        if "lines" in outcome.observations:
            outcome.observations["lines"] = {"intact": True, "lines": [], "calls": []}  # not even the call itself

    def malformed(probe_run, outcome):
        if "lines" in outcome.observations:
            outcome.observations["lines"]["lines"] = [["<cell 1>", "x", 3]]

    for edit in (drop, forged, malformed):
        verdict = _run_with(assignment, "dot", "sigmoid", edit)
        assert not verdict.passed
        assert "line tracer" in verdict.findings[0].message


def test_a_failed_probe_leaves_a_note_and_judges_on_the_rest(assignment):
    def fail_dynamic(probe_run, outcome):
        if probe_run.probe.name == "dynamic: m":
            outcome.status, outcome.value = "timeout", None

    verdict = _run_with(assignment, "dot", "sigmoid", fail_dynamic)
    assert verdict.passed
    assert any("could not run" in f.message for f in verdict.findings)


def test_timing_alone_never_fails_a_function(assignment):
    def slow(probe_run, outcome):
        if probe_run.probe.name == "timing: large":
            outcome.seconds += 5.0

    verdict = _run_with(assignment, "dot", "sigmoid", slow)
    assert verdict.passed
    assert not verdict.findings  # timing is never shown on its own (it would differ between runs)


def test_a_stub_that_returns_none_earns_nothing(assignment, tmp_path):
    stub = tmp_path / "stub.py"
    stub.write_text("# GRADED FUNCTION: sigmoid\ndef sigmoid(z):\n    s = None\n    return s\n")
    [verdict] = CHECK.judge(LocalRunner(assignment, stub).run("sigmoid", [CHECK]))
    assert verdict.fraction == 0.0 and "returns None" in verdict.findings[0].message


def test_probes_keep_iterations_fixed_and_skip_timing_behind_proxies(assignment):
    reference = reference_of(assignment)
    optimize = CHECK.probes(assignment.functions["optimize"], assignment, reference)
    assert {p.name for p in optimize} == {"dynamic: base", "dynamic: n", "dynamic: m"}
    assert {p.case.kwargs["num_iterations"] for p in optimize} == {3}  # config.yaml: checks.vectorized.kwargs
    sigmoid = CHECK.probes(assignment.functions["sigmoid"], assignment, reference)
    assert [p.name for p in sigmoid if p.with_reference] == ["timing: small", "timing: large"]
    assert timing_sizes(assignment.functions["sigmoid"]) == {"n": 256, "m": 256}


def test_options_are_validated(assignment):
    assert CHECK.parse_options({"timing": False, "kwargs": {"num_iterations": 5}})["kwargs"] == {"num_iterations": 5}
    for bad in ({"timing": "yes"}, {"speed": 1}, {"base": 0}, {"base": 4, "grown": 6}, {"slow_ratio": 1}):
        with pytest.raises(ValueError):
            CHECK.parse_options(bad)


# --------------------------------------------------------------------------- end to end


def _graded(assignment, paths):
    from grader.pipeline import grade_paths

    return {path.stem: result for path, result in zip(paths, grade_paths(assignment, paths, jobs=2))}


def checks_of(result, function, check):
    return [t for t in result.tests if t.function == function and t.check == check]


@pytest.fixture(scope="module")
def graded(assignment):
    """The corpus graded like submissions: the real loader, engine and sandbox."""
    return _graded(assignment, CORRECT + VECTORIZED)


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_end_to_end_correct_styles_keep_the_vectorized_points(assignment, graded, path):
    for name in defined_functions(path.read_text(), assignment):
        [test] = checks_of(graded[path.stem], name, "vectorized")
        assert test.passed and test.score == test.max_score, (name, test.output)
        assert not failures(test)


@pytest.mark.slow
@pytest.mark.parametrize("path", VECTORIZED, ids=lambda p: p.stem)
def test_end_to_end_each_hiding_place_loses_the_points_with_the_line_named(graded, path):
    _, name, line = expectation(path)
    [test] = checks_of(graded[path.stem], name, "vectorized")
    assert not test.passed and test.score == 0.0
    assert f"at line {line}: " in test.output, test.output


@pytest.mark.slow
def test_end_to_end_looping_over_examples_keeps_values_and_loses_vectorized(assignment):
    from grader.pipeline import grade_paths

    path = next(p for p in CAUGHT if p.stem == "for_examples_propagate")
    [result] = grade_paths(assignment, [path], jobs=1)
    values = checks_of(result, "propagate", "values")
    assert values and all(t.passed and t.score == t.max_score for t in values)
    [vectorized] = checks_of(result, "propagate", "vectorized")
    assert vectorized.score == 0.0 and vectorized.max_score == assignment.functions["propagate"].points["vectorized"]
    assert "a for loop runs once for each of the m examples" in vectorized.output
    assert "at line 11: for i in range(m):" in vectorized.output


def _timing_probes(assignment, name):
    return [p for p in CHECK.probes(assignment.functions[name], assignment, reference_of(assignment))
            if p.name.startswith("timing:")]


@pytest.mark.parametrize("path", CORRECT + CAUGHT, ids=lambda p: p.stem)
def test_a_timing_probe_is_skipped_only_when_no_clock_reading_could_change_the_verdict(assignment, path):
    """The engine runs a timing probe only when ``wants`` says a loop may depend on the clock:
    wherever it says no, the verdict without the timing probes is the one with them, whether
    the student's large input ran as fast as measured or five seconds slower."""
    runner = LocalRunner(assignment, path)
    for name in defined_functions(runner.source, assignment):
        if not _timing_probes(assignment, name):
            continue
        run = runner.run(name, [CHECK])
        every = run.probes["vectorized"]
        dynamic = [p for p in every if not p.probe.name.startswith("timing:")]
        if any(CHECK.wants(run, p.probe, dynamic) for p in every if p.probe.name.startswith("timing:")):
            continue
        for extra in (0.0, 5.0):
            for probe_run in every:
                if probe_run.probe.name == "timing: large":
                    for outcome in probe_run.outcomes:
                        outcome.seconds += extra
            run.probes["vectorized"] = every
            measured = CHECK.judge(run)
            run.probes["vectorized"] = dynamic
            assert CHECK.judge(run) == measured, (path.stem, name, extra)


def test_timing_probes_run_for_iteration_in_c_and_not_for_plain_array_code(assignment):
    def wanted(stem):
        path = next(p for p in CORRECT + CAUGHT if p.stem == stem)
        run = LocalRunner(assignment, path).run("sigmoid", [CHECK])
        dynamic = [p for p in run.probes["vectorized"] if not p.probe.name.startswith("timing:")]
        return [CHECK.wants(run, probe, dynamic) for probe in _timing_probes(assignment, "sigmoid")]

    assert wanted("map_math_exp_sigmoid") == [True, True]   # only the clock sees map() iterate in C
    assert wanted("dot") == [False, False]
