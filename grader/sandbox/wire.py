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
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}   # exact dtype -> its allowed name
_SCALAR_TYPES = frozenset(d.type for d in _DTYPES.values())
SMALL_FRAME = 64 * 1024                  # frames up to this are joined and sent in one syscall
IOV_MAX = 1024                           # buffers per sendmsg (Linux's limit)
_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False)   # built once, not per message
# The C encoder behind it, also built once (``JSONEncoder.encode`` builds one per call). No
# circular-reference check: headers are trees that ``encode`` and this package build, never
# cyclic (a cycle would still end in RecursionError, not a crash).
_C_ENCODER = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _JSON.default, json.encoder.c_encode_basestring_ascii, None, ":", ",", False, False, False)
_JSON_DECODER = json.JSONDecoder()


def _json_text(header: dict) -> str:
    return "".join(_C_ENCODER(header, 0)) if _C_ENCODER else _JSON.encode(header)


def _json_value(text: str):
    # raw_decode skips json.loads' whitespace regexes; then nothing may follow the value.
    value, end = _JSON_DECODER.raw_decode(text)
    if end != len(text):
        raise ValueError("extra data after the JSON header")
    return value


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


class _Refused(Exception):
    """Internal: a refusal on its way up; each container adds its step to the path (built only
    on failure, so encoding plain data formats no path strings at all)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason, self.steps = reason, []


def encode(value, buffers: list, path: str = "result"):
    """Turn ``value`` into a JSON-able tagged tree; arrays' bytes are appended to ``buffers``.

    Raises :class:`NotPlainData` naming the first offending part, e.g. ``result[1]``.
    """
    try:
        return _encode(value, buffers, 0, [0])
    except _Refused as exc:
        raise NotPlainData(path + "".join(reversed(exc.steps)) + exc.reason) from None


def _encode(value, buffers, depth, counter):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _Refused(f": the value has more than {MAX_NODES} parts; return arrays instead")
    if depth > MAX_DEPTH:
        raise _Refused(f" is nested more than {MAX_DEPTH} levels deep")
    t = type(value)
    # The common types first: this runs for every part of every message.
    if t is np.ndarray:
        return _encode_array(value, buffers)
    if t is float:
        return value if math.isfinite(value) else {"F": repr(value)}
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if value.bit_length() > 1024:
            raise _Refused(" is an int with more than 1024 bits")
        return value
    if t is list or t is tuple:
        items = []
        try:
            for item in (list.__iter__(value) if t is list else tuple.__iter__(value)):
                items.append(_encode(item, buffers, depth + 1, counter))
        except _Refused as exc:
            exc.steps.append(f"[{len(items)}]")
            raise
        return {"L" if t is list else "T": items}
    if t is dict:
        pairs = []
        for key, item in dict.items(value):
            if type(key) is not str:
                raise _Refused(f" has a key of type {type_name(key)} ({describe(key)}); "
                               "only str keys can be returned")
            try:
                pairs.append([key, _encode(item, buffers, depth + 1, counter)])
            except _Refused as exc:
                exc.steps.append(f"[{_key_repr(key)}]")
                raise
        return {"D": pairs}
    if t is complex:
        return {"C": [_encode(value.real, buffers, depth + 1, counter),
                      _encode(value.imag, buffers, depth + 1, counter)]}
    if t in _SCALAR_TYPES:
        name = _NAMES.get(np.dtype(t)) or _dtype_name(np.dtype(t))
        buffers.append(np.array(value, dtype=_DTYPES[name]).tobytes())
        return {"S": [name, len(buffers) - 1]}
    if isinstance(value, np.generic):
        raise _Refused(f" is a numpy {type_name(value)}; only bool, int, uint, float and "
                       "complex numbers can be returned")
    raise _Refused(f" is {describe(value)}, not plain data (an ndarray, a number, a str, "
                   "or a list/tuple/dict of those)")


def _encode_array(value, buffers):
    dtype = value.dtype
    name = _NAMES.get(dtype) or _dtype_name(dtype)     # the dict hit is 10x cheaper
    if name is None:
        raise _Refused(f" is an ndarray of dtype {dtype}; only bool, int, uint, float "
                       "and complex arrays can be returned")
    data = np.asarray(value, dtype=_DTYPES[name], order="C")   # keeps 0-d (ascontiguousarray would not)
    if not data.size:
        buffers.append(b"")
    elif data.nbytes <= SMALL_FRAME:
        buffers.append(data.tobytes())     # small: a copy is cheaper than a memoryview cast
    else:
        buffers.append(memoryview(data).cast("B"))   # large: no copy, sent as it is
    return {"A": [name, list(data.shape), len(buffers) - 1]}


def _dtype_name(dtype) -> str | None:
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        return None
    name = dtype.newbyteorder("<").str if dtype.byteorder not in ("|",) else dtype.str
    return name if name in ALLOWED_DTYPES else None


def decode(tree, buffers: list):
    """Rebuild a value from a tree and its buffers (``memoryview`` or bytes), checking everything."""
    return _decode(tree, buffers, 0, [0], set())


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
    if tag == "A":
        return _decode_array(body, buffers, used)
    if tag == "D":
        if type(body) is not list:
            raise WireError("bad dict")
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise WireError("bad dict item")
            out[pair[0]] = _decode(pair[1], buffers, depth + 1, counter, used)
        return out
    if tag == "L" or tag == "T":
        if type(body) is not list:
            raise WireError("bad sequence")
        items = [_decode(item, buffers, depth + 1, counter, used) for item in body]
        return items if tag == "L" else tuple(items)
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


def _decode_array(body, buffers, used):
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


# ---------------------------------------------------------------- framing

def pack(header: dict, buffers: list = ()) -> list:
    """Frame ``header`` (a JSON-able dict; its "bufs" key is set here) and ``buffers``."""
    header = dict(header)
    sizes = header["bufs"] = [_nbytes(b) for b in buffers]
    body = _json_text(header).encode()
    total = sum(sizes)
    if len(body) > MAX_JSON or total > MAX_BUFFERS:
        raise NotPlainData(f"the message is too large ({len(body) + total} bytes)")
    return [PREFIX.pack(MAGIC, len(body), total), body, *buffers]


def _nbytes(buf) -> int:
    t = type(buf)
    if t is bytes or t is bytearray:
        return len(buf)
    return memoryview(buf).nbytes


def check_prefix(prefix: bytes, max_json: int = MAX_JSON, max_buffers: int = MAX_BUFFERS) -> tuple[int, int]:
    magic, json_len, buf_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise WireError("bad frame magic")
    if json_len > max_json or buf_len > max_buffers:
        raise WireError(f"frame too large ({json_len} + {buf_len} bytes)")
    return json_len, buf_len


def unpack(json_bytes, payload) -> tuple[dict, list]:
    """Parse a frame's JSON (bytes-like, or already a str) and split its payload into buffers
    (memoryviews into ``payload``)."""
    try:
        text = json_bytes if type(json_bytes) is str else str(json_bytes, "utf-8")
        header = _json_value(text)
    except (ValueError, RecursionError) as exc:      # UnicodeDecodeError is a ValueError
        raise WireError(f"bad JSON header: {type(exc).__name__}") from None
    if type(header) is not dict:
        raise WireError("header is not an object")
    sizes = header.get("bufs", [])
    if type(sizes) is not list:
        raise WireError("bad buffer sizes")
    total = 0
    for n in sizes:
        if type(n) is not int or n < 0:
            raise WireError("bad buffer sizes")
        total += n
    if total != len(payload):
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


# ---------------------------------------------------------------- moving frames

def outgoing(parts: list) -> list:
    """What to hand to ``sendmsg`` for a packed frame: one joined bytes object when it is small
    (one syscall, and one wake-up of the peer instead of one per part), else the parts as
    byte views (no copy of large arrays). Consumed by :func:`advance`."""
    views = [p if type(p) is bytes else memoryview(p).cast("B") for p in parts]
    if sum(len(v) for v in views) <= SMALL_FRAME:
        joined = b"".join(views)
        # Nothing to send must be an empty list: a pending b"" would make the caller poll for
        # POLLOUT, which is always ready, and spin until the peer speaks.
        return [joined] if joined else []
    return [v for v in views if len(v)]


def advance(pending: list, sent: int) -> None:
    """Drop ``sent`` bytes from the front of ``pending`` (a list from :func:`outgoing`)."""
    while sent and pending:
        first = pending[0]
        if sent >= len(first):
            sent -= len(first)
            pending.pop(0)
        else:
            pending[0] = memoryview(first)[sent:]
            sent = 0


def send_parts(sock, parts: list) -> None:
    """Send a packed frame on a blocking socket."""
    pending = outgoing(parts)
    while pending:
        advance(pending, sock.sendmsg(pending[:IOV_MAX]))


class FrameReader:
    """Splits the byte stream of a socket into frames, size-checked before any allocation.

    Each :meth:`recv` is one ``recv_into``: small frames land in a landing buffer reused for
    the whole connection (several at once when the peer sent several), and each frame's
    payload is then copied into a ``bytearray`` of its own, so the decoded arrays are
    writable and never alias the next message. A frame larger than the landing buffer is
    received straight into its own buffer instead.
    """

    LANDING = 256 * 1024

    def __init__(self, max_buffers: int = MAX_BUFFERS):
        self.max_buffers = max_buffers
        self.landing = bytearray(self.LANDING)
        self.view = memoryview(self.landing)
        self.end = 0            # landing[:end]: received, not yet a whole frame
        self.big = None         # [json_len, body, got] of a frame too large for the landing buffer

    def recv(self, sock) -> list:
        """One receive (blocking or not, as ``sock`` is); returns the frames it completed as
        ``(header, buffers)``. Raises EOFError when the peer closed, WireError for a malformed
        frame; BlockingIOError and other OSErrors come from the socket."""
        if self.big is not None:
            return self._recv_big(sock)
        n = sock.recv_into(self.view[self.end:])
        if n == 0:
            raise EOFError("the channel closed")
        self.end += n
        return self._split()

    def _split(self) -> list:
        messages, start, end, head_size = [], 0, self.end, PREFIX.size
        while end - start >= head_size:
            json_len, buf_len = check_prefix(self.view[start:start + head_size], max_buffers=self.max_buffers)
            size = head_size + json_len + buf_len
            if end - start < size:
                if size > self.LANDING:     # will never fit: give it a buffer of its own
                    body = bytearray(json_len + buf_len)
                    got = end - start - head_size
                    body[:got] = self.view[start + head_size:end]
                    self.big = [json_len, body, got]
                    start = end
                break
            json_at = start + head_size
            payload_at = json_at + json_len
            payload = bytearray(self.view[payload_at:start + size]) if buf_len else b""
            messages.append(unpack(self.view[json_at:payload_at], payload))
            start += size
        if start:                           # keep an incomplete frame at the front
            rest = end - start
            if rest:
                self.landing[:rest] = bytes(self.view[start:end])
            self.end = rest
        return messages

    def _recv_big(self, sock) -> list:
        json_len, body, got = self.big
        n = sock.recv_into(memoryview(body)[got:])
        if n == 0:
            raise EOFError("the channel closed")
        got = self.big[2] = got + n
        if got < len(body):
            return []
        self.big = None
        view = memoryview(body)
        return [unpack(view[:json_len], view[json_len:])]


# Blocking helpers for the child side (its peer, the grader, is trusted).

def send_message(sock, header: dict, buffers: list = ()) -> None:
    send_parts(sock, pack(header, buffers))
