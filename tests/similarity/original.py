"""Logistic regression, a third way: the one copied below."""
import numpy as np


def sigmoid(z):
    positive = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + positive), positive / (1 + positive))


def initialize_with_zeros(dim):
    weights = np.zeros((dim, 1))
    return weights, float(0)


def propagate(w, b, X, Y):
    count = X.shape[1]
    predicted = sigmoid(np.dot(w.T, X) + b)
    eps = 0.0
    cross = np.multiply(Y, np.log(predicted + eps)) + np.multiply(1 - Y, np.log(1 - predicted + eps))
    total_cost = np.squeeze(np.array(-np.sum(cross, axis=1)[0] / count))
    diff = predicted - Y
    grad_w = np.dot(X, diff.T) / count
    grad_b = float(np.sum(diff)) / count
    return {"dw": grad_w, "db": grad_b}, total_cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    current_w = np.copy(w)
    current_b = float(b)
    recorded = []
    latest = {"dw": None, "db": None}
    for iteration in range(num_iterations):
        latest, value = propagate(current_w, current_b, X, Y)
        current_w = current_w - learning_rate * latest["dw"]
        current_b = current_b - learning_rate * latest["db"]
        if iteration % 100 == 0:
            recorded.append(value)
            if print_cost:
                print("Cost after iteration", iteration, value)
    return {"w": current_w, "b": current_b}, {"dw": latest["dw"], "db": latest["db"]}, recorded


def predict(w, b, X):
    column = w.reshape(-1, 1)
    chance = sigmoid(np.dot(column.T, X) + b)
    labels = np.zeros((1, X.shape[1]))
    labels[chance > 0.5] = 1.0
    return labels


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    initial_w, initial_b = initialize_with_zeros(X_train.shape[0])
    found, _, history = optimize(initial_w, initial_b, X_train, Y_train, num_iterations, learning_rate,
                                 print_cost)
    test_labels = predict(found["w"], found["b"], X_test)
    train_labels = predict(found["w"], found["b"], X_train)
    return {"costs": history, "Y_prediction_test": test_labels, "Y_prediction_train": train_labels,
            "w": found["w"], "b": found["b"], "learning_rate": learning_rate, "num_iterations": num_iterations}
