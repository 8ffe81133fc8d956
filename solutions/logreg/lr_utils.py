"""Load the cat / non-cat picture set for the logistic-regression assignment.

``load_dataset()`` returns the same five things as the course's helper:

    train_set_x_orig  (209, 64, 64, 3) uint8   training pictures
    train_set_y       (1, 209)         int64   labels: 1 = cat, 0 = non-cat
    test_set_x_orig   (50, 64, 64, 3)  uint8   test pictures
    test_set_y        (1, 50)          int64
    classes           (2,)             bytes   [b'non-cat', b'cat']

If you have the course's files ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``,
put them in a ``datasets/`` folder next to the notebook (or point the environment
variable ``CATVNONCAT_DIR`` at their folder) and install ``h5py``: they are used.
Otherwise a small synthetic picture set of the same shapes is drawn, deterministically,
with numpy alone: cartoon cat faces (a round head with two pointed ears and eyes, in
fur colours) against other pictures (balls, boxes, stripes, blobs), over noisy
backgrounds. Logistic regression learns it well above chance, but not perfectly.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
ENV_VAR = "CATVNONCAT_DIR"
CLASSES = np.array([b"non-cat", b"cat"], dtype="S7")

SIZE = 64
# (examples, cats, seed) of each synthetic split; the counts follow the course's files.
_TRAIN = (209, 72, 20240521)
_TEST = (50, 25, 20240522)


def load_dataset(data_dir=None):
    """The cat / non-cat set: the course's files if found, else the synthetic set."""
    folder = find_dataset_dir(data_dir)
    if folder is not None:
        try:
            return _load_h5(folder)
        except ImportError:
            warnings.warn(f"found {TRAIN_FILE} in {folder} but h5py is not installed "
                          "(pip install h5py); using the synthetic picture set instead", stacklevel=2)
    return synthetic_dataset()


def dataset_source(data_dir=None) -> str:
    """A one-line description of what ``load_dataset`` will use."""
    folder = find_dataset_dir(data_dir)
    if folder is not None:
        return f"the course's cat / non-cat files in {folder}"
    return "the synthetic cat / non-cat picture set (no course files found)"


def find_dataset_dir(data_dir=None):
    """The first folder holding both course files: ``data_dir``, $CATVNONCAT_DIR, ./datasets,
    or ``datasets/`` next to this file. None if there is none."""
    candidates = []
    if data_dir is not None:
        candidates.append(Path(data_dir))
    if os.environ.get(ENV_VAR):
        candidates.append(Path(os.environ[ENV_VAR]))
    candidates += [Path.cwd() / "datasets", Path(__file__).resolve().parent / "datasets"]
    for folder in candidates:
        if (folder / TRAIN_FILE).is_file() and (folder / TEST_FILE).is_file():
            return folder
    return None


def _load_h5(folder: Path):
    import h5py  # optional: only needed for the course's files

    with h5py.File(folder / TRAIN_FILE, "r") as train:
        train_set_x_orig = np.array(train["train_set_x"][:])
        train_set_y = np.array(train["train_set_y"][:])
    with h5py.File(folder / TEST_FILE, "r") as test:
        test_set_x_orig = np.array(test["test_set_x"][:])
        test_set_y = np.array(test["test_set_y"][:])
        classes = np.array(test["list_classes"][:])
    train_set_y = train_set_y.reshape((1, train_set_y.shape[0]))
    test_set_y = test_set_y.reshape((1, test_set_y.shape[0]))
    return train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes


# --------------------------------------------------------------------------- synthetic set


def synthetic_dataset():
    """The deterministic synthetic set, in the layout of the course's files."""
    train_x, train_y = _split(*_TRAIN)
    test_x, test_y = _split(*_TEST)
    return train_x, train_y, test_x, test_y, CLASSES.copy()


def _split(count, cats, seed):
    rng = np.random.default_rng(seed)
    labels = np.zeros(count, dtype=np.int64)
    labels[:cats] = 1
    labels = rng.permutation(labels)
    images = np.empty((count, SIZE, SIZE, 3), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i] = _cat(rng) if label else _other(rng)
    return images, labels.reshape(1, count)


_YY, _XX = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)

# Fur colours (RGB in 0..1): ginger, brown, cream, grey, black-and-white's grey, tabby.
_FUR = np.array([[0.85, 0.52, 0.20], [0.55, 0.36, 0.22], [0.92, 0.82, 0.62],
                 [0.55, 0.55, 0.58], [0.30, 0.28, 0.28], [0.72, 0.60, 0.42]])


