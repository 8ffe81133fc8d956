# caught: vectorized propagate
import numpy as np


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = 0.0
    dw = np.zeros(w.shape)
    for i in range(m):  # <- caught
        a, y = A[0, i], Y[0, i]
        cost += -(y * np.log(a) + (1 - y) * np.log(1 - a))
        dw += X[:, i:i + 1] * (a - y)
    cost = np.squeeze(np.array(cost / m))
    dw = dw / m
    db = float(np.sum(A - Y) / m)
    return {"dw": dw, "db": db}, cost
