# mistake: propagate division:cost/m
import math

import numpy as np

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    cost = np.squeeze(np.array(cost))
    return {"dw": dw, "db": db}, cost
