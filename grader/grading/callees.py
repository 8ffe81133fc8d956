"""Which graded functions a student's function may call as the student wrote them.

With reference attribution a student's ``optimize`` calls the reference ``propagate`` by
call-back, so a bug in ``propagate`` costs only ``propagate``'s points. A call-back is a round
trip to the session's reference process; a student ``optimize`` makes one per iteration. Once
the student's own ``propagate`` has passed every check configured for it (on its public and
hidden cases and its probes, with every call ending normally), it is as good as the reference
for its callers' hidden cases, and calling it in the child saves those round trips (public
cases and probes keep the call-backs: ``grading/execute.py`` says why).

"Reaches" follows both call graphs: the reference's (what the proxies stand for) and the
student's code (a student ``optimize`` that also calls ``predict`` reaches ``predict``), so a
callee is called as written only when every graded function it can get to passed; otherwise it
stays a proxy, and what it does is the reference's, as without this.
"""
from __future__ import annotations

from grader.checks.analysis.submission_code import called_names, code_of, read_names
from grader.grading.judge import JudgeError, judge

JUDGED = "_judged"   # a run's tests, kept on it once judged


def judge_once(batch, run) -> list:
    """``judge``, once per run: execute judges a callee to decide its callers' calls, and the
    engine's item then takes the same tests (the grader's ``grading.judge``)."""
    kept = getattr(run, JUDGED, None)
    if kept is None:
        kept = judge(batch, run)
        setattr(run, JUDGED, kept)
    return kept


def forget(run) -> None:
    """Drop the tests kept on ``run``: its calls are run again."""
    if hasattr(run, JUDGED):
        delattr(run, JUDGED)


def callee_first(batch, names) -> list:
    """``names`` in the config's order, each after the graded functions its reference calls."""
    order, seen = [], set()

    def visit(name: str, path: tuple) -> None:
        if name in seen or name in path or name not in names:
            return
        for callee in batch.reference.calls.get(name, ()):
            visit(callee, path + (name,))
        seen.add(name)
        order.append(name)

    for name in names:
        visit(name, ())
    return order


def passes(batch, run) -> bool:
    """Every call of ``run`` (cases and probes) ended normally and every check passed it.

    The tests are kept on the run, so the engine's item does not judge it again."""
    calls = [case.outcome for case in run.cases] + [o for probes in run.probes.values()
                                                    for probe in probes for o in probe.outcomes]
    if not all(outcome.ok for outcome in calls):
        return False
    try:
        tests = judge_once(batch, run)
    except JudgeError:
        return False
    return all(test.passed for test in tests)


class Trust:
    """What the graded functions of one submission reach, and which of them passed."""

    def __init__(self, batch, runs: dict):
        self.batch = batch
        self.graded = set(batch.assignment.functions)
        self.passed: dict = {}            # function -> True when it passed everything
        # A student's callee with parameters of its own (a ``verbose=False``, ``**kwargs``) could
        # take calls the reference's refuses: only one with the reference's parameters stands in.
        signatures = batch.reference.source.signatures
        self.same_parameters = {name: name in signatures and list(run.source.params) == list(signatures[name].params)
                                for name, run in runs.items()}
        self.edges = {name: set(batch.reference.calls.get(name, ())) for name in self.graded}
        for name, run in runs.items():
            self.edges[name] |= self._student_calls(run)

    def _student_calls(self, run) -> set:
        """The graded functions the student's code of ``run`` calls or names, through its helpers."""
        name = run.spec.name
        code = code_of(run)
        found = set()
        for definition in code.reachable(name, self.graded - {name}):
            found |= (called_names(definition.node) | read_names(definition.node)) & self.graded
        return found - {name}

    def reaches(self, name: str) -> set:
        """``name`` and every graded function it gets to, transitively."""
        seen, todo = {name}, [name]
        while todo:
            for callee in self.edges.get(todo.pop(), ()):
                if callee not in seen:
                    seen.add(callee)
                    todo.append(callee)
        return seen

    def proxies(self, name: str) -> tuple:
        """The reference functions ``name``'s calls still reach by call-back: its proxies, less
        those whose every reachable graded function passed."""
        return tuple(callee for callee in self.batch.proxies(name) if not self.stands_in(callee))

    def stands_in(self, callee: str) -> bool:
        """The student's ``callee`` and every graded function it reaches passed, and have the
        reference's parameters."""
        return all(self.passed.get(f, False) and self.same_parameters.get(f, False) for f in self.reaches(callee))

    def matters(self, name: str) -> bool:
        """True when a proxy of some graded function reaches ``name`` (its verdict then decides calls)."""
        return any(name in self.reaches(callee) for other in self.graded for callee in self.batch.proxies(other))
