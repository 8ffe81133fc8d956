# caught: vectorized propagate
import numpy as np


def _loss(A, Y, i):
    if i == A.shape[1]:
        return 0.0
    y, a = Y[0, i], A[0, i]
    return -(y * np.log(a) + (1 - y) * np.log(1 - a)) + _loss(A, Y, i + 1)  # <- caught


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = np.squeeze(np.array(_loss(A, Y, 0) / m))
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    return {"dw": dw, "db": db}, cost
