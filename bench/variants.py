"""Ways students write this week's graded functions (logreg), for the benchmark's submissions.

Each function has variants keyed by kind:
- ``correct*``: right answers in the styles students actually use;
- ``wrong``: a classic wrong value (a sign, a missing term, an int where a float is expected);
- ``rank1``: a rank-1 array where the course wants a column or a row;
- ``loop``: right values, but a Python loop over the examples or the elements;
- ``error``: raises on some inputs (a shape mismatch, a typo'd name);
- ``timeout`` (predict only): a ``while`` loop that never ends (the counter is never increased).

Sources are function definitions without their docstring; ``make_submissions`` puts the
notebook's own docstring back and the ``# GRADED FUNCTION`` header on top.
"""

VARIANTS = {
    "sigmoid": {
        "correct": """
def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return s
""",
        "correct_reciprocal": """
def sigmoid(z):
    s = np.reciprocal(1.0 + np.exp(-z))
    return s
""",
        "correct_stable": """
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    if s.ndim == 0:
        s = float(s)
    return s
""",
        "wrong": """
def sigmoid(z):
    s = 1 / (1 + np.exp(z))
    return s
""",
        "loop": """
import math


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    s = np.zeros(z.shape)
    for index in np.ndindex(z.shape):
        s[index] = 1 / (1 + math.exp(-z[index])) if z[index] > -700 else 0.0
    if s.ndim == 0:
        s = float(s)
    return s
""",
        "error": """
def sigmoid(z):
    s = 1 / (1 + exp(-z))
    return s
""",
    },
    "initialize_with_zeros": {
        "correct": """
def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b
""",
        "correct_kwargs": """
def initialize_with_zeros(dim):
    w = np.zeros(shape=(dim, 1), dtype=float)
    b = float(0)
    return w, b
""",
        "wrong": """
def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0
    return w, b
""",
        "rank1": """
def initialize_with_zeros(dim):
    w = np.zeros(dim)
    b = 0.0
    return w, b
""",
        "loop": """
def initialize_with_zeros(dim):
    w = np.array([[0.0] for _ in range(dim)]).reshape(dim, 1)
    b = 0.0
    return w, b
""",
        "error": """
def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    return w, b
""",
    },
    "propagate": {
        "correct": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
""",
        "correct_matmul": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dZ = A - Y
    dw = X @ dZ.T / m
    db = float(np.mean(dZ))
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
""",
        "wrong": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (Y - A).T) / m
    db = float(np.sum(A - Y) / m)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
""",
        "rank1": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.sum(X * (A - Y), axis=1) / m
    db = float(np.sum(A - Y) / m)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
""",
        "loop": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = 0.0
    dw = np.zeros(w.shape)
    db = 0.0
    for i in range(m):
        cost += -(Y[0, i] * np.log(A[0, i]) + (1 - Y[0, i]) * np.log(1 - A[0, i]))
        dw += X[:, i:i + 1] * (A[0, i] - Y[0, i])
        db += A[0, i] - Y[0, i]
    cost = cost / m
    dw = dw / m
    db = float(db / m)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
""",
        "error": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = float(np.sum(A - Y) / m)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost
""",
    },
    "optimize": {
        "correct": """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()
    b = float(b)
    costs = []
    dw, db = None, None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
""",
        "correct_helper": """
def _step(w, b, dw, db, learning_rate):
    return w - learning_rate * dw, b - learning_rate * db


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()
    b = float(b)
    costs = []
    dw, db = None, None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w, b = _step(w, b, dw, db, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
""",
        "wrong": """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()
    b = float(b)
    costs = []
    dw, db = None, None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w + learning_rate * dw
        b = b + learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
""",
        "rank1": """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy().ravel()
    b = float(b)
    costs = []
    dw, db = None, None
    for i in range(num_iterations):
        grads, cost = propagate(w.reshape(-1, 1), b, X, Y)
        dw = grads["dw"].ravel()
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
""",
        "loop": """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()
    b = float(b)
    costs = []
    dw, db = None, None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        for j in range(w.shape[0]):
            w[j, 0] = w[j, 0] - learning_rate * dw[j, 0]
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
""",
        "error": """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dW"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    params = {"w": w, "b": b}
    return params, grads, costs
""",
    },
    "predict": {
        "correct": """
def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    Y_prediction = (A > 0.5).astype(float)
    assert Y_prediction.shape == (1, m)
    return Y_prediction
""",
        "correct_where": """
def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(w.T @ X + b)
    Y_prediction = np.where(A > 0.5, 1.0, 0.0)
    assert Y_prediction.shape == (1, m)
    return Y_prediction
""",
        "wrong": """
def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    Y_prediction = (A >= 0.5).astype(float)
    assert Y_prediction.shape == (1, m)
    return Y_prediction
""",
        "rank1": """
def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    Y_prediction = (A[0] > 0.5).astype(float)
    return Y_prediction
""",
        "loop": """
def predict(w, b, X):
    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    for i in range(A.shape[1]):
        if A[0, i] > 0.5:
            Y_prediction[0, i] = 1.0
        else:
            Y_prediction[0, i] = 0.0
    assert Y_prediction.shape == (1, m)
    return Y_prediction
""",
        "error": """
def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    Y_prediction = (A > 0.5).astype(float)
    assert Y_prediction.shape == (m, 1)
    return Y_prediction
""",
        "timeout": """
def predict(w, b, X):
    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    i = 0
    while i < A.shape[1]:
        if A[0, i] > 0.5:
            Y_prediction[0, i] = 1.0
    assert Y_prediction.shape == (1, m)
    return Y_prediction
""",
    },
    "model": {
        "correct": """
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
        print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train": Y_prediction_train,
         "w": w,
         "b": b,
         "learning_rate": learning_rate,
         "num_iterations": num_iterations}
    return d
""",
        "wrong": """
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train)
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train": Y_prediction_train,
         "w": w,
         "b": b,
         "learning_rate": learning_rate,
         "num_iterations": num_iterations}
    return d
""",
        "error": """
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[1])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train": Y_prediction_train,
         "w": w,
         "b": b,
         "learning_rate": learning_rate,
         "num_iterations": num_iterations}
    return d
""",
    },
}
