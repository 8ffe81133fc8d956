"""Writes the test notebooks of tests/versions/: the logistic-regression week in the shape of each
version of the course's notebook, solved in that version's style by made-up students.

Run ``python tests/versions/build.py`` to regenerate them in tests/versions/notebooks/<assignment>/
(tests/test_versions.py checks they are in sync). The numpy week's follow its notebooks before 2021
and of 2021; the planar-data week's its notebooks of 2017, 2018 (v5), 2020 (v6c) and 2021. The shapes (cell order, ``# GRADED FUNCTION`` headers, the markers around the parts to
write, each template's own lines, ``def`` lines, the published examples' values, the public tests'
names) follow the course's released notebooks of 2017 (v3), 2018 (v5), 2020 (v6a) and 2021;
the explanations, the docstrings and the students' code are ours. What each notebook is, and
what each of its functions deserves, is in labels.yaml.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
import nbformat.v4 as v4

HERE = Path(__file__).resolve().parent
NOTEBOOKS_DIR = HERE / "notebooks"
sys.path.insert(0, str(HERE))
from student_cells import BODIES  # noqa: E402  (the students' code, by version family, function and variant)
import planar_cells  # noqa: E402  (the planar week's, built from its templates' parts)

COURSERA = {"course_slug": "neural-networks-deep-learning", "graded_item_id": "XaIWT", "launcher_item_id": "zAgPl"}
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}

IMPORTS_OLD = """\
import numpy as np
import matplotlib.pyplot as plt
import h5py
import scipy
from PIL import Image
from scipy import ndimage
from lr_utils import load_dataset

%matplotlib inline"""

IMPORTS_2021 = """\
import numpy as np
import copy
import matplotlib.pyplot as plt
import h5py
import scipy
from PIL import Image
from scipy import ndimage
from lr_utils import load_dataset
from public_tests import *

