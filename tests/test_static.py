"""grader.checks.analysis (loops, rank1_spots): where a function could loop in Python, or make a rank-1 array (AST only)."""
from __future__ import annotations

from grader.checks.analysis.loops import loop_spots
from grader.checks.analysis.rank1_spots import rank1_spots
from grader.checks.analysis.submission_code import SubmissionCode

SOURCE = '''import numpy as np
import math
import functools as ft
from numpy import vectorize as vec

_sig = np.frompyfunc(lambda v: v, 1, 1)

def helper(v):
    return [x for x in v]

def unused(v):
    while True:
        pass

def f(X, num_iterations=3):
    for i in range(num_iterations):
        pass
    for k in (1, 2, 3):
        pass
    s = sum(map(math.exp, X.ravel()))
    g = vec(lambda t: t)(X)
    r = ft.reduce(lambda a, b: a + b, X)
    e = eval("1")
    h = helper(X)
    q = _sig(X)
    return f(X) if False else (max(1, 2), h, q)
'''


def spots(name="f", graded=("f",)):
    code = SubmissionCode.from_source(SOURCE, "<cell 4>")
    return {(s.kind, s.what, s.line): s for s in loop_spots(code, name, set(graded))}


def test_every_hiding_place_is_found_with_line_and_excerpt():
    found = spots()
    keys = {(kind, what, line) for kind, what, line in found}
    assert ("loop", "a for loop", 16) in keys
    assert ("functional", "map()", 20) in keys
    assert ("c_iteration", "sum()", 20) in keys
    assert ("elementwise", "np.vectorize", 21) in keys       # through "from numpy import vectorize as vec"
    assert ("functional", "functools.reduce()", 22) in keys  # through "import functools as ft"
    assert ("exec", "eval()", 23) in keys
    assert ("comprehension", "a list comprehension", 9) in keys   # in the helper it calls
    assert ("elementwise", "np.frompyfunc", 6) in keys           # a module-level value it uses
    assert any(kind == "recursion" and line == 26 for kind, _, line in keys)
    assert found[("loop", "a for loop", 16)].excerpt == "for i in range(num_iterations):"
    assert found[("comprehension", "a list comprehension", 9)].function == "helper"


def test_unreached_code_and_scalar_builtins_are_not_spots():
    found = spots()
    assert not any(line in (12, 13) for _, _, line in found)   # unused() is never called
    assert not any(what == "max()" for _, what, _ in found)      # max(a, b) compares two scalars


def test_a_loop_over_a_fixed_tuple_is_marked_constant():
    found = spots()
    assert found[("loop", "a for loop", 18)].constant
    assert not found[("loop", "a for loop", 16)].constant


def test_other_graded_functions_are_not_followed():
    found = spots(graded=("f", "helper"))
    assert not any(s.function == "helper" for s in found.values())


def test_tracer_manipulation_is_a_spot():
    code = SubmissionCode.from_source("import sys\ndef f(z):\n    t = sys.gettrace()\n    sys.settrace(None)\n    return z\n")
    found = loop_spots(code, "f")
    assert [(s.kind, s.line) for s in found] == [("tracer", 3), ("tracer", 4)]


RANK1 = '''import numpy as np

def g(X, dim):
    w = np.zeros(dim)
    ok = np.zeros((dim, 1))
    r = np.random.randn(dim)
    r2 = np.random.randn(dim, 1)
    s = np.sum(X, axis=1)
    t = s * X
    kept = np.sum(X, axis=1, keepdims=True) * X
    flat = X.ravel()
    back = X.ravel().reshape(-1, 1)
    cost = np.squeeze(np.sum(X))
    return w, ok, r, r2, t, kept, flat, back, cost
'''


def test_rank1_spots_name_the_maker_and_the_fix():
    code = SubmissionCode.from_source(RANK1, "<cell 2>")
    found = {s.line: s for s in rank1_spots(code, "g")}
    assert sorted(found) == [4, 6, 8, 11]
    assert found[4].what == "np.zeros(dim)" and "np.zeros((dim, 1))" in found[4].fix and found[4].target == "w"
    assert found[6].what == "np.random.randn(dim)" and "np.random.randn(dim, 1)" in found[6].fix
    assert "keepdims=True" in found[8].fix and found[8].excerpt == "s = np.sum(X, axis=1)"
    assert ".reshape(-1, 1)" in found[11].fix
