# caught: vectorized sigmoid
import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    values = list(map(lambda v: 1 / (1 + np.exp(-v)), z.ravel()))  # <- caught
    return np.array(values).reshape(z.shape)
