# mistake: softmax axis:x_sum:np.sum:0
import math

import numpy as np

def softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=0, keepdims=True)
