"""Reference call-backs: what the grader and a reference process share about them.

A student function graded with reference attribution calls, say, ``sigmoid``: in the child
that name is a stub that sends the arguments, as plain data, straight to the session's
*reference process* (``refworker.py``: trusted, it imported the solution, killable, memory
bounded by an rlimit) over a socket of their own; the grader is not on that path. The grader
keeps control through a :class:`Board`, one shared memory page per reference process:

- the grader writes which reference functions the current call may reach (and a token
  naming the call, 0 between calls, the call's call-back cap, and the seed of numpy's global
  RandomState for the call if its case has one) before it sends the call to the child, and
  clears it when the call ends; the reference process reads it for every call-back and
  refuses any other name, or any call-back outside a call; it seeds numpy's global
  RandomState at the first call-back of a call that has a seed (see ``refworker.py``);
- the reference process writes whether it is busy, with which function, how many call-backs
  it answered for the current call and how long they took; the grader reads that when the
  call ends (a call-back still running then is killed with its process) and when the call
  times out (to say so in the student's message).

Time: the child waits for each answer inside its call, so a call-back's wall time is part of
the call's, which the grader bounds (call deadline, submission budget) and ends by killing
the child and the reference process together.

The grader-written part is guarded by a sequence lock (odd while writing), so the reference
process never acts on a half-written set of names.
"""
from __future__ import annotations

import mmap
import os
import select
import struct
import time

SIZE = 4096
MAX_FUNCTIONS = 2048
_SEQ = struct.Struct("<I")          # at 0: the sequence lock (odd while the grader writes)
# at 8: call token (0: no call), max call-backs, number of flags, numpy seed (-1: none)
_CALL = struct.Struct("<QIIq")
_FLAGS_AT = 64                      # one byte per reference function: 1 = may be called back
_BUSY_AT = 2560                     # written by the reference process: 1 while a call-back runs
_GONE_AT = 2561                     # written by the reference process: 1 once it is hanging up
# at 2568: token, call-backs started, function index, seconds of the finished ones, start of the
# running one (time.monotonic: the same clock in every process)
_WORK = struct.Struct("<QIidd")
_WORK_AT = 2568
_READ_TRIES = 10_000


class Board:
    """One reference process's shared page (a memfd, so it can be handed to that process)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.map = mmap.mmap(fd, SIZE)
        self.seq = 0

    @classmethod
    def create(cls) -> "Board":
        fd = os.memfd_create("grader-callbacks", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, SIZE)
            return cls(fd)
        except BaseException:
            os.close(fd)
            raise

    def close_fd(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def close(self) -> None:
        self.close_fd()
        self.map.close()

    # ------------------------------------------------ the grader's side

    def begin(self, token: int, indexes, max_callbacks: int, np_seed: int | None = None) -> None:
        """Open call ``token``: the functions at ``indexes`` may be called back; ``np_seed``
        seeds numpy's global RandomState before the call's first call-back."""
        flags = bytearray(max(indexes, default=-1) + 1)
        for index in indexes:
            flags[index] = 1
        self._write(token, max_callbacks, bytes(flags), -1 if np_seed is None else int(np_seed))

    def end(self) -> None:
        """No call now: every call-back is refused until the next :meth:`begin`."""
        self._write(0, 0, b"", -1)

    def _write(self, token: int, max_callbacks: int, flags: bytes, np_seed: int) -> None:
        self.seq += 1
        _SEQ.pack_into(self.map, 0, self.seq)
        _CALL.pack_into(self.map, 8, token, max_callbacks, len(flags), np_seed)
        self.map[_FLAGS_AT:_FLAGS_AT + len(flags)] = flags
        self.seq += 1
        _SEQ.pack_into(self.map, 0, self.seq)

    def busy(self) -> bool:
        return self.map[_BUSY_AT] != 0

    def gone(self) -> bool:
        return self.map[_GONE_AT] != 0

    def work(self) -> tuple[int, int, int, float, float]:
        """(token, call-backs started for it, index of the last function, seconds of the
        finished ones, start of the running one)."""
        return _WORK.unpack_from(self.map, _WORK_AT)

    # ------------------------------------------------ the reference process's side

    def read_call(self) -> tuple[int, int, bytes, int]:
        """(token, max call-backs, flags, numpy seed or -1) as the grader last wrote them whole;
        no call if the grader kept writing (it never does for long)."""
        for _ in range(_READ_TRIES):
            seq = _SEQ.unpack_from(self.map, 0)[0]
            if seq & 1:
                continue
            token, max_callbacks, count, np_seed = _CALL.unpack_from(self.map, 8)
            flags = self.map[_FLAGS_AT:_FLAGS_AT + min(count, MAX_FUNCTIONS)]
            if _SEQ.unpack_from(self.map, 0)[0] == seq:
                return token, max_callbacks, flags, np_seed
        return 0, 0, b"", -1

    def set_busy(self, busy: bool) -> None:
        self.map[_BUSY_AT] = 1 if busy else 0

    def set_gone(self) -> None:
        """Said before the socket closes: a process that is exiting can still look alive to a
        pidfd for a moment after the child has seen it hang up."""
        self.map[_GONE_AT] = 1

    def set_work(self, token: int, count: int, index: int, seconds: float, started: float) -> None:
        _WORK.pack_into(self.map, _WORK_AT, token, count, index, seconds, started)


class WorkerLink:
    """The grader's handle on one reference process: its pid, its board, a pidfd to see it end."""

    def __init__(self, pid: int, board: Board, functions: tuple):
        self.pid, self.board, self.functions = pid, board, functions
        self.token = 0
        try:
            self.pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):     # kernel < 5.3: liveness is then only seen on use
            self.pidfd = None

    def alive(self) -> bool:
        if self.board.gone():
            return False
        if self.pidfd is None:
            return True
        poller = select.poll()
        poller.register(self.pidfd, select.POLLIN)
        return not poller.poll(0)

    def begin(self, token: int, indexes, max_callbacks: int, np_seed: int | None = None) -> None:
        self.token = token
        self.board.begin(token, indexes, max_callbacks, np_seed)

    def end(self) -> bool:
        """Close the call; True when a call-back is still running (its process must go)."""
        self.board.end()
        return self.board.busy()

    def running(self) -> str:
        """What the reference process did during the current call, for a student's message."""
        token, count, index, seconds, started = self.board.work()
        if token != self.token or not count:
            return ""
        name = self.functions[index] if 0 <= index < len(self.functions) else "?"
        if self.board.busy():
            seconds += max(0.0, time.monotonic() - started)
            return (f"the reference {name}() it called was still running; {count} call-back(s) to the "
                    f"reference took {seconds:.1f} s of it")
        return f"{count} call-back(s) to the reference took {seconds:.1f} s of it"

    def close(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.board.close()
