# mistake: sigmoid minus:s:-z
import math

import numpy as np

def sigmoid(z):
    s = 1.0 / (1.0 + np.exp(z))
    return s
