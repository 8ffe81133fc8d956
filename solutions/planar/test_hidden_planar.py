"""Hand-written hidden tests of the planar assignment (see solutions/logreg/test_hidden_properties.py).

They teach what the generated checks cannot: properties that hold for any input (the range of
tanh and of the sigmoid, the cost of a coin flip, symmetry breaking).
"""
import numpy as np
import pytest


def _network(n_x, n_h, n_y, seed):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, 1.0, (n_h, n_x)), "b1": rng.normal(0.0, 0.5, (n_h, 1)),
            "W2": rng.normal(0.0, 1.0, (n_y, n_h)), "b2": rng.normal(0.0, 0.5, (n_y, 1))}


@pytest.mark.grade(function="initialize_parameters", points=1, check="values")
def test_initialize_parameters_breaks_the_symmetry(student):
    """Small random weights, different for every hidden unit; zero biases."""
    parameters = student.initialize_parameters(3, 6, 2)
    W1, W2 = np.asarray(parameters["W1"], dtype=float), np.asarray(parameters["W2"], dtype=float)
    assert W1.shape == (6, 3) and W2.shape == (2, 6)
    # Two equal rows of W1 (or columns of W2) are two hidden units that stay identical forever.
    assert len({tuple(row) for row in W1.round(12)}) == 6
    assert len({tuple(col) for col in W2.T.round(12)}) == 6
    assert 0 < np.abs(W1).max() < 0.1 and 0 < np.abs(W2).max() < 0.1
    assert not np.any(parameters["b1"]) and not np.any(parameters["b2"])


@pytest.mark.grade(function="forward_propagation", points=1, check="values")
def test_forward_propagation_keeps_the_ranges_of_tanh_and_the_sigmoid(student):
    """tanh in the hidden layer (outputs in (-1, 1), some negative), the sigmoid at the output."""
    parameters = _network(3, 5, 1, seed=901)
    X = np.random.default_rng(902).normal(0.0, 2.0, (3, 7))
    A2, cache = student.forward_propagation(X, parameters)
    A1 = np.asarray(cache["A1"], dtype=float)
    assert np.all(np.abs(A1) < 1) and np.any(A1 < 0)      # tanh in the hidden layer: in (-1, 1)
    assert np.all((A2 > 0) & (A2 < 1))                   # sigmoid at the output: in (0, 1)


@pytest.mark.grade(function="compute_cost", points=1, check="values")
def test_cost_of_a_coin_flip_is_log_2_whatever_the_number_of_examples(student):
    """An output of 0.5 for every example costs log(2), for any labels and any m."""
    for m in (1, 4, 25):
        Y = (np.arange(m).reshape(1, m) % 3 == 0).astype(float)
        cost = student.compute_cost(np.full((1, m), 0.5), Y)
        assert float(np.squeeze(cost)) == pytest.approx(np.log(2), rel=1e-9)
