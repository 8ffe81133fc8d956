"""Example submissions of "Python Basics with Numpy": the week's classic mistakes, one per student.

``variants(ref)`` maps each example student to the graded functions they wrote differently
from the reference (``ref``: function -> reference source without solution markers);
``EXPECTED`` is the grade each example must get: every mistake costs its own function's
points and nothing else. Full marks per function: basic_sigmoid 4, sigmoid 4,
sigmoid_derivative 5, image2vector 4, normalize_rows 6, softmax 6, L1 4, L2 5 (config.yaml
plus the instructor tests in test_hidden_numpy_basics.py).
"""
from __future__ import annotations

FULL = {"basic_sigmoid": 4, "sigmoid": 4, "sigmoid_derivative": 5, "image2vector": 4,
        "normalize_rows": 6, "softmax": 6, "L1": 4, "L2": 5}


def replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise SystemExit(f"examples: {old!r} not found; the reference changed, update solutions/numpy_basics/examples.py")
    return text.replace(old, new)


def variants(ref: dict) -> dict:
    """student -> {function: source}: the reference, with one mistake each (or none)."""
    return {
        "alice_correct": {},
        # math.exp takes one number: the function works on a Python scalar and fails on arrays.
        "bob_sigmoid_math_exp": {
            "sigmoid": replace(ref["sigmoid"], "s = 1 / (1 + np.exp(-x))",
                               "s = 1 / (1 + math.exp(-x))"),
        },
        # reshape to (n,): a rank-1 array instead of a column.
        "carol_image2vector_rank1": {
            "image2vector": replace(ref["image2vector"],
                                    "image.reshape(image.shape[0] * image.shape[1] * image.shape[2], 1)",
                                    "image.reshape(image.shape[0] * image.shape[1] * image.shape[2])"),
        },
        # the row norms without keepdims: a (n,) array that numpy lines up with the columns.
        "dave_normalize_rows_no_keepdims": {
            "normalize_rows": replace(ref["normalize_rows"], "np.linalg.norm(x, ord=2, axis=1, keepdims=True)",
                                      "np.linalg.norm(x, ord=2, axis=1)"),
        },
        # the sum over the columns (axis=0) instead of each row.
        "erin_softmax_wrong_axis": {
            "softmax": replace(ref["softmax"], "np.sum(x_exp, axis=1, keepdims=True)",
                               "np.sum(x_exp, axis=0, keepdims=True)"),
        },
        # right values, one row at a time in a Python loop.
        "frank_softmax_loops_over_rows": {
            "softmax": replace(
                ref["softmax"],
                "    x_exp = np.exp(x)\n    x_sum = np.sum(x_exp, axis=1, keepdims=True)\n    s = x_exp / x_sum\n",
                "    s = np.zeros(x.shape)\n"
                "    for i in range(x.shape[0]):\n"
                "        row_exp = np.exp(x[i])\n"
                "        s[i] = row_exp / np.sum(row_exp)\n"),
        },
        # an L1 loss in disguise: absolute values instead of squares.
        "grace_L2_is_L1": {
            "L2": replace(ref["L2"], "loss = np.dot(diff, diff)", "loss = np.sum(np.abs(diff))"),
        },
        # the differences summed without squaring.
        "heidi_L2_not_squared": {
            "L2": replace(ref["L2"], "loss = np.dot(diff, diff)", "loss = np.sum(diff)"),
        },
        # right values, one element at a time in a Python loop.
        "ivan_L1_loops_over_elements": {
            "L1": replace(ref["L1"], "    loss = np.sum(np.abs(y - yhat))\n",
                          "    loss = 0.0\n"
                          "    for i in range(len(y)):\n"
                          "        loss += abs(y[i] - yhat[i])\n"),
        },
        # a missing parenthesis: one cell does not parse, the others are graded.
        "judy_syntax_error": {
            "sigmoid_derivative": replace(ref["sigmoid_derivative"], "ds = s * (1 - s)", "ds = s * (1 - s"),
        },
    }


def _grades(**changed) -> dict:
    return dict(FULL, **changed)


# How the partial grades come about (each check's points are shared between the public and the
# hidden cases in proportion to their number, then by the share of cases passed):
# - bob: sigmoid has 3 public cases, one of them a Python scalar (which math.exp handles), and 5
#   hidden ones, all arrays: values 2 x 3/8 x 1/3 = 0.25, shapes 1 x 3/8 x 1/3 = 0.125;
#   vectorized 0: the function cannot take an array at all, which is the lesson of math.exp
#   against np.exp.
# - dave: normalize_rows raises on the 3 public cases and on one hidden case; of the other 4
#   hidden ones, the single row (1, m) is right, the two square ones have the right shape and
#   wrong values, and the single column (n, 1) comes out (n, n). values 2 x 5/8 x 1/5 = 0.25,
#   shapes 1 x 5/8 x 3/5 = 0.375; rank1 0 (the (n,) norm is the mistake); vectorized 1;
#   instructor test 0.
# - grace, heidi: L2's values pass only on "perfect predictions" (1 of its 4 hidden cases, 6
#   cases in all): values 2 x 4/6 x 1/4 = 0.3333; the instructor test fails.
EXPECTED = {
    "alice_correct": _grades(),
    "bob_sigmoid_math_exp": _grades(sigmoid=0.375),
    "carol_image2vector_rank1": _grades(image2vector=2),
    "dave_normalize_rows_no_keepdims": _grades(normalize_rows=1.625),
    "erin_softmax_wrong_axis": _grades(softmax=3),
    "frank_softmax_loops_over_rows": _grades(softmax=5),
    "grace_L2_is_L1": _grades(L2=2.3333),
    "heidi_L2_not_squared": _grades(L2=2.3333),
    "ivan_L1_loops_over_elements": _grades(L1=3),
    "judy_syntax_error": _grades(sigmoid_derivative=0),
}

# The mistake each example's failed function is diagnosed with (grader/mistakes: generated from
# the reference, or declared in config.yaml); examples not listed get no diagnosis.
DIAGNOSED = {
    "bob_sigmoid_math_exp": {"sigmoid": "math:s:exp"},
    "carol_image2vector_rank1": {"image2vector": "rank1:v"},
    "dave_normalize_rows_no_keepdims": {"normalize_rows": "keepdims:x_norm:np.linalg.norm"},
    "erin_softmax_wrong_axis": {"softmax": "axis:x_sum:np.sum:0"},
    "grace_L2_is_L1": {"L2": "absolute_values"},
    "heidi_L2_not_squared": {"L2": "not_squared"},
}
