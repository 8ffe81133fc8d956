# correct: compute_cost
import math

import numpy as np

def compute_cost(A2, Y):
    m = Y.shape[1]
    cost = -(np.dot(np.log(A2), Y.T) + np.dot(np.log(1 - A2), (1 - Y).T)) / m
    return float(np.squeeze(cost))
