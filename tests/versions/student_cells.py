"""The made-up students' graded cells, by version family ("v3", "v5", "2021"), function and variant.

Each cell keeps what its version's template handed out (the ``def`` line, the markers around the
parts to write, the template's own lines: its asserts, its loops, its ``print``s) and fills the
parts to write as one student would. Variants: ``correct`` (and other correct styles: ``sum``,
``inline``, ``vectorized``, ``float``, ``old_def``), ``wrong`` (and ``wrong_cost``, ``own_loop``:
one mistake each), ``stripped`` (the template as handed out, nothing written).
"""
from __future__ import annotations

OLD_START = {1: "### START CODE HERE ### (≈ 1 line of code)", 2: "### START CODE HERE ### (≈ 2 lines of code)",
             4: "### START CODE HERE ### (≈ 4 lines of code)", 0: "### START CODE HERE ###"}
OLD_END = "### END CODE HERE ###"


def _old_sigmoid(code: str) -> str:
    return f'''def sigmoid(z):
    """
    The logistic function, entry by entry: 1 / (1 + e^-z).

    z -- a number, or a numpy array of any shape
    Returns s, of the shape of z
    """

    {OLD_START[1]}
    {code}
    {OLD_END}

    return s'''


def _old_zeros(code: str) -> str:
    return f'''def initialize_with_zeros(dim):
    """
    Weights and bias to start from.

    dim -- how many weights: one per feature
    Returns w, a column of dim zeros, and b, the bias
    """

    {OLD_START[1]}
    {code}
    {OLD_END}

    assert(w.shape == (dim, 1))
    assert(isinstance(b, float) or isinstance(b, int))

    return w, b'''


def _old_propagate(forward: str, backward: str) -> str:
    return f'''def propagate(w, b, X, Y):
    """
    The cost of the current parameters, and its gradients.

    w -- weights (n, 1); b -- the bias; X -- examples, one per column (n, m); Y -- labels (1, m)
    Returns grads, with dw (like w) and db, and the cost
    """

    m = X.shape[1]

    # FORWARD PROPAGATION (FROM X TO COST)
    {OLD_START[2]}
    {forward}
    {OLD_END}

    # BACKWARD PROPAGATION (TO FIND GRAD)
    {OLD_START[2]}
    {backward}
    {OLD_END}

    assert(dw.shape == w.shape)
    assert(db.dtype == float)
    cost = np.squeeze(cost)
    assert(cost.shape == ())

    grads = {{"dw": dw,
             "db": db}}

    return grads, cost'''


def _old_optimize(step: str, update: str) -> str:
    return f'''def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost = False):
    """
    Gradient descent on w and b.

    num_iterations -- how many steps; learning_rate -- how far each step goes
    print_cost -- True to print the cost every 100 steps
    Returns params (w, b), grads (the last dw, db) and costs (one every 100 steps)
    """

    costs = []

    for i in range(num_iterations):


        # Cost and gradient calculation (≈ 1-4 lines of code)
        {OLD_START[0]}
        {step}
        {OLD_END}

        # Retrieve derivatives from grads
        dw = grads["dw"]
        db = grads["db"]

        # update rule (≈ 2 lines of code)
        {OLD_START[0]}
        {update}
        {OLD_END}

        # Record the costs
        if i % 100 == 0:
            costs.append(cost)

        # Print the cost every 100 training examples
        if print_cost and i % 100 == 0:
            print ("Cost after iteration %i: %f" %(i, cost))

    params = {{"w": w,
              "b": b}}

    grads = {{"dw": dw,
             "db": db}}

    return params, grads, costs'''


_OLD_PREDICT_HEAD = '''def predict(w, b, X):
    \'\'\'
    Labels from learned parameters: 1 where the activation is above one half, 0 elsewhere.

    w -- weights (n, 1); b -- the bias; X -- examples, one per column (n, m)
    Returns Y_prediction, a (1, m) row of 0. and 1.
    \'\'\'

    m = X.shape[1]
    Y_prediction = np.zeros((1,m))
    w = w.reshape(X.shape[0], 1)
'''


def _old_predict(activation: str, label: str) -> str:
    return _OLD_PREDICT_HEAD + f'''
    {OLD_START[1]}
    {activation}
    {OLD_END}

    for i in range(A.shape[1]):

        # from the activation of example i to its label
        {OLD_START[4]}
        {label}
        {OLD_END}

    assert(Y_prediction.shape == (1, m))

    return Y_prediction'''


