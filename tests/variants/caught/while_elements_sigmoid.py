# caught: vectorized sigmoid
import math
import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    flat = z.reshape(-1).copy()
    k = 0
    while k < flat.size:  # <- caught
        flat[k] = 1 / (1 + math.exp(-flat[k])) if flat[k] > -700 else 0.0
        k += 1
    return flat.reshape(z.shape)
