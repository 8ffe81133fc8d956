# mistake: normalize_rows axis:x_norm:np.linalg.norm:none
import math

import numpy as np

def normalize_rows(x):
    x = x / np.linalg.norm(x)
    return x