def _old_model(code: str) -> str:
    return f'''def model(X_train, Y_train, X_test, Y_test, num_iterations = 2000, learning_rate = 0.5, print_cost = False):
    """
    The whole classifier: train on (X_train, Y_train), predict both sets.

    Returns d, a dict with the costs, both sets' predictions, w, b and the hyperparameters
    """

    {OLD_START[0]}
{code}
    {OLD_END}

    # Print train/test Errors
    print("train accuracy: {{}} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
    print("test accuracy: {{}} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))


    d = {{"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train" : Y_prediction_train,
         "w" : w,
         "b" : b,
         "learning_rate" : learning_rate,
         "num_iterations": num_iterations}}

    return d'''


_OLD_MODEL = '''
    # start from zeros (≈ 1 line of code)
    w, b = initialize_with_zeros(X_train.shape[0])

    # Gradient descent (≈ 1 line of code)
    parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, {rate}, print_cost)

    # Retrieve parameters w and b from dictionary "parameters"
    w = parameters["w"]
    b = parameters["b"]

    # Predict test/train set examples (≈ 2 lines of code)
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
'''
_OLD_MODEL_STUB = '''
    # start from zeros (≈ 1 line of code)
    w, b = None

    # Gradient descent (≈ 1 line of code)
    parameters, grads, costs = None

    # Retrieve parameters w and b from dictionary "parameters"
    w = parameters["w"]
    b = parameters["b"]

    # Predict test/train set examples (≈ 2 lines of code)
    Y_prediction_test = None
    Y_prediction_train = None
'''
_IF_ELSE = "if A[0][i] <= 0.5:\n            Y_prediction[0][i] = 0\n        else:\n            Y_prediction[0][i] = 1"
_OWN_LOOP = ("z = np.zeros((1, m)) + b\n    for j in range(X.shape[0]):\n        z = z + w[j, 0] * X[j:j + 1, :]\n"
             "    A = sigmoid(z)")

V3 = {
    "sigmoid": {"correct": _old_sigmoid("s = 1 / (1 + np.exp(-z))"),
                "wrong": _old_sigmoid("s = 1 / (1 + np.exp(z))"),
                "stripped": _old_sigmoid("s = None")},
    "initialize_with_zeros": {"correct": _old_zeros("w = np.zeros((dim, 1))\n    b = 0"),
                              "float": _old_zeros("w = np.zeros((dim, 1))\n    b = 0."),
                              "wrong": _old_zeros("w = np.zeros((1, dim))\n    b = 0"),
                              "stripped": _old_zeros("w = None\n    b = None")},
    "propagate": {
        "correct": _old_propagate("A = sigmoid(np.dot(w.T, X) + b)\n    "
                                  "cost = -1 / m * (np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T))",
                                  "dw = 1 / m * np.dot(X, (A - Y).T)\n    db = 1 / m * np.sum(A - Y)"),
        "sum": _old_propagate("A = sigmoid(np.dot(w.T, X) + b)\n    "
                              "cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m",
                              "dw = np.dot(X, (A - Y).T) / m\n    db = np.sum(A - Y) / m"),
        "wrong": _old_propagate("A = sigmoid(np.dot(w.T, X) + b)\n    "
                                "cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m",
                                "dw = np.dot(X, (A - Y).T) / m\n    db = np.sum(A - Y)"),
        "wrong_cost": _old_propagate("A = sigmoid(np.dot(w.T, X) + b)\n    "
                                     "cost = np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m",
                                     "dw = np.dot(X, (A - Y).T) / m\n    db = np.sum(A - Y) / m"),
        "stripped": _old_propagate("A = None\n    cost = None", "dw = None\n    db = None")},
    "optimize": {"correct": _old_optimize("grads, cost = propagate(w, b, X, Y)",
                                          "w = w - learning_rate * dw\n        b = b - learning_rate * db"),
                 "wrong": _old_optimize("grads, cost = propagate(w, b, X, Y)",
                                        "w = w + learning_rate * dw\n        b = b + learning_rate * db"),
                 "stripped": _old_optimize("grads, cost = None", "w = None\n        b = None")},
    "predict": {"correct": _old_predict("A = sigmoid(np.dot(w.T, X) + b)", _IF_ELSE),
                "inline": _old_predict("A = sigmoid(np.dot(w.T, X) + b)",
                                       "Y_prediction[0, i] = 1 if A[0, i] > 0.5 else 0"),
                "wrong": _old_predict("A = sigmoid(np.dot(w.T, X) + b)", _IF_ELSE.replace("<=", ">")),
                "own_loop": _old_predict(_OWN_LOOP, _IF_ELSE),
                # the student deleted the template's loop and did it in one step
                "vectorized": _OLD_PREDICT_HEAD + f'''
    {OLD_START[1]}
    A = sigmoid(np.dot(w.T, X) + b)
    {OLD_END}

    {OLD_START[4]}
    Y_prediction = (A > 0.5) * 1.0
    {OLD_END}

    assert(Y_prediction.shape == (1, m))

    return Y_prediction''',
                "stripped": _old_predict("A = None", "pass")},
    "model": {"correct": _old_model(_OLD_MODEL.format(rate="learning_rate")),
              "wrong": _old_model(_OLD_MODEL.format(rate="0.005")),
              "stripped": _old_model(_OLD_MODEL_STUB)},
}
V5 = {name: {variant: text.replace("# Print the cost every 100 training examples",
                                   "# Print the cost every 100 training iterations")
             for variant, text in variants.items()} for name, variants in V3.items()}

