"""What a child sends is held to a budget before the grader allocates it: frame headers over the
caps are refused, frames grow only as their bytes arrive, and decoded values are bounded in
bytes, parts, depth, key and string length. Each over-budget outcome says what and the limit.
Real children; the grader's memory is measured with tracemalloc."""
from __future__ import annotations

import json
import textwrap
import tracemalloc
from dataclasses import dataclass, replace

import pytest

from grader.config import Limits
from grader.outcomes import CALL_STATUSES, TOO_LARGE
from grader.sandbox import Sandbox, frames, wire

LIMITS = Limits(call_seconds=5.0, submission_seconds=120.0, cpu_seconds=60, memory_mib=1024,
                output_kib=16, file_size_mib=4, open_files=64, value_mib=64)
MIB = 2**20

HOSTILE = """
    import os, struct, time, json
    import numpy as np

    def claim(json_len, buf_len, then_wait):
        # A frame header claiming far more than it sends; then nothing.
        os.write(3, b"GW1" + struct.pack(">IQ", json_len, buf_len) + b"x" * 1000)
        time.sleep(then_wait)
        return 1

    def huge_key():
        return {"A" * 40_000_000: 1}

    def huge_string():
        return ["A" * 40_000_000]

    def many_parts():
        return list(range(1_500_000))

    def big_array():
        return np.zeros(10 * 2**20)        # 80 MiB of float64

    def raw(tree_json):
        # What a lying child sends instead of an encoded result: it decodes as the tree.
        body = json.dumps({"op": "result", "status": "ok", "value": json.loads(tree_json), "seq": SEQ[0],
                           "observations": {"D": []}, "bufs": []}).encode()
        os.write(3, b"GW1" + struct.pack(">IQ", len(body), 0) + body)
        time.sleep(30)

    SEQ = [0]
    def set_seq(n):
        SEQ[0] = n
        return n

    def fine():
        return {"w": np.ones((2, 1)), "cost": 0.5}
"""


@dataclass
class Chunk:
    filename: str
    source: str


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(LIMITS, jobs=1) as sb:
        yield sb


def measured(session, fn, *args, **kw):
    """The call's outcome and the grader's peak traced memory while it ran."""
    tracemalloc.start()
    try:
        out = session.call(fn, args, **kw)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def open_hostile(sandbox):
    session = sandbox.open([Chunk("<cell 1>", textwrap.dedent(HOSTILE))])
    assert all(r.ok for r in session.load_report), session.load_report
    return session


def test_too_large_is_a_call_status():
    assert TOO_LARGE in CALL_STATUSES


def test_a_frame_header_over_the_caps_is_refused_before_anything_is_allocated(sandbox):
    with open_hostile(sandbox) as s:
        out, peak = measured(s, "claim", 64 * MIB, 512 * MIB, 30)
        assert out.status == "too_large", out
        assert f"{64 * MIB} bytes of JSON and {512 * MIB} bytes of arrays" in out.error
        assert "64 MiB (limits.value_mib)" in out.error and "process was stopped" in out.error
        assert peak < 4 * MIB, peak                    # the claim would have cost 576 MiB
        assert s.call("fine").status == "ok" and s.children_started == 2


def test_a_frame_within_the_caps_is_not_preallocated_from_its_claim(sandbox):
    # 60 MiB of arrays claimed (under the 64 MiB cap), 1000 bytes sent, then silence.
    with open_hostile(sandbox) as s:
        out, peak = measured(s, "claim", 100, 60 * MIB, 30, timeout=1.0)
        assert out.status == "timeout", out
        assert peak < 4 * MIB, peak


@pytest.mark.parametrize("fn, message", [
    ("huge_key", "result is too large: a key of 40000000 characters; the limit is 1000"),
    ("huge_string", "result[0] is too large: a str of 40000000 characters; the limit is 100000"),
    ("many_parts", "result is too large: more than 250000 parts"),
    ("big_array", f"result is too large: an array of shape (10485760,) of {80 * MIB} bytes takes the value "
                  "over the 64 MiB (limits.value_mib) one call may send"),
])
def test_an_honest_child_refuses_a_value_over_the_budget_and_says_which_part(sandbox, fn, message):
    with open_hostile(sandbox) as s:
        out, peak = measured(s, fn)
        assert out.status == "too_large" and message in out.error, out
        assert out.value is None and peak < 16 * MIB, peak
        assert s.call("fine").status == "ok" and s.children_started == 1


def deep(levels: int):
    tree = 1
    for _ in range(levels):
        tree = {"L": [tree]}
    return tree


@pytest.mark.parametrize("tree, message", [
    ({"D": [["K" * 500_000, 1]]}, "a dict key of 500000 characters; the limit is 1000"),
    ({"L": ["S" * 500_000]}, "a str of 500000 characters; the limit is 100000"),
    (deep(200), "nested more than 64 levels deep, the limit"),
    ({"L": [0] * 250_001}, "more than 250000 parts, the limit"),
])
def test_a_lying_childs_value_over_the_budget_is_refused_while_decoding(sandbox, tree, message):
    with open_hostile(sandbox) as s:
        seq = s._child.seq + 2           # the seq of the raw() call after this one
        assert s.call("set_seq", (seq,)).value == seq
        out, peak = measured(s, "raw", json.dumps(tree))
        assert out.status == "too_large" and message in out.error, out
        assert "returned a value over the budget" in out.error
        assert peak < 32 * MIB, peak
        assert s._child is None          # the liar's child is dropped


def test_a_smaller_value_budget_applies_to_results():
    with Sandbox(replace(LIMITS, value_mib=1), jobs=1) as sb, open_hostile(sb) as s:
        out = s.call("big_array")
        assert out.status == "too_large" and "1 MiB (limits.value_mib)" in out.error
        assert s.call("fine").status == "ok"


def test_budgets_follow_value_mib_with_a_small_json_cap():
    budget = wire.Budget.for_value_mib(64)
    assert budget.array_bytes == 64 * MIB and budget.json_bytes == MIB
    with pytest.raises(wire.OverBudget):
        frames.check_prefix(frames.PREFIX.pack(frames.MAGIC, MIB + 1, 0), budget)
    with pytest.raises(wire.TooLarge, match="take 5"):
        frames.pack({"s": "x" * (5 * MIB)}, [], budget)