%matplotlib inline
%load_ext autoreload
%autoreload 2"""

# The cells after each graded cell: the version's own examples (their values are the course's).
DEMOS = {
    "v3": {
        "sigmoid": 'print ("sigmoid([0, 2]) = " + str(sigmoid(np.array([0,2]))))',
        "initialize_with_zeros": 'dim = 2\nw, b = initialize_with_zeros(dim)\nprint ("w = " + str(w))\nprint ("b = " + str(b))',
        "propagate": 'w, b, X, Y = np.array([[1],[2]]), 2, np.array([[1,2],[3,4]]), np.array([[1,0]])\n'
                     'grads, cost = propagate(w, b, X, Y)\nprint ("dw = " + str(grads["dw"]))\n'
                     'print ("db = " + str(grads["db"]))\nprint ("cost = " + str(cost))',
        "optimize": 'params, grads, costs = optimize(w, b, X, Y, num_iterations= 100, learning_rate = 0.009, '
                    'print_cost = False)\n\nprint ("w = " + str(params["w"]))\nprint ("b = " + str(params["b"]))',
        "predict": 'print ("predictions = " + str(predict(w, b, X)))',
    },
    "v5": {
        "propagate": 'w, b, X, Y = np.array([[1.],[2.]]), 2., np.array([[1.,2.,-1.],[3.,4.,-3.2]]), '
                     'np.array([[1,0,1]])\ngrads, cost = propagate(w, b, X, Y)\nprint ("dw = " + str(grads["dw"]))\n'
                     'print ("db = " + str(grads["db"]))\nprint ("cost = " + str(cost))',
        "predict": 'w = np.array([[0.1124579],[0.23106775]])\nb = -0.3\nX = np.array([[1.,-1.1,-3.2],[1.2,2.,0.1]])\n'
                   'print ("predictions = " + str(predict(w, b, X)))',
    },
    "2021": {
        "sigmoid": 'print ("sigmoid([0, 2]) = " + str(sigmoid(np.array([0,2]))))\n\nsigmoid_test(sigmoid)',
        "initialize_with_zeros": 'dim = 2\nw, b = initialize_with_zeros(dim)\n\nassert type(b) == float\n'
                                 'print ("w = " + str(w))\nprint ("b = " + str(b))\n\n'
                                 'initialize_with_zeros_test_1(initialize_with_zeros)\n'
                                 'initialize_with_zeros_test_2(initialize_with_zeros)',
        "propagate": 'w =  np.array([[1.], [2]])\nb = 1.5\nX = np.array([[1., -2., -1.], [3., 0.5, -3.2]])\n'
                     'Y = np.array([[1, 1, 0]])\ngrads, cost = propagate(w, b, X, Y)\n\n'
                     'assert type(grads["dw"]) == np.ndarray\nassert grads["dw"].shape == (2, 1)\n'
                     'assert type(grads["db"]) == np.float64\n\nprint ("cost = " + str(cost))\n\n'
                     'propagate_test(propagate)',
        "optimize": 'params, grads, costs = optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, '
                    'print_cost=False)\n\nprint ("w = " + str(params["w"]))\nprint("Costs = " + str(costs))\n\n'
                    'optimize_test(optimize)',
        "predict": 'w = np.array([[0.1124579], [0.23106775]])\nb = -0.3\n'
                   'X = np.array([[1., -1.1, -3.2],[1.2, 2., 0.1]])\n'
                   'print ("predictions = " + str(predict(w, b, X)))\n\npredict_test(predict)',
        "model": "from public_tests import *\n\nmodel_test(model)",
    },
}
DEMOS["v5"] = {**DEMOS["v3"], **DEMOS["v5"]}
DEMOS["v3"]["model"] = DEMOS["v5"]["model"] = (
    "d = model(train_set_x, train_set_y, test_set_x, test_set_y, num_iterations = 2000, learning_rate = 0.005, "
    "print_cost = True)")

FUNCTIONS = ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model")
EXPLAINED = {
    "sigmoid": "First a helper: the logistic function, which squashes any number into (0, 1).",
    "initialize_with_zeros": "Start the weights at zero: a column `w` with one entry per pixel, and a bias `b`.",
    "propagate": "One forward pass gives the activations and the cost; one backward pass its gradients.",
    "optimize": "Gradient descent: repeat `propagate` and step against the gradients.",
    "predict": "Turn the activations into labels: 1 above one half, 0 otherwise.",
    "model": "Put the pieces together: initialise, optimise on the training set, predict on both sets.",
}


def _code(source: str, family: str, **metadata):
    cell = v4.new_code_cell(textwrap.dedent(source).strip("\n"))
    if family == "v3":
        cell.metadata["collapsed"] = False
    cell.metadata.update(metadata)
    return cell


def _data_cells(family: str) -> list:
    """Loading, looking at and preparing the pictures, in the version's own markers."""
    start, end = (("### START CODE HERE ### (≈ 3 lines of code)", "### END CODE HERE ###") if family != "2021"
                  else ("#(≈ 3 lines of code)\n# m_train = \n# m_test = \n# num_px = \n# YOUR CODE STARTS HERE",
                        "# YOUR CODE ENDS HERE"))
    sizes = (f"{start}\nm_train = train_set_x_orig.shape[0]\nm_test = test_set_x_orig.shape[0]\n"
             f"num_px = train_set_x_orig.shape[1]\n{end}\n\n"
             'print ("Number of training examples: m_train = " + str(m_train))')
    flatten = ("# Reshape the training and test examples\n"
               "train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T\n"
               "test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T")
    return [v4.new_markdown_cell("## The pictures\n\nEach picture is a cat (1) or not (0)."),
            _code("# Loading the data (cat/non-cat)\n"
                  "train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = load_dataset()", family),
            _code("# Example of a picture\nindex = 25\nplt.imshow(train_set_x_orig[index])", family),
            _code(sizes, family), _code(flatten, family),
            _code("train_set_x = train_set_x_flatten/255.\ntest_set_x = test_set_x_flatten/255.", family)]


def _closing_cells(family: str) -> list:
    rates = ("learning_rates = [0.01, 0.001, 0.0001]\nmodels = {}\nfor lr in learning_rates:\n"
             "    models[str(lr)] = model(train_set_x, train_set_y, test_set_x, test_set_y, num_iterations = 1500, "
             "learning_rate = lr, print_cost = False)")
    return [_code("# Plot learning curve (with costs)\ncosts = np.squeeze(d['costs'])\nplt.plot(costs)\n"
                  "plt.ylabel('cost')\nplt.show()", family),
            v4.new_markdown_cell("## Other learning rates\n\nTry a few and compare the curves."),
            _code(rates, family),
            v4.new_markdown_cell("That's the week: well done.")]


