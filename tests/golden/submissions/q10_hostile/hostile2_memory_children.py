"""Hostile: a correct module that holds 3.5 GiB through 8 children of 448 MiB each.

A per-process address-space limit (``RLIMIT_AS``) is per process: each child may stay under
it while together they take far more. At import this module forks 8 children; each writes
448 MiB (every page touched, so overcommit does not hide it), says so on a pipe, then
holds the memory until the parent lets go (at most 6 s) and exits. The parent waits at
most 6 s for them.

All 8 holding their share at once (3.5 GiB) means the grader has no limit on the
submission's total memory (a cgroup or the like): it prints ``MLQUIZ-ESCAPED
memory-children``, tries to leave ``/tmp/mlquiz-escape-memory-children`` and raises at
import, so the verdict is a failed ``load`` instead of a pass. Never more than 3.5 GiB
in total, even with no limit at all; safe on a machine with 6 GiB free or more.
"""

import contextlib
import os
import select
import time

import torch
from torch import nn

CHILDREN = 8
SHARE = 448 * 2**20


def _child(report_fd, release_fd):
    try:
        hoard = b"\x01" * SHARE  # a fresh bytes object: every page written
        os.write(report_fd, b"+")
        select.select([release_fd], [], [], 6.0)
        del hoard
    except BaseException:
        pass
    finally:
        os._exit(0)


def _hold():
    report_r, report_w = os.pipe()
    release_r, release_w = os.pipe()
    pids = []
    for _ in range(CHILDREN):
        try:
            pid = os.fork()
        except OSError as exc:
            print(f"memory-children: fork failed: {exc.strerror}")
            break
        if pid == 0:
            os.close(report_r)
            os.close(release_w)
            _child(report_w, release_r)
        pids.append(pid)
    os.close(report_w)
    os.close(release_r)
    holding, deadline = 0, time.monotonic() + 6.0
    while holding < len(pids) and time.monotonic() < deadline:
        ready, _, _ = select.select([report_r], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(report_r, 64)
        if not chunk:
            break
        holding += len(chunk)
    os.close(release_w)  # let them all go
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, 0)
    os.close(report_r)
    return holding


_holding = _hold()
print(f"memory-children: {_holding} of {CHILDREN} children held {SHARE >> 20} MiB each at once")
if _holding >= CHILDREN:
    _total = _holding * SHARE / 2**30
    print(f"MLQUIZ-ESCAPED memory-children {_total:.1f} GiB")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-memory-children", "w") as _marker:
        _marker.write(f"{_total:.1f} GiB held at once\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED memory-children: {_total:.1f} GiB held at once")


class SeparableConv2d(nn.Module):
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
        return self.pointwise(self.depthwise(x))
