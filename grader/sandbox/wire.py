"""The plain-data codec between the grader and a sandboxed child (both directions).

A message is a small JSON header plus raw byte buffers, framed as::

    b"GW1" + u32 json_length + u64 buffers_length + json + buffers

Values inside the header are a tagged tree, so that tuple vs list and numpy types survive:

    null / true / 3 / 2.5 / "s"          None, bool, int, float, str (exact types only)
    {"L": [...]} {"T": [...]}              list, tuple
    {"D": [["key", value], ...]}           dict with str keys, order kept
    {"C": [re, im]}                        complex
    {"A": [dtype, [shape...], index]}      ndarray: raw little-endian buffer number ``index``
    {"S": [dtype, index]}                  numpy scalar (np.float64, np.int32, np.bool_...)

Encoding accepts exact types only: an ndarray subclass, a dict subclass, an object with a
custom ``__eq__``/``__array__``/``__float__``... raise :class:`NotPlainData` with a message
naming what was found and where (``result[0]['dw'] is a MyArray, an ndarray subclass``).
The encoder never calls a method of the value (no ``__eq__``, ``__len__``, ``__iter__`` of
anything that is not exactly a builtin container), so a lying object cannot run code there.

Decoding never unpickles and trusts nothing: the dtype comes from an allow-list, the shape is
checked against the buffer's byte count before ``np.frombuffer``, lengths are capped before
anything is allocated, and nesting depth and node count are bounded. Any violation raises
:class:`WireError`.
"""
from __future__ import annotations

import json
import math
import struct

import numpy as np

MAGIC = b"GW1"
PREFIX = struct.Struct(">3sIQ")          # magic, json length, buffers length
MAX_JSON = 64 * 1024 * 1024              # header bytes
MAX_BUFFERS = 512 * 1024 * 1024          # raw array bytes in one message
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_NDIM = 32

# Little-endian (or byte-order-free) numeric dtypes only: no object, str, void, datetime.
ALLOWED_DTYPES = frozenset(
    ["|b1", "|i1", "|u1", "<i2", "<i4", "<i8", "<u2", "<u4", "<u8",
     "<f2", "<f4", "<f8", "<c8", "<c16"]
)
_DTYPES = {name: np.dtype(name) for name in ALLOWED_DTYPES}
_SCALAR_TYPES = frozenset(d.type for d in _DTYPES.values())


class WireError(ValueError):
    """A message that is not well-formed plain data (the other side lies or is broken)."""


class NotPlainData(TypeError):
    """A value that cannot cross the sandbox boundary; the message says what and where."""


def type_name(obj) -> str:
    """The class name of ``obj`` without running any of its code (no ``__class__``, no
    metaclass ``__name__`` property)."""
    cls = type(obj)
    try:
        return type.__dict__["__qualname__"].__get__(cls)
    except Exception:  # pragma: no cover - a type always has one
        return "object"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def describe(obj) -> str:
    """``a MyArray, an ndarray subclass`` / ``a Liar object``: what a non-plain value is."""
    name = type_name(obj)
    cls = type(obj)
    for base, label in ((np.ndarray, "an ndarray subclass"), (np.generic, "a numpy scalar subclass"),
                        (bool, "a bool subclass"), (int, "an int subclass"),
                        (float, "a float subclass"), (complex, "a complex subclass"),
                        (str, "a str subclass"), (dict, "a dict subclass"), (list, "a list subclass"),
                        (tuple, "a tuple subclass")):
        if base in type.__dict__["__mro__"].__get__(cls) and cls is not base:
            return f"{_article(name)} {name}, {label}"
    return f"{_article(name)} {name} object"


def _key_repr(key: str) -> str:
    return repr(key) if len(key) <= 40 else repr(key[:37] + "...")


def encode(value, buffers: list, path: str = "result"):
    """Turn ``value`` into a JSON-able tagged tree; arrays' bytes are appended to ``buffers``.

    Raises :class:`NotPlainData` naming the first offending part, e.g. ``result[1]``.
    """
    counter = [0]
    return _encode(value, buffers, path, 0, counter)