def notebook(family: str, variant: str, *, edits: dict | None = None, updates: str = "") -> nbformat.NotebookNode:
    """The notebook of one version ``family`` (v3, v5, 2021), its graded cells solved as ``variant``
    (correct, wrong, stripped...) says; ``edits``: function -> variant, for the ones that differ."""
    edits = edits or {}
    cells = [v4.new_markdown_cell("# Logistic regression, with a neural network mindset\n\n"
                                  "You will train a classifier that tells cats from other pictures.")]
    if updates:
        cells.append(v4.new_markdown_cell(updates))
    cells.append(_code(IMPORTS_2021 if family == "2021" else IMPORTS_OLD, family))
    cells += _data_cells(family)
    demos = DEMOS[family]
    for name in FUNCTIONS:
        cells.append(v4.new_markdown_cell(f"### {name}\n\n{EXPLAINED[name]}"))
        body = BODIES[family][name][edits.get(name, variant)]
        cells.append(_code(f"# GRADED FUNCTION: {name}\n\n{body}", family))
        cells.append(_code(demos[name], family))
    if family == "2021":
        cells.append(_code("logistic_regression_model = model(train_set_x, train_set_y, test_set_x, test_set_y, "
                           "num_iterations=2000, learning_rate=0.005, print_cost=True)", family))
        cells.append(_code("d = logistic_regression_model", family))
    cells += _closing_cells(family)
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL})
    if family != "2021":
        nb.metadata["coursera"] = dict(COURSERA)
        nb.nbformat_minor = 0 if family == "v3" else 2
    else:
        nb.nbformat_minor = 4
    if nb.nbformat_minor < 5:
        for cell in nb.cells:
            cell.pop("id", None)
    return nb


UPDATES_6A = ("## Updates\n\nThis notebook changed since the one named 'v5'; this one is named '6a'. If you "
              "started on the older file, copy your work over before you submit.")

NOTEBOOKS = {
    # 2017
    "v3_ada_correct": ("v3", "correct", {}, ""),
    "v3_ben_wrong": ("v3", "correct", {"sigmoid": "wrong", "propagate": "wrong", "predict": "wrong"}, ""),
    "v3_cleo_stripped": ("v3", "stripped", {}, ""),
    # 2018
    "v5_dan_correct": ("v5", "correct", {"predict": "inline", "propagate": "sum"}, ""),
    "v5_eva_wrong": ("v5", "correct", {"initialize_with_zeros": "wrong", "optimize": "wrong", "model": "wrong"}, ""),
    "v5_finn_stripped": ("v5", "stripped", {}, ""),
    # 2020
    "v6a_gus_correct": ("v5", "correct", {"predict": "vectorized", "initialize_with_zeros": "float"}, UPDATES_6A),
    "v6a_hana_wrong": ("v5", "correct", {"propagate": "wrong_cost", "predict": "own_loop"}, UPDATES_6A),
    "v6a_ivo_stripped": ("v5", "stripped", {}, UPDATES_6A),
    # 2021 and later
    "y2021_jo_correct": ("2021", "correct", {}, ""),
    "y2021_kai_wrong": ("2021", "correct", {"initialize_with_zeros": "wrong", "propagate": "wrong",
                                            "model": "wrong"}, ""),
    "y2021_lea_stripped": ("2021", "stripped", {}, ""),
    "y2021_max_two_stripped": ("2021", "correct", {"sigmoid": "stripped", "initialize_with_zeros": "stripped"}, ""),
    "y2021_noa_old_optimize": ("2021", "correct", {"optimize": "old_def"}, ""),
}


# --------------------------------------------------------------------------- Python Basics with Numpy

NP_FUNCTIONS = ("basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector", "normalize_rows", "softmax",
                "L1", "L2")
IMAGE = ("np.array([[[ 0.67826139,  0.29380381],\n        [ 0.90714982,  0.52835647],\n"
         "        [ 0.4215251 ,  0.45017551]],\n\n       [[ 0.92814219,  0.96677647],\n"
         "        [ 0.85304703,  0.52351845],\n        [ 0.19981397,  0.27417313]],\n\n"
         "       [[ 0.60659855,  0.00533165],\n        [ 0.10820313,  0.49978937],\n"
         "        [ 0.34144279,  0.94630077]]])")
