"""Findings on hidden cases reveal no hidden input, size or expected value, whatever the student's
code puts into what it controls (exception class names, dict keys, shapes, lengths, file names);
public cases keep their detail."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from grader import outcomes as st
from grader.checks import FunctionRun, all_checks
from grader.checks.analysis.hidden import exception_name
from grader.grading import Batch
from grader.outcomes import CallOutcome, CaseRun
from variants.harness import Chunk, Submission

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

CELL = "<cell 3>"
SOURCE = "import numpy as np\n\ndef sigmoid(z):\n    s = 1 / (1 + np.exp(-z))\n    raise ValueError(s)\n"


@pytest.fixture(scope="module")
def batch(assignment):
    return Batch.prepare(assignment)


def leak(case) -> str:
    """What a hostile function would smuggle out: the hidden inputs themselves."""
    return "LEAK " + repr([np.asarray(a).tolist() for a in case.args])


def run_of(batch, name, make=None, **failure) -> FunctionRun:
    """Each case's outcome: ``make(expected, case)`` as the returned value, or the failure given."""
    cases = []
    for case, expected in zip(batch.cases[name], batch.expected[name]):
        if failure:
            fields = {k: (v(case) if callable(v) else v) for k, v in failure.items()}
            outcome = CallOutcome(**fields)
        else:
            outcome = CallOutcome(st.OK, value=make(copy.deepcopy(expected), case))
        cases.append(CaseRun(case, expected, outcome))
    return FunctionRun(spec=batch.assignment.functions[name], assignment=batch.assignment, cases=cases,
                       submission=Submission("eve", [Chunk(CELL, SOURCE)]), reference=batch.reference,
                       output_names=batch.reference.output_names[name], state=batch.states)


def findings(run, check, hidden):
    return [f for v in all_checks()[check].judge(run) for f in v.findings if f.hidden == hidden]


def text(finding) -> str:
    return " ".join(str(getattr(finding, k)) for k in
                    ("message", "fix", "excerpt", "filename", "inputs", "expected", "actual", "line"))


# ------------------------------------------------------------------ exceptions


@pytest.mark.parametrize("check", ["runs", "shapes", "values"])
def test_an_exception_class_named_after_the_inputs_is_not_shown(batch, check):
    run = run_of(batch, "sigmoid", status=st.ERROR, error=lambda case: f"{leak(case)}: boom",
                 traceback=lambda case: leak(case), line=5, filename=CELL)
    hidden = findings(run, check, hidden=True)
    assert hidden and all("LEAK" not in text(f) for f in hidden)
    assert all("an exception of a class your code defines" in f.message for f in hidden)
    assert all(f.line == 5 and f.excerpt == "raise ValueError(s)" for f in hidden)  # the student's own line
    assert all("LEAK" in f.message for f in findings(run, check, hidden=False))


def test_builtin_and_numpy_exception_names_stay_without_their_message():
    assert exception_name("ValueError: secret 0.25") == "ValueError"
    assert exception_name("numpy.linalg.LinAlgError: Singular matrix") == "numpy.linalg.LinAlgError"
    assert exception_name("KeyError") == "KeyError"
    assert exception_name('  File "<string>", line 1\n    x = (\n        ^\nSyntaxError: never closed') == "SyntaxError"
    assert exception_name("LEAK X=[[0.5]]: boom") is None
    assert exception_name("__main__.Leak: 0.5") is None


def test_a_file_name_chosen_at_run_time_is_not_shown_for_hidden_cases(batch):
    run = run_of(batch, "sigmoid", status=st.ERROR, error="ZeroDivisionError: division by zero",
                 filename=lambda case: f"<{leak(case)}>", line=lambda case: 1 + int(np.size(case.args[0])))
    for finding in findings(run, "runs", hidden=True):
        assert finding.message == "raised an error: ZeroDivisionError"
        assert finding.filename == "" and finding.line is None and "LEAK" not in text(finding)


@pytest.mark.parametrize("status,error,shown", [
    (st.WRONG_TYPE, "result[{leak}]: a Liar object, which is not plain data", "returned something that is not plain data"),
    (st.KILLED, "sigmoid() killed the process: the child sent an unexpected message ({leak})", "crashed the process"),
    (st.KILLED, "sigmoid() killed the process: it used more than the CPU time limit of 10 s (SIGXCPU)",
     "crashed the process: it used more than the CPU time limit"),
    (st.FORBIDDEN, "PermissionError: [Errno 13] Permission denied: '/{leak}'", "tried an operation that grading "
     "forbids: PermissionError"),
    (st.MEMORY, "MemoryError: {leak}", "ran out of memory: MemoryError"),
])
def test_other_failures_show_only_the_grader_s_words(batch, status, error, shown):
    run = run_of(batch, "sigmoid", status=status, error=lambda case: error.format(leak=repr(leak(case))))
    hidden = findings(run, "runs", hidden=True)
    assert hidden and all(f.message == shown for f in hidden)


