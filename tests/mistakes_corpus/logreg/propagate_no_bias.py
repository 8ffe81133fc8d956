# mistake: propagate term:A:b
import math

import numpy as np

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X))
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    cost = np.squeeze(np.array(cost))
    return {"dw": dw, "db": db}, cost
