"""The reference solutions reproduce the course's published values; the data sets they train on."""
import hashlib
import sys
import warnings

import numpy as np
import pytest

from grader.reference import load_reference
from helpers_logreg import ROOT, SHARED_DATASETS

SOLUTION = ROOT / "solutions" / "logreg" / "logreg.py"
FUNCTIONS = ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"]

W = np.array([[1.0], [2.0]])
B = 2.0
X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
Y = np.array([[1, 0, 1]])


@pytest.fixture(scope="module")
def ref():
    return load_reference(SOLUTION, FUNCTIONS).module


@pytest.fixture(scope="module")
def lr_utils():
    sys.path.insert(0, str(SOLUTION.parent))
    try:
        import lr_utils
    finally:
        sys.path.remove(str(SOLUTION.parent))
    return lr_utils


def accuracy(prediction, labels) -> float:
    return 100 - np.mean(np.abs(prediction - labels)) * 100


def flatten(images):
    return images.reshape(images.shape[0], -1).T / 255.0


def test_sigmoid_and_initialize(ref):
    assert np.allclose(ref.sigmoid(np.array([0, 2])), [0.5, 0.88079708])
    w, b = ref.initialize_with_zeros(2)
    assert w.shape == (2, 1) and not w.any()
    assert type(b) is float and b == 0.0


def test_propagate_published_values(ref):
    grads, cost = ref.propagate(W, B, X, Y)
    assert grads["dw"].shape == (2, 1)
    assert np.allclose(grads["dw"], [[0.99845601], [2.39507239]], rtol=0, atol=1e-8)
    assert isinstance(grads["db"], float)
    assert grads["db"] == pytest.approx(0.00145557813678, abs=1e-12)
    assert np.ndim(cost) == 0
    assert float(cost) == pytest.approx(5.801545319394553, rel=1e-12)


def test_optimize_published_values(ref):
    params, grads, costs = ref.optimize(W, B, X, Y, num_iterations=100, learning_rate=0.009)
    assert np.allclose(params["w"], [[0.19033591], [0.12259159]], rtol=0, atol=1e-8)
    assert params["b"] == pytest.approx(1.92535983008, abs=1e-10)
    assert np.allclose(grads["dw"], [[0.67752042], [1.41625495]], rtol=0, atol=1e-8)
    assert grads["db"] == pytest.approx(0.219194504541, abs=1e-11)
    assert len(costs) == 1


def test_optimize_does_not_change_its_inputs(ref):
    w = W.copy()
    ref.optimize(w, B, X, Y, num_iterations=10)
    assert np.array_equal(w, W)


def test_predict_published_values(ref):
    w = np.array([[0.1124579], [0.23106775]])
    b = -0.3
    x = np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])
    prediction = ref.predict(w, b, x)
    assert prediction.shape == (1, 3)
    assert prediction.dtype.kind == "f"
    assert np.array_equal(prediction, [[1.0, 1.0, 0.0]])


def test_synthetic_dataset_layout_and_determinism(lr_utils):
    first = lr_utils.synthetic_dataset()
    train_x, train_y, test_x, test_y, classes = first
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3) and test_x.dtype == np.uint8
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert train_y.dtype == test_y.dtype == np.int64
    assert set(np.unique(train_y)) == set(np.unique(test_y)) == {0, 1}
    assert list(classes) == [b"non-cat", b"cat"]
    again = lr_utils.synthetic_dataset()
    for a, b in zip(first, again):
        assert np.array_equal(a, b)
    # Pictures, not constant noise: they differ and use the whole range.
    assert len({hashlib.sha256(image.tobytes()).hexdigest() for image in train_x}) == 209
    assert train_x.min() < 30 and train_x.max() > 225


def test_reference_model_learns_the_synthetic_set(ref, lr_utils):
    """The figures docs/dataset.md states (2000 iterations, learning rate 0.005)."""
    train_x, train_y, test_x, test_y, _ = lr_utils.synthetic_dataset()
    result = ref.model(flatten(train_x), train_y, flatten(test_x), test_y, num_iterations=2000, learning_rate=0.005)
    chance = 100 * max(test_y.mean(), 1 - test_y.mean())  # always answering the majority class
    assert chance == 50.0
    train, test = accuracy(result["Y_prediction_train"], train_y), accuracy(result["Y_prediction_test"], test_y)
    assert train == pytest.approx(97.61, abs=0.01)
    assert test == pytest.approx(74.0, abs=0.01)
    assert test >= chance + 15
    costs = np.array(result["costs"], dtype=float)
    assert len(costs) == 20 and costs[0] == pytest.approx(np.log(2)) and np.all(np.diff(costs) < 0)


def test_load_dataset_falls_back_to_the_synthetic_set(lr_utils, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(lr_utils.ENV_VAR, raising=False)
    if lr_utils.find_dataset_dir() is not None:
        pytest.skip("course files next to lr_utils.py")
    loaded = lr_utils.load_dataset()
    for a, b in zip(loaded, lr_utils.synthetic_dataset()):
        assert np.array_equal(a, b)
    assert "synthetic" in lr_utils.dataset_source()


def test_load_dataset_without_h5py_warns_and_falls_back(lr_utils, tmp_path, monkeypatch):
    (tmp_path / lr_utils.TRAIN_FILE).write_bytes(b"not really hdf5")
    (tmp_path / lr_utils.TEST_FILE).write_bytes(b"not really hdf5")
    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py now raises ImportError
    with pytest.warns(UserWarning, match="h5py is not installed"):
        loaded = lr_utils.load_dataset(tmp_path)
    assert loaded[0].shape == (209, 64, 64, 3)


needs_course_files = pytest.mark.skipif(
    not (SHARED_DATASETS / "train_catvnoncat.h5").is_file(), reason="../shared/datasets/ not present")


@needs_course_files
def test_course_files_load_through_env_var_with_the_course_layout(lr_utils, monkeypatch, tmp_path):
    pytest.importorskip("h5py")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(lr_utils.ENV_VAR, str(SHARED_DATASETS))
    assert lr_utils.find_dataset_dir() == SHARED_DATASETS
    train_x, train_y, test_x, test_y, classes = lr_utils.load_dataset()
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3)
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert list(classes) == [b"non-cat", b"cat"]
    assert int(train_y.sum()) == 72


@needs_course_files
def test_reference_model_reaches_the_course_accuracy_on_the_course_files(ref, lr_utils):
    pytest.importorskip("h5py")
    train_x, train_y, test_x, test_y, _ = lr_utils.load_dataset(SHARED_DATASETS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or divide warnings on the real data
        result = ref.model(flatten(train_x), train_y, flatten(test_x), test_y,
                           num_iterations=2000, learning_rate=0.005)
    assert accuracy(result["Y_prediction_train"], train_y) == pytest.approx(99.04306220095694, abs=1e-9)
    assert accuracy(result["Y_prediction_test"], test_y) == pytest.approx(70.0, abs=1e-9)
    costs = [float(c) for c in result["costs"]]
    assert len(costs) == 20
    assert costs[0] == pytest.approx(0.693147, abs=1e-6)
    assert costs[-1] == pytest.approx(0.140872, abs=1e-6)
