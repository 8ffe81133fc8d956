"""Example submissions of "Logistic Regression with a Neural Network mindset": the week's
classic mistakes, one per student.

``variants(ref)`` maps each example student to the graded functions they wrote differently
from the reference (``ref``: function -> reference source without solution markers);
``EXPECTED`` is the grade each example must get: every mistake costs its own function's
points and nothing else.
"""
from __future__ import annotations


def replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise SystemExit(f"examples: {old!r} not found; the reference changed, update solutions/logreg/examples.py")
    return text.replace(old, new)


def variants(ref: dict) -> dict:
    """student -> {function: source}: the reference, with one mistake each (or none)."""
    return {
        "alice_correct": {},
        "bob_gradient_sign": {
            "propagate": replace(ref["propagate"], "dw = np.dot(X, (A - Y).T) / m", "dw = np.dot(X, (Y - A).T) / m"),
        },
        "carol_rank1_w": {
            "initialize_with_zeros": replace(ref["initialize_with_zeros"], "np.zeros((dim, 1))", "np.zeros(dim)"),
        },
        "dave_cost_1x1": {
            "propagate": replace(
                replace(ref["propagate"],
                        "cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m",
                        "cost = -(np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T)) / m"),
                "    cost = np.squeeze(np.array(cost))\n", ""),
        },
        "erin_syntax_error": {
            "predict": replace(ref["predict"], "A = sigmoid(np.dot(w.T, X) + b)", "A = sigmoid(np.dot(w.T, X) + b"),
        },
        "frank_predict_never_returns": {
            "predict": replace(ref["predict"], "    m = X.shape[1]\n",
                               "    m = X.shape[1]\n    while m > 0:  # waits for a condition that never changes\n"
                               "        m = m + 1 - 1\n"),
        },
        "grace_loops_over_examples": {
            "propagate": replace(
                ref["propagate"],
                "    dw = np.dot(X, (A - Y).T) / m\n",
                "    dw = np.zeros(w.shape)\n"
                "    for i in range(m):\n"
                "        dw += X[:, i:i + 1] * (A[0, i] - Y[0, i])\n"
                "    dw = dw / m\n"),
        },
    }


FULL = dict(sigmoid=5, initialize_with_zeros=3, propagate=7, optimize=6, predict=5, model=5)


def _grades(**changed) -> dict:
    return dict(FULL, **changed)


EXPECTED = {
    "alice_correct": _grades(),
    "bob_gradient_sign": _grades(propagate=3),
    "carol_rank1_w": _grades(initialize_with_zeros=1),
    "dave_cost_1x1": _grades(propagate=6),
    "erin_syntax_error": _grades(predict=0),
    "frank_predict_never_returns": _grades(predict=0),
    "grace_loops_over_examples": _grades(propagate=6),
}

# The mistake each example's failed function is diagnosed with (grader/mistakes: generated from
# the reference, or declared in mistakes.py); examples not listed get no diagnosis.
DIAGNOSED = {
    "bob_gradient_sign": {"propagate": "sign:dw"},
    "carol_rank1_w": {"initialize_with_zeros": "rank1:w"},
    "dave_cost_1x1": {"propagate": "cost_kept_2d"},
}
