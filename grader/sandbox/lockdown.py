"""The protections a freshly forked child applies to itself before any student code runs.

Each layer is tried on its own; when the kernel or the user lacks it, the child still runs
and the layer is reported inactive (with the reason) in the layers dict that
:func:`apply` returns, which the grader shows (``grader doctor``, warnings). In order:

1. ``no_new_privs`` (needed by Landlock and seccomp for an unprivileged process);
2. namespaces: new network, mount, IPC and UTS namespaces (``unshare``; as a normal user
   inside a new user namespace that maps only the caller's own uid/gid). Where seccomp works,
   the network, IPC and UTS namespaces (and the user namespace) are made once by the zygote
   (:func:`shared_namespaces`) and inherited; only the mount namespace is per child;
3. in the private mount namespace: a small tmpfs on the scratch directory (bounds disk use),
   the ``deny_paths`` covered by empty read-only mounts, ``/proc`` covered too;
   without a mount namespace: a per-child scratch subdirectory on the real disk;
4. rlimits: CPU seconds (hard = soft + 1, so SIGXCPU cannot be dodged), address space,
   file size (SIGXFSZ ignored: writes fail with EFBIG instead of killing), core 0;
5. Landlock (ctypes, raw syscalls): read-only access to the Python installation, the venv,
   the ``grader`` package and the system libraries; read-write to the scratch directory;
   nothing else. From ABI 4 all TCP bind/connect is denied; from ABI 6 signals and abstract
   unix sockets outside the sandbox are too;
6. capabilities dropped (bounding, ambient, effective, permitted, inheritable): a child run
   by root keeps uid 0 (Python may live in root's home) but not root's powers;
7. seccomp deny-list (``seccomp_filter.py``: compiled by libseccomp once in the zygote, each
   child writes its pid in and loads it): process creation (fork, vfork, clone without
   CLONE_THREAD; clone3 answers ENOSYS so glibc falls back to clone for threads), execve,
   socket, SysV IPC and POSIX message queues, ptrace and cross-process memory, mount and
   namespace calls, kill/tgkill of
   other processes, io_uring, bpf, kernel module/reboot/clock calls...;
   if seccomp is unavailable and we are not root, RLIMIT_NPROC = 0 blocks fork instead;
8. open-files rlimit last (the setup itself opens a few descriptors).
"""
from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import struct
import sys

from grader.sandbox import seccomp_filter
from grader.sandbox.seccomp_filter import DENIED_SYSCALLS

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4

SYS_capset = 126
SYS_landlock_create_ruleset, SYS_landlock_add_rule, SYS_landlock_restrict_self = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

# Landlock filesystem rights by ABI version.
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1, 2, 4, 8
FS_ABI1 = (1 << 13) - 1
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FS_FILE_ONLY = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2

SYSTEM_LIBRARY_DIRS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib")


def _errno_text(err: int | None = None) -> str:
    err = ctypes.get_errno() if err is None else err
    return f"{errno.errorcode.get(err, err)}: {os.strerror(err)}"


