"""The made-up students' graded cells of the planar-data week, by version family, function and variant.

Families: ``p_old`` (the notebooks of 2017 and 2018, v5: ``### START CODE HERE ###`` markers
around ``None`` placeholders, ``compute_cost(A2, Y, parameters)``, ``nn_model`` asking for the
parameters and each of W1..b2), ``p_v6c`` (2020: the cost cast to a float by the template,
``nn_model`` asking for the parameters only) and ``p_2021`` (commented hints between ``# YOUR CODE
STARTS HERE`` and ``# YOUR CODE ENDS HERE``, ``compute_cost(A2, Y)``, no seed or asserts in
``initialize_parameters``). Each cell keeps what its version's template handed out (the ``def``
line, the markers, the template's own lines: seeds, asserts, the loop over the iterations) and
fills the parts to write as one student would. Variants: ``correct`` (and ``dot``, another correct
style), ``wrong`` (one mistake each), ``stripped`` (the template as handed out, nothing written).
"""
from __future__ import annotations

import re
import textwrap

# Each function's cell: its def line, docstring and template lines, with {0}, {1}... where the
# parts to write go (the placeholder's indentation is the part's).
SKELETONS = {
    "layer_sizes": '''def layer_sizes(X, Y):
    """
    The sizes of the network's three layers.

    X -- inputs, one example per column (n_x, m); Y -- labels (n_y, m)
    Returns n_x, n_h (4 in this notebook) and n_y
    """
    {0}
    return (n_x, n_h, n_y)''',
    "initialize_parameters": '''def initialize_parameters(n_x, n_h, n_y):
    """
    Small random weights and zero biases for both layers.

    n_x, n_h, n_y -- the sizes of the input, hidden and output layers
    Returns parameters, a dictionary with W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h) and b2 (n_y, 1)
    """
    {seed}
    {0}
    {asserts}
    parameters = {{"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}}

    return parameters''',
    "forward_propagation": '''def forward_propagation(X, parameters):
    """
    The network's output for every example, and what backward propagation needs.

    X -- inputs (n_x, m); parameters -- W1, b1, W2, b2
    Returns A2, the output (1, m), and cache with Z1, A1, Z2 and A2
    """
    # Take the parameters out of their dictionary
    {0}

    # Forward, layer by layer
    {1}

    assert(A2.shape == (1, X.shape[1]))

    cache = {{"Z1": Z1,
             "A1": A1,
             "Z2": Z2,
             "A2": A2}}

    return A2, cache''',
    "compute_cost": '''def compute_cost({params}):
    """
    The cross-entropy cost of the outputs A2 against the labels Y.

    A2 -- the network's outputs (1, m); Y -- the labels (1, m){unused}
    Returns cost, a float
    """

    m = Y.shape[1] # number of examples

    # The cross-entropy, averaged over the examples
    {0}

    {cast}
    {assert_}
    return cost''',
    "backward_propagation": '''def backward_propagation(parameters, cache, X, Y):
    """
    The gradients of the cost with respect to each parameter.

    parameters -- W1, b1, W2, b2; cache -- Z1, A1, Z2, A2; X -- inputs (n_x, m); Y -- labels (1, m)
    Returns grads, with dW1, db1, dW2 and db2
    """
    m = X.shape[1]

    # W1 and W2 from the parameters
    {0}

    # A1 and A2 from the cache
    {1}

    # The six equations, from the output layer back
    {2}

    grads = {{"dW1": dW1,
             "db1": db1,
             "dW2": dW2,
             "db2": db2}}

    return grads''',
    "update_parameters": '''def update_parameters(parameters, grads, learning_rate = 1.2):
    """
    One step of gradient descent on every parameter.

    parameters -- W1, b1, W2, b2; grads -- dW1, db1, dW2, db2; learning_rate -- the step's size
    Returns parameters, updated
    """
    # The parameters
    {0}

    # Their gradients
    {1}

    # The step, for each parameter
    {2}

    parameters = {{"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}}

    return parameters''',
    "nn_model": '''def nn_model(X, Y, n_h, num_iterations = 10000, print_cost=False):
    """
    Train the network: initialise, then repeat forward, cost, backward and update.

    X -- inputs (2, m); Y -- labels (1, m); n_h -- hidden units
    num_iterations -- gradient descent steps; print_cost -- print the cost every 1000 steps
    Returns parameters, the learnt ones
    """

    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]

    {init_comment}
    {0}

    # Loop (gradient descent)

    for i in range(0, num_iterations):

        {1}

        # Print the cost every 1000 iterations
        if print_cost and i % 1000 == 0:
            print ("Cost after iteration %i: %f" %(i, cost))

    return parameters''',
    "predict": '''def predict(parameters, X):
    """
    A class for each example: 1 (blue) where the network's output is above 0.5, else 0 (red).

    parameters -- W1, b1, W2, b2; X -- inputs (n_x, m)
    Returns predictions (1, m)
    """

    # Forward propagation, then the threshold
    {0}

    return predictions''',
}

