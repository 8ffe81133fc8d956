# caught: vectorized sigmoid
import numpy as np

_sig = np.frompyfunc(lambda v: 1 / (1 + np.exp(-v)), 1, 1)  # <- caught


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    return np.asarray(_sig(np.asarray(z, dtype=float)), dtype=float)
