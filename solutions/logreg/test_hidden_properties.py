"""Hand-written hidden tests: plain pytest, with the grader's fixtures.

- ``student``: the student's functions, run in the sandbox (``student.sigmoid(z)``);
- ``reference``: the reference module (trusted);
- ``cases``: every configured case, ``{function: [Case]}`` (``case.args``, ``case.kwargs``).
``@pytest.mark.grade(function=..., points=..., check=...)`` says what a test is worth.
These run for every student after the generated checks; students never see this file.
"""
import numpy as np
import pytest


@pytest.mark.grade(function="sigmoid", points=1, check="values")
def test_sigmoid_is_symmetric_around_one_half(student):
    """sigmoid(-z) = 1 - sigmoid(z), for the same student's function, at many points."""
    z = np.linspace(-30.0, 30.0, 241).reshape(1, -1)
    s_pos = np.asarray(student.sigmoid(z), dtype=float)
    s_neg = np.asarray(student.sigmoid(-z), dtype=float)
    assert s_pos.shape == z.shape
    np.testing.assert_allclose(s_pos + s_neg, 1.0, rtol=0, atol=1e-9)


@pytest.mark.grade(function="propagate", points=1, check="values")
def test_propagate_gradient_matches_its_own_cost(student, cases):
    """dw and db agree with central finite differences of the student's own cost."""
    # The smallest hidden case with several examples: 2n + 3 calls of the student's propagate.
    case = min((c for c in cases["propagate"] if c.hidden and c.sizes.get("m", 0) > 1),
               key=lambda c: c.sizes["n"])
    w, b, X, Y = case.args
    grads, cost = student.propagate(w, b, X, Y)
    eps = 1e-6
    numeric = np.zeros_like(w)
    for i in range(w.shape[0]):
        step = np.zeros_like(w)
        step[i, 0] = eps
        up = float(np.squeeze(student.propagate(w + step, b, X, Y)[1]))
        down = float(np.squeeze(student.propagate(w - step, b, X, Y)[1]))
        numeric[i, 0] = (up - down) / (2 * eps)
    numeric_db = (float(np.squeeze(student.propagate(w, b + eps, X, Y)[1]))
                  - float(np.squeeze(student.propagate(w, b - eps, X, Y)[1]))) / (2 * eps)
    np.testing.assert_allclose(np.asarray(grads["dw"], dtype=float).reshape(w.shape), numeric, rtol=1e-4, atol=1e-6)
    assert abs(float(np.squeeze(grads["db"])) - numeric_db) < 1e-5
