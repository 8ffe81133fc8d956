"""Every wait of the sandbox has a deadline: a free slot, a zygote's answer, closing."""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

import pytest

from grader.config import Limits
from grader.sandbox import Sandbox, SandboxError, open_timeout

LIMITS = Limits(call_seconds=5.0, submission_seconds=30.0, cpu_seconds=60, memory_mib=1024,
                output_kib=16, file_size_mib=4, open_files=64)


@dataclass
class Chunk:
    filename: str
    source: str


CHUNKS = [Chunk("<cell 1>", "def f():\n    return 1\n")]


def test_open_waits_for_a_slot_at_most_its_timeout():
    with Sandbox(LIMITS, jobs=1) as sb, sb.open(CHUNKS) as held:
        started = time.monotonic()
        with pytest.raises(SandboxError, match=r"no sandbox slot became free within 0.3 s: all 1 are held"):
            sb.open(CHUNKS, timeout=0.3)
        assert time.monotonic() - started >= 0.3
        assert held.call("f").value == 1
    assert 0 < open_timeout(LIMITS) < float("inf")


def test_a_zygote_that_stops_answering_is_an_error_after_its_deadline_and_the_sandbox_recovers():
    with Sandbox(LIMITS, jobs=1) as sb:
        sb._zygote.control_seconds = 0.5
        zygote = sb._zygote.pid
        os.kill(zygote, signal.SIGSTOP)
        try:
            with pytest.raises(SandboxError, match="did not answer within 0.5 s"):
                sb.open(CHUNKS)
        finally:
            os.kill(zygote, signal.SIGCONT)
        # Its late answer to the fork is recognised and dropped, not taken for the next request's.
        sb._zygote.control_seconds = 30.0
        with sb.open(CHUNKS) as session:
            assert session.call("f").value == 1


def test_closing_a_sandbox_whose_zygote_is_stopped_ends_it():
    sb = Sandbox(LIMITS, jobs=1)
    sb.start()
    zygote = sb._zygote.proc
    os.kill(zygote.pid, signal.SIGSTOP)
    sb.close()
    assert zygote.poll() is not None
