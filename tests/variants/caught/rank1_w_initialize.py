# caught: rank1 initialize_with_zeros
import numpy as np


# GRADED FUNCTION: initialize_with_zeros
def initialize_with_zeros(dim):
    w = np.zeros(dim)  # <- caught
    b = 0.0
    return w, b
