import numpy as np


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# GRADED FUNCTION: initialize_with_zeros
def initialize_with_zeros(dim):
    return np.zeros(shape=(dim, 1)), 0.0


# GRADED FUNCTION: propagate
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    losses = Y * np.log(A) + (1 - Y) * np.log(1 - A)
    cost = np.squeeze(-losses.sum(axis=1, keepdims=True) / m)
    dZ = A - Y
    dw = X @ dZ.T / m
    db = float(dZ.sum() / m)
    return {"dw": dw, "db": db}, cost


def update(param, grad, rate):
    return param - rate * grad


# GRADED FUNCTION: optimize
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    grads = None
    for it in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = update(w, grads["dw"], learning_rate)
        b = update(b, grads["db"], learning_rate)
        if it % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": float(b)}, grads, costs


# GRADED FUNCTION: predict
def predict(w, b, X):
    probabilities = sigmoid(w.T @ X + b)
    return np.where(probabilities > 0.5, 1.0, 0.0)


# GRADED FUNCTION: model
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations=num_iterations,
                                    learning_rate=learning_rate, print_cost=print_cost)
    w, b = params["w"], params["b"]
    return {"costs": costs, "Y_prediction_test": predict(w, b, X_test),
            "Y_prediction_train": predict(w, b, X_train), "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}