def _background(rng):
    """A smooth two-colour gradient in a random direction, plus pixel noise."""
    a, b = rng.uniform(0.1, 0.7, (2, 3))
    angle = rng.uniform(0, 2 * np.pi)
    t = (np.cos(angle) * _XX + np.sin(angle) * _YY) / SIZE
    t = (t - t.min()) / (t.max() - t.min())
    image = a + (b - a) * t[..., None]
    return image + rng.normal(0, 0.04, image.shape)


def _paint(image, mask, colour, rng, texture=0.05):
    noise = rng.normal(0, texture, image.shape)
    image[mask] = colour + noise[mask]


def _triangle(ax, ay, bx, by, cx, cy):
    """Mask of the triangle ABC (points inside all three edges)."""
    def side(px, py, qx, qy):
        return (qx - px) * (_YY - py) - (qy - py) * (_XX - px)
    d1, d2, d3 = side(ax, ay, bx, by), side(bx, by, cx, cy), side(cx, cy, ax, ay)
    return ((d1 >= 0) & (d2 >= 0) & (d3 >= 0)) | ((d1 <= 0) & (d2 <= 0) & (d3 <= 0))


def _cat(rng):
    image = _background(rng)
    cx, cy = rng.normal(32, 2.5), rng.normal(36, 2)
    r = rng.uniform(13, 16)
    fur = np.clip(_FUR[rng.integers(len(_FUR))] + rng.normal(0, 0.06, 3), 0, 1)
    head = (_XX - cx) ** 2 + ((_YY - cy) / 0.9) ** 2 <= r ** 2
    ears = np.zeros_like(head)
    for sign in (-1, 1):
        base_in, base_out = cx + sign * 0.15 * r, cx + sign * 0.95 * r
        tip_x, tip_y = cx + sign * 0.75 * r, cy - 1.55 * r
        ears |= _triangle(base_in, cy - 0.5 * r, base_out, cy - 0.3 * r, tip_x, tip_y)
    _paint(image, head | ears, fur, rng, texture=0.07)
    eye_colour = np.array([0.35, 0.75, 0.25]) if rng.random() < 0.5 else np.array([0.9, 0.8, 0.15])
    for sign in (-1, 1):
        eye = (_XX - (cx + sign * 0.4 * r)) ** 2 + (_YY - (cy - 0.1 * r)) ** 2 <= (0.16 * r) ** 2
        _paint(image, eye, eye_colour, rng, texture=0.03)
    nose = (_XX - cx) ** 2 + (_YY - (cy + 0.3 * r)) ** 2 <= (0.09 * r) ** 2
    _paint(image, nose, np.array([0.85, 0.45, 0.5]), rng, texture=0.02)
    return _to_uint8(image)


def _other(rng):
    image = _background(rng)
    kind = rng.integers(4)
    colour = rng.uniform(0, 1, 3)
    if kind == 0:  # a ball, anywhere
        cx, cy, r = rng.uniform(12, 52), rng.uniform(12, 52), rng.uniform(6, 18)
        _paint(image, (_XX - cx) ** 2 + (_YY - cy) ** 2 <= r ** 2, colour, rng)
    elif kind == 1:  # one or two boxes (houses, tables, screens)
        for _ in range(rng.integers(1, 3)):
            x0, y0 = rng.uniform(0, 44, 2)
            w, h = rng.uniform(10, 30, 2)
            _paint(image, (_XX >= x0) & (_XX < x0 + w) & (_YY >= y0) & (_YY < y0 + h), rng.uniform(0, 1, 3), rng)
    elif kind == 2:  # stripes (a landscape, a fence)
        period = rng.uniform(6, 16)
        phase = rng.uniform(0, period)
        along = _YY if rng.random() < 0.5 else _XX
        _paint(image, ((along + phase) % period) < period / 2, colour, rng)
    else:  # a blob without ears: the hard negatives, sometimes in fur colours
        if rng.random() < 0.3:
            colour = np.clip(_FUR[rng.integers(len(_FUR))] + rng.normal(0, 0.06, 3), 0, 1)
        cx, cy = rng.normal(32, 8), rng.normal(34, 8)
        rx, ry = rng.uniform(8, 18, 2)
        _paint(image, ((_XX - cx) / rx) ** 2 + ((_YY - cy) / ry) ** 2 <= 1, colour, rng)
    return _to_uint8(image)


def _to_uint8(image):
    return (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
