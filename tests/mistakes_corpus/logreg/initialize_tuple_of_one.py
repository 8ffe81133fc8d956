# mistake: initialize_with_zeros rank1:w
import math

import numpy as np

def initialize_with_zeros(dim):
    w = np.zeros((dim,))
    b = 0.0
    return w, b
