import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    # numerically stable: never exponentiates a large positive number
    z = np.asarray(z, dtype=float)
    positive = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + positive), positive / (1 + positive))
    if s.ndim == 0:
        return float(s)
    return s


# GRADED FUNCTION: initialize_with_zeros
def initialize_with_zeros(dim):
    w = np.zeros([dim, 1])
    b = float(0)
    return w, b


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    Z = np.matmul(w.T, X) + b
    A = sigmoid(Z)
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(A)) + np.multiply(1 - Y, np.log(1 - A)))
    dw = (1 / m) * np.matmul(X, (A - Y).T)
    db = (1 / m) * np.sum(A - Y)
    return {"dw": dw, "db": float(db)}, np.squeeze(np.array(cost))


# GRADED FUNCTION: optimize
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    i = 0
    grads = {}
    while i < num_iterations:
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
        i += 1
    return {"w": w, "b": b}, {"dw": grads["dw"], "db": grads["db"]}, costs


# GRADED FUNCTION: predict
def predict(w, b, X):
    A = sigmoid(np.matmul(w.reshape(-1, 1).T, X) + b)
    Y_prediction = np.zeros((1, X.shape[1]))
    Y_prediction[A > 0.5] = 1.0
    return Y_prediction
