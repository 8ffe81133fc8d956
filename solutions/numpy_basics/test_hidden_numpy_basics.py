"""Hand-written hidden tests of "Python Basics with Numpy": properties the generated checks
(outputs against the reference on fixed inputs) do not state.

Fixtures: ``student`` (the student's functions, sandboxed), ``reference``, ``cases``.
``@pytest.mark.grade(function=..., points=..., check=...)`` says what a test is worth.
Each test calls only the function it grades, so one mistake costs one function's points.
"""
import numpy as np
import pytest


@pytest.mark.grade(function="basic_sigmoid", points=1, check="values")
def test_basic_sigmoid_is_symmetric_around_one_half(student):
    """sigmoid(-x) = 1 - sigmoid(x), and sigmoid(0) = 1/2, on plain Python numbers."""
    for x in (0.0, 0.3, 1.0, 2.5, 7.0, 15.0):
        up, down = float(student.basic_sigmoid(x)), float(student.basic_sigmoid(-x))
        assert abs(up + down - 1.0) < 1e-12, f"basic_sigmoid({x}) + basic_sigmoid({-x}) should be 1"
        assert 0.5 <= up < 1.0


@pytest.mark.grade(function="sigmoid_derivative", points=1, check="values")
def test_sigmoid_derivative_is_even_and_peaks_at_one_quarter(student):
    """sigma'(-x) = sigma'(x), at most 1/4, reached at x = 0, and decreasing in |x|."""
    x = np.linspace(0.0, 12.0, 49).reshape(1, -1)
    right = np.asarray(student.sigmoid_derivative(x), dtype=float)
    left = np.asarray(student.sigmoid_derivative(-x), dtype=float)
    assert right.shape == x.shape and left.shape == x.shape
    np.testing.assert_allclose(left, right, rtol=1e-9, atol=1e-15)
    assert right[0, 0] == pytest.approx(0.25, abs=1e-12)
    assert np.all(np.diff(right[0]) < 0)


@pytest.mark.grade(function="normalize_rows", points=1, check="values")
def test_normalize_rows_gives_unit_rows_of_the_same_direction(student):
    """Every row comes out of length 1, pointing the same way, and scaling a row changes nothing."""
    rng = np.random.default_rng(9101)
    x = rng.standard_normal((6, 9))
    scales = rng.uniform(0.1, 20.0, (6, 1))
    out = np.asarray(student.normalize_rows(x), dtype=float)
    assert out.shape == x.shape
    np.testing.assert_allclose(np.sqrt(np.sum(out ** 2, axis=1)), 1.0, rtol=1e-9)
    # same direction: each output row is a positive multiple of its input row
    ratio = out * np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(ratio, x, rtol=1e-9, atol=1e-12)
    scaled = np.asarray(student.normalize_rows(x * scales), dtype=float)
    np.testing.assert_allclose(scaled, out, rtol=1e-9, atol=1e-12)


@pytest.mark.grade(function="softmax", points=1, check="values")
def test_softmax_rows_are_probabilities_unchanged_by_a_shift(student):
    """Each row is positive and sums to 1; adding a constant to a row leaves its softmax unchanged."""
    rng = np.random.default_rng(9201)
    x = rng.standard_normal((7, 4)) * 3.0
    shift = rng.uniform(-5.0, 5.0, (7, 1))
    s = np.asarray(student.softmax(x), dtype=float)
    assert s.shape == x.shape
    assert np.all(s > 0)
    np.testing.assert_allclose(np.sum(s, axis=1), 1.0, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(student.softmax(x + shift), dtype=float), s, rtol=1e-7, atol=1e-12)


@pytest.mark.grade(function="L2", points=1, check="values")
def test_L2_grows_with_the_square_of_the_error(student):
    """Doubling every error multiplies the L2 loss by 4 (an L1 loss, or a plain sum, only doubles)."""
    rng = np.random.default_rng(9301)
    y = (rng.random(12) < 0.5).astype(float)
    error = rng.uniform(0.05, 0.2, 12) * np.where(y > 0, -1.0, 1.0)
    once = float(np.squeeze(student.L2(y + error, y)))
    twice = float(np.squeeze(student.L2(y + 2 * error, y)))
    assert once > 0
    assert twice == pytest.approx(4 * once, rel=1e-9)
    assert float(np.squeeze(student.L2(y, y))) == 0.0
