"""Data and plotting helpers for the planar-classification assignment (no download needed).

``load_planar_dataset()`` draws the course's two-class "flower" in the plane, offline and
deterministically: 400 points, ``X`` of shape (2, 400) (one column per point) and labels
``Y`` of shape (1, 400) (``uint8``, 0 = red, 1 = blue), 200 points per class.

How the flower is drawn (the course's construction, seed 1): each class takes 200 angles
``t`` evenly spread over its own half turn (class 0 over [0, 3.12], class 1 over
[3.12, 6.24]) plus Gaussian noise of standard deviation 0.2; a point lies at distance
``r = 4 sin(4 t)`` from the origin, plus noise of the same size, in the direction ``t``:
``(r sin t, r cos t)``. The curve ``r = 4 sin(4 t)`` is a rose with eight petals; since each
class covers every other half turn, the two classes share the petals in a way no straight
line can separate.

``plot_decision_boundary(model, X, Y)`` colours the plane by the class ``model`` predicts
and draws the points on top; it needs matplotlib (imported only when called).

``load_extra_datasets()`` gives the five other two-dimensional data sets the notebook's last
section tries the network on (circles, moons, blobs, Gaussian quantiles, no structure), drawn
with numpy alone.

``sigmoid(x)`` is the output layer's activation, as in the course's own ``planar_utils``
(the notebook defines it too; ``from planar_utils import sigmoid`` works as well).
"""
from __future__ import annotations

import numpy as np

POINTS = 400        # examples in the flower
PETAL_REACH = 4     # the largest distance of a petal from the origin
NOISE = 0.2         # standard deviation of the noise on the angles and on the distances
HALF_TURN = 3.12    # the span of angles of each class (just under pi)


def load_planar_dataset(seed=1):
    """
    The two-class "flower" data set.

    Arguments:
    seed -- the random seed (the course's figures are for seed 1)

    Returns:
    X -- the points, a numpy array of shape (2, 400): one column (x1, x2) per point
    Y -- the labels, a numpy array of shape (1, 400) and dtype uint8 (0 = red, 1 = blue)
    """
    # A private generator with the legacy stream: the same numbers as np.random.seed(seed)
    # followed by np.random.randn, without changing numpy's global random state.
    rng = np.random.RandomState(seed)
    per_class = POINTS // 2
    points = np.zeros((POINTS, 2))
    labels = np.zeros((POINTS, 1), dtype="uint8")
    for label in (0, 1):
        rows = slice(label * per_class, (label + 1) * per_class)
        start = label * HALF_TURN
        # The angle noise is drawn before the distance noise, for each class in turn.
        angle = np.linspace(start, start + HALF_TURN, per_class) + NOISE * rng.randn(per_class)
        reach = PETAL_REACH * np.sin(4 * angle) + NOISE * rng.randn(per_class)
        points[rows, 0] = reach * np.sin(angle)
        points[rows, 1] = reach * np.cos(angle)
        labels[rows, 0] = label
    return points.T, labels.T


def sigmoid(x):
    """
    The sigmoid (logistic) function, element by element.

    Arguments:
    x -- a scalar or numpy array of any shape

    Returns:
    s -- 1 / (1 + exp(-x)), of the same shape as x
    """
    return 1 / (1 + np.exp(-x))


def plot_decision_boundary(model, X, Y, resolution=0.01):
    """
    Colour the plane by the class a model predicts, and draw the data points on top.

    Arguments:
    model -- a function taking points as rows, a numpy array of shape (k, 2), and returning
             one prediction (0/1 or False/True) per point
    X -- the points, of shape (2, m)
    Y -- their labels, of shape (1, m)
    resolution -- the step of the grid of points the model is evaluated on
    """
    import matplotlib.pyplot as plt  # only the plots need matplotlib

    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    grid_x, grid_y = np.meshgrid(np.arange(x_min, x_max, resolution), np.arange(y_min, y_max, resolution))
    predicted = np.asarray(model(np.c_[grid_x.ravel(), grid_y.ravel()]), dtype=float)
    plt.contourf(grid_x, grid_y, predicted.reshape(grid_x.shape), cmap=plt.cm.Spectral)
    plt.ylabel("x2")
    plt.xlabel("x1")
    plt.scatter(X[0, :], X[1, :], c=np.ravel(Y), cmap=plt.cm.Spectral)


EXTRA_POINTS = 200  # examples in each of load_extra_datasets' data sets


def load_extra_datasets(seed=0):
    """
    Five more data sets in the plane, to see what the network does with other shapes.

    Arguments:
    seed -- the random seed

    Returns:
    noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure -- each a pair (X, Y):
    X of shape (200, 2), one row per point, and Y of shape (200,), the labels (integers; blobs
    has six, 0 to 5, the notebook keeps their parity)
    """
    rng = np.random.RandomState(seed)
    half = EXTRA_POINTS // 2
    turn = np.linspace(0, 2 * np.pi, half, endpoint=False)
    labels = np.repeat([0, 1], half)

    # two rings, the inner one half the size of the outer, with noise
    circles = np.r_[np.c_[np.cos(turn), np.sin(turn)], 0.5 * np.c_[np.cos(turn), np.sin(turn)]]
    noisy_circles = (circles + 0.3 * rng.randn(EXTRA_POINTS, 2), 1 - labels)

    # two interleaved half circles
    arc = np.linspace(0, np.pi, half)
    moons = np.r_[np.c_[np.cos(arc), np.sin(arc)], np.c_[1 - np.cos(arc), 0.5 - np.sin(arc)]]
    noisy_moons = (moons + 0.2 * rng.randn(EXTRA_POINTS, 2), labels)

    # six Gaussian clusters around random centres
    centres = rng.uniform(-10, 10, (6, 2))
    blob = rng.randint(0, 6, EXTRA_POINTS)
    blobs = (centres[blob] + rng.randn(EXTRA_POINTS, 2), blob)

    # one Gaussian cloud, split in two classes by the distance from its centre
    cloud = 0.5 * rng.randn(EXTRA_POINTS, 2)
    distance = np.sum(cloud ** 2, axis=1)
    gaussian_quantiles = (cloud, (distance > np.median(distance)).astype(int))

    # points and labels with nothing to learn
    no_structure = (rng.rand(EXTRA_POINTS, 2), rng.randint(0, 2, EXTRA_POINTS))

    return noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure
