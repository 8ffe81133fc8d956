# caught: vectorized sigmoid
import math
import numpy as np


def _scalar_sigmoid(v):
    return 1 / (1 + math.exp(-v)) if v > -700 else 0.0


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    return np.vectorize(_scalar_sigmoid)(z)  # <- caught