# --------------------------------------------------------------------------- 2021 and later

NEW_START, NEW_END = "# YOUR CODE STARTS HERE", "# YOUR CODE ENDS HERE"


def _written(code: str, indent: str = "    ") -> str:
    """What a student wrote between the markers ("" for nothing: the template as handed out)."""
    return "\n".join(indent + line if line else "" for line in code.split("\n")) if code else ""


def _new_sigmoid(code: str) -> str:
    return f'''def sigmoid(z):
    """
    The logistic function, entry by entry: 1 / (1 + e^-z).

    z -- a number, or a numpy array of any shape
    Returns s, of the shape of z
    """

    #(≈ 1 line of code)
    # s = ...
    {NEW_START}
{_written(code)}

    {NEW_END}

    return s'''


def _new_zeros(code: str) -> str:
    return f'''def initialize_with_zeros(dim):
    """
    Weights and bias to start from.

    dim -- how many weights: one per feature
    Returns w, a column of dim zeros, and b, the bias (a float)
    """

    # (≈ 2 lines of code)
    # w = ...
    # b = ...
    {NEW_START}
{_written(code)}

    {NEW_END}

    return w, b'''


def _new_propagate(forward: str, backward: str) -> str:
    return f'''def propagate(w, b, X, Y):
    """
    The cost of the current parameters, and its gradients.

    w -- weights (n, 1); b -- the bias; X -- examples, one per column (n, m); Y -- labels (1, m)
    Returns grads, with dw (like w) and db, and the cost
    """

    m = X.shape[1]

    # FORWARD PROPAGATION (FROM X TO COST)
    #(≈ 2 lines of code)
    # A = ...
    # cost = ...
    {NEW_START}
{_written(forward)}

    {NEW_END}

    # BACKWARD PROPAGATION (TO FIND GRAD)
    #(≈ 2 lines of code)
    # dw = ...
    # db = ...
    {NEW_START}
{_written(backward)}

    {NEW_END}
    cost = np.squeeze(np.array(cost))


    grads = {{"dw": dw,
             "db": db}}

    return grads, cost'''


def _new_optimize(step: str, update: str, def_line: str = "def optimize(w, b, X, Y, num_iterations=100, "
                                                          "learning_rate=0.009, print_cost=False):",
                  copies: bool = True) -> str:
    copied = "\n    w = copy.deepcopy(w)\n    b = copy.deepcopy(b)\n" if copies else ""
    return f'''{def_line}
    """
    Gradient descent on (copies of) w and b.

    num_iterations -- how many steps; learning_rate -- how far each step goes
    print_cost -- True to print the cost every 100 steps
    Returns params (w, b), grads (the last dw, db) and costs (one every 100 steps)
    """
{copied}
    costs = []

    for i in range(num_iterations):
        # (≈ 1 lines of code)
        # Cost and gradient calculation
        # grads, cost = ...
        {NEW_START}
{_written(step, "        ")}

        {NEW_END}

        # Retrieve derivatives from grads
        dw = grads["dw"]
        db = grads["db"]

        # update rule (≈ 2 lines of code)
        # w = ...
        # b = ...
        {NEW_START}
{_written(update, "        ")}

        {NEW_END}

        # Record the costs
        if i % 100 == 0:
            costs.append(cost)

            # Print the cost every 100 training iterations
            if print_cost:
                print ("Cost after iteration %i: %f" %(i, cost))

    params = {{"w": w,
              "b": b}}

    grads = {{"dw": dw,
             "db": db}}

    return params, grads, costs'''