NP_DEMOS = {
    "np_v3": {
        "basic_sigmoid": "basic_sigmoid(3)",
        "sigmoid": "x = np.array([1, 2, 3])\nsigmoid(x)",
        "sigmoid_derivative": 'x = np.array([1, 2, 3])\nprint ("sigmoid_derivative(x) = " + str(sigmoid_derivative(x)))',
        "image2vector": f'image = {IMAGE}\n\nprint ("image2vector(image) = " + str(image2vector(image)))',
        "normalize_rows": 'x = np.array([\n    [0, 3, 4],\n    [1, 6, 4]])\n'
                          'print("normalizeRows(x) = " + str(normalizeRows(x)))',
        "softmax": 'x = np.array([\n    [9, 2, 5, 0, 0],\n    [7, 5, 0, 0 ,0]])\nprint("softmax(x) = " + str(softmax(x)))',
        "L1": 'yhat = np.array([.9, 0.2, 0.1, .4, .9])\ny = np.array([1, 0, 0, 1, 1])\nprint("L1 = " + str(L1(yhat,y)))',
        "L2": 'yhat = np.array([.9, 0.2, 0.1, .4, .9])\ny = np.array([1, 0, 0, 1, 1])\nprint("L2 = " + str(L2(yhat,y)))',
    },
    "np_2021": {
        "basic_sigmoid": 'print("basic_sigmoid(1) = " + str(basic_sigmoid(1)))\n\nbasic_sigmoid_test(basic_sigmoid)',
        "sigmoid": 't_x = np.array([1, 2, 3])\nprint("sigmoid(t_x) = " + str(sigmoid(t_x)))\n\nsigmoid_test(sigmoid)',
        "sigmoid_derivative": 't_x = np.array([1, 2, 3])\nprint ("sigmoid_derivative(t_x) = " + '
                              'str(sigmoid_derivative(t_x)))\n\nsigmoid_derivative_test(sigmoid_derivative)',
        "image2vector": f't_image = {IMAGE}\n\nprint ("image2vector(image) = " + str(image2vector(t_image)))\n\n'
                        'image2vector_test(image2vector)',
        "normalize_rows": 'x = np.array([[0, 3, 4],\n              [1, 6, 4]])\n'
                          'print("normalize_rows(x) = " + str(normalize_rows(x)))\n\nnormalizeRows_test(normalize_rows)',
        "softmax": 't_x = np.array([[9, 2, 5, 0, 0],\n                [7, 5, 0, 0 ,0]])\n'
                   'print("softmax(x) = " + str(softmax(t_x)))\n\nsoftmax_test(softmax)',
        "L1": 'yhat = np.array([.9, 0.2, 0.1, .4, .9])\ny = np.array([1, 0, 0, 1, 1])\n'
              'print("L1 = " + str(L1(yhat, y)))\n\nL1_test(L1)',
        "L2": 'yhat = np.array([.9, 0.2, 0.1, .4, .9])\ny = np.array([1, 0, 0, 1, 1])\n'
              'print("L2 = " + str(L2(yhat, y)))\n\nL2_test(L2)',
    },
}


def numpy_notebook(family: str, variant: str, *, edits: dict | None = None) -> nbformat.NotebookNode:
    """The numpy week in the shape of the notebook before 2021 (np_v3) or of 2021 (np_2021)."""
    edits = edits or {}
    new = family == "np_2021"
    first = ('# (≈ 1 line of code)\n# test = \n# YOUR CODE STARTS HERE\ntest = "Hello World"\n\n# YOUR CODE ENDS HERE'
             if new else '### START CODE HERE ### (≈ 1 line of code)\ntest = "Hello World"\n### END CODE HERE ###')
    cells = [v4.new_markdown_cell("# Python basics with numpy\n\nA warm-up: numpy's functions on whole arrays."),
             v4.new_code_cell(f'{first}\n\nprint ("test: " + test)')]
    for name in NP_FUNCTIONS:
        if name == "sigmoid":
            cells.append(v4.new_code_cell("import numpy as np\n\n# np.exp works on every entry\n"
                                          "t_x = np.array([1, 2, 3])\nprint(np.exp(t_x))"))
        cells.append(v4.new_markdown_cell(f"### {name}"))
        cells.append(v4.new_code_cell(BODIES[family][name][edits.get(name, variant)]))
        cells.append(v4.new_code_cell(NP_DEMOS[family][name]))
        if name == "softmax":
            cells.append(v4.new_code_cell("x1 = [9, 2, 5, 0, 0, 7, 5, 0, 0, 0, 9, 2, 5, 0, 0]\n"
                                          "x2 = [9, 2, 2, 9, 0, 9, 2, 5, 0, 0, 9, 2, 5, 0, 0]\ndot = 0\n"
                                          "for i in range(len(x1)):\n    dot += x1[i] * x2[i]\nprint(dot)"))
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL})
    nb.nbformat_minor = 4 if new else 2
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


