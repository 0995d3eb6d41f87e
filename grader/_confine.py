"""Confinement of one contestant: the process that runs one submission.

Runs inside the cell server (``_contestant.main``), in the child forked for one
submission, before any submitted code is read. Imports only the standard library
(and ``pyseccomp`` when installed): the cell server may live inside bubblewrap,
where nothing of the project but these few files exists.

Each contestant gets, on top of what bubblewrap gives the whole cell server:

- no descriptor but its own socket, stdout and stderr (fd 0 is ``/dev/null``);
- a user namespace of its own (where the kernel allows it), and in it its own
  PID, mount, network, IPC and UTS namespaces: it cannot see or signal any
  other process, and everything it starts dies with it;
- a private ``/tmp``; ``/proc`` covered by an empty, read-only directory; the
  whole file system read-only; without bubblewrap, the places that hold other
  people's data (home folders, ``/root``, ``/etc/shadow``, the deck folders,
  the project's source and its ``.git``) are hidden as well;
- no privileges: ``nobody`` where the process is real root, else the caller's
  own uid, with every capability dropped and ``no_new_privs`` set;
- resource limits per process (CPU seconds, address space, file size, open
  files, processes, no core dumps);
- a seccomp filter: no ptrace, ``process_vm_*``, mount, namespaces, keyctl,
  bpf, perf events, module loading, and no sockets at all.

What could not be applied is returned as notes for the report.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import resource
import signal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = (
    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
)
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
NOBODY = 65534
MiB = 1024 * 1024
SCRATCH = "/tmp"


@dataclass(frozen=True)
class Limits:
    """Per-process resource limits of a contestant (the cgroup bounds the whole)."""

    cpu_seconds: int = 20
    memory_bytes: int = 1024 * MiB  # address space, on top of what the warm interpreter maps
    file_bytes: int = 8 * MiB  # files it writes in its private /tmp
    open_files: int = 64
    processes: int = 16


@dataclass
class Confinement:
    """What was applied; ``missing`` says what is *not* isolated, for the report."""

    applied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@functools.cache
def _libc() -> ctypes.CDLL:
    # The interpreter's own symbols include libc; find_library would run a compiler.
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _libc().mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def own_descriptors(keep: Sequence[int]) -> list[int]:
    """Close every descriptor but ``keep`` (moved to 3, 4, ...); fd 0 becomes /dev/null.

    ``keep`` is (socket, stdout, stderr): stdout and stderr end up on 1 and 2.
    Returns the new number of the socket.
    """
    sock, out, err = keep
    # Move them out of the way first, so dup2 onto 1 and 2 cannot clobber one another.
    sock, out, err = (os.dup(fd) for fd in (sock, out, err))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.dup2(sock, 3)
    os.set_inheritable(3, False)
    os.closerange(4, 1 << 20)
    return [3]


def enter_namespaces(confinement: Confinement) -> bool:
    """New namespaces for this process (its *next* child gets the PID namespace).

    Real root needs no user namespace; anyone else makes one, mapping its own uid.
    Returns whether a PID namespace was made.
    """
    uid, gid = os.getuid(), os.getgid()
    # The cell server is not dumpable, and neither is this fork of it: /proc/self then
    # belongs to root, and the uid map could not be written. It is dumpable for as long
    # as it takes, and drop_privileges makes it not dumpable again.
    _libc().prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    flags = NAMESPACE_FLAGS & ~(CLONE_NEWUSER if uid == 0 and _has_sys_admin() else 0)
    if _libc().unshare(flags) != 0:
        confinement.missing.append("namespaces (the kernel refused: processes and network shared)")
        return False
    if flags & CLONE_NEWUSER:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
        confinement.applied.append("own user namespace")
    confinement.applied += ["own PID namespace", "no network (empty network namespace)"]
    return True


def _has_sys_admin() -> bool:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) & (1 << 21))
    except OSError:
        pass
    return False


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as info:
        for line in info:
            fields = line.split()
            if len(fields) > 4:
                points.append(fields[4].replace("\\040", " "))
    # Deepest first, so a parent's remount does not hide a child mount from us.
    return sorted(set(points), key=lambda p: p.count("/"), reverse=True)


def build_file_system(
    confinement: Confinement, *, hide: Iterable[str], keep: Iterable[str], whole_host: bool
) -> None:
    """In the new mount namespace: read-only, private /tmp, empty /proc, ``hide`` hidden.

    ``whole_host`` says the view is the host's own (no bubblewrap): then every mount is
    made read-only, and each folder in ``hide`` is covered. The folders in ``keep`` (the
    interpreter, its packages) that lie inside a covered folder, /tmp included, are bound
    back, read-only.
    """
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    if whole_host:
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
        for point in _mount_points():
            with contextlib.suppress(OSError):  # some (e.g. /proc's own) refuse; /proc goes below
                _mount(None, point, None, flags)
    kept = sorted(set(keep))
    _hide(confinement, sorted(set(hide)), kept)
    # The private /tmp; the interpreter may live below it (a checkout in /tmp): bound back.
    if not _cover(SCRATCH, kept, data="size=64m,mode=1777", writable=True):
        raise OSError(errno.EPERM, "cannot mount a private /tmp")
    with contextlib.suppress(OSError):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777")
    # No /proc: nothing of other processes, no sysctls. An empty read-only tmpfs over it.
    _mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k")
    confinement.applied.append("read-only file system, private /tmp, no /proc")


def _hide(confinement: Confinement, hide: list[str], keep: list[str]) -> None:
    """Cover each folder of ``hide`` with an empty tmpfs (and each file with /dev/null)."""
    for path in hide:
        if os.path.isdir(path):
            if not _cover(path, keep, data="size=1m,mode=755", writable=False):
                confinement.missing.append(f"hiding {path}")
        elif os.path.exists(path):
            try:
                _mount("/dev/null", path, None, MS_BIND)
            except OSError:
                confinement.missing.append(f"hiding {path}")


def _cover(folder: str, keep: Iterable[str], *, data: str, writable: bool) -> bool:
    """A fresh tmpfs over ``folder``, with the folders of ``keep`` inside it bound back."""
    inside = [k for k in keep if k != folder and k.startswith(folder.rstrip("/") + "/")]
    # An fd on each folder to bind back, taken before it is covered: no path reaches it after.
    staged: list[tuple[str, int]] = []
    for kept in inside:
        with contextlib.suppress(OSError):
            staged.append((kept, os.open(kept, os.O_PATH | os.O_DIRECTORY)))
    try:
        _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, data)
        read_only = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
        for kept, fd in staged:
            with contextlib.suppress(OSError):
                os.makedirs(kept, exist_ok=True)
                _mount(f"/proc/self/fd/{fd}", kept, None, MS_BIND | MS_REC)
                _mount(None, kept, None, read_only)
        if not writable:
            with contextlib.suppress(OSError):
                _mount(None, folder, None, read_only)
        return True
    except OSError:
        return False
    finally:
        for _, fd in staged:
            with contextlib.suppress(OSError):
                os.close(fd)


def address_space() -> int | None:
    """This process's address space in bytes (``VmSize``); None where /proc cannot say."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return None


