# mistake: propagate sign:db
import math

import numpy as np

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = np.squeeze(np.array(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m))
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(Y - A) / m)
    return {"dw": dw, "db": db}, cost