NP_NOTEBOOKS = {
    "np_v3_ola_correct": ("np_v3", "correct", {}),
    "np_v3_pia_wrong": ("np_v3", "correct", {"normalize_rows": "wrong", "softmax": "wrong"}),
    "np_v3_quinn_stripped": ("np_v3", "stripped", {}),
    "np_2021_rui_correct": ("np_2021", "correct", {}),
    "np_2021_sam_stripped": ("np_2021", "stripped", {}),
}


# --------------------------------------------------------------------------- Planar data, one hidden layer

PLANAR_IMPORTS = """\
# Package imports
import numpy as np
{copy}import matplotlib.pyplot as plt
from {cases} import *
{tests}import sklearn
import sklearn.datasets
import sklearn.linear_model
from planar_utils import plot_decision_boundary, sigmoid, load_planar_dataset, load_extra_datasets

%matplotlib inline
{tail}"""


def _planar_imports(family: str) -> str:
    if family == "p_2021":
        return PLANAR_IMPORTS.format(copy="import copy\n", cases="testCases_v2", tests="from public_tests import *\n",
                                     tail="%load_ext autoreload\n%autoreload 2")
    return PLANAR_IMPORTS.format(copy="", cases="testCases" if family == "p_2017" else "testCases_v2", tests="",
                                 tail="\nnp.random.seed(1) # the same numbers on every run")


def _prints(names: list, holder: str) -> str:
    return "\n".join(f'print("{n} = " + str({holder}["{n}"]))' for n in names)


