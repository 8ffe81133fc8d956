"""Hand-written hidden tests of the planar assignment (see solutions/logreg/test_hidden_properties.py).

They teach what the generated checks cannot: properties that hold for any input (the range of
tanh and of the sigmoid, the cost of a coin flip, symmetry breaking), and calls with real
dictionaries of numpy arrays, which config.yaml cannot describe yet (its literal dictionaries
hold nested lists).
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
def test_forward_propagation_with_numpy_parameters(student, reference):
    """Another network, with its parameters as numpy arrays; tanh and sigmoid keep their ranges."""
    parameters = _network(3, 5, 1, seed=901)
    X = np.random.default_rng(902).normal(0.0, 2.0, (3, 7))
    A2, cache = student.forward_propagation(X, parameters)
    expected_A2, expected_cache = reference.forward_propagation(X, parameters)
    A1 = np.asarray(cache["A1"], dtype=float)
    assert np.all(np.abs(A1) < 1) and np.any(A1 < 0)      # tanh in the hidden layer: in (-1, 1)
    assert np.all((A2 > 0) & (A2 < 1))                   # sigmoid at the output: in (0, 1)
    np.testing.assert_allclose(A2, expected_A2, rtol=1e-6, atol=1e-9)
    for key in ("Z1", "A1", "Z2", "A2"):
        np.testing.assert_allclose(cache[key], expected_cache[key], rtol=1e-6, atol=1e-9)


@pytest.mark.grade(function="compute_cost", points=1, check="values")
def test_cost_of_a_coin_flip_is_log_2_whatever_the_number_of_examples(student):
    """An output of 0.5 for every example costs log(2), for any labels and any m."""
    for m in (1, 4, 25):
        Y = (np.arange(m).reshape(1, m) % 3 == 0).astype(float)
        cost = student.compute_cost(np.full((1, m), 0.5), Y)
        assert float(np.squeeze(cost)) == pytest.approx(np.log(2), rel=1e-9)


@pytest.mark.grade(function="update_parameters", points=1, check="values")
def test_update_parameters_with_numpy_parameters(student, reference):
    """A gradient step on arrays of every shape of the network, with another learning rate."""
    parameters = _network(2, 4, 1, seed=911)
    grads = {"d" + key: value for key, value in _network(2, 4, 1, seed=912).items()}
    updated = student.update_parameters(parameters, grads, learning_rate=0.7)
    expected = reference.update_parameters(parameters, grads, learning_rate=0.7)
    assert sorted(updated) == sorted(expected)
    for name, wanted in expected.items():
        assert np.shape(updated[name]) == wanted.shape
        np.testing.assert_allclose(updated[name], wanted, rtol=1e-9, atol=1e-12)


@pytest.mark.grade(function="predict", points=1, check="values")
def test_predict_with_numpy_parameters(student, reference):
    """Predictions of another network, with its parameters as numpy arrays."""
    parameters = _network(2, 3, 1, seed=921)
    X = np.random.default_rng(922).normal(0.0, 1.5, (2, 15))
    predictions = np.asarray(student.predict(parameters, X))
    assert predictions.shape == (1, 15)
    np.testing.assert_array_equal(predictions.astype(bool), reference.predict(parameters, X))
