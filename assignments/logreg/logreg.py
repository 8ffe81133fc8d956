"""Reference solutions: logistic regression with a neural-network mindset.

Every region between the solution markers is replaced by a stub when the student
material is generated (``make assignments``); everything else is shown to students.
"""
import numpy as np


def sigmoid(z):
    """
    Compute the sigmoid of z.

    Arguments:
    z -- a scalar or numpy array of any size.

    Return:
    s -- sigmoid(z), the same shape as z
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return s


def initialize_with_zeros(dim):
    """
    Create a vector of zeros of shape (dim, 1) for w and initialize b to 0.

    Argument:
    dim -- size of the w vector we want (the number of parameters)

    Returns:
    w -- initialized vector of shape (dim, 1)
    b -- initialized scalar (a Python float, the bias)
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return w, b


def propagate(w, b, X, Y):
    """
    Implement the cost function and its gradient for the propagation.

    Arguments:
    w -- weights, a numpy array of size (num_px * num_px * 3, 1)
    b -- bias, a scalar
    X -- data of size (num_px * num_px * 3, number of examples)
    Y -- true "label" vector (0 if non-cat, 1 if cat) of size (1, number of examples)

    Return:
    grads -- dictionary with the gradients: "dw" (same shape as w) and "db" (a float)
    cost -- negative log-likelihood cost for logistic regression (a 0-d array)
    """
    m = X.shape[1]
    # Forward propagation (from X to cost)
    # YOUR CODE HERE
    raise NotImplementedError()

    # Backward propagation (to find the gradients)
    # YOUR CODE HERE
    raise NotImplementedError()

    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """
    Optimize w and b by running a gradient descent algorithm.

    Arguments:
    w -- weights, a numpy array of size (num_px * num_px * 3, 1)
    b -- bias, a scalar
    X -- data of shape (num_px * num_px * 3, number of examples)
    Y -- true "label" vector (containing 0 if non-cat, 1 if cat), of shape (1, number of examples)
    num_iterations -- number of iterations of the optimization loop
    learning_rate -- learning rate of the gradient descent update rule
    print_cost -- True to print the loss every 100 steps

    Returns:
    params -- dictionary containing the weights w and bias b
    grads -- dictionary containing the gradients of the weights and bias with respect to the cost
    costs -- list of all the costs computed during the optimization, recorded every 100 iterations
    """
    w = w.copy()
    b = float(b)
    costs = []
    dw, db = None, None

    for i in range(num_iterations):
        # YOUR CODE HERE
        raise NotImplementedError()

        # Record the costs
        if i % 100 == 0:
            costs.append(cost)
            # Print the cost every 100 training iterations
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))

    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs


def predict(w, b, X):
    """
    Predict whether the label is 0 or 1 using learned logistic regression parameters (w, b).

    Arguments:
    w -- weights, a numpy array of size (num_px * num_px * 3, 1)
    b -- bias, a scalar
    X -- data of size (num_px * num_px * 3, number of examples)

    Returns:
    Y_prediction -- a numpy array (vector) of shape (1, m) containing all predictions (0./1.)
    """
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    # YOUR CODE HERE
    raise NotImplementedError()
    assert Y_prediction.shape == (1, m)
    return Y_prediction


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    """
    Build the logistic regression model by calling the functions implemented above.

    Arguments:
    X_train -- training set, a numpy array of shape (num_px * num_px * 3, m_train)
    Y_train -- training labels, a numpy array of shape (1, m_train)
    X_test -- test set, a numpy array of shape (num_px * num_px * 3, m_test)
    Y_test -- test labels, a numpy array of shape (1, m_test)
    num_iterations -- number of iterations used to optimize the parameters
    learning_rate -- learning rate used in the update rule of optimize()
    print_cost -- True to print the cost every 100 iterations

    Returns:
    d -- dictionary containing information about the model.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

    if print_cost:
        print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
        print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))

    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train": Y_prediction_train,
         "w": w,
         "b": b,
         "learning_rate": learning_rate,
         "num_iterations": num_iterations}
    return d
