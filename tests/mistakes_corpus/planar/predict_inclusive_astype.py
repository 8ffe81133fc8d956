# mistake: predict comparison:predictions:>=
import math

import numpy as np

def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    return (A2 >= 0.5).astype(int)
