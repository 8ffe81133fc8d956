"""The graded functions of the course's "Python Basics With Numpy" notebook before 2021 ("v3"), as
its template handed them out: each ``def`` line (``normalize_rows`` was ``normalizeRows`` then),
the markers around the parts to write (``None`` where students wrote) and the template's own
lines. The grader reads it to recognise this version (``config.yaml``, ``versions:``); it is
never run.
"""
import math

import numpy as np


def basic_sigmoid(x):
    """Template of basic_sigmoid."""
    ### START CODE HERE ### (≈ 1 line of code)
    s = None
    ### END CODE HERE ###
    return s


def sigmoid(x):
    """Template of sigmoid."""
    ### START CODE HERE ### (≈ 1 line of code)
    s = None
    ### END CODE HERE ###
    return s


def sigmoid_derivative(x):
    """Template of sigmoid_derivative."""
    ### START CODE HERE ### (≈ 2 lines of code)
    s = None
    ds = None
    ### END CODE HERE ###
    return ds


def image2vector(image):
    """Template of image2vector."""
    ### START CODE HERE ### (≈ 1 line of code)
    v = None
    ### END CODE HERE ###
    return v


def normalizeRows(x):
    """Template of normalizeRows."""
    ### START CODE HERE ### (≈ 2 lines of code)
    x_norm = None
    x = None
    ### END CODE HERE ###
    return x


def softmax(x):
    """Template of softmax."""
    ### START CODE HERE ### (≈ 3 lines of code)
    x_exp = None
    x_sum = None
    s = None
    ### END CODE HERE ###
    return s


def L1(yhat, y):
    """Template of L1."""
    ### START CODE HERE ### (≈ 1 line of code)
    loss = None
    ### END CODE HERE ###
    return loss


def L2(yhat, y):
    """Template of L2."""
    ### START CODE HERE ### (≈ 1 line of code)
    loss = None
    ### END CODE HERE ###
    return loss