def _new_predict(activation: str, label: str) -> str:
    return f'''def predict(w, b, X):
    \'\'\'
    Labels from learned parameters: 1 where the activation is above one half, 0 elsewhere.

    w -- weights (n, 1); b -- the bias; X -- examples, one per column (n, m)
    Returns Y_prediction, a (1, m) row of 0. and 1.
    \'\'\'

    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    w = w.reshape(X.shape[0], 1)

    #(≈ 1 line of code)
    # A = ...
    {NEW_START}
{_written(activation)}

    {NEW_END}

    for i in range(A.shape[1]):

        # from the activation of example i to its label
        #(≈ 4 lines of code)
        # if A[0, i] > ____ :
        #     Y_prediction[0,i] =
        # else:
        #     Y_prediction[0,i] =
        {NEW_START}
{_written(label, "        ")}

        {NEW_END}

    return Y_prediction'''


def _new_model(code: str) -> str:
    return f'''def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    """
    The whole classifier: train on (X_train, Y_train), predict both sets.

    Returns d, a dict with the costs, both sets' predictions, w, b and the hyperparameters
    """
    # (≈ 1 line of code)
    # start from zeros
    # w, b = ...

    #(≈ 1 line of code)
    # Gradient descent
    # params, grads, costs = ...

    # w = ...
    # b = ...

    # Predict test/train set examples (≈ 2 lines of code)
    # Y_prediction_test = ...
    # Y_prediction_train = ...

    {NEW_START}
{_written(code)}

    {NEW_END}

    # Print train/test Errors
    if print_cost:
        print("train accuracy: {{}} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
        print("test accuracy: {{}} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))


    d = {{"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train" : Y_prediction_train,
         "w" : w,
         "b" : b,
         "learning_rate" : learning_rate,
         "num_iterations": num_iterations}}

    return d'''


_NEW_MODEL = ("w, b = initialize_with_zeros(X_train.shape[0])\n"
              "params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)\n"
              'w = params["w"]\nb = params["b"]\n'
              "Y_prediction_test = predict(w, b, {test})\nY_prediction_train = predict(w, b, {train})")
_NEW_IF_ELSE = "if A[0, i] > 0.5:\n    Y_prediction[0, i] = 1\nelse:\n    Y_prediction[0, i] = 0"
_NEW_FORWARD = "A = sigmoid(np.dot(w.T, X) + b)\ncost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m"
_UPDATE = "w = w - learning_rate * dw\nb = b - learning_rate * db"

Y2021 = {
    "sigmoid": {"correct": _new_sigmoid("s = 1 / (1 + np.exp(-z))"), "stripped": _new_sigmoid("")},
    "initialize_with_zeros": {"correct": _new_zeros("w = np.zeros((dim, 1))\nb = 0.0"),
                              "wrong": _new_zeros("w = np.zeros((dim, 1))\nb = 0"),
                              "stripped": _new_zeros("")},
    "propagate": {"correct": _new_propagate(_NEW_FORWARD, "dw = np.dot(X, (A - Y).T) / m\ndb = np.sum(A - Y) / m"),
                  "wrong": _new_propagate(_NEW_FORWARD, "dw = np.dot(X, (A - Y).T) / m\ndb = float(np.sum(A - Y) / m)"),
                  "stripped": _new_propagate("", "")},
    "optimize": {"correct": _new_optimize("grads, cost = propagate(w, b, X, Y)", _UPDATE),
                 "old_def": _new_optimize("grads, cost = propagate(w, b, X, Y)", _UPDATE,
                                          "def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost = False):",
                                          copies=False),
                 "stripped": _new_optimize("", "")},
    "predict": {"correct": _new_predict("A = sigmoid(np.dot(w.T, X) + b)", _NEW_IF_ELSE),
                "stripped": _new_predict("", "")},
    "model": {"correct": _new_model(_NEW_MODEL.format(test="X_test", train="X_train")),
              "wrong": _new_model(_NEW_MODEL.format(test="X_train", train="X_test")),
              "stripped": _new_model("")},
}

BODIES = {"v3": V3, "v5": V5, "2021": Y2021}

# --------------------------------------------------------------------------- Python Basics with Numpy

