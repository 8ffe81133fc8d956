"""The graded functions of the course's "Python Basics with Numpy" notebook of 2021 and later, as
its template handed them out: each ``def`` line, the markers around the parts to write (``pass``
where the template holds only comments) and the template's own lines. The grader reads it to
recognise this version (``config.yaml``, ``versions:``); it is never run.
"""
import math

import numpy as np


def basic_sigmoid(x):
    """Template of basic_sigmoid."""
    # (≈ 1 line of code)
    # s = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return s


def sigmoid(x):
    """Template of sigmoid."""
    # (≈ 1 line of code)
    # s = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return s


def sigmoid_derivative(x):
    """Template of sigmoid_derivative."""
    # (≈ 2 lines of code)
    # s = 
    # ds = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return ds


def image2vector(image):
    """Template of image2vector."""
    # (≈ 1 line of code)
    # v = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return v


def normalize_rows(x):
    """Template of normalize_rows."""
    # (≈ 2 lines of code)
    # x_norm = 
    # x = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return x


def softmax(x):
    """Template of softmax."""
    # (≈ 3 lines of code)
    # x_exp = 
    # x_sum = 
    # s = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return s


def L1(yhat, y):
    """Template of L1."""
    # (≈ 1 line of code)
    # loss = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return loss


def L2(yhat, y):
    """Template of L2."""
    # (≈ 1 line of code)
    # loss = 
    # YOUR CODE STARTS HERE
    pass
    # YOUR CODE ENDS HERE
    return loss
