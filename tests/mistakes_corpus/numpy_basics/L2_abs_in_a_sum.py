# mistake: L2 absolute_values
import math

import numpy as np

def L2(yhat, y):
    loss = sum(abs(yhat - y))
    return float(loss)
