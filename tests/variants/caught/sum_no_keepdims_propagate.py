# caught: rank1 propagate
import numpy as np


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = np.squeeze(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)
    dw = np.sum(X * (A - Y), axis=1) / m  # <- caught
    db = float(np.sum(A - Y) / m)
    return {"dw": dw, "db": db}, cost
