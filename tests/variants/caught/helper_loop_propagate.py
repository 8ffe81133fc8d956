# caught: vectorized propagate
import numpy as np


def row_times_matrix(w, X):
    out = np.zeros((1, X.shape[1]))
    for j in range(X.shape[1]):  # <- caught
        out[0, j] = np.sum(w[:, 0] * X[:, j])
    return out


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(row_times_matrix(w, X) + b)
    cost = np.squeeze(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    return {"dw": dw, "db": db}, cost
