"""Reference solutions: planar data classification with one hidden layer.

Every region between the solution markers is replaced by a stub when the student
material is generated (``make assignments``); everything else is shown to students.

The network: n_x inputs, one hidden layer of n_h tanh units, one sigmoid output.
Parameters and intermediate values travel in dictionaries: ``parameters`` holds
W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); ``cache`` holds Z1, A1, Z2, A2;
``grads`` holds dW1, db1, dW2, db2, each of the shape of its parameter.
"""
import numpy as np


def sigmoid(x):
    """
    The sigmoid (logistic) function, element by element (given, not graded).

    Arguments:
    x -- a scalar or numpy array of any shape

    Returns:
    s -- 1 / (1 + exp(-x)), of the same shape as x
    """
    return 1 / (1 + np.exp(-x))


def layer_sizes(X, Y):
    """
    Read the sizes of the network's layers from the data.

    Arguments:
    X -- input data of shape (n_x, m): one column per example
    Y -- labels of shape (n_y, m)

    Returns:
    n_x -- the size of the input layer (the number of features)
    n_h -- the size of the hidden layer (4 in this exercise)
    n_y -- the size of the output layer
    """
    ### BEGIN SOLUTION
    n_x = X.shape[0]
    n_h = 4
    n_y = Y.shape[0]
    ### END SOLUTION
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    """
    Initialize the weights with small random values and the biases with zeros.

    Arguments:
    n_x -- size of the input layer
    n_h -- size of the hidden layer
    n_y -- size of the output layer

    Returns:
    parameters -- dictionary with the keys:
                    W1 -- weight matrix of shape (n_h, n_x)
                    b1 -- bias vector of shape (n_h, 1)
                    W2 -- weight matrix of shape (n_y, n_h)
                    b2 -- bias vector of shape (n_y, 1)
    """
    # A fixed seed, so that your random numbers are the expected ones: draw W1 first, then W2.
    np.random.seed(2)
    ### BEGIN SOLUTION
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    ### END SOLUTION
    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}
    return parameters


def forward_propagation(X, parameters):
    """
    Compute the network's output for every example at once.

    Arguments:
    X -- input data of shape (n_x, m)
    parameters -- dictionary with W1, b1, W2, b2 (the output of initialize_parameters)

    Returns:
    A2 -- the sigmoid output of the second layer, of shape (1, m)
    cache -- dictionary with "Z1", "A1", "Z2" and "A2", for backward propagation
    """
    ### BEGIN SOLUTION
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    ### END SOLUTION
    cache = {"Z1": Z1,
             "A1": A1,
             "Z2": Z2,
             "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    """
    Compute the cross-entropy cost, averaged over the examples.

    Arguments:
    A2 -- the sigmoid output of the second layer, of shape (1, m)
    Y -- the true labels, of shape (1, m)

    Returns:
    cost -- the cross-entropy cost, a Python float
    """
    m = Y.shape[1]
    ### BEGIN SOLUTION
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs) / m
    ### END SOLUTION
    cost = float(np.squeeze(cost))  # a plain number, e.g. [[0.69]] becomes 0.69
    return cost


def backward_propagation(parameters, cache, X, Y):
    """
    Compute the gradients of the cost with respect to the parameters.

    Arguments:
    parameters -- dictionary with W1, b1, W2, b2
    cache -- dictionary with "Z1", "A1", "Z2" and "A2" (the output of forward_propagation)
    X -- input data of shape (n_x, m)
    Y -- the true labels, of shape (1, m)

    Returns:
    grads -- dictionary with dW1, db1, dW2, db2, each of the shape of its parameter
    """
    m = X.shape[1]
    ### BEGIN SOLUTION
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    ### END SOLUTION
    grads = {"dW1": dW1,
             "db1": db1,
             "dW2": dW2,
             "db2": db2}
    return grads


def update_parameters(parameters, grads, learning_rate=1.2):
    """
    Take one step of gradient descent.

    Arguments:
    parameters -- dictionary with W1, b1, W2, b2
    grads -- dictionary with dW1, db1, dW2, db2
    learning_rate -- the step size

    Returns:
    parameters -- a new dictionary with the updated W1, b1, W2, b2 (the input is left unchanged)
    """
    ### BEGIN SOLUTION
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    b1 = parameters["b1"] - learning_rate * grads["db1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    b2 = parameters["b2"] - learning_rate * grads["db2"]
    ### END SOLUTION
    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}
    return parameters


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    """
    Train the one-hidden-layer network with gradient descent.

    Arguments:
    X -- input data of shape (n_x, m)
    Y -- labels of shape (1, m)
    n_h -- size of the hidden layer
    num_iterations -- number of iterations of gradient descent
    print_cost -- if True, print the cost every 1000 iterations

    Returns:
    parameters -- the parameters learnt by the model, to predict with
    """
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    ### BEGIN SOLUTION
    parameters = initialize_parameters(n_x, n_h, n_y)
    ### END SOLUTION

    for i in range(0, num_iterations):
        ### BEGIN SOLUTION
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
        ### END SOLUTION

        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, cost))

    return parameters


def predict(parameters, X):
    """
    Predict a class for each example of X with the learnt parameters.

    Arguments:
    parameters -- dictionary with W1, b1, W2, b2
    X -- input data of shape (n_x, m)

    Returns:
    predictions -- a numpy array of shape (1, m): True (blue, 1) where the network's output is
                   above 0.5, False (red, 0) otherwise
    """
    ### BEGIN SOLUTION
    A2, cache = forward_propagation(X, parameters)
    predictions = A2 > 0.5
    ### END SOLUTION
    return predictions
