# caught: vectorized sigmoid
import math
import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    z = np.clip(np.asarray(z, dtype=float), -700, 700)
    e = np.array(list(map(math.exp, (-z).ravel()))).reshape(z.shape)  # <- caught
    return 1 / (1 + e)
