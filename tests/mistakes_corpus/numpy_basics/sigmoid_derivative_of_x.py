# unmodelled: sigmoid_derivative
import math

import numpy as np

def sigmoid_derivative(x):
    return x * (1 - x)