NP_DOCS = {
    "basic_sigmoid": ("x", "The logistic function of one number, with the math module.", "s, a float"),
    "sigmoid": ("x", "The logistic function of every entry of x, with numpy.", "s, of the shape of x"),
    "sigmoid_derivative": ("x", "The slope of the logistic function at every entry of x.", "ds, of the shape of x"),
    "image2vector": ("image", "One column of all the pixel values of an image (length, height, depth).",
                     "v, of shape (length * height * depth, 1)"),
    "normalize_rows": ("x", "Every row of x divided by its own length.", "x, each row of length 1"),
    "softmax": ("x", "The softmax of every row of x.", "s, of the shape of x"),
    "L1": ("yhat, y", "The L1 loss: the sum of the absolute differences.", "loss, a number"),
    "L2": ("yhat, y", "The L2 loss: the sum of the squared differences.", "loss, a number"),
}
NP_RETURNS = {"basic_sigmoid": "s", "sigmoid": "s", "sigmoid_derivative": "ds", "image2vector": "v",
              "normalize_rows": "x", "softmax": "s", "L1": "loss", "L2": "loss"}
NP_CODE = {
    "basic_sigmoid": {"correct": "s = 1 / (1 + math.exp(-x))", "stripped": "s = None"},
    "sigmoid": {"correct": "s = 1 / (1 + np.exp(-x))", "stripped": "s = None"},
    "sigmoid_derivative": {"correct": "s = sigmoid(x)\nds = s * (1 - s)", "stripped": "s = None\nds = None"},
    "image2vector": {"correct": "v = image.reshape(image.shape[0] * image.shape[1] * image.shape[2], 1)",
                     "stripped": "v = None"},
    "normalize_rows": {"correct": "x_norm = np.linalg.norm(x, ord=2, axis=1, keepdims=True)\nx = x / x_norm",
                       "wrong": "x_norm = np.linalg.norm(x, ord=2, axis=1)\nx = x / x_norm",
                       "stripped": "x_norm = None\nx = None"},
    "softmax": {"correct": "x_exp = np.exp(x)\nx_sum = np.sum(x_exp, axis=1, keepdims=True)\ns = x_exp / x_sum",
                "wrong": "x_exp = np.exp(x)\nx_sum = np.sum(x_exp, axis=0, keepdims=True)\ns = x_exp / x_sum",
                "stripped": "x_exp = None\nx_sum = None\ns = None"},
    "L1": {"correct": "loss = np.sum(np.abs(y - yhat))", "stripped": "loss = None"},
    "L2": {"correct": "loss = np.dot(y - yhat, y - yhat)", "stripped": "loss = None"},
}
NP_LINES = {"basic_sigmoid": 1, "sigmoid": 1, "sigmoid_derivative": 2, "image2vector": 1, "normalize_rows": 2,
            "softmax": 3, "L1": 1, "L2": 1}


def _np_cell(name: str, code: str, new: bool) -> str:
    """One graded cell of the numpy week: the old notebook's markers and name, or 2021's."""
    params, what, returns = NP_DOCS[name]
    defined = "normalizeRows" if name == "normalize_rows" and not new else name
    count = NP_LINES[name]
    if new:
        top = "import math\nfrom public_tests import *\n\n" if name == "basic_sigmoid" else ""
        asked = "".join(f"    # {line.split(' = ')[0]} = \n" for line in NP_CODE[name]["stripped"].split("\n"))
        body = (f"    # (≈ {count} line{'s' if count > 1 else ''} of code)\n{asked}    # YOUR CODE STARTS HERE\n"
                + ("".join(f"    {line}\n" for line in code.split("\n")) if code else "") + "\n    # YOUR CODE ENDS HERE\n")
        head = f"{top}# GRADED FUNCTION: {defined}\n\n"
    else:
        imports = {"basic_sigmoid": "import math\n\n", "sigmoid": "import numpy as np # numpy, as np.function()\n\n"}
        body = (f"    ### START CODE HERE ### (≈ {count} line{'s' if count > 1 else ''} of code)\n"
                + "".join(f"    {line}\n" for line in code.split("\n")) + "    ### END CODE HERE ###\n")
        head = f"# GRADED FUNCTION: {defined}\n\n{imports.get(name, '')}"
    return (f'{head}def {defined}({params}):\n    """\n    {what}\n\n    Returns {returns}\n    """\n\n'
            f"{body}\n    return {NP_RETURNS[name]}")


NP_OLD = {name: {variant: _np_cell(name, code, new=False) for variant, code in variants.items()}
          for name, variants in NP_CODE.items()}
NP_NEW = {name: {**{variant: _np_cell(name, code, new=True) for variant, code in variants.items()},
                 "stripped": _np_cell(name, "", new=True)} for name, variants in NP_CODE.items()}
BODIES.update({"np_v3": NP_OLD, "np_2021": NP_NEW})
