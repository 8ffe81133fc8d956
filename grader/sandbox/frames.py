"""Messages on a stream socket: a small JSON header plus raw byte buffers.

    b"GW1" + u32 json_length + u64 buffers_length + json + buffers

The header's ``"bufs"`` lists the byte length of each buffer; values inside the header are
``wire`` trees. A receiver (:class:`FrameReader`) checks the two lengths against its
:class:`~grader.sandbox.wire.Budget` before it allocates anything, and then never allocates
more than about twice what actually arrived: a peer that claims 512 MiB and sends 10 bytes
costs 10 bytes. The honest sender checks the same budget in :func:`pack` and raises
:class:`~grader.sandbox.wire.TooLarge` instead of sending.
"""
from __future__ import annotations

import json
import struct

from grader.sandbox.wire import TRUSTED, Budget, OverBudget, TooLarge, WireError

MAGIC = b"GW1"
PREFIX = struct.Struct(">3sIQ")          # magic, json length, buffers length
SMALL_FRAME = 64 * 1024                  # frames up to this are joined and sent in one syscall
IOV_MAX = 1024                           # buffers per sendmsg (Linux's limit)
_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False)   # built once, not per message
# The C encoder behind it, also built once (``JSONEncoder.encode`` builds one per call). No
# circular-reference check: headers are trees that ``wire.encode`` and this package build,
# never cyclic (a cycle would still end in RecursionError, not a crash).
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


def pack(header: dict, buffers: list = (), budget: Budget = TRUSTED) -> list:
    """Frame ``header`` (a JSON-able dict; its "bufs" key is set here) and ``buffers``."""
    header = dict(header)
    sizes = header["bufs"] = [_nbytes(b) for b in buffers]
    body = _json_text(header).encode()
    total = sum(sizes)
    if len(body) > budget.json_bytes:
        raise TooLarge(f"its lists, tuples, dicts, numbers and strings take {len(body)} bytes to send, "
                       f"more than the limit of {budget.json_bytes} bytes; return numpy arrays instead")
    if total > budget.array_bytes:
        raise TooLarge(f"its arrays take {total} bytes, more than the {budget.limit_text()} one call may send")
    return [PREFIX.pack(MAGIC, len(body), total), body, *buffers]


def _nbytes(buf) -> int:
    t = type(buf)
    if t is bytes or t is bytearray:
        return len(buf)
    return memoryview(buf).nbytes


def check_prefix(prefix, budget: Budget = TRUSTED) -> tuple[int, int]:
    """The (json, buffers) lengths a frame claims, refused when over ``budget``."""
    magic, json_len, buf_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise WireError("bad frame magic")
    if json_len > budget.json_bytes or buf_len > budget.array_bytes:
        raise OverBudget(f"a message of {json_len} bytes of JSON and {buf_len} bytes of arrays, over the "
                         f"limits of {budget.json_bytes} and {budget.array_bytes} bytes "
                         f"({budget.limit_text()})")
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


# ---------------------------------------------------------------- moving frames

def outgoing(parts: list) -> list:
    """What to hand to ``sendmsg`` for a packed frame: one joined bytes object when it is small
    (one syscall, and one wake-up of the peer instead of one per part), else the parts as
    byte views (no copy of large arrays). Consumed by :func:`advance`."""
    size = 0
    for part in parts:          # the common case: a small frame of bytes objects only
        if type(part) is not bytes:
            break
        size += len(part)
    else:
        if size <= SMALL_FRAME:
            return [b"".join(parts)] if size else []
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


def send_message(sock, header: dict, buffers: list = ()) -> None:
    send_parts(sock, pack(header, buffers))


class FrameReader:
    """Splits the byte stream of a socket into frames, size-checked before any allocation.

    Each :meth:`recv` is one ``recv_into``: small frames land in a landing buffer reused for
    the whole connection (several at once when the peer sent several), and each frame's
    payload is then copied into a ``bytearray`` of its own, so the decoded arrays are
    writable and never alias the next message. A frame larger than the landing buffer gets a
    ``bytearray`` of its own that grows as its bytes arrive (never sized from the claim).
    """

    LANDING = 256 * 1024

    def __init__(self, budget: Budget = TRUSTED):
        self.budget = budget
        self.landing = bytearray(self.LANDING)
        self.view = memoryview(self.landing)
        self.end = 0            # landing[:end]: received, not yet a whole frame
        self.big = None         # [json_len, body size, body so far] of a frame too large to land

    def recv(self, sock) -> list:
        """One receive (blocking or not, as ``sock`` is); returns the frames it completed as
        ``(header, buffers)``. Raises EOFError when the peer closed, WireError for a malformed
        frame (OverBudget for one over the budget); BlockingIOError and other OSErrors come
        from the socket."""
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
            json_len, buf_len = check_prefix(self.view[start:start + head_size], self.budget)
            size = head_size + json_len + buf_len
            if end - start < size:
                if size > self.LANDING:     # will never fit: a buffer of its own, grown as it arrives
                    self.big = [json_len, json_len + buf_len, bytearray(self.view[start + head_size:end])]
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
        json_len, size, body = self.big
        n = sock.recv_into(self.view[:min(self.LANDING, size - len(body))])
        if n == 0:
            raise EOFError("the channel closed")
        body += self.view[:n]
        if len(body) < size:
            return []
        self.big = None
        view = memoryview(body)
        return [unpack(view[:json_len], view[json_len:])]
