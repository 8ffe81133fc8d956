"""The graded functions of the course's 2018 notebook ("v5"), as its template handed them out;
the 2017 notebook's are the same.

What the students did not write: each function's ``def`` line (``compute_cost`` still takes the
``parameters`` it never uses), the code around the parts to write (``None`` where they write),
the template's seeds, asserts and its loop over the iterations of ``nn_model``. The grader reads
it to recognise these versions (``config.yaml``, ``versions:``) and never charges their students
for what it holds. It is never run.
"""
import numpy as np


def layer_sizes(X, Y):
    """Template: the sizes of the three layers."""
    ### START CODE HERE ### (≈ 3 lines of code)
    n_x = None
    n_h = None
    n_y = None
    ### END CODE HERE ###
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    """Template: the seed is the template's; its asserts check the shapes."""
    np.random.seed(2)
    ### START CODE HERE ### (≈ 4 lines of code)
    W1 = None
    b1 = None
    W2 = None
    b2 = None
    ### END CODE HERE ###
    assert (W1.shape == (n_h, n_x))
    assert (b1.shape == (n_h, 1))
    assert (W2.shape == (n_y, n_h))
    assert (b2.shape == (n_y, 1))
    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}
    return parameters


def forward_propagation(X, parameters):
    """Template: two parts to write, then the template's assert and cache."""
    ### START CODE HERE ### (≈ 4 lines of code)
    W1 = None
    b1 = None
    W2 = None
    b2 = None
    ### END CODE HERE ###
    ### START CODE HERE ### (≈ 4 lines of code)
    Z1 = None
    A1 = None
    Z2 = None
    A2 = None
    ### END CODE HERE ###
    assert(A2.shape == (1, X.shape[1]))
    cache = {"Z1": Z1,
             "A1": A1,
             "Z2": Z2,
             "A2": A2}
    return A2, cache


def compute_cost(A2, Y, parameters):
    """Template: the cost; the template squeezes it and asserts it is a float."""
    m = Y.shape[1]
    ### START CODE HERE ### (≈ 2 lines of code)
    logprobs = None
    cost = None
    ### END CODE HERE ###
    cost = np.squeeze(cost)
    assert(isinstance(cost, float))
    return cost


def backward_propagation(parameters, cache, X, Y):
    """Template: three parts to write, then the template's dictionary."""
    m = X.shape[1]
    ### START CODE HERE ### (≈ 2 lines of code)
    W1 = None
    W2 = None
    ### END CODE HERE ###
    ### START CODE HERE ### (≈ 2 lines of code)
    A1 = None
    A2 = None
    ### END CODE HERE ###
    ### START CODE HERE ### (≈ 6 lines of code, corresponding to 6 equations on slide above)
    dZ2 = None
    dW2 = None
    db2 = None
    dZ1 = None
    dW1 = None
    db1 = None
    ### END CODE HERE ###
    grads = {"dW1": dW1,
             "db1": db1,
             "dW2": dW2,
             "db2": db2}
    return grads


def update_parameters(parameters, grads, learning_rate = 1.2):
    """Template: three parts to write (the second closes with the template's own typo)."""
    ### START CODE HERE ### (≈ 4 lines of code)
    W1 = None
    b1 = None
    W2 = None
    b2 = None
    ### END CODE HERE ###
    ### START CODE HERE ### (≈ 4 lines of code)
    dW1 = None
    db1 = None
    dW2 = None
    db2 = None
    ## END CODE HERE ###
    ### START CODE HERE ### (≈ 4 lines of code)
    W1 = None
    b1 = None
    W2 = None
    b2 = None
    ### END CODE HERE ###
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
    # Initialize parameters, then retrieve W1, b1, W2, b2. Inputs: "n_x, n_h, n_y". Outputs = "W1, b1, W2, b2, parameters".
    ### START CODE HERE ### (≈ 5 lines of code)
    parameters = None
    W1 = None
    b1 = None
    W2 = None
    b2 = None
    ### END CODE HERE ###
    for i in range(0, num_iterations):
        ### START CODE HERE ### (≈ 4 lines of code)
        A2, cache = None
        cost = None
        grads = None
        parameters = None
        ### END CODE HERE ###
        if print_cost and i % 1000 == 0:
            print ("Cost after iteration %i: %f" %(i, cost))
    return parameters


def predict(parameters, X):
    """Template: the predictions, in two lines to write."""
    ### START CODE HERE ### (≈ 2 lines of code)
    A2, cache = None
    predictions = None
    ### END CODE HERE ###
    return predictions
