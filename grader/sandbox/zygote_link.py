"""The grader's side of a zygote process: start it, fork from it, kill and reap what it forked.

Two zygotes run per :class:`~grader.sandbox.Sandbox`: the clean one that forks the locked-down
children, and (with a reference) the trusted one that forks reference processes. Both speak
the control protocol of ``zygote.py``. Every wait here has a deadline: the lock that keeps
one request at a time, sending, and the answer.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

CONTROL_SECONDS = 30.0        # a zygote answers within this
START_SECONDS = 120.0         # a zygote is up and configured within this (imports numpy, maybe a solution)
EXIT_SECONDS = 5.0            # a zygote exits within this once its socket closed (then SIGKILL)
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": PACKAGE_ROOT,
       "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1",
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class SandboxError(RuntimeError):
    """The sandbox itself could not work (zygote did not start, fork refused, no free slot...)."""


class ZygoteLink:
    """One zygote process (``python -m grader.sandbox.zygote FD ROLE``) and its control socket."""

    def __init__(self, role: str, what: str):
        self.role, self.what = role, what       # what: "the sandbox's zygote" in messages
        self.control_seconds = CONTROL_SECONDS
        self.request_id = 0
        self.proc: subprocess.Popen | None = None
        self.ctrl: socket.socket | None = None
        self.lock = threading.Lock()

    def launch(self, cwd: str) -> None:
        """Start the process (configure it with :meth:`control` next: several can start at once)."""
        parent_sock, zygote_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.zygote", str(zygote_sock.fileno()), self.role],
                env=ENV, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                pass_fds=[zygote_sock.fileno()], start_new_session=True, close_fds=True)
        except BaseException:
            parent_sock.close()
            raise
        finally:
            zygote_sock.close()
        self.ctrl = parent_sock

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def control(self, request: dict, fds=(), timeout: float | None = None, reply: bool = True) -> dict:
        """Send one request (with descriptors) and wait at most ``timeout`` (default
        ``control_seconds``) for its answer; another thread's request first, at most as long."""
        timeout = self.control_seconds if timeout is None else timeout
        if not self.lock.acquire(timeout=timeout + self.control_seconds):
            raise SandboxError(f"{self.what} was busy with another request for more than "
                               f"{timeout + self.control_seconds:g} s")
        try:
            answer = self._exchange(request, fds, timeout, reply)
        finally:
            self.lock.release()
        if "error" in answer:
            raise SandboxError(f"{self.what} refused: {answer['error']}")
        return answer

    def _exchange(self, request: dict, fds, timeout: float, reply: bool) -> dict:
        if self.ctrl is None:
            raise SandboxError("the sandbox is not running (use it in a with-block)")
        # Each request carries an id the zygote echoes: the late answer to a request that
        # timed out is recognised and dropped, never taken for the next request's.
        self.request_id += 1
        request = dict(request, id=self.request_id)
        deadline = time.monotonic() + timeout
        try:
            self.ctrl.settimeout(timeout)
            socket.send_fds(self.ctrl, [json.dumps(request).encode()], list(fds))
            while reply:
                self.ctrl.settimeout(max(0.0, deadline - time.monotonic()))
                data = self.ctrl.recv(1 << 16)
                if not data:
                    code = self.proc.poll() if self.proc else None
                    raise SandboxError(f"{self.what} exited (status {code}); see the messages above")
                answer = json.loads(data)
                if answer.get("id") == self.request_id:
                    return answer
        except socket.timeout:
            raise SandboxError(f"{self.what} did not answer within {timeout:g} s") from None
        except OSError as exc:
            raise SandboxError(f"{self.what} is gone ({exc})") from None
        return {}

    def fork(self, fds) -> int:
        return int(self.control({"op": "fork"}, fds=fds)["pid"])

    def finish(self, pid: int, want_status: bool) -> int | None:
        """SIGKILL ``pid``'s process group, then have the zygote reap it: with its wait status
        (a round trip, bounded), or in the background (no wait)."""
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            if want_status:
                return self.control({"op": "reap", "pid": pid}).get("status")
            self.control({"op": "release", "pid": pid}, reply=False)
        except SandboxError:
            pass
        return None

    def close(self) -> None:
        """Close the socket (the zygote kills what it forked and exits), then wait, bounded."""
        if self.ctrl is not None:
            self.ctrl.close()
            self.ctrl = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(timeout=EXIT_SECONDS)
                except subprocess.TimeoutExpired:
                    pass        # unkillable (stuck in the kernel): nothing more to do from here
            self.proc = None
