"""The children's seccomp program, compiled once by the zygote: with a child's pid written in,
it is the very program libseccomp builds for that pid, and it refuses what the filter must."""
from __future__ import annotations

import os
import sys

import pytest

from grader.sandbox import lockdown, seccomp_filter

pytest.importorskip("pyseccomp")
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="seccomp is Linux's")


def test_the_compiled_program_with_a_pid_written_in_is_libseccomps_own_for_that_pid():
    program = seccomp_filter.compile_program()
    assert program is not None
    assert program.pid_at
    for pid in (1, 2, 4242, os.getpid(), 4_194_303):
        expected, skipped = seccomp_filter.export(pid)
        assert program.for_pid(pid) == expected, pid
        assert program.skipped == skipped


def test_a_process_with_the_loaded_program_may_signal_only_itself_and_not_fork():
    program = seccomp_filter.compile_program()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:          # the forked test process: report what the filter allowed, then leave
        verdicts = []
        try:
            layers: dict = {}
            lockdown._libc.prctl(lockdown.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            verdicts.append(str(lockdown._seccomp(layers, program)))
            for attempt in (lambda: os.kill(os.getpid(), 0), lambda: os.kill(os.getppid(), 0), os.fork):
                try:
                    if attempt() == 0:
                        os._exit(0)          # a forked grandchild: the filter failed
                    verdicts.append("ok")
                except PermissionError:
                    verdicts.append("EPERM")
            verdicts.append(layers["seccomp"]["detail"])
        finally:
            os.write(write_fd, "|".join(verdicts).encode())
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as f:
        verdicts = f.read().decode().split("|")
    os.waitpid(pid, 0)
    assert verdicts[:4] == ["True", "ok", "EPERM", "EPERM"], verdicts
    assert verdicts[4].endswith("signals to others...)") or "unknown here" in verdicts[4], verdicts
