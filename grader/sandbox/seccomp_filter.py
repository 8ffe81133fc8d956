"""The children's seccomp deny-list, compiled once by the zygote and loaded by each child.

Building the filter with libseccomp (~100 rules resolved by name, then compiled to BPF) costs
a child ~3.5 ms of CPU; the program is the same for every child except its own pid, which
five rules compare with (signals and ``prlimit64`` only to itself). So the zygote compiles it
once with a stand-in pid, checks that the stand-in is a plain constant of the program (a
second compilation with another stand-in differs in exactly those constants and nowhere
else; libseccomp shares one comparison between the five rules), and each child writes its
pid into those places and loads the program with ``prctl(PR_SET_SECCOMP)``, the call
``seccomp_load`` makes. When any of that fails the child
builds the filter itself with libseccomp, as before.
"""
from __future__ import annotations

import ctypes
import errno
import os
import struct

CLONE_THREAD = 0x00010000
PR_SET_PDEATHSIG = 1
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Denied with EPERM (clone3 with ENOSYS, see below). Missing names on older libseccomp are skipped.
DENIED_SYSCALLS = (
    "fork", "vfork", "execve", "execveat", "socket", "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "sethostname",
    "setdomainname", "syslog", "acct", "quotactl", "keyctl", "add_key", "request_key",
    "open_by_handle_at", "name_to_handle_at", "kcmp", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    "process_madvise", "process_mrelease", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "iopl", "ioperm", "memfd_create", "shmget", "msgget", "semget", "mq_open", "sched_setaffinity",
    "sched_setscheduler", "sched_setparam", "sched_setattr", "setpriority", "ioprio_set",
    "migrate_pages", "move_pages", "mbind", "fanotify_init", "lookup_dcookie", "vhangup",
    # Metadata changes: Landlock does not cover them, and the child runs as the owner of the
    # course files (root, or the instructor), so chmod/utime/xattr of config.yaml would work.
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "utimensat", "futimesat", "setxattr", "lsetxattr", "fsetxattr",
    "removexattr", "lremovexattr", "fremovexattr",
)
PID_RULES = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
# Stand-in pids: above any pid_max (2**22), below 2**32 (so the upper half of the 64-bit
# argument compares with 0, as for a real pid).
_STAND_INS = (0x7E3D51A9, 0x6C19A2E7)
_INSN = struct.Struct("=HBBI")            # struct sock_filter: code, jt, jf, k
_PID = struct.Struct("=I")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Program:
    """The compiled filter: BPF instructions, where the pid goes, the rules libseccomp skipped.

    Its buffer and ``struct sock_fprog`` are built where it is compiled (the zygote): a freshly
    forked child only writes its pid into the buffer and makes one ``prctl``, touching (and
    copying) as few of the zygote's pages as it can."""

    def __init__(self, code: bytes, pid_at: tuple, skipped: tuple):
        self.code, self.pid_at, self.skipped = code, pid_at, skipped
        self._buffer = ctypes.create_string_buffer(code, len(code))
        self._fprog = _SockFprog(len(code) // _INSN.size, ctypes.addressof(self._buffer))

    def for_pid(self, pid: int) -> bytes:
        """The program with ``pid`` in place of the stand-in."""
        code = bytearray(self.code)
        for at in self.pid_at:
            _PID.pack_into(code, at, pid)
        return bytes(code)

    def load(self, pid: int, libc) -> None:
        """Install the program for ``pid`` on this thread (no_new_privs must be set, or
        CAP_SYS_ADMIN held), as ``seccomp_load`` does."""
        for at in self.pid_at:
            _PID.pack_into(self._buffer, at, pid)
        if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(self._fprog), 0, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))


def build(pid: int):
    """The filter for ``pid`` as a libseccomp ``SyscallFilter`` (not loaded), and the names
    this libseccomp does not know."""
    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ALLOW)
    eperm = sc.ERRNO(errno.EPERM)
    skipped = []
    for name in DENIED_SYSCALLS:
        try:
            f.add_rule(eperm, name)
        except Exception:  # noqa: BLE001 - a name this libseccomp does not know
            skipped.append(name)
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    # clone without CLONE_THREAD creates a process; threads stay allowed.
    f.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    # Signals only to this process itself.
    for name in PID_RULES:
        f.add_rule(eperm, name, sc.Arg(0, sc.NE, pid))
    f.add_rule(eperm, "prlimit64", sc.Arg(0, sc.NE, 0))          # only our own limits
    f.add_rule(eperm, "prctl", sc.Arg(0, sc.EQ, PR_SET_PDEATHSIG))  # keep dying with the zygote
    return f, tuple(skipped)


def export(pid: int) -> tuple[bytes, tuple]:
    """The BPF program libseccomp builds for ``pid``, and the rules it skipped."""
    f, skipped = build(pid)
    # A memfd, not a pipe: libseccomp writes the whole program before we read (a pipe could fill).
    with open(os.memfd_create("grader-seccomp", os.MFD_CLOEXEC), "w+b") as file:
        f.export_bpf(file)          # writes through the descriptor itself
        file.seek(0)
        return file.read(), skipped


def compile_program() -> Program | None:
    """In the zygote: the program for every child, or None (each child then builds its own)."""
    try:
        (first, skipped), (second, _) = export(_STAND_INS[0]), export(_STAND_INS[1])
    except Exception:  # noqa: BLE001 - pyseccomp or libseccomp missing, or export failed
        return None
    if not first or len(first) != len(second) or len(first) % _INSN.size:
        return None
    pid_at = []
    for at in range(0, len(first), _INSN.size):
        a, b = _INSN.unpack_from(first, at), _INSN.unpack_from(second, at)
        if a == b and a[3] not in _STAND_INS:
            continue
        if a[:3] != b[:3] or (a[3], b[3]) != _STAND_INS:
            return None            # the stand-in is not a plain constant of the program
        pid_at.append(at + 4)
    if not pid_at:
        return None
    return Program(first, tuple(pid_at), skipped)
