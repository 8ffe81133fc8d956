"""The graded functions of the course's 2018 and 2020 notebooks ("v5", "v6a"), as their template
handed them out (the two differ only in their text cells).

What the students did not write: each function's ``def`` line, the code around the parts to
write (``None`` where they write), and the template's own loops and checks. The grader reads
it to recognise these versions (``config.yaml``, ``versions:``) and never charges their students
for what it holds (predict's loop over the examples, its asserts). It is never run.
"""
import numpy as np


def sigmoid(z):
    """Template: the sigmoid of z."""
    ### START CODE HERE ### (≈ 1 line of code)
    s = None
    ### END CODE HERE ###
    return s


def initialize_with_zeros(dim):
    """Template: w, a column of dim zeros, and the bias b (an int or a float: its assert takes both)."""
    ### START CODE HERE ### (≈ 1 line of code)
    w = None
    b = None
    ### END CODE HERE ###
    assert(w.shape == (dim, 1))
    assert(isinstance(b, float) or isinstance(b, int))
    return w, b


def propagate(w, b, X, Y):
    """Template: the cost and its gradients; the template squeezes the cost itself."""
    m = X.shape[1]
    # FORWARD PROPAGATION (FROM X TO COST)
    ### START CODE HERE ### (≈ 2 lines of code)
    A = None
    cost = None
    ### END CODE HERE ###
    # BACKWARD PROPAGATION (TO FIND GRAD)
    ### START CODE HERE ### (≈ 2 lines of code)
    dw = None
    db = None
    ### END CODE HERE ###
    assert(dw.shape == w.shape)
    assert(db.dtype == float)
    cost = np.squeeze(cost)
    assert(cost.shape == ())
    grads = {"dw": dw,
             "db": db}
    return grads, cost


def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost = False):
    """Template: gradient descent; the loop over the iterations is the template's."""
    costs = []
    for i in range(num_iterations):
        # Cost and gradient calculation (≈ 1-4 lines of code)
        ### START CODE HERE ###
        grads, cost = None
        ### END CODE HERE ###
        # Retrieve derivatives from grads
        dw = grads["dw"]
        db = grads["db"]
        # update rule (≈ 2 lines of code)
        ### START CODE HERE ###
        w = None
        b = None
        ### END CODE HERE ###
        # Record the costs
        if i % 100 == 0:
            costs.append(cost)
        # Print the cost every 100 training iterations
        if print_cost and i % 100 == 0:
            print ("Cost after iteration %i: %f" %(i, cost))
    params = {"w": w,
              "b": b}
    grads = {"dw": dw,
             "db": db}
    return params, grads, costs


def predict(w, b, X):
    """Template: the predictions; the loop over the examples is the template's."""
    m = X.shape[1]
    Y_prediction = np.zeros((1,m))
    w = w.reshape(X.shape[0], 1)
    ### START CODE HERE ### (≈ 1 line of code)
    A = None
    ### END CODE HERE ###
    for i in range(A.shape[1]):
        # Convert probabilities A[0,i] to actual predictions p[0,i]
        ### START CODE HERE ### (≈ 4 lines of code)
        pass
        ### END CODE HERE ###
    assert(Y_prediction.shape == (1, m))
    return Y_prediction


def model(X_train, Y_train, X_test, Y_test, num_iterations = 2000, learning_rate = 0.5, print_cost = False):
    """Template: the whole model; it prints both accuracies whatever print_cost says."""
    ### START CODE HERE ###
    # initialize parameters with zeros (≈ 1 line of code)
    w, b = None
    # Gradient descent (≈ 1 line of code)
    parameters, grads, costs = None
    # Retrieve parameters w and b from dictionary "parameters"
    w = parameters["w"]
    b = parameters["b"]
    # Predict test/train set examples (≈ 2 lines of code)
    Y_prediction_test = None
    Y_prediction_train = None
    ### END CODE HERE ###
    # Print train/test Errors
    print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
    print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train" : Y_prediction_train,
         "w" : w,
         "b" : b,
         "learning_rate" : learning_rate,
         "num_iterations": num_iterations}
    return d