def _encode(value, buffers, path, depth, counter):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise NotPlainData(f"{path}: the value has more than {MAX_NODES} parts; return arrays instead")
    if depth > MAX_DEPTH:
        raise NotPlainData(f"{path} is nested more than {MAX_DEPTH} levels deep")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if value.bit_length() > 1024:
            raise NotPlainData(f"{path} is an int with more than 1024 bits")
        return value
    if t is float:
        return value if math.isfinite(value) else {"F": repr(value)}
    if t is complex:
        return {"C": [_encode(value.real, buffers, path, depth + 1, counter),
                      _encode(value.imag, buffers, path, depth + 1, counter)]}
    if t is list or t is tuple:
        items = [_encode(item, buffers, f"{path}[{i}]", depth + 1, counter)
                 for i, item in enumerate(list.__iter__(value) if t is list else tuple.__iter__(value))]
        return {"L" if t is list else "T": items}
    if t is dict:
        pairs = []
        for key, item in dict.items(value):
            if type(key) is not str:
                raise NotPlainData(f"{path} has a key of type {type_name(key)} ({describe(key)}); "
                                   "only str keys can be returned")
            pairs.append([key, _encode(item, buffers, f"{path}[{_key_repr(key)}]", depth + 1, counter)])
        return {"D": pairs}
    if t is np.ndarray:
        dtype = value.dtype
        name = _dtype_name(dtype)
        if name is None:
            raise NotPlainData(f"{path} is an ndarray of dtype {dtype}; only bool, int, uint, float "
                               "and complex arrays can be returned")
        data = np.asarray(value, dtype=_DTYPES[name], order="C")   # keeps 0-d (ascontiguousarray would not)
        buffers.append(memoryview(data).cast("B") if data.size else b"")
        return {"A": [name, list(data.shape), len(buffers) - 1]}
    if t in _SCALAR_TYPES:
        name = _dtype_name(np.dtype(t))
        buffers.append(np.array(value, dtype=_DTYPES[name]).tobytes())
        return {"S": [name, len(buffers) - 1]}
    if isinstance(value, np.generic):
        raise NotPlainData(f"{path} is a numpy {type_name(value)}; only bool, int, uint, float and "
                           "complex numbers can be returned")
    raise NotPlainData(f"{path} is {describe(value)}, not plain data (an ndarray, a number, a str, "
                       "or a list/tuple/dict of those)")


def _dtype_name(dtype) -> str | None:
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        return None
    name = dtype.newbyteorder("<").str if dtype.byteorder not in ("|",) else dtype.str
    return name if name in ALLOWED_DTYPES else None


def decode(tree, buffers: list):
    """Rebuild a value from a tree and its buffers (``memoryview`` or bytes), checking everything."""
    used = set()
    counter = [0]
    value = _decode(tree, buffers, 0, counter, used)
    return value


def _decode(node, buffers, depth, counter, used):
    counter[0] += 1
    if counter[0] > MAX_NODES or depth > MAX_DEPTH:
        raise WireError("value too large or too deeply nested")
    t = type(node)
    if node is None or t is bool or t is str or t is float:
        return node
    if t is int:
        if node.bit_length() > 1024:
            raise WireError("int too large")
        return node
    if t is not dict or len(node) != 1:
        raise WireError(f"unexpected node of type {type_name(node)}")
    (tag, body), = node.items()
    if tag == "L" or tag == "T":
        if type(body) is not list:
            raise WireError("bad sequence")
        items = [_decode(item, buffers, depth + 1, counter, used) for item in body]
        return items if tag == "L" else tuple(items)
    if tag == "D":
        if type(body) is not list:
            raise WireError("bad dict")
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise WireError("bad dict item")
            out[pair[0]] = _decode(pair[1], buffers, depth + 1, counter, used)
        return out
    if tag == "F":
        if body not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(body)
    if tag == "C":
        if type(body) is not list or len(body) != 2:
            raise WireError("bad complex")
        re_, im_ = (_decode(part, buffers, depth + 1, counter, used) for part in body)
        if type(re_) is not float or type(im_) is not float:
            raise WireError("bad complex")
        return complex(re_, im_)
    if tag == "A":
        if type(body) is not list or len(body) != 3:
            raise WireError("bad array")
        name, shape, index = body
        dtype = _checked_dtype(name)
        if type(shape) is not list or len(shape) > MAX_NDIM or any(
                type(n) is not int or n < 0 for n in shape):
            raise WireError("bad array shape")
        buf = _take(buffers, index, used)
        count = 1
        for n in shape:
            count *= n
        if count * dtype.itemsize != len(buf):
            raise WireError(f"array of shape {tuple(shape)} and dtype {name} needs "
                            f"{count * dtype.itemsize} bytes, got {len(buf)}")
        if count == 0:
            return np.zeros(shape, dtype=dtype)
        return np.frombuffer(buf, dtype=dtype).reshape(shape)
    if tag == "S":
        if type(body) is not list or len(body) != 2:
            raise WireError("bad scalar")
        name, index = body
        dtype = _checked_dtype(name)
        buf = _take(buffers, index, used)
        if len(buf) != dtype.itemsize:
            raise WireError("bad scalar size")
        return np.frombuffer(buf, dtype=dtype)[0]
    raise WireError(f"unknown tag {tag!r}")