def _check(result: int, what: str) -> int:
    if result < 0:
        raise OSError(ctypes.get_errno(), f"{what} failed ({_errno_text()})")
    return result


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when unavailable."""
    v = _libc.syscall(SYS_landlock_create_ruleset, None, ctypes.c_size_t(0),
                      ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(v), 0)


def default_read_paths() -> list[str]:
    """What the child may read: the Python installation(s), the venv, ``grader``, system libs."""
    import grader
    paths = [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.abspath(grader.__file__)), *SYSTEM_LIBRARY_DIRS]
    paths += [p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p]
    return _unique_real(paths)


def _unique_real(paths) -> list[str]:
    out = []
    for p in paths:
        if p and os.path.exists(p):
            real = os.path.realpath(p)
            if real not in out:
                out.append(real)
    return out


# ---------------------------------------------------------------- layers

def _ns_inode(kind: str) -> int:
    try:
        return os.stat(f"/proc/self/ns/{kind}").st_ino
    except OSError:
        return 0


def _map_ids(uid: int, gid: int) -> None:
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def shared_namespaces(seccomp_ready: bool) -> dict:
    """Called once by the zygote: new empty network, IPC and UTS namespaces for all children.

    They hold no per-child state, so children inherit them instead of creating (and the
    kernel destroying, partly in a kernel worker) three namespaces each. Children stay apart
    in them only because seccomp denies socket(), SysV IPC and POSIX message queues, and the
    capabilities to change them are dropped: without a seccomp filter we share nothing and
    each child unshares its own, as before. As a normal user the three come with a user
    namespace mapping only our own uid/gid (children then need no user namespace of their
    own for their mount namespace). Root without capabilities (cannot map uid 0) shares
    nothing. Returns what to put in the children's settings (``shared_ns`` ...).
    """
    if not seccomp_ready:
        return {"shared_ns": None, "shared_ns_why": "no seccomp filter to keep children apart in shared namespaces"}
    uid, gid = os.getuid(), os.getgid()
    before = _ns_inode("net")
    flags = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    userns = False
    if _libc.unshare(flags) != 0:
        if uid == 0:   # root without CAP_SYS_ADMIN: a user namespace could not map uid 0
            return {"shared_ns": None, "shared_ns_why": f"unshare failed ({_errno_text()})"}
        if _libc.unshare(flags | CLONE_NEWUSER) != 0:
            return {"shared_ns": None, "shared_ns_why": f"unshare with a user namespace failed ({_errno_text()})"}
        userns = True
        try:
            _map_ids(uid, gid)
        except OSError as exc:   # not expected for a normal user; children would not work
            raise SystemExit(f"grader zygote: could not map uid {uid} in its user namespace ({exc})")
    after = _ns_inode("net")
    if before and after == before:
        raise SystemExit("grader zygote: unshare succeeded but the network namespace did not change")
    return {"shared_ns": {"userns": userns, "uid": uid}}


def _namespaces(settings: dict, layers: dict) -> bool:
    """New net/mount/ipc/uts namespaces; as non-root inside a new user namespace.

    When the zygote made the network, IPC and UTS namespaces already (``shared_ns``), only
    the mount namespace is new here."""
    uid, gid = os.getuid(), os.getgid()
    shared = settings.get("shared_ns")
    if shared:
        if _libc.unshare(CLONE_NEWNS) == 0:
            if shared.get("userns"):
                layers["user_namespace"] = {"active": True, "detail": f"uid {uid} mapped to itself "
                                                                      "(made once by the zygote)"}
            layers["network_namespace"] = {
                "active": True, "detail": "only a down loopback inside; made once by the zygote with the "
                                          "IPC and UTS namespaces, shared by children that seccomp keeps apart "
                                          "(no socket(), SysV IPC or POSIX message queues)"}
            return True
        layers["network_namespace"] = {"active": True, "detail": "made once by the zygote"}
        layers["mount_namespace"] = {"active": False, "detail": f"unshare failed ({_errno_text()})"}
        return False
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    userns = False
    if _libc.unshare(flags) != 0:
        err = ctypes.get_errno()
        if _libc.unshare(flags | CLONE_NEWUSER) != 0:
            reason = _errno_text()
            for name in ("network_namespace", "mount_namespace"):
                layers[name] = {"active": False, "detail": f"unshare failed ({_errno_text(err)}; "
                                                           f"with a user namespace: {reason})"}
            return False
        userns = True
        try:
            _map_ids(uid, gid)
        except OSError as exc:
            # Mapping uid 0 needs CAP_SETFCAP (root without capabilities): files created on a
            # tmpfs of this namespace would fail with EOVERFLOW, so scratch stays on disk.
            settings["_unmapped"] = True
            layers["user_namespace"] = {"active": True, "detail": f"id maps not written ({exc.strerror}): "
                                                                  "scratch on disk"}
    if userns:
        layers.setdefault("user_namespace", {"active": True, "detail": f"uid {uid} mapped to itself"})
    layers["network_namespace"] = {"active": True, "detail": "only a down loopback inside"}
    return True


def _mounts(settings: dict, layers: dict) -> str:
    """Private tmpfs scratch + cover denied paths. Returns the scratch directory."""
    scratch = settings["scratch"]
    problems = []
    if _libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        layers["mount_namespace"] = {"active": False, "detail": f"making / private failed ({_errno_text()})"}
        return _scratch_subdir(settings)
    opts = f"size={settings['scratch_mib']}m,nr_inodes=4096,mode=0700".encode()
    if settings.get("_unmapped"):
        scratch = _scratch_subdir(settings)
        problems.append("scratch on disk (no id map for a tmpfs)")
    elif _libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, opts) != 0:
        layers["mount_namespace"] = {"active": False, "detail": f"tmpfs mount failed ({_errno_text()})"}
        return _scratch_subdir(settings)
    hidden = 0
    for path in list(settings.get("deny_paths", ())) + ["/proc"]:
        if not os.path.exists(path):
            continue
        if os.path.isdir(path):
            ok = _libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                             b"size=4k,nr_inodes=2,mode=0") == 0
        else:
            ok = _libc.mount(b"/dev/null", path.encode(), None, MS_BIND, None) == 0
        if ok:
            hidden += 1
        else:
            problems.append(f"could not cover {path} ({_errno_text()})")
    detail = (f"private tmpfs scratch of {settings['scratch_mib']} MiB" if scratch == settings["scratch"]
              else "private mount namespace") + f"; {hidden} denied path(s) covered"
    layers["mount_namespace"] = {"active": True, "detail": detail + ("; " + "; ".join(problems) if problems else "")}
    return scratch


def _scratch_subdir(settings: dict) -> str:
    path = os.path.join(settings["scratch"], f"child-{os.getpid()}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _rlimits(settings: dict, layers: dict) -> None:
    mib = 1024 * 1024
    cpu = int(settings["cpu_seconds"])
    done, failed = [], []
    for name, res, value in (("cpu", resource.RLIMIT_CPU, (cpu, cpu + 1)),
                             ("address_space", resource.RLIMIT_AS, (settings["memory_mib"] * mib,) * 2),
                             ("file_size", resource.RLIMIT_FSIZE, (settings["file_size_mib"] * mib,) * 2),
                             ("core", resource.RLIMIT_CORE, (0, 0))):
        try:
            resource.setrlimit(res, value)
            done.append(name)
        except (OSError, ValueError) as exc:
            failed.append(f"{name}: {exc}")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a too-large write fails with EFBIG
    layers["rlimits"] = {"active": not failed,
                         "detail": f"cpu {cpu}s (hard {cpu + 1}s), address space {settings['memory_mib']} MiB, "
                                   f"file size {settings['file_size_mib']} MiB, core 0, "
                                   f"open files {settings['open_files']}"
                                   + (f"; failed: {', '.join(failed)}" if failed else "")}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


def _landlock(settings: dict, scratch: str, layers: dict) -> None:
    abi = settings.get("landlock_abi") or landlock_abi()
    if abi <= 0:
        layers["landlock"] = {"active": False, "detail": f"not supported by this kernel ({_errno_text()})"}
        return
    handled = FS_ABI1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0) \
        | (FS_IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(handled, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    fd = _libc.syscall(SYS_landlock_create_ruleset, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        layers["landlock"] = {"active": False, "detail": f"landlock_create_ruleset failed ({_errno_text()})"}
        return
    read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
    rules = [(p, read) for p in settings["read_paths"]]
    rules += [("/dev/null", FS_READ_FILE | FS_WRITE_FILE), (scratch, handled)]
    skipped = []
    try:
        for path, access in rules:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                skipped.append(path)
                continue
            try:
                if not os.path.isdir(path):
                    access &= FS_FILE_ONLY
                rule = struct.pack("=Qi", access & handled, pfd)
                if _libc.syscall(SYS_landlock_add_rule, ctypes.c_int(fd), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                                 ctypes.c_char_p(rule), ctypes.c_uint32(0)) != 0:
                    skipped.append(f"{path} ({_errno_text()})")
            finally:
                os.close(pfd)
        if _libc.syscall(SYS_landlock_restrict_self, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
            layers["landlock"] = {"active": False, "detail": f"landlock_restrict_self failed ({_errno_text()})"}
            return
    finally:
        os.close(fd)
    extras = (", TCP bind/connect denied" if abi >= 4 else "") + \
             (", signals and abstract sockets scoped" if abi >= 6 else "")
    layers["landlock"] = {"active": True,
                          "detail": f"ABI {abi}: read-only {len(settings['read_paths'])} path(s), "
                                    f"read-write scratch{extras}"
                                    + (f"; skipped {', '.join(skipped)}" if skipped else "")}


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities(layers: dict) -> None:
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    if _libc.syscall(SYS_capset, ctypes.byref(header), ctypes.byref(data)) != 0:
        layers["capabilities"] = {"active": False, "detail": f"capset failed ({_errno_text()})"}
    else:
        layers["capabilities"] = {"active": True, "detail": "all capabilities dropped"}


def _seccomp(layers: dict, program=None) -> bool:
    """The deny-list (``seccomp_filter``): the zygote's compiled ``program`` with our pid put in,
    or, without one, the filter built here with libseccomp."""
    pid = os.getpid()
    skipped = ()
    try:
        if program is not None:
            skipped = program.skipped
            program.load(pid, _libc)
        else:
            try:
                import pyseccomp  # noqa: F401
            except Exception as exc:  # not installed, or libseccomp missing
                layers["seccomp"] = {"active": False,
                                     "detail": f"pyseccomp unavailable ({type(exc).__name__}: {exc})"}
                return False
            built, skipped = seccomp_filter.build(pid)
            built.load()
    except Exception as exc:
        layers["seccomp"] = {"active": False, "detail": f"filter not loaded ({type(exc).__name__}: {exc})"}
        return False
    layers["seccomp"] = {"active": True,
                         "detail": f"{len(DENIED_SYSCALLS) - len(skipped) + 8} syscall rules (fork, exec, socket, "
                                   "ptrace, mount, namespaces, signals to others...)"
                                   + (f"; unknown here: {', '.join(skipped)}" if skipped else "")}
    return True


def apply(settings: dict) -> tuple[dict, str]:
    """Lock this (freshly forked, single-threaded) process down. Returns (layers, scratch dir).

    ``settings``: scratch, scratch_mib, read_paths, deny_paths, cpu_seconds, memory_mib,
    file_size_mib, open_files, landlock_abi and seccomp_program (optional, made once by the zygote).
    """
    layers: dict = {"root": {"active": os.geteuid() == 0,
                             "detail": "running as root" if os.geteuid() == 0 else f"running as uid {os.geteuid()}"}}
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        layers["no_new_privs"] = {"active": True, "detail": "set"}
    else:
        layers["no_new_privs"] = {"active": False, "detail": _errno_text()}
    if _namespaces(settings, layers):
        scratch = _mounts(settings, layers)
    else:
        layers["mount_namespace"] = layers.get("mount_namespace") or {"active": False, "detail": "no namespace"}
        scratch = _scratch_subdir(settings)
    os.chdir(scratch)
    _rlimits(settings, layers)
    _landlock(settings, scratch, layers)
    _drop_capabilities(layers)
    seccomp = _seccomp(layers, settings.get("seccomp_program"))
    if not seccomp and settings.get("shared_ns") and "network_namespace" in layers:
        # Without the filter, children could meet in the namespaces the zygote shares.
        layers["network_namespace"] = {"active": False, "detail": "shared with the other children, and seccomp "
                                                                  "failed: they could reach each other"}
    if not seccomp and os.geteuid() != 0:
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
            layers["nproc_rlimit"] = {"active": True, "detail": "RLIMIT_NPROC 0 blocks fork (and threads)"}
        except (OSError, ValueError) as exc:
            layers["nproc_rlimit"] = {"active": False, "detail": str(exc)}
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (settings["open_files"],) * 2)
    except (OSError, ValueError) as exc:
        layers["rlimits"]["active"] = False
        layers["rlimits"]["detail"] += f"; open files: {exc}"
    return layers, scratch
