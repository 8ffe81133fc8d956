# caught: vectorized sigmoid
import math
import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.fromiter((1 / (1 + math.exp(-v)) if v > -700 else 0.0 for v in z.flat), dtype=float)  # <- caught
    return out.reshape(z.shape)
