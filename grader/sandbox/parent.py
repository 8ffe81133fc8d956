"""The grader's side of one sandboxed child: its channel, its output pipe, how it died.

:meth:`Child.exchange` sends one request and pumps until the answer arrives or a deadline
passes; it reads the output pipe all along (no pipe deadlock) and holds what the child sends
to the sandbox's :class:`~grader.sandbox.wire.Budget` (``limits.value_mib``) before anything
is allocated.
"""
from __future__ import annotations

import os
import select
import signal
import socket
import time

from grader.sandbox import frames, wire


class ChildGone(Exception):
    """The child broke its channel; ``too_large`` when what it sent was over the budget."""

    def __init__(self, message: str, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


class CallTimeout(Exception):
    pass


class Output:
    """Captured stdout+stderr bytes with a cap; the rest is counted and dropped."""

    def __init__(self, cap: int):
        self.cap, self.parts, self.kept, self.total = cap, [], 0, 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(data[:room])
            self.kept += min(room, len(data))

    def text(self) -> str:
        text = b"".join(self.parts).decode("utf-8", errors="replace")
        if self.total > self.kept:
            text += f"\n[... output truncated: {self.total} bytes in total, the first {self.kept} shown]"
        return text


class Child:
    """One forked child: pid, channel, output pipe; and, with a reference, its reference process.

    ``ref_sock``/``ref_out`` are the grader's ends of the child's call-back socket and output
    pipe, held until a reference process is forked for them (then it holds them); ``worker``
    is that process (a :class:`~grader.sandbox.callbacks.WorkerLink`).
    """

    def __init__(self, pid: int, sock: socket.socket, out_fd: int, budget: wire.Budget):
        self.pid, self.sock, self.out_fd = pid, sock, out_fd
        self.reader = frames.FrameReader(budget)
        self.alive = True
        self.seq = 0
        self.layers: dict = {}
        self.setup_ms = 0.0
        self.ref_sock: socket.socket | None = None
        self.ref_out: int | None = None
        self.worker = None
        # One poll set for the child's life (no fd lists rebuilt per wait): the channel, and
        # the output pipe until it closes. POLLOUT is asked for only while a send is pending.
        self.sock_fd = sock.fileno()
        self.poller = select.poll()
        self.poller.register(self.sock_fd, select.POLLIN)
        self.poller.register(out_fd, select.POLLIN)
        self.out_poller = select.poll()         # just the pipe, for the drain after an answer
        self.out_poller.register(out_fd, select.POLLIN)
        self.want_write = False

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def exchange(self, parts: list, deadline: float, out: Output, final_ops=("done", "result"),
                 seq=None) -> tuple[dict, list]:
        """Send ``parts`` (a packed frame), then pump until a final message arrives.

        Raises CallTimeout at ``deadline`` (monotonic) or ChildGone when the child breaks.
        """
        pending = frames.outgoing(parts)
        self._send(pending)       # the socket is almost always writable: no wait first
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise CallTimeout()
            self._want_write(bool(pending))
            # poll counts in milliseconds; round up so that we never spin on a 0 timeout.
            events = self.poller.poll(int((deadline - now) * 1000) + 1)
            sock_ready = False
            for fd, _ in events:
                if fd == self.sock_fd:
                    sock_ready = True
                elif fd == self.out_fd:
                    self._read_output(out)
            if not sock_ready:
                continue
            if pending:
                self._send(pending)
            for header, buffers in self._receive():
                op = header.get("op")
                if op not in final_ops:
                    raise ChildGone(f"the child sent an unexpected message ({str(op)[:40]!r})")
                if seq is not None and header.get("seq") != seq:
                    raise ChildGone("the child answered out of turn")
                self._drain_output(out)
                return header, buffers

    def _want_write(self, want: bool) -> None:
        if want != self.want_write:
            self.poller.modify(self.sock_fd, select.POLLIN | (select.POLLOUT if want else 0))
            self.want_write = want

    def _send(self, pending: list) -> None:
        if not pending:
            return
        try:
            sent = self.sock.sendmsg(pending[:frames.IOV_MAX])
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            raise ChildGone(f"the child's channel failed ({exc})") from None
        frames.advance(pending, sent)

    def _receive(self) -> list:
        """One recv_into (poll said there is something): the whole frames it completed."""
        try:
            return self.reader.recv(self.sock)
        except (BlockingIOError, InterruptedError):
            return []
        except EOFError:
            raise ChildGone("the child closed its channel") from None
        except wire.OverBudget as exc:
            raise ChildGone(f"sent {exc}", too_large=True) from None
        except wire.WireError as exc:
            raise ChildGone(f"the child sent malformed data ({exc})") from None
        except OSError as exc:
            raise ChildGone(f"the child's channel failed ({exc})") from None

    def _read_output(self, out: Output) -> None:
        try:
            data = os.read(self.out_fd, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            out.add(data)
        else:
            self.close_output()

    def close_output(self) -> None:
        if self.out_fd is not None:
            for poller in (self.poller, self.out_poller):
                try:
                    poller.unregister(self.out_fd)
                except KeyError:
                    pass
            os.close(self.out_fd)
            self.out_fd = None

    def close_reference_ends(self) -> None:
        """Close the grader's ends meant for a reference process (forked with them, or never)."""
        if self.ref_sock is not None:
            self.ref_sock.close()
            self.ref_sock = None
        if self.ref_out is not None:
            os.close(self.ref_out)
            self.ref_out = None

    def _drain_output(self, out: Output) -> None:
        # The child (and its reference process) flushed before answering: what they printed
        # is in the pipe already.
        for _ in range(64):
            if self.out_fd is None or not self.out_poller.poll(0):
                return
            self._read_output(out)


def death_reason(status, limits, context: str = "") -> str:
    if status is None:
        return context or "the process vanished"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        if sig == signal.SIGXCPU:
            return f"it used more than the CPU time limit of {limits.cpu_seconds} s (SIGXCPU)"
        if sig == signal.SIGSEGV:
            return "segmentation fault (SIGSEGV): a crash in native code, or a too deep recursion"
        if sig == signal.SIGKILL:
            return ("killed by SIGKILL (the sandbox closed a broken channel, the CPU hard limit, "
                    "or the system ran out of memory)" if not context else f"killed by SIGKILL after: {context}")
        return f"killed by {name}"
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        return f"the process exited with status {code} (os._exit, or the sandbox's channel was closed)"
    return context or f"wait status {status}"
