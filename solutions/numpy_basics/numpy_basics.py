"""Reference solutions: Python basics with numpy.

Every region between the solution markers is replaced by a stub when the student
material is generated (``make assignments``); everything else is shown to students.
"""
import math

import numpy as np


def basic_sigmoid(x):
    """
    Compute the sigmoid of one real number with the math module.

    Arguments:
    x -- a real number (a Python int or float)

    Return:
    s -- sigmoid(x), a Python float
    """
    ### BEGIN SOLUTION
    s = 1 / (1 + math.exp(-x))
    ### END SOLUTION
    return s


def sigmoid(x):
    """
    Compute the sigmoid of x, element by element, with numpy.

    Arguments:
    x -- a real number or a numpy array of any shape

    Return:
    s -- sigmoid(x), of the same shape as x
    """
    ### BEGIN SOLUTION
    s = 1 / (1 + np.exp(-x))
    ### END SOLUTION
    return s


def sigmoid_derivative(x):
    """
    Compute the derivative (the slope, or gradient) of the sigmoid at x, element by element.
    Compute sigmoid(x) once, keep it in a variable, and use it in the formula.

    Arguments:
    x -- a real number or a numpy array of any shape

    Return:
    ds -- the derivative of the sigmoid at x, of the same shape as x
    """
    ### BEGIN SOLUTION
    s = sigmoid(x)
    ds = s * (1 - s)
    ### END SOLUTION
    return ds


def image2vector(image):
    """
    Unroll an image into one column vector.

    Argument:
    image -- a numpy array of shape (length, height, depth)

    Returns:
    v -- a column vector of shape (length * height * depth, 1), holding the values of image
         in numpy's (row-major) order
    """
    ### BEGIN SOLUTION
    v = image.reshape(image.shape[0] * image.shape[1] * image.shape[2], 1)
    ### END SOLUTION
    return v


def normalize_rows(x):
    """
    Divide each row of the matrix x by its length (its L2 norm), so every row has length 1.

    Argument:
    x -- a numpy matrix of shape (n, m), with no row of zeros

    Returns:
    x -- the row-normalized matrix, of shape (n, m)
    """
    ### BEGIN SOLUTION
    x_norm = np.linalg.norm(x, ord=2, axis=1, keepdims=True)
    x = x / x_norm
    ### END SOLUTION
    return x


def softmax(x):
    """
    Compute the softmax of each row of x.

    Argument:
    x -- a numpy matrix of shape (m, n): one row per example

    Returns:
    s -- a numpy matrix of shape (m, n) whose rows are the softmax of the rows of x
    """
    ### BEGIN SOLUTION
    x_exp = np.exp(x)
    x_sum = np.sum(x_exp, axis=1, keepdims=True)
    s = x_exp / x_sum
    ### END SOLUTION
    return s


def L1(yhat, y):
    """
    Compute the L1 loss: the sum of the absolute differences.

    Arguments:
    yhat -- a vector of size m (the predicted labels)
    y -- a vector of size m (the true labels)

    Returns:
    loss -- the value of the L1 loss, a number
    """
    ### BEGIN SOLUTION
    loss = np.sum(np.abs(y - yhat))
    ### END SOLUTION
    return loss


def L2(yhat, y):
    """
    Compute the L2 loss: the sum of the squared differences, as one dot product.

    Arguments:
    yhat -- a vector of size m (the predicted labels)
    y -- a vector of size m (the true labels)

    Returns:
    loss -- the value of the L2 loss, a number
    """
    ### BEGIN SOLUTION
    diff = y - yhat
    loss = np.dot(diff, diff)
    ### END SOLUTION
    return loss
