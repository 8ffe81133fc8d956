# correct: sigmoid
import math

import numpy as np

def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return float(s) if s.ndim == 0 else s
