# mistake: layer_sizes shape_index:n_x:X.shape[1]
import math

import numpy as np

def layer_sizes(X, Y):
    n_x = X.shape[1]
    n_h = 4
    n_y = Y.shape[0]
    return (n_x, n_h, n_y)
