"""The graded functions of the course's notebook of 2021 and later, as its template handed them out.

Each function's ``def`` line (``compute_cost`` no longer takes ``parameters``), the code around
the parts to write (``pass`` stands where the template holds only comments) and the template's own
lines: no seed in ``initialize_parameters`` (its example cell seeds before calling it), the cast
of the cost to a float, the loop over the iterations of ``nn_model``. The grader reads it to
recognise this version (``config.yaml``, ``versions:``); it is never run.
"""
import copy

import numpy as np


def layer_sizes(X, Y):
    """Template: the sizes of the three layers."""
    #(≈ 3 lines of code)
    # n_x = ...
    # n_h = ...
    # n_y = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    """Template: the parameters' dictionary; the seed is set by the cell that calls it."""
    #(≈ 4 lines of code)
    # W1 = ...
    # b1 = ...
    # W2 = ...
    # b2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}
    return parameters


def forward_propagation(X, parameters):
    """Template: two parts to write, then the template's assert and cache."""
    #(≈ 4 lines of code)
    # W1 = ...
    # b1 = ...
    # W2 = ...
    # b2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    # (≈ 4 lines of code)
    # Z1 = ...
    # A1 = ...
    # Z2 = ...
    # A2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    assert(A2.shape == (1, X.shape[1]))
    cache = {"Z1": Z1,
             "A1": A1,
             "Z2": Z2,
             "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    """Template: the cost, made a float by the template."""
    m = Y.shape[1]
    # (≈ 2 lines of code)
    # logprobs = ...
    # cost = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    cost = float(np.squeeze(cost))
    return cost


def backward_propagation(parameters, cache, X, Y):
    """Template: three parts to write, then the template's dictionary."""
    m = X.shape[1]
    #(≈ 2 lines of code)
    # W1 = ...
    # W2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    #(≈ 2 lines of code)
    # A1 = ...
    # A2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    #(≈ 6 lines of code, corresponding to 6 equations on slide above)
    # dZ2 = ...
    # dW2 = ...
    # db2 = ...
    # dZ1 = ...
    # dW1 = ...
    # db1 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    grads = {"dW1": dW1,
             "db1": db1,
             "dW2": dW2,
             "db2": db2}
    return grads


def update_parameters(parameters, grads, learning_rate = 1.2):
    """Template: copies of the parameters (copy.deepcopy, its hint says), the gradients, the step."""
    #(≈ 4 lines of code)
    # W1 = ...
    # b1 = ...
    # W2 = ...
    # b2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    #(≈ 4 lines of code)
    # dW1 = ...
    # db1 = ...
    # dW2 = ...
    # db2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    #(≈ 4 lines of code)
    # W1 = ...
    # b1 = ...
    # W2 = ...
    # b2 = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}
    return parameters


def nn_model(X, Y, n_h, num_iterations = 10000, print_cost=False):
    """Template: the seed, the sizes and the loop over the iterations are the template's."""
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    #(≈ 1 line of code)
    # parameters = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    for i in range(0, num_iterations):
        #(≈ 4 lines of code)
        # A2, cache = ...
        # cost = ...
        # grads = ...
        # parameters = ...
        # YOUR CODE STARTS HERE
        pass
        # YOUR CODE ENDS HERE
        if print_cost and i % 1000 == 0:
            print ("Cost after iteration %i: %f" %(i, cost))
    return parameters


def predict(parameters, X):
    """Template: the predictions, in two lines to write."""
    #(≈ 2 lines of code)
    # A2, cache = ...
    # predictions = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return predictions