WEIGHTS = ["W1", "b1", "W2", "b2"]
GRADS = ["dW1", "db1", "dW2", "db2"]
# The cells after each graded cell: the version's own examples (their calls are the course's).
PLANAR_DEMOS = {
    "old": {
        "layer_sizes": "X_assess, Y_assess = layer_sizes_test_case()\n(n_x, n_h, n_y) = layer_sizes(X_assess, Y_assess)\n"
                       'print("The size of the input layer is: n_x = " + str(n_x))\n'
                       'print("The size of the hidden layer is: n_h = " + str(n_h))\n'
                       'print("The size of the output layer is: n_y = " + str(n_y))',
        "initialize_parameters": "n_x, n_h, n_y = initialize_parameters_test_case()\n\n"
                                 "parameters = initialize_parameters(n_x, n_h, n_y)\n" + _prints(WEIGHTS, "parameters"),
        "forward_propagation": "X_assess, parameters = forward_propagation_test_case()\n"
                               "A2, cache = forward_propagation(X_assess, parameters)\n\n"
                               "print(np.mean(cache['Z1']) ,np.mean(cache['A1']),np.mean(cache['Z2']),np.mean(cache['A2']))",
        "compute_cost": "A2, Y_assess, parameters = compute_cost_test_case()\n\n"
                        'print("cost = " + str(compute_cost(A2, Y_assess, parameters)))',
        "backward_propagation": "parameters, cache, X_assess, Y_assess = backward_propagation_test_case()\n\n"
                                "grads = backward_propagation(parameters, cache, X_assess, Y_assess)\n"
                                + _prints(GRADS, "grads"),
        "update_parameters": "parameters, grads = update_parameters_test_case()\n"
                             "parameters = update_parameters(parameters, grads)\n\n" + _prints(WEIGHTS, "parameters"),
        "nn_model": "X_assess, Y_assess = nn_model_test_case()\n"
                    "parameters = nn_model(X_assess, Y_assess, 4, num_iterations=10000, print_cost=True)\n"
                    + _prints(WEIGHTS, "parameters"),
        "predict": "parameters, X_assess = predict_test_case()\n\npredictions = predict(parameters, X_assess)\n"
                   'print("predictions mean = " + str(np.mean(predictions)))',
    },
    "p_2021": {
        "layer_sizes": "t_X, t_Y = layer_sizes_test_case()\n(n_x, n_h, n_y) = layer_sizes(t_X, t_Y)\n"
                       'print("The size of the input layer is: n_x = " + str(n_x))\n'
                       'print("The size of the hidden layer is: n_h = " + str(n_h))\n'
                       'print("The size of the output layer is: n_y = " + str(n_y))\n\nlayer_sizes_test(layer_sizes)',
        "initialize_parameters": "np.random.seed(2)\nn_x, n_h, n_y = initialize_parameters_test_case()\n"
                                 "parameters = initialize_parameters(n_x, n_h, n_y)\n\n" + _prints(WEIGHTS, "parameters")
                                 + "\n\ninitialize_parameters_test(initialize_parameters)",
        "forward_propagation": "t_X, parameters = forward_propagation_test_case()\n"
                               "A2, cache = forward_propagation(t_X, parameters)\n"
                               'print("A2 = " + str(A2))\n\nforward_propagation_test(forward_propagation)',
        "compute_cost": "A2, t_Y = compute_cost_test_case()\ncost = compute_cost(A2, t_Y)\n"
                        'print("cost = " + str(compute_cost(A2, t_Y)))\n\ncompute_cost_test(compute_cost)',
        "backward_propagation": "parameters, cache, t_X, t_Y = backward_propagation_test_case()\n\n"
                                "grads = backward_propagation(parameters, cache, t_X, t_Y)\n" + _prints(GRADS, "grads")
                                + "\n\nbackward_propagation_test(backward_propagation)",
        "update_parameters": "parameters, grads = update_parameters_test_case()\n"
                             "parameters = update_parameters(parameters, grads)\n\n" + _prints(WEIGHTS, "parameters")
                             + "\n\nupdate_parameters_test(update_parameters)",
        "nn_model": "nn_model_test(nn_model)",
        "predict": "parameters, t_X = predict_test_case()\n\npredictions = predict(parameters, t_X)\n"
                   'print("Predictions: " + str(predictions))\n\npredict_test(predict)',
    },
}
PLANAR_EXPLAINED = {
    "layer_sizes": "How big is each layer? The input's and output's sizes come from the data; the hidden layer has 4 units.",
    "initialize_parameters": "Small random weights, so that the hidden units differ; zero biases.",
    "forward_propagation": "From the inputs to the output: a tanh hidden layer, then a sigmoid.",
    "compute_cost": "How far the outputs are from the labels: the cross-entropy, averaged over the examples.",
    "backward_propagation": "The gradients, from the output layer back to the first one.",
    "update_parameters": "One step downhill for every parameter.",
    "nn_model": "Everything together, repeated: forward, cost, backward, update.",
    "predict": "Blue where the network's output is above one half, red otherwise.",
}


def planar_notebook(family: str, variant: str, *, edits: dict | None = None) -> nbformat.NotebookNode:
    """The planar-data week in the shape of the notebooks of 2017 (p_2017), 2018 (p_v5), 2020
    (p_v6c) or 2021 and later (p_2021); solved as ``variant`` says, ``edits`` for the functions
    that differ."""
    edits = edits or {}
    cells_family = {"p_2017": "p_old", "p_v5": "p_old"}.get(family, family)
    new = family == "p_2021"
    cells = [v4.new_markdown_cell("# Planar data classification with one hidden layer\n\n"
                                  "A network with one hidden layer separates classes no straight line can."),
             v4.new_code_cell(_planar_imports(family)),
             v4.new_markdown_cell("## The data\n\nA flower of red and blue points."),
             v4.new_code_cell("X, Y = load_planar_dataset()"),
             v4.new_code_cell("plt.scatter(X[0, :], X[1, :], c=Y, s=40, cmap=plt.cm.Spectral);")]
    if new:
        shapes = ("# (≈ 3 lines of code)\n# shape_X = ...\n# shape_Y = ...\n# training set size\n# m = ...\n"
                  "# YOUR CODE STARTS HERE\nshape_X = X.shape\nshape_Y = Y.shape\nm = X.shape[1]\n"
                  "# YOUR CODE ENDS HERE")
    else:
        shapes = ("### START CODE HERE ### (≈ 3 lines of code)\nshape_X = X.shape\nshape_Y = Y.shape\n"
                  "m = X.shape[1]  # training set size\n### END CODE HERE ###")
    cells.append(v4.new_code_cell(shapes + "\n\nprint ('The shape of X is: ' + str(shape_X))"))
    cells.append(v4.new_code_cell("clf = sklearn.linear_model.LogisticRegressionCV();\nclf.fit(X.T, Y.T);"))
    demos = PLANAR_DEMOS["p_2021" if new else "old"]
    for name in planar_cells.FUNCTIONS:
        cells.append(v4.new_markdown_cell(f"### {name}\n\n{PLANAR_EXPLAINED[name]}"))
        body = planar_cells.cell(cells_family, name, edits.get(name, variant))
        cells.append(v4.new_code_cell(f"# GRADED FUNCTION: {name}\n\n{body}"))
        cells.append(v4.new_code_cell(demos[name]))
    cells.append(v4.new_code_cell("parameters = nn_model(X, Y, n_h = 4, num_iterations = 10000, print_cost=True)\n\n"
                                  "plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)\n"
                                  'plt.title("Decision Boundary for hidden layer size " + str(4))'))
    cells.append(v4.new_code_cell("predictions = predict(parameters, X)\n"
                                  "print ('Accuracy: %d' % float((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) "
                                  "/ float(Y.size) * 100) + '%')"))
    cells.append(v4.new_code_cell("noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure = "
                                  "load_extra_datasets()\n\ndatasets = {\"noisy_circles\": noisy_circles,\n"
                                  "            \"noisy_moons\": noisy_moons}\n\ndataset = \"noisy_moons\"\n\n"
                                  "X, Y = datasets[dataset]\nX, Y = X.T, Y.reshape(1, Y.shape[0])"))
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL})
    if new:
        nb.nbformat_minor = 4
    else:
        nb.metadata["coursera"] = {**COURSERA, "graded_item_id": "wRuwL", "launcher_item_id": "NI888"}
        nb.nbformat_minor = 2
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