def _checked_dtype(name):
    if type(name) is not str or name not in ALLOWED_DTYPES:
        raise WireError(f"dtype {name!r} is not allowed")
    return _DTYPES[name]


def _take(buffers, index, used):
    if type(index) is not int or not 0 <= index < len(buffers) or index in used:
        raise WireError("bad buffer index")
    used.add(index)
    return buffers[index]


# ---------------------------------------------------------------- framing

def pack(header: dict, buffers: list = ()) -> list:
    """Frame ``header`` (a JSON-able dict; its "bufs" key is set here) and ``buffers``."""
    header = dict(header)
    header["bufs"] = [len(memoryview(b).cast("B")) if not isinstance(b, bytes) else len(b) for b in buffers]
    body = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    total = sum(header["bufs"])
    if len(body) > MAX_JSON or total > MAX_BUFFERS:
        raise NotPlainData(f"the message is too large ({len(body) + total} bytes)")
    return [PREFIX.pack(MAGIC, len(body), total), body, *buffers]


def check_prefix(prefix: bytes, max_json: int = MAX_JSON, max_buffers: int = MAX_BUFFERS) -> tuple[int, int]:
    magic, json_len, buf_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise WireError("bad frame magic")
    if json_len > max_json or buf_len > max_buffers:
        raise WireError(f"frame too large ({json_len} + {buf_len} bytes)")
    return json_len, buf_len


def unpack(json_bytes, payload) -> tuple[dict, list]:
    """Parse a frame's JSON and split its payload into buffers (memoryviews into ``payload``)."""
    try:
        header = json.loads(bytes(json_bytes))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"bad JSON header: {type(exc).__name__}") from None
    if type(header) is not dict:
        raise WireError("header is not an object")
    sizes = header.get("bufs", [])
    if type(sizes) is not list or any(type(n) is not int or n < 0 for n in sizes):
        raise WireError("bad buffer sizes")
    if sum(sizes) != len(payload):
        raise WireError("buffer sizes do not add up to the payload")
    view = memoryview(payload)
    buffers, offset = [], 0
    for n in sizes:
        buffers.append(view[offset:offset + n])
        offset += n
    return header, buffers


def decode_value(tree, buffers):
    """:func:`decode` that turns every unexpected failure into :class:`WireError`."""
    try:
        return decode(tree, buffers)
    except WireError:
        raise
    except (ValueError, TypeError, RecursionError, MemoryError, OverflowError) as exc:
        raise WireError(f"undecodable value: {type(exc).__name__}") from None


# Blocking helpers for the child side (its peer, the grader, is trusted).

def send_message(sock, header: dict, buffers: list = ()) -> None:
    for part in pack(header, buffers):
        sock.sendall(part)


def recv_exact(sock, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            raise EOFError("the channel closed")
        got += k
    return buf


def recv_message(sock) -> tuple[dict, list]:
    json_len, buf_len = check_prefix(bytes(recv_exact(sock, PREFIX.size)))
    data = recv_exact(sock, json_len + buf_len)
    return unpack(memoryview(data)[:json_len], memoryview(data)[json_len:])