# Each part to write: (how many lines the template says, its None placeholders, a correct answer).
PARTS = {
    "layer_sizes": [(3, "n_x = None # size of input layer\nn_h = None\nn_y = None # size of output layer",
                     "n_x = X.shape[0]\nn_h = 4\nn_y = Y.shape[0]")],
    "initialize_parameters": [(4, "W1 = None\nb1 = None\nW2 = None\nb2 = None",
                               "W1 = np.random.randn(n_h, n_x) * 0.01\nb1 = np.zeros((n_h, 1))\n"
                               "W2 = np.random.randn(n_y, n_h) * 0.01\nb2 = np.zeros((n_y, 1))")],
    "forward_propagation": [
        (4, "W1 = None\nb1 = None\nW2 = None\nb2 = None",
         'W1 = parameters["W1"]\nb1 = parameters["b1"]\nW2 = parameters["W2"]\nb2 = parameters["b2"]'),
        (4, "Z1 = None\nA1 = None\nZ2 = None\nA2 = None",
         "Z1 = np.dot(W1, X) + b1\nA1 = np.tanh(Z1)\nZ2 = np.dot(W2, A1) + b2\nA2 = sigmoid(Z2)")],
    "compute_cost": [(2, "logprobs = None\ncost = None",
                      "logprobs = np.multiply(np.log(A2), Y) + np.multiply(1 - Y, np.log(1 - A2))\n"
                      "cost = - np.sum(logprobs) / m")],
    "backward_propagation": [
        (2, "W1 = None\nW2 = None", 'W1 = parameters["W1"]\nW2 = parameters["W2"]'),
        (2, "A1 = None\nA2 = None", 'A1 = cache["A1"]\nA2 = cache["A2"]'),
        ("6 lines of code, corresponding to 6 equations on slide above",
         "dZ2 = None\ndW2 = None\ndb2 = None\ndZ1 = None\ndW1 = None\ndb1 = None",
         "dZ2 = A2 - Y\ndW2 = np.dot(dZ2, A1.T) / m\ndb2 = np.sum(dZ2, axis=1, keepdims=True) / m\n"
         "dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))\ndW1 = np.dot(dZ1, X.T) / m\n"
         "db1 = np.sum(dZ1, axis=1, keepdims=True) / m")],
    "update_parameters": [
        (4, "W1 = None\nb1 = None\nW2 = None\nb2 = None",
         'W1 = parameters["W1"]\nb1 = parameters["b1"]\nW2 = parameters["W2"]\nb2 = parameters["b2"]'),
        (4, "dW1 = None\ndb1 = None\ndW2 = None\ndb2 = None",
         'dW1 = grads["dW1"]\ndb1 = grads["db1"]\ndW2 = grads["dW2"]\ndb2 = grads["db2"]'),
        (4, "W1 = None\nb1 = None\nW2 = None\nb2 = None",
         "W1 = W1 - learning_rate * dW1\nb1 = b1 - learning_rate * db1\n"
         "W2 = W2 - learning_rate * dW2\nb2 = b2 - learning_rate * db2")],
    "nn_model": [
        (5, "parameters = None\nW1 = None\nb1 = None\nW2 = None\nb2 = None",
         'parameters = initialize_parameters(n_x, n_h, n_y)\nW1 = parameters["W1"]\nb1 = parameters["b1"]\n'
         'W2 = parameters["W2"]\nb2 = parameters["b2"]'),
        (4, "A2, cache = None\ncost = None\ngrads = None\nparameters = None",
         "A2, cache = forward_propagation(X, parameters)\ncost = compute_cost(A2, Y, parameters)\n"
         "grads = backward_propagation(parameters, cache, X, Y)\n"
         "parameters = update_parameters(parameters, grads)")],
    "predict": [(2, "A2, cache = None\npredictions = None",
                 "A2, cache = forward_propagation(X, parameters)\npredictions = (A2 > 0.5)")],
}
FUNCTIONS = tuple(SKELETONS)

# What each family's template holds around the parts to write.
TEMPLATE_LINES = {
    "p_old": {"seed": "np.random.seed(2) # so that your numbers are the notebook's",
              "asserts": "assert (W1.shape == (n_h, n_x))\nassert (b1.shape == (n_h, 1))\n"
                         "assert (W2.shape == (n_y, n_h))\nassert (b2.shape == (n_y, 1))\n",
              "params": "A2, Y, parameters", "unused": "; parameters -- W1, b1, W2, b2",
              "cast": "cost = np.squeeze(cost)     # [[17]] becomes 17",
              "assert_": "assert(isinstance(cost, float))\n",
              "init_comment": '# Initialize parameters, then retrieve W1, b1, W2, b2. Inputs: "n_x, n_h, n_y". '
                              'Outputs = "W1, b1, W2, b2, parameters".'},
    "p_v6c": {"unused": "\n    parameters -- W1, b1, W2, b2 [Note that the parameters argument is not used in this "
                        "function, but the auto-grader currently expects this parameter.]",
              "cast": "cost = float(np.squeeze(cost))  # [[17]] becomes 17.0",
              "init_comment": "# Initialize parameters"},
    "p_2021": {"seed": "", "asserts": "", "params": "A2, Y", "unused": "", "assert_": "",
               "cast": "cost = float(np.squeeze(cost))  # [[17]] becomes 17.0",
               "init_comment": "# Initialize parameters"},
}
TEMPLATE_LINES["p_v6c"] = {**TEMPLATE_LINES["p_old"], **TEMPLATE_LINES["p_v6c"]}

