"""Example submissions of the planar assignment: the week's classic mistakes, one per student.

``variants(ref)`` takes each graded function's reference source (solution markers removed)
and returns ``{student: {function: source}}``: the functions a student changed (the others
are the reference's). ``EXPECTED`` holds the grade each example must get, per function: every
mistake costs only the points of the function that makes it (under reference attribution,
nn_model and predict call the reference versions of the other graded functions).

Points per function (config.yaml and test_hidden_planar.py): layer_sizes 3,
initialize_parameters 5, forward_propagation 7, compute_cost 5, backward_propagation 6,
update_parameters 3, nn_model 5, predict 5; 39 in all.
"""
from __future__ import annotations

FULL = dict(layer_sizes=3, initialize_parameters=5, forward_propagation=7, compute_cost=5,
            backward_propagation=6, update_parameters=3, nn_model=5, predict=5)


def replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise ValueError(f"examples: {old!r} not found; the reference changed, update solutions/planar/examples.py")
    return text.replace(old, new)


def variants(ref: dict) -> dict:
    """student -> {function: source}: the reference with one mistake each (or none)."""
    return {
        "alice_correct": {},
        # n_y read from the number of examples instead of the number of rows of Y.
        "bob_layer_sizes_counts_examples": {
            "layer_sizes": replace(ref["layer_sizes"], "n_y = Y.shape[0]", "n_y = Y.shape[1]"),
        },
        # All weights zero: every hidden unit computes the same thing (and W2 gets W1's draw).
        "carol_zero_weights": {
            "initialize_parameters": replace(ref["initialize_parameters"],
                                             "W1 = np.random.randn(n_h, n_x) * 0.01",
                                             "W1 = np.zeros((n_h, n_x))"),
        },
        # A rank-1 bias: np.zeros(n_h) has shape (n_h,), not (n_h, 1).
        "dave_rank1_bias": {
            "initialize_parameters": replace(ref["initialize_parameters"],
                                             "b1 = np.zeros((n_h, 1))", "b1 = np.zeros(n_h)"),
        },
        # The activations swapped: sigmoid in the hidden layer, tanh at the output.
        "erin_swapped_activations": {
            "forward_propagation": replace(replace(ref["forward_propagation"],
                                                   "A1 = np.tanh(Z1)", "A1 = sigmoid(Z1)"),
                                           "A2 = sigmoid(Z2)", "A2 = np.tanh(Z2)"),
        },
        # One example at a time: the hidden layer's columns built in a Python loop.
        "frank_loops_over_examples": {
            "forward_propagation": replace(
                ref["forward_propagation"],
                "    Z1 = np.dot(W1, X) + b1\n",
                "    columns = []\n"
                "    for i in range(X.shape[1]):\n"
                "        columns.append(np.dot(W1, X[:, i:i + 1]) + b1)\n"
                "    Z1 = np.hstack(columns)\n"),
        },
        # The sum of the losses, not their mean.
        "grace_cost_not_averaged": {
            "compute_cost": replace(ref["compute_cost"], "cost = -np.sum(logprobs) / m", "cost = -np.sum(logprobs)"),
        },
        # Gradient ascent: the step goes up the gradient.
        "heidi_update_sign": {
            "update_parameters": replace(
                replace(replace(replace(ref["update_parameters"],
                                        'W1 = parameters["W1"] - learning_rate', 'W1 = parameters["W1"] + learning_rate'),
                                'b1 = parameters["b1"] - learning_rate', 'b1 = parameters["b1"] + learning_rate'),
                        'W2 = parameters["W2"] - learning_rate', 'W2 = parameters["W2"] + learning_rate'),
                'b2 = parameters["b2"] - learning_rate', 'b2 = parameters["b2"] + learning_rate'),
        },
        # The parameters re-initialized at every iteration: the model never learns.
        "ivan_reinitializes_in_the_loop": {
            "nn_model": replace(
                ref["nn_model"],
                "        A2, cache = forward_propagation(X, parameters)\n",
                "        parameters = initialize_parameters(n_x, n_h, n_y)\n"
                "        A2, cache = forward_propagation(X, parameters)\n"),
        },
        # An output of exactly 0.5 predicted as 1.
        "judy_predict_threshold_inclusive": {
            "predict": replace(ref["predict"], "predictions = A2 > 0.5", "predictions = A2 >= 0.5"),
        },
        # The derivative of tanh forgotten: dZ1 = W2.T dZ2, without the factor (1 - A1**2).
        "kim_dZ1_without_tanh_derivative": {
            "backward_propagation": replace(ref["backward_propagation"],
                                            "dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))",
                                            "dZ1 = np.dot(W2.T, dZ2)"),
        },
        # The sum over the examples without keepdims: db2 is a rank-1 (1,) array, not (1, 1).
        "leo_db2_without_keepdims": {
            "backward_propagation": replace(ref["backward_propagation"],
                                            "db2 = np.sum(dZ2, axis=1, keepdims=True) / m",
                                            "db2 = np.sum(dZ2, axis=1) / m"),
        },
        # No mistake: sigmoid imported from the course's planar_utils (next to the notebook, and
        # importable while grading) instead of the notebook's own definition.
        "mia_imports_sigmoid_from_planar_utils": {
            "forward_propagation": "from planar_utils import sigmoid\n\n\n" + ref["forward_propagation"],
        },
    }


def _with(**changes) -> dict:
    return dict(FULL, **changes)


EXPECTED = {
    "alice_correct": _with(),
    "bob_layer_sizes_counts_examples": _with(layer_sizes=1),        # values 2
    "carol_zero_weights": _with(initialize_parameters=2),           # values 2, symmetry test 1
    "dave_rank1_bias": _with(initialize_parameters=3),              # shapes 1, rank1 1
    "erin_swapped_activations": _with(forward_propagation=3),       # values 3, ranges test 1
    "frank_loops_over_examples": _with(forward_propagation=6),      # vectorized 1
    "grace_cost_not_averaged": _with(compute_cost=2),               # values 2, coin-flip test 1
    "heidi_update_sign": _with(update_parameters=1),                # values 2
    "ivan_reinitializes_in_the_loop": _with(nn_model=2),            # values 3
    "judy_predict_threshold_inclusive": _with(predict=4.6),         # values: 1 of 3 hidden cases
    "kim_dZ1_without_tanh_derivative": _with(backward_propagation=3),  # values 3
    "leo_db2_without_keepdims": _with(backward_propagation=4),      # shapes 1, rank1 1
    "mia_imports_sigmoid_from_planar_utils": _with(),
}

# The mistake each example's failed function is diagnosed with (grader/mistakes: generated from
# the reference, or declared in config.yaml and mistakes.py); examples not listed get none.
DIAGNOSED = {
    "bob_layer_sizes_counts_examples": {"layer_sizes": "shape_index:n_y:Y.shape[1]"},
    "carol_zero_weights": {"initialize_parameters": "zero_weights"},
    "dave_rank1_bias": {"initialize_parameters": "rank1:b1"},
    "erin_swapped_activations": {"forward_propagation": "swapped_activations"},
    "grace_cost_not_averaged": {"compute_cost": "division:cost/m"},
    "heidi_update_sign": {"update_parameters": "update:all"},
    "ivan_reinitializes_in_the_loop": {"nn_model": "reinitialized_in_the_loop"},
    "judy_predict_threshold_inclusive": {"predict": "comparison:predictions:>="},
    "kim_dZ1_without_tanh_derivative": {"backward_propagation": "factor:dZ1:right"},
    "leo_db2_without_keepdims": {"backward_propagation": "keepdims:db2:np.sum"},
}
