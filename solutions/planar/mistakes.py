"""Mistakes of the planar week that need more than a text replacement to model.

The grader reads ``MISTAKES`` from this file's syntax tree (see docs/config.md, "Mistakes"); the
functions run only in the grader's mistake worker, on the cases' inputs, and a submission whose
outputs are theirs on every case is told the message. Never copied into the student material.
"""
import numpy as np

from planar import backward_propagation, forward_propagation, initialize_parameters, layer_sizes, update_parameters


def reinitialized_in_the_loop(X, Y, n_h, num_iterations=10000, print_cost=False):
    """nn_model with the parameters initialized again at every iteration: it never learns."""
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    parameters = initialize_parameters(n_x, n_h, n_y)
    for _ in range(num_iterations):
        parameters = initialize_parameters(n_x, n_h, n_y)
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
    return parameters


MISTAKES = [
    {"function": "nn_model", "id": "reinitialized_in_the_loop", "compute": reinitialized_in_the_loop,
     "message": "the parameters are initialized again at every iteration, so each step starts from scratch "
                "and the model never learns: initialize them once, before the loop"},
]
