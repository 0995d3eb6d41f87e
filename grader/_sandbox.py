"""Isolation of the process that runs submitted code.

Applied in the child right after it is forked, before any submitted code runs:

- its own session and process group (``setsid``); with Linux namespaces (root,
  or unprivileged user namespaces) also its own PID namespace, so that when it
  dies the kernel kills everything it started, ``setsid`` grandchildren too;
- a new network namespace with no interfaces up: no network at all;
- a new mount namespace in which every mount is read-only, a private tmpfs is
  the only writable place (the scratch directory), ``/dev/shm`` is empty and
  the deck folders are hidden;
- resource limits on address space, CPU seconds, file size, open files, core
  dumps and processes; privileges dropped to ``nobody`` when running as root;
- a scrubbed environment and the scratch directory as working directory.

What could not be applied is recorded as a note that ends up in the report.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import resource
import signal
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000

NOBODY = 65534
# Set by the warm server when it runs inside bubblewrap: read-only, no network already.
IN_BUBBLEWRAP = False
SCRATCH = "/tmp/submission"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for the submission's process."""

    cpu_seconds: int = 20
    memory_bytes: int = 1024 * MiB  # on top of what the warm interpreter already maps
    file_bytes: int = 8 * MiB
    open_files: int = 64
    processes: int = 16


@dataclass
class Isolation:
    """What was applied, for the report: notes say what is *not* isolated."""

    applied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def notes(self) -> tuple[str, ...]:
        return tuple(f"not isolated: {m}" for m in self.missing)


@functools.cache
def _libc() -> ctypes.CDLL:
    # The interpreter's own symbols include libc; find_library would run a compiler.
    return ctypes.CDLL(None, use_errno=True)


def unshare(flags: int) -> bool:
    """``unshare(2)``; False if the kernel or our privileges refuse it."""
    if not hasattr(os, "fork") or not Path("/proc/self/ns").is_dir():
        return False
    return bool(_libc().unshare(flags) == 0)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> bool:
    result = _libc().mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    return bool(result == 0)


def enter_pid_namespace() -> bool:
    """Put this process's *next* child into a new PID namespace, as its PID 1."""
    return unshare(CLONE_NEWPID)


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as info:
        for line in info:
            fields = line.split()
            if len(fields) > 4:
                points.append(fields[4].replace("\\040", " "))
    # Deepest first, so a parent's remount does not hide a child mount from us.
    return sorted(set(points), key=lambda p: p.count("/"), reverse=True)


def _read_only_file_system(hidden: Iterable[Path]) -> bool:
    """Inside a fresh mount namespace: everything read-only, a private writable tmpfs."""
    if not _mount(None, "/", None, MS_REC | MS_PRIVATE):
        return False
    # MS_BIND with MS_REMOUNT changes only this namespace's view of each mount, never the
    # file system itself, so the host keeps writing where it did.
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
    root_ok = False
    for point in _mount_points():
        ok = _mount(None, point, None, flags)
        root_ok = root_ok or (ok and point == "/")
    if not root_ok:
        return False
    # Hide the deck folders first: the private /tmp then goes on top, so a deck kept in
    # /tmp itself cannot cover the scratch directory.
    for folder in hidden:
        if folder.is_dir():
            _mount("tmpfs", str(folder), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k")
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    with contextlib.suppress(OSError):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777")
    return True


def _fresh_proc() -> None:
    """A /proc of our own PID namespace: no view of the host's processes."""
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def _set_limits(limits: Limits, isolation: Isolation) -> None:
    current_vm = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                current_vm = int(line.split()[1]) * 1024
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
            isolation.applied.append(f"limit: {name}")
        except (OSError, ValueError):
            isolation.missing.append(f"limit on {name}")


def isolate(
    *,
    in_pid_namespace: bool,
    limits: Limits,
    keep_fds: Iterable[int],
    hidden: Iterable[Path] = (),
) -> Isolation:
    """Isolate the calling (freshly forked) process; returns what was applied."""
    isolation = Isolation()
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the judge gone: die too
    os.setsid()
    isolation.applied.append("own session and process group")
    if in_pid_namespace:
        isolation.applied.append("own PID namespace")
    else:
        isolation.missing.append("PID namespace (processes it starts may outlive it)")

    in_bubblewrap = IN_BUBBLEWRAP
    if unshare(CLONE_NEWNET):
        isolation.applied.append("no network (empty network namespace)")
    elif in_bubblewrap:
        isolation.applied.append("no network (bubblewrap)")
    else:
        isolation.missing.append("network (no network namespace)")
    unshare(CLONE_NEWIPC)

    read_only = unshare(CLONE_NEWNS) and _read_only_file_system(hidden)
    if read_only:
        isolation.applied.append("read-only file system, private /tmp")
        if in_pid_namespace:
            _fresh_proc()
    elif in_bubblewrap:
        isolation.applied.append("read-only file system (bubblewrap)")
        isolation.missing.append("deck folders (readable, so a reference can be read)")
    else:
        isolation.missing.append("file system (it can write wherever this user can)")
    scratch = Path(SCRATCH if read_only else _private_scratch())
    scratch.mkdir(mode=0o777, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        scratch.chmod(0o777)

    _close_other_fds(set(keep_fds))
    _set_limits(limits, isolation)

    if os.getuid() == 0:
        _drop_root(isolation)

    os.chdir(scratch)
    os.environ.clear()
    os.environ.update(
        {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "LANG": "C.UTF-8", "TMPDIR": str(scratch)}
    )
    return isolation


def _readable_by_nobody(path: Path) -> bool:
    """Whether every folder down to ``path`` lets other users in."""
    for folder in [path, *path.parents]:
        try:
            if not folder.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def _drop_root(isolation: Isolation) -> None:
    """Become ``nobody``; if Python itself is unreadable to nobody, stay uid 0 but powerless."""
    import torch  # already imported by the warm process; only its location is wanted

    runtime = [Path(os.__file__).parent, Path(torch.__file__).parent]
    if all(_readable_by_nobody(p) for p in runtime):
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            isolation.applied.append("runs as nobody")
            return
        except OSError:
            pass
    if _drop_capabilities():
        isolation.applied.append("runs as root without any capability")
    else:
        isolation.missing.append("privileges (runs as root)")


PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
_CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_capabilities() -> bool:
    """Empty every capability set: uid 0 keeps its files but loses all its powers."""
    libc = _libc()
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    return bool(libc.capset(ctypes.byref(header), data) == 0)


def _private_scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="mlquiz-scratch-")


def _close_other_fds(keep: set[int]) -> None:
    keep |= {0, 1, 2}
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(3, 1024))
    for fd in open_fds:
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