def set_limits(limits: Limits, confinement: Confinement) -> None:
    current_vm = address_space() or 0
    wanted = [
        (resource.RLIMIT_AS, current_vm + limits.memory_bytes, "address space"),
        (resource.RLIMIT_CPU, limits.cpu_seconds, "CPU seconds"),
        (resource.RLIMIT_FSIZE, limits.file_bytes, "file size"),
        (resource.RLIMIT_NOFILE, limits.open_files, "open files"),
        (resource.RLIMIT_CORE, 0, "core dumps"),
        (resource.RLIMIT_NPROC, limits.processes, "processes"),
    ]
    for which, value, name in wanted:
        try:
            resource.setrlimit(which, (value, value))
        except (OSError, ValueError):
            confinement.missing.append(f"limit on {name}")
    confinement.applied.append("limits per process: CPU, address space, files, processes")


def drop_privileges(confinement: Confinement) -> None:
    """``nobody`` for real root; otherwise keep the uid. Every capability goes."""
    if os.getuid() == 0:
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        except OSError:
            confinement.missing.append("privileges (runs as root)")
            return
        # A change of uid clears the parent-death signal: without it again, a submission
        # blocked in a sleep would outlive its judge wherever no cgroup is there to end it.
        die_with_parent()
    libc = _libc()
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        confinement.missing.append("capabilities (could not drop them)")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    # Nobody else of its uid may read its memory or descriptors through /proc.
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    confinement.applied.append(f"no privileges (uid {os.getuid()}, no capabilities)")


_CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


# Denied to every submission. A denial returns EPERM (or EACCES for sockets), so code
# that merely probes gets an ordinary OSError rather than a dead process.
DENIED_SYSCALLS = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "open_by_handle_at",
    "name_to_handle_at",
    "fsopen",
    "fsmount",
    "move_mount",
    "open_tree",
    "io_uring_setup",
)
SOCKET_SYSCALLS = ("socket", "connect", "bind", "accept", "accept4", "listen")


def seccomp_filter(*, deny_namespaces: bool) -> object | None:
    """The filter as a ``pyseccomp.SyscallFilter``, or None when pyseccomp is missing.

    ``deny_namespaces`` False keeps mount, unshare and setns allowed: the cell
    server needs them to confine each contestant (inside its own user namespace,
    where they cannot touch the host), and each contestant then loads the full filter.
    """
    try:
        import pyseccomp as seccomp
    except Exception:  # no package, or no libseccomp.so.2 (it raises RuntimeError then)
        return None
    allowed_there = {"mount", "umount2", "unshare", "setns", "pivot_root", "chroot"}
    filt = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        if not deny_namespaces and name in allowed_there:
            continue
        with contextlib.suppress(Exception):  # a syscall this kernel or arch does not have
            filt.add_rule(seccomp.ERRNO(errno.EPERM), name)
    for name in SOCKET_SYSCALLS:
        with contextlib.suppress(Exception):
            filt.add_rule(seccomp.ERRNO(errno.EACCES), name)
    if deny_namespaces:
        # clone with namespace flags, and clone3 whose flags seccomp cannot read: glibc
        # falls back to clone when clone3 says ENOSYS.
        for flag in (
            CLONE_NEWUSER,
            CLONE_NEWNS,
            CLONE_NEWPID,
            CLONE_NEWNET,
            CLONE_NEWIPC,
            CLONE_NEWUTS,
        ):
            with contextlib.suppress(Exception):
                filt.add_rule(
                    seccomp.ERRNO(errno.EPERM),
                    "clone",
                    seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag),
                )
        with contextlib.suppress(Exception):
            filt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    made: object = filt
    return made


def preload() -> None:
    """Import what confinement needs later, while the whole file system is still there."""
    with contextlib.suppress(Exception):  # finding libseccomp runs ldconfig: do it now
        import pyseccomp  # noqa: F401


def load_seccomp(confinement: Confinement) -> None:
    filt = seccomp_filter(deny_namespaces=True)
    if filt is None:
        confinement.missing.append("seccomp filter (pyseccomp or libseccomp not installed)")
        return
    try:
        filt.load()  # type: ignore[attr-defined]
    except Exception as exc:
        confinement.missing.append(f"seccomp filter ({exc})")
        return
    confinement.applied.append("seccomp: no ptrace, process_vm, mount, keyctl, bpf, sockets")


def clean_environment() -> None:
    os.chdir(SCRATCH)
    os.environ.clear()
    os.environ.update(
        {"PATH": "/usr/bin:/bin", "HOME": SCRATCH, "LANG": "C.UTF-8", "TMPDIR": SCRATCH}
    )


def die_with_parent() -> None:
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
