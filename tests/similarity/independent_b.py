"""Logistic regression, written another way: matrix operators, means, fewer temporaries."""
import numpy as np


def sigmoid(z):
    return np.reciprocal(1.0 + np.exp(np.negative(z)))


def initialize_with_zeros(dim):
    return np.zeros(shape=(dim, 1), dtype=float), 0.0


def propagate(w, b, X, Y):
    probabilities = sigmoid(w.T @ X + b)
    log_likelihood = Y * np.log(probabilities) + (1.0 - Y) * np.log(1.0 - probabilities)
    residual = probabilities - Y
    gradients = dict(dw=X @ residual.T / X.shape[1], db=float(residual.mean()))
    return gradients, np.squeeze(np.array(-log_likelihood.mean()))


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    weights, bias, history, last = np.array(w, dtype=float), float(b), [], {"dw": None, "db": None}
    step = 0
    while step < num_iterations:
        last, cost = propagate(weights, bias, X, Y)
        weights -= learning_rate * last["dw"]
        bias -= learning_rate * last["db"]
        if not step % 100:
            history += [cost]
            if print_cost:
                print(f"Cost after iteration {step}: {cost:f}")
        step += 1
    return dict(w=weights, b=bias), dict(dw=last["dw"], db=last["db"]), history


def predict(w, b, X):
    scores = sigmoid(np.matmul(np.reshape(w, (-1, 1)).T, X) + b)
    return np.where(scores > 0.5, 1.0, 0.0)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    start_w, start_b = initialize_with_zeros(len(X_train))
    learned, _, costs = optimize(start_w, start_b, X_train, Y_train, num_iterations=num_iterations,
                                 learning_rate=learning_rate, print_cost=print_cost)
    return {"costs": costs, "Y_prediction_test": predict(learned["w"], learned["b"], X_test),
            "Y_prediction_train": predict(learned["w"], learned["b"], X_train), "w": learned["w"],
            "b": learned["b"], "learning_rate": learning_rate, "num_iterations": num_iterations}
