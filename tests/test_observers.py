"""Child-side observers, tested in-process: start/stop around a function compiled as a cell."""
from __future__ import annotations

import json
import sys

import numpy as np

from grader.sandbox.observers import OBSERVERS

STUDENT = '''import numpy as np
import sys

def looped(X):
    total = 0.0
    for j in range(X.shape[1]):
        total += X[0, j]
    return total

def vectorized(X):
    return np.sum(X[0])

def via_exec(X):
    scope = {"X": X}
    exec("t = 0\\nfor v in X[0]:\\n    t += v\\n", scope)
    return scope["t"]

def switches_off(X):
    sys.settrace(None)
    return np.sum(X)

def rank1(X):
    w = np.zeros(X.shape[0])
    outer = w - w.reshape(-1, 1)
    return outer
'''


def student(name):
    namespace = {}
    exec(compile(STUDENT, "<cell 3>", "exec"), namespace)
    return namespace[name]


def observe(name, X, *observers):
    function = student(name)
    made = [OBSERVERS[o]() for o in observers]
    for observer in made:
        observer.start({"<cell 3>"})
    try:
        function(X)
    finally:
        reports = [observer.stop() for observer in reversed(made)][::-1]
    for report in reports:
        json.dumps(report)  # plain data only
    return reports if len(reports) > 1 else reports[0]


def total(report):
    return sum(c for _, _, c in report["lines"])


def test_line_events_grow_with_a_loop_and_not_without():
    small, large = observe("looped", np.ones((2, 4)), "lines"), observe("looped", np.ones((2, 40)), "lines")
    assert small["intact"] and large["intact"]
    assert total(large) - total(small) >= 2 * 36
    loop_line = {line: count for _, line, count in large["lines"]}[6]
    assert loop_line == 41
    flat_small, flat_large = observe("vectorized", np.ones((2, 4)), "lines"), observe("vectorized", np.ones((2, 40)), "lines")
    assert total(flat_small) == total(flat_large) == 1


def test_numpy_and_stdlib_are_not_counted_but_exec_strings_are():
    report = observe("via_exec", np.ones((1, 30)), "lines")
    files = {f for f, _, _ in report["lines"]}
    assert files == {"<cell 3>", "<string>"}
    assert sum(c for f, _, c in report["lines"] if f == "<string>") > 30
    assert ["<cell 3>", 13, "via_exec", 1] in report["calls"]


def test_a_tracer_switched_off_is_reported_not_clean():
    report = observe("switches_off", np.ones((2, 3)), "lines")
    assert report["intact"] is False


def test_observers_restore_the_previous_tracer():
    previous = sys.gettrace()
    observe("looped", np.ones((1, 3)), "lines", "locals")
    assert sys.gettrace() is previous


def test_locals_report_rank1_arrays_and_their_binding_line():
    lines, shapes = observe("rank1", np.ones((3, 5)), "lines", "locals")
    assert lines["intact"] and shapes["intact"]
    bound = {(line, name): shape for _, line, fn, name, shape, _ in shapes["bound"]}
    assert bound[(23, "w")] == [3]
    assert bound[(24, "outer")] == [3, 3]
    before = [env for _, line, fn, env in shapes["before"] if line == 24]
    assert before == [{"X": [3, 5], "w": [3]}]


def test_reports_are_bounded():
    from grader.sandbox import observers

    namespace = {}
    exec(compile("def many(n):\n    for i in range(n):\n        exec(f'x{i} = {i}')\n", "<cell 9>", "exec"), namespace)
    observer = OBSERVERS["lines"]()
    observer.start({"<cell 9>"})
    namespace["many"](50)
    report = observer.stop()
    assert len(report["lines"]) <= observers.MAX_ENTRIES
