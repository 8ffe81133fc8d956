"""The plain-data codec: exact round trips, wrong types named with their path, lying frames refused."""
import json
import struct

import numpy as np
import pytest

from grader.sandbox import frames, wire


def roundtrip(value):
    bufs = []
    tree = wire.encode(value, bufs)
    parts = frames.pack({"value": tree}, bufs)
    frame = b"".join(bytes(p) for p in parts)
    json_len, buf_len = frames.check_prefix(frame[:frames.PREFIX.size])
    body = bytearray(frame[frames.PREFIX.size:])
    header, buffers = frames.unpack(memoryview(body)[:json_len], memoryview(body)[json_len:])
    return wire.decode_value(header["value"], buffers)


@pytest.mark.parametrize("dtype", ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                   "uint64", "float16", "float32", "float64", "complex64", "complex128"])
def test_arrays_keep_dtype_shape_and_values(dtype):
    a = (np.arange(12) % 5).astype(dtype).reshape(3, 4)
    b = roundtrip(a)
    assert type(b) is np.ndarray and b.dtype == a.dtype and b.shape == (3, 4)
    assert np.array_equal(a, b)
    b[0, 0] = 1   # decoded arrays are writable
    for shape in [(5,), (5, 1), (1, 1), (), (0, 3)]:
        c = roundtrip(np.zeros(shape, dtype=dtype))
        assert c.shape == shape and c.dtype == np.dtype(dtype)


def test_non_contiguous_and_big_endian_arrays():
    a = np.arange(20.0).reshape(4, 5)[:, ::2]
    assert np.array_equal(roundtrip(a), a)
    big = np.arange(4, dtype=">f8")
    out = roundtrip(big)
    assert out.dtype == np.dtype("<f8") and np.array_equal(out, big)


def test_scalars_containers_and_specials_are_exact():
    value = {"w": [1, 2.5, True, None, "s"], "t": (1, (2,)), "l": [(3,)], "f": float("nan"),
             "i": float("-inf"), "big": 2**200, "c": 1 + 2j,
             "n": np.float64(0.5), "m": np.int32(7), "b": np.bool_(True)}
    out = roundtrip(value)
    assert list(out) == list(value)
    assert out["w"] == [1, 2.5, True, None, "s"] and type(out["w"][2]) is bool and type(out["w"][0]) is int
    assert type(out["t"]) is tuple and type(out["t"][1]) is tuple and type(out["l"][0]) is tuple
    assert np.isnan(out["f"]) and out["i"] == float("-inf") and out["big"] == 2**200 and out["c"] == 1 + 2j
    assert type(out["n"]) is np.float64 and type(out["m"]) is np.int32 and type(out["b"]) is np.bool_


class MyArray(np.ndarray):
    pass


class Liar:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 1.0

    def __array__(self, *a, **k):
        return np.zeros(3)


class MyDict(dict):
    def __getitem__(self, key):
        return 0


@pytest.mark.parametrize("value, message", [
    ([{"dw": np.zeros(3).view(MyArray)}], "result[0]['dw'] is a MyArray, an ndarray subclass"),
    (MyDict(a=1), "result is a MyDict, a dict subclass"),
    ((1, Liar()), "result[1] is a Liar object"),
    ({"a": [1, [2, set()]]}, "result['a'][1][1] is a set object"),
    ({1: 2}, "result has a key of type int"),
    (np.array([1, "a"], dtype=object), "result is an ndarray of dtype object"),
    (np.array(["ab"]), "result is an ndarray of dtype <U2"),
    (np.zeros(2, dtype=[("x", "f8")]), "ndarray of dtype"),
    (type("MyFloat", (float,), {})(1.0), "a MyFloat, a float subclass"),
    (np.float64, "result is a type object"),
])
def test_non_plain_values_are_named_with_their_path(value, message):
    with pytest.raises(wire.NotPlainData) as err:
        wire.encode(value, [])
    assert message in str(err.value)


def test_too_deep_nesting_is_refused_not_a_crash():
    value = []
    for _ in range(200):
        value = [value]
    with pytest.raises(wire.NotPlainData, match="nested"):
        wire.encode(value, [])


def frame(header: dict, payload: bytes = b""):
    body = json.dumps(header).encode()
    return body, payload


@pytest.mark.parametrize("tree, payload", [
    ({"A": ["|O", [2], 0]}, b"x" * 16),                  # dtype not allowed
    ({"A": ["<f8", [1000000], 0]}, b"x" * 16),           # shape does not match the bytes
    ({"A": ["<f8", [-2, -1], 0]}, b"x" * 16),            # negative dims
    ({"A": ["<f8", [2], 5]}, b"x" * 16),                 # no such buffer
    ({"T": [{"A": ["<f8", [2], 0]}, {"A": ["<f8", [2], 0]}]}, b"x" * 16),  # one buffer used twice
    ({"Q": 1}, b""),                                     # unknown tag
    ({"S": ["<f8", 0]}, b"x" * 3),                       # scalar of the wrong size
    ({"D": [[1, 2]]}, b""),                              # non-str key
    ({"F": "1e308"}, b""),                               # only nan/inf spelled as F
    ({"C": ["a", "b"]}, b""),
])
def test_lying_trees_raise_wire_error(tree, payload):
    body, payload = frame({"value": tree, "bufs": [len(payload)] if payload else []}, payload)
    header, buffers = frames.unpack(body, bytearray(payload))
    with pytest.raises(wire.WireError):
        wire.decode_value(header["value"], buffers)


def test_frame_sizes_are_checked_before_allocating():
    with pytest.raises(wire.WireError):
        frames.check_prefix(struct.pack(">3sIQ", b"GW1", 10, 1 << 40))
    with pytest.raises(wire.WireError):
        frames.check_prefix(struct.pack(">3sIQ", b"GW1", 1 << 31, 0))
    with pytest.raises(wire.WireError):
        frames.check_prefix(struct.pack(">3sIQ", b"XXX", 1, 0))
    with pytest.raises(wire.WireError):
        frames.unpack(b'{"bufs": [100]}', bytearray(10))     # sizes must add up
    with pytest.raises(wire.WireError):
        frames.unpack(b"[" * 100000, bytearray())            # deep JSON: an error, not a crash
    with pytest.raises(wire.WireError):
        frames.unpack(b"not json", bytearray())


def test_deep_tree_from_a_liar_is_refused():
    tree = "x"
    for _ in range(500):
        tree = {"L": [tree]}
    with pytest.raises(wire.WireError):
        wire.decode_value(tree, [])
