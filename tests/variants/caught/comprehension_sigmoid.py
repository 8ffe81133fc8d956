# caught: vectorized sigmoid
import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0:
        return 1 / (1 + np.exp(-z))
    rows = [[1 / (1 + np.exp(-v)) for v in row] for row in z]  # <- caught
    return np.array(rows)
