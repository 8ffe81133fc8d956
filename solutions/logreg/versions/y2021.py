"""The graded functions of the course's notebook of 2021 and later, as its template handed them out.

Each function's ``def`` line (``optimize`` gained defaults), the code around the parts to write
(``pass`` stands where the template holds only comments) and the template's own loops. The
grader reads it to recognise this version (``config.yaml``, ``versions:``) and never charges
its students for what it holds (predict's loop over the examples). It is never run.
"""
import copy

import numpy as np


def sigmoid(z):
    """Template: the sigmoid of z."""
    #(≈ 1 line of code)
    # s = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return s


def initialize_with_zeros(dim):
    """Template: w, a column of dim zeros, and the bias b, a float (its public test asks for one)."""
    # (≈ 2 lines of code)
    # w = ...
    # b = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return w, b


def propagate(w, b, X, Y):
    """Template: the cost and its gradients; the template makes the cost a 0-d array."""
    m = X.shape[1]
    # FORWARD PROPAGATION (FROM X TO COST)
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    # BACKWARD PROPAGATION (TO FIND GRAD)
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw,
             "db": db}
    return grads, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """Template: gradient descent on copies of w and b; the loop over the iterations is the template's."""
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    for i in range(num_iterations):
        # Cost and gradient calculation
        # grads, cost = ...
        # YOUR CODE STARTS HERE
        pass
        # YOUR CODE ENDS HERE
        # Retrieve derivatives from grads
        dw = grads["dw"]
        db = grads["db"]
        # update rule (≈ 2 lines of code)
        # w = ...
        # b = ...
        # YOUR CODE STARTS HERE
        pass
        # YOUR CODE ENDS HERE
        # Record the costs
        if i % 100 == 0:
            costs.append(cost)
            # Print the cost every 100 training iterations
            if print_cost:
                print ("Cost after iteration %i: %f" %(i, cost))
    params = {"w": w,
              "b": b}
    grads = {"dw": dw,
             "db": db}
    return params, grads, costs


def predict(w, b, X):
    """Template: the predictions; the loop over the examples is the template's (no assert at the end)."""
    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    w = w.reshape(X.shape[0], 1)
    # Compute vector "A" predicting the probabilities of a cat being present in the picture
    #(≈ 1 line of code)
    # A = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    for i in range(A.shape[1]):
        # Convert probabilities A[0,i] to actual predictions p[0,i]
        #(≈ 4 lines of code)
        # if A[0, i] > ____ :
        #     Y_prediction[0,i] =
        # else:
        #     Y_prediction[0,i] =
        # YOUR CODE STARTS HERE
        pass
        # YOUR CODE ENDS HERE
    return Y_prediction


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    """Template: the whole model; it prints the accuracies only when print_cost is True."""
    # (≈ 1 line of code)
    # initialize parameters with zeros
    # w, b = ...
    #(≈ 1 line of code)
    # Gradient descent
    # params, grads, costs = ...
    # Retrieve parameters w and b from dictionary "params"
    # w = ...
    # b = ...
    # Predict test/train set examples (≈ 2 lines of code)
    # Y_prediction_test = ...
    # Y_prediction_train = ...
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    # Print train/test Errors
    if print_cost:
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
