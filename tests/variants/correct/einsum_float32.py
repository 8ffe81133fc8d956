import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    z32 = np.asarray(z, dtype=np.float32)
    return (1 / (1 + np.exp(-z32.astype(np.float64)))).astype(np.float64)


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.einsum("ij,ik->jk", w, X) + b)
    cost = -np.einsum("ij,ij->", Y, np.log(A)) / m - np.einsum("ij,ij->", 1 - Y, np.log(1 - A)) / m
    dw = np.einsum("ik,jk->ij", X, A - Y) / m
    db = np.einsum("ij->", A - Y) / m
    return {"dw": dw, "db": float(db)}, np.array(cost)


# GRADED FUNCTION: predict
def predict(w, b, X):
    X32 = X.astype(np.float32)
    w32 = w.astype(np.float32)
    A = sigmoid(np.einsum("ij,ik->jk", w32, X32) + np.float32(b))
    return (A > 0.5).astype(np.float64)