# One mistake each (what a student of that week gets wrong), as a replacement in the correct answer.
WRONG = {
    "layer_sizes": ("n_y = Y.shape[0]", "n_y = Y.shape[1]"),                      # the examples, not the rows
    "initialize_parameters": ("b1 = np.zeros((n_h, 1))", "b1 = np.zeros(n_h)"),    # a rank-1 bias
    "forward_propagation": ("A1 = np.tanh(Z1)", "A1 = sigmoid(Z1)"),              # the wrong activation
    "compute_cost": ("cost = - np.sum(logprobs) / m", "cost = - np.sum(logprobs)"),  # not averaged
    "backward_propagation": ("db1 = np.sum(dZ1, axis=1, keepdims=True) / m", "db1 = np.sum(dZ1, axis=1) / m"),
    "update_parameters": ("W1 = W1 - learning_rate * dW1", "W1 = W1 + learning_rate * dW1"),  # uphill
    "nn_model": ("parameters = update_parameters(parameters, grads)",
                 "parameters = update_parameters(parameters, grads, learning_rate=0.12)"),  # its own rate
    "predict": ("predictions = (A2 > 0.5)", "predictions = (A2 > 0)"),
}

# Another correct style.
DOT = {
    "compute_cost": ("logprobs = np.multiply(np.log(A2), Y) + np.multiply(1 - Y, np.log(1 - A2))\n"
                     "cost = - np.sum(logprobs) / m",
                     "cost = -(np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T)) / m"),
    "predict": ("predictions = (A2 > 0.5)", "predictions = np.round(A2)"),
}


def _lines(hint) -> str:
    if isinstance(hint, str):
        return hint
    return f"{hint} line of code" if hint == 1 else f"{hint} lines of code"


def _part(family: str, function: str, index: int, code: str | None) -> str:
    """One part to write in the family's markers: ``code`` (None: as handed out)."""
    hint, stub, _ = PARTS[function][index]
    if function == "nn_model" and index == 0 and family != "p_old":
        hint, stub = 1, "parameters = None"
    if family == "p_2021":
        hints = "\n".join("# " + line.split("=")[0].strip() + " = ..." for line in stub.split("\n"))
        return f"#(≈ {_lines(hint)})\n{hints}\n# YOUR CODE STARTS HERE\n{code or ''}\n# YOUR CODE ENDS HERE"
    end = "## END CODE HERE ###" if function == "update_parameters" and index == 1 else "### END CODE HERE ###"
    return f"### START CODE HERE ### (≈ {_lines(hint)})\n{code if code is not None else stub}\n{end}"


def _answer(family: str, function: str, index: int) -> str:
    code = PARTS[function][index][2]
    if function == "nn_model":
        if index == 0 and family != "p_old":
            code = code.split("\n")[0]
        if family == "p_2021":
            code = code.replace("compute_cost(A2, Y, parameters)", "compute_cost(A2, Y)")
    if function == "update_parameters" and index == 0 and family == "p_2021":
        code = code.replace('parameters["W1"]', 'copy.deepcopy(parameters["W1"])').replace(
            'parameters["W2"]', 'copy.deepcopy(parameters["W2"])')
    return code


def cell(family: str, function: str, variant: str) -> str:
    """The graded cell's code (after its ``# GRADED FUNCTION`` line)."""
    answers = [None if variant == "stripped" else _answer(family, function, i)
               for i in range(len(PARTS[function]))]
    for table in ({"wrong": WRONG, "dot": DOT}.get(variant) or {},):
        if function in table:
            old, new = table[function]
            found = [i for i, code in enumerate(answers) if code is not None and old in code]
            assert found, (family, function, variant)
            answers[found[0]] = answers[found[0]].replace(old, new)
    parts = [_part(family, function, i, code) for i, code in enumerate(answers)]
    text = SKELETONS[function]
    fields = dict(TEMPLATE_LINES[family])
    for i, part in enumerate(parts):
        fields[str(i)] = part
    out = []
    for line in text.split("\n"):
        match = re.fullmatch(r"(\s*)\{(\w+)\}", line)
        if match and match.group(2) in fields:
            value = fields[match.group(2)]
            if value:
                out.append(textwrap.indent(value.rstrip("\n"), match.group(1)))
            continue
        out.append(line.format(**fields))
    return "\n".join(out)
