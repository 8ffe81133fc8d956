# mistake: initialize_with_zeros int_literal:b
import math

import numpy as np

def initialize_with_zeros(dim):
    w = np.zeros(shape=(dim, 1))
    b = 0
    return w, b
