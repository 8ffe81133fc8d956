# mistake: propagate division:dw/m
import math

import numpy as np

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dZ = A - Y
    dw = X @ dZ.T
    db = float(np.mean(dZ))
    return {"dw": dw, "db": db}, np.squeeze(np.array(cost))
