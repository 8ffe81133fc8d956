"""The plain-data codec between the grader, a sandboxed child and its reference process.

Values inside a message header (see ``frames.py`` for the framing) are a tagged tree, so
that tuple vs list and numpy types survive:

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

Budgets: a :class:`Budget` bounds what one value may cost its receiver: bytes of arrays
(``limits.value_mib``), parts (containers and scalars), nesting depth, and the length of each
key and string. The honest sender checks them while encoding and raises :class:`TooLarge`
(a :class:`NotPlainData`) naming the part and the limit; the receiver checks them again while
decoding (:class:`OverBudget`, a :class:`WireError`), since the sender may lie.

Decoding never unpickles and trusts nothing: the dtype comes from an allow-list, the shape is
checked against the buffer's byte count before ``np.frombuffer``, and every budget is checked
before the part is built. Any violation raises :class:`WireError`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_DEPTH = 64
MAX_NDIM = 32
MIB = 1024 * 1024
HEADER_CAP = MIB               # JSON bytes of one message from an untrusted sender (parsing
                               # JSON can cost ~35x its size in Python objects)

# Little-endian (or byte-order-free) numeric dtypes only: no object, str, void, datetime.
ALLOWED_DTYPES = frozenset(
    ["|b1", "|i1", "|u1", "<i2", "<i4", "<i8", "<u2", "<u4", "<u8",
     "<f2", "<f4", "<f8", "<c8", "<c16"]
)
_DTYPES = {name: np.dtype(name) for name in ALLOWED_DTYPES}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}   # exact dtype -> its allowed name
_SCALAR_TYPES = frozenset(d.type for d in _DTYPES.values())
SMALL_ARRAY = 64 * 1024        # arrays up to this are copied to bytes (cheaper than a view)


@dataclass(frozen=True)
class Budget:
    """What one value (or one message) may cost whoever receives it."""

    array_bytes: int = 512 * MIB    # bytes of all arrays and numpy scalars together
    json_bytes: int = 64 * MIB      # the message's JSON header (lists, dicts, numbers, str)
    parts: int = 2_000_000          # containers, numbers and strings
    key_chars: int = 1 << 30        # characters of one dict key
    str_chars: int = 1 << 30        # characters of one str
    value_mib: int = 0              # the configured limit the byte budget came from (messages)

    @classmethod
    def for_value_mib(cls, value_mib: int) -> "Budget":
        """The budget of plain data an untrusted side may send: ``limits.value_mib``."""
        value = max(1, int(value_mib)) * MIB
        return cls(array_bytes=value, json_bytes=min(HEADER_CAP, value), parts=250_000,
                   key_chars=1_000, str_chars=100_000, value_mib=max(1, int(value_mib)))

    def limit_text(self) -> str:
        if self.value_mib:
            return f"{self.value_mib} MiB (limits.value_mib)"
        return f"{self.array_bytes} bytes"


TRUSTED = Budget()             # what the grader sends; generous, but still bounded


class WireError(ValueError):
    """A message that is not well-formed plain data (the other side lies or is broken)."""


class OverBudget(WireError):
    """A well-formed message or value that exceeds its :class:`Budget`; says what and the limit."""


class NotPlainData(TypeError):
    """A value that cannot cross the sandbox boundary; the message says what and where."""


class TooLarge(NotPlainData):
    """Plain data over its :class:`Budget`. The message is ``<part> is too large: <what, the
    limit>``; the part before the colon is safe to show for hidden cases (no sizes)."""


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


class _Refused(Exception):
    """Internal: a refusal on its way up; each container adds its step to the path (built only
    on failure, so encoding plain data formats no path strings at all)."""

    def __init__(self, reason: str, too_large: bool = False, whole: bool = False):
        super().__init__(reason)
        self.reason, self.steps, self.too_large, self.whole = reason, [], too_large, whole


# What is left of a budget while one value is encoded or decoded: [parts, array bytes, budget]
# (a list: made for every value, so cheaper than an object).
_PARTS, _BYTES, _BUDGET = 0, 1, 2


def _left(budget: Budget) -> list:
    return [budget.parts, budget.array_bytes, budget]


def encode(value, buffers: list, path: str = "result", budget: Budget = TRUSTED):
    """Turn ``value`` into a JSON-able tagged tree; arrays' bytes are appended to ``buffers``.

    Raises :class:`NotPlainData` naming the first offending part, e.g. ``result[1]``, or
    :class:`TooLarge` when it exceeds ``budget``.
    """
    try:
        return _encode(value, buffers, 0, _left(budget))
    except _Refused as exc:
        kind = TooLarge if exc.too_large else NotPlainData
        where = "" if exc.whole else "".join(reversed(exc.steps))     # a count is the whole value's
        raise kind(path + where + exc.reason) from None


def _encode(value, buffers, depth, left):
    left[_PARTS] -= 1
    if left[_PARTS] < 0:
        raise _Refused(f" is too large: more than {left[_BUDGET].parts} parts (lists, tuples, dicts, numbers, "
                       "strings), the limit; return numpy arrays instead", True, True)
    if depth > MAX_DEPTH:       # not "too large": a list that contains itself is not plain data
        raise _Refused(f" is nested more than {MAX_DEPTH} levels deep (the limit), or contains itself")
    t = type(value)
    # The common types first: this runs for every part of every message.
    if t is np.ndarray:
        return _encode_array(value, buffers, left)
    if t is float:
        return value if math.isfinite(value) else {"F": repr(value)}
    if value is None or t is bool:
        return value
    if t is str:
        if len(value) > left[_BUDGET].str_chars:
            raise _Refused(f" is too large: a str of {len(value)} characters; the limit is "
                           f"{left[_BUDGET].str_chars}", True)
        return value
    if t is int:
        if value.bit_length() > 1024:
            raise _Refused(" is an int with more than 1024 bits")
        return value
    if t is list or t is tuple:
        items = []
        try:
            for item in (list.__iter__(value) if t is list else tuple.__iter__(value)):
                items.append(_encode(item, buffers, depth + 1, left))
        except _Refused as exc:
            exc.steps.append(f"[{len(items)}]")
            raise
        return {"L" if t is list else "T": items}
    if t is dict:
        return _encode_dict(value, buffers, depth, left)
    if t is complex:
        return {"C": [_encode(value.real, buffers, depth + 1, left),
                      _encode(value.imag, buffers, depth + 1, left)]}
    if t in _SCALAR_TYPES:
        name = _NAMES.get(np.dtype(t)) or _dtype_name(np.dtype(t))
        buffers.append(np.array(value, dtype=_DTYPES[name]).tobytes())
        left[_BYTES] -= len(buffers[-1])
        if left[_BYTES] < 0:
            raise _over_bytes(left, "a numpy scalar", len(buffers[-1]))
        return {"S": [name, len(buffers) - 1]}
    if isinstance(value, np.generic):
        raise _Refused(f" is a numpy {type_name(value)}; only bool, int, uint, float and "
                       "complex numbers can be returned")
    raise _Refused(f" is {describe(value)}, not plain data (an ndarray, a number, a str, "
                   "or a list/tuple/dict of those)")


def _encode_dict(value, buffers, depth, left):
    pairs = []
    for key, item in dict.items(value):
        if type(key) is not str:
            raise _Refused(f" has a key of type {type_name(key)} ({describe(key)}); "
                           "only str keys can be returned")
        if len(key) > left[_BUDGET].key_chars:
            raise _Refused(f" is too large: a key of {len(key)} characters; the limit is "
                           f"{left[_BUDGET].key_chars}", True)
        try:
            pairs.append([key, _encode(item, buffers, depth + 1, left)])
        except _Refused as exc:
            exc.steps.append(f"[{_key_repr(key)}]")
            raise
    return {"D": pairs}


def _over_bytes(left, what: str, nbytes: int) -> _Refused:
    return _Refused(f" is too large: {what} of {nbytes} bytes takes the value over the "
                    f"{left[_BUDGET].limit_text()} one call may send", True)


def _encode_array(value, buffers, left):
    dtype = value.dtype
    name = _NAMES.get(dtype)            # the dict hit is 10x cheaper than _dtype_name
    exact = name is not None            # the array's bytes are already the allowed dtype's
    if not exact:
        name = _dtype_name(dtype)
        if name is None:
            raise _Refused(f" is an ndarray of dtype {dtype}; only bool, int, uint, float "
                           "and complex arrays can be returned")
    nbytes = value.nbytes           # the allowed dtype has the same item size
    left[_BYTES] -= nbytes
    if left[_BYTES] < 0:            # the message is built only here: formatting costs per array
        raise _over_bytes(left, f"an array of shape {value.shape}", nbytes)
    if exact and nbytes <= SMALL_ARRAY:
        # tobytes() copies in C order whatever the layout: what np.asarray(order="C") would
        # give, without building that array first.
        buffers.append(value.tobytes() if nbytes else b"")
        return {"A": [name, list(value.shape), len(buffers) - 1]}
    data = np.asarray(value, dtype=_DTYPES[name], order="C")   # keeps 0-d (ascontiguousarray would not)
    if not data.size:
        buffers.append(b"")
    elif data.nbytes <= SMALL_ARRAY:
        buffers.append(data.tobytes())     # small: a copy is cheaper than a memoryview cast
    else:
        buffers.append(memoryview(data).cast("B"))   # large: no copy, sent as it is
    return {"A": [name, list(data.shape), len(buffers) - 1]}


def _dtype_name(dtype) -> str | None:
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        return None
    name = dtype.newbyteorder("<").str if dtype.byteorder not in ("|",) else dtype.str
    return name if name in ALLOWED_DTYPES else None


def decode(tree, buffers: list, budget: Budget = TRUSTED):
    """Rebuild a value from a tree and its buffers (``memoryview`` or bytes), checking everything."""
    return _decode(tree, buffers, 0, _left(budget), set())


def _decode(node, buffers, depth, left, used):
    left[_PARTS] -= 1
    if left[_PARTS] < 0:
        raise OverBudget(f"the value has more than {left[_BUDGET].parts} parts, the limit")
    if depth > MAX_DEPTH:
        raise OverBudget(f"the value is nested more than {MAX_DEPTH} levels deep, the limit")
    t = type(node)
    if node is None or t is bool or t is float:
        return node
    if t is str:
        if len(node) > left[_BUDGET].str_chars:
            raise OverBudget(f"a str of {len(node)} characters; the limit is {left[_BUDGET].str_chars}")
        return node
    if t is int:
        if node.bit_length() > 1024:
            raise WireError("int too large")
        return node
    if t is not dict or len(node) != 1:
        raise WireError(f"unexpected node of type {type_name(node)}")
    (tag, body), = node.items()
    if tag == "A":
        return _decode_array(body, buffers, used, left)
    if tag == "D":
        return _decode_dict(body, buffers, depth, left, used)
    if tag == "L" or tag == "T":
        if type(body) is not list:
            raise WireError("bad sequence")
        items = [_decode(item, buffers, depth + 1, left, used) for item in body]
        return items if tag == "L" else tuple(items)
    if tag == "F":
        if body not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(body)
    if tag == "C":
        if type(body) is not list or len(body) != 2:
            raise WireError("bad complex")
        re_, im_ = (_decode(part, buffers, depth + 1, left, used) for part in body)
        if type(re_) is not float or type(im_) is not float:
            raise WireError("bad complex")
        return complex(re_, im_)
    if tag == "S":
        return _decode_scalar(body, buffers, used)
    raise WireError(f"unknown tag {tag!r}")


def _decode_dict(body, buffers, depth, left, used):
    if type(body) is not list:
        raise WireError("bad dict")
    out = {}
    for pair in body:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
            raise WireError("bad dict item")
        if len(pair[0]) > left[_BUDGET].key_chars:
            raise OverBudget(f"a dict key of {len(pair[0])} characters; the limit is {left[_BUDGET].key_chars}")
        out[pair[0]] = _decode(pair[1], buffers, depth + 1, left, used)
    return out


def _decode_scalar(body, buffers, used):
    if type(body) is not list or len(body) != 2:
        raise WireError("bad scalar")
    name, index = body
    dtype = _checked_dtype(name)
    buf = _take(buffers, index, used)
    if len(buf) != dtype.itemsize:
        raise WireError("bad scalar size")
    return np.frombuffer(buf, dtype=dtype)[0]


def _decode_array(body, buffers, used, left):
    if type(body) is not list or len(body) != 3:
        raise WireError("bad array")
    name, shape, index = body
    dtype = _checked_dtype(name)
    if type(shape) is not list or len(shape) > MAX_NDIM:
        raise WireError("bad array shape")
    count = 1
    for n in shape:
        if type(n) is not int or n < 0:
            raise WireError("bad array shape")
        count *= n
    buf = _take(buffers, index, used)
    if count * dtype.itemsize != len(buf):
        raise WireError(f"array of shape {tuple(shape)} and dtype {name} needs "
                        f"{count * dtype.itemsize} bytes, got {len(buf)}")
    left[_BYTES] -= len(buf)
    if left[_BYTES] < 0:
        raise OverBudget(f"arrays of more than {left[_BUDGET].limit_text()}")
    if count == 0:
        return np.zeros(shape, dtype=dtype)
    # The size matches exactly (checked above), so this is a view of the received bytes,
    # writable when they are (frames land in a bytearray of their own): no copy.
    return np.ndarray(shape, dtype, buf)


def _checked_dtype(name):
    if type(name) is not str or name not in ALLOWED_DTYPES:
        raise WireError(f"dtype {name!r} is not allowed")
    return _DTYPES[name]


def _take(buffers, index, used):
    if type(index) is not int or not 0 <= index < len(buffers) or index in used:
        raise WireError("bad buffer index")
    used.add(index)
    return buffers[index]


def decode_value(tree, buffers, budget: Budget = TRUSTED):
    """:func:`decode` that turns every unexpected failure into :class:`WireError`."""
    try:
        return _decode(tree, buffers, 0, _left(budget), set())
    except WireError:
        raise
    except (ValueError, TypeError, RecursionError, MemoryError, OverflowError) as exc:
        raise WireError(f"undecodable value: {type(exc).__name__}") from None
