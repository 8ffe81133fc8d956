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
    # YOUR CODE HERE
    raise NotImplementedError()
    return s


def sigmoid(x):
    """
    Compute the sigmoid of x, element by element, with numpy.

    Arguments:
    x -- a real number or a numpy array of any shape

    Return:
    s -- sigmoid(x), of the same shape as x
    """
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
    return v


def normalize_rows(x):
    """
    Divide each row of the matrix x by its length (its L2 norm), so every row has length 1.

    Argument:
    x -- a numpy matrix of shape (n, m), with no row of zeros

    Returns:
    x -- the row-normalized matrix, of shape (n, m)
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return x


def softmax(x):
    """
    Compute the softmax of each row of x.

    Argument:
    x -- a numpy matrix of shape (m, n): one row per example

    Returns:
    s -- a numpy matrix of shape (m, n) whose rows are the softmax of the rows of x
    """
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
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
    # YOUR CODE HERE
    raise NotImplementedError()
    return loss