PLANAR_NOTEBOOKS = {
    "p_2017_ana_correct": ("p_2017", "correct", {}),
    "p_2017_bo_wrong": ("p_2017", "correct", {"layer_sizes": "wrong", "compute_cost": "wrong", "predict": "wrong"}),
    "p_2017_cy_stripped": ("p_2017", "stripped", {}),
    "p_v5_dee_correct": ("p_v5", "correct", {"predict": "dot"}),
    "p_v5_eli_wrong": ("p_v5", "correct", {"forward_propagation": "wrong", "backward_propagation": "wrong",
                                           "nn_model": "wrong"}),
    "p_v5_fay_stripped": ("p_v5", "stripped", {}),
    "p_v6c_gil_correct": ("p_v6c", "correct", {"compute_cost": "dot"}),
    "p_v6c_hal_wrong": ("p_v6c", "correct", {"initialize_parameters": "wrong", "update_parameters": "wrong",
                                             "compute_cost": "wrong"}),
    "p_v6c_ira_stripped": ("p_v6c", "stripped", {}),
    "p_2021_jon_correct": ("p_2021", "correct", {"compute_cost": "dot", "predict": "dot"}),
    "p_2021_kim_wrong": ("p_2021", "correct", {"layer_sizes": "wrong", "forward_propagation": "wrong",
                                               "nn_model": "wrong", "predict": "wrong"}),
    "p_2021_lu_stripped": ("p_2021", "stripped", {}),
}


def build() -> dict:
    """assignment -> {name: the notebook's text (what ``notebooks/<assignment>/<name>.ipynb`` holds)}."""
    texts: dict = {"logreg": {}, "numpy_basics": {}, "planar": {}}
    for name, (family, variant, edits, updates) in NOTEBOOKS.items():
        texts["logreg"][name] = nbformat.writes(notebook(family, variant, edits=edits, updates=updates)) + "\n"
    for name, (family, variant, edits) in NP_NOTEBOOKS.items():
        texts["numpy_basics"][name] = nbformat.writes(numpy_notebook(family, variant, edits=edits)) + "\n"
    for name, (family, variant, edits) in PLANAR_NOTEBOOKS.items():
        texts["planar"][name] = nbformat.writes(planar_notebook(family, variant, edits=edits)) + "\n"
    return texts


if __name__ == "__main__":
    for assignment, notebooks in build().items():
        (NOTEBOOKS_DIR / assignment).mkdir(parents=True, exist_ok=True)
        for name, text in notebooks.items():
            (NOTEBOOKS_DIR / assignment / f"{name}.ipynb").write_text(text, encoding="utf-8")
            print(f"wrote {assignment}/{name}.ipynb")