def test_timeouts_keep_their_reason_which_the_grader_wrote(batch):
    run = run_of(batch, "sigmoid", status=st.TIMEOUT, error="sigmoid() did not return within 1 s")
    assert all(f.message == "did not return in time: sigmoid() did not return within 1 s"
               for f in findings(run, "runs", hidden=True))


def test_a_cell_that_fails_to_load_again_after_a_hidden_call_is_not_quoted(batch):
    """A hidden call can leave its inputs in a file and end the process; the cell, loaded again,
    raises them. The loader's own reason (found before anything ran) is still shown."""
    reload = run_of(batch, "sigmoid", status=st.MISSING,
                    error=lambda case: f"sigmoid was never defined: loading cell 3 failed: {leak(case)}")
    hidden = findings(reload, "runs", hidden=True)
    assert hidden and all("LEAK" not in text(f) and "was not defined when this case ran" in f.message for f in hidden)
    loader = run_of(batch, "sigmoid", status=st.MISSING, error="no function named sigmoid was found in the submission")
    loader.missing = "no function named sigmoid was found in the submission"
    assert all(f.message == "could not be called: no function named sigmoid was found in the submission"
               for f in findings(loader, "runs", hidden=True))


# ------------------------------------------------------------------ returned values


@pytest.mark.parametrize("check", ["shapes", "values"])
def test_dict_keys_of_a_returned_value_are_not_shown(batch, check):
    sigmoid = run_of(batch, "sigmoid", lambda out, case: {leak(case): 1.0})
    propagate = run_of(batch, "propagate", lambda out, case: {leak(case): out[0]})
    for run in (sigmoid, propagate):
        hidden = findings(run, check, hidden=True)
        assert hidden and all("LEAK" not in text(f) for f in hidden), [f.message for f in hidden]
        assert all("LEAK" in f.message for f in findings(run, check, hidden=False))


def test_a_rank1_output_on_hidden_cases_is_named_in_words_the_same_for_every_size(batch):
    run = run_of(batch, "initialize_with_zeros", lambda out, case: (out[0].ravel(), out[1]))
    hidden = findings(run, "shapes", hidden=True)
    assert len(hidden) == sum(c.hidden for c in batch.cases["initialize_with_zeros"]) >= 2
    assert {f.message for f in hidden} == {"w is a rank-1 array where a 2-D column vector is expected"}
    assert all("(" not in f.message and ".reshape(-1, 1)" in f.fix for f in hidden)
    public = findings(run, "shapes", hidden=False)
    assert all("w has shape (" in f.message for f in public)  # public cases keep the shapes


def test_a_row_vector_is_told_as_a_row_even_when_a_hidden_case_has_one_example(batch):
    """predict's hidden case 2 has m = 1: its expected (1, 1) must not read as a column."""
    run = run_of(batch, "predict", lambda out, case: out.ravel())
    hidden = findings(run, "shapes", hidden=True)
    assert any(c.hidden and c.sizes.get("m") == 1 for c in batch.cases["predict"])
    [message] = {f.message for f in hidden}
    assert message.endswith(" is a rank-1 array where a 2-D row vector is expected")
    assert all(".reshape(1, -1)" in f.fix for f in hidden)


def test_shapes_dtypes_and_scalars_on_hidden_cases_carry_no_numbers(batch):
    def twisted(out, case):
        grads, cost = out
        return {"dw": grads["dw"].T.astype(np.int64), "db": grads["db"]}, np.full((1, 1), cost)
    run = run_of(batch, "propagate", twisted)
    for finding in findings(run, "shapes", hidden=True):
        assert not any(ch.isdigit() for ch in finding.message.replace("2-D", "")), finding.message
        assert "cost should be a scalar, got an array" in finding.message


def test_list_lengths_and_entry_positions_are_not_shown(batch):
    longer = run_of(batch, "optimize", lambda out, case: (out[0], out[1], out[2] + [0.5] * 7))
    for check in ("shapes", "values"):
        for finding in findings(longer, check, hidden=True):
            assert finding.message == "costs: its structure differs from the reference's (another kind of value, " \
                                      "another number of items, or other dict keys)"
    shifted = run_of(batch, "optimize", lambda out, case: (out[0], out[1], [c + 1.0 for c in out[2]]))
    messages = [f.message for f in findings(shifted, "values", hidden=True)]
    assert messages and all("costs[k] differs" in m and "costs[0]" not in m for m in messages)
    assert all("costs[0] differs" in f.message for f in findings(shifted, "values", hidden=False))


def test_rank1_check_on_hidden_cases_names_no_size(batch):
    def only_hidden_wrong(out, case):
        return (out[0].ravel(), out[1]) if case.hidden else out
    run = run_of(batch, "initialize_with_zeros", only_hidden_wrong)
    [verdict] = all_checks()["rank1"].judge(run)
    [finding] = [f for f in verdict.findings if f.hidden]
    assert finding.message == "initialize_with_zeros returns w as a rank-1 array where a 2-D column vector is expected"
    assert ".reshape(-1, 1)" in finding.fix
