# unmodelled: propagate
import math

import numpy as np

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = np.squeeze(np.sum((A - Y) ** 2) / m)
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    return {"dw": dw, "db": db}, cost
