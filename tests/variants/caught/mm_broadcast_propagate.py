# caught: rank1 propagate
import numpy as np


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    labels = Y.ravel()
    cost = np.squeeze(-np.sum(labels * np.log(A.T) + (1 - labels) * np.log(1 - A.T)) / m)  # <- caught
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    return {"dw": dw, "db": db}, cost
