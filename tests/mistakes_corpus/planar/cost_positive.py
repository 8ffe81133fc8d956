# mistake: compute_cost sign:cost
import math

import numpy as np

def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = np.sum(logprobs) / m
    return float(np.squeeze(cost))
