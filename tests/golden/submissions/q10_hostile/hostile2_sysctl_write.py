"""Hostile: a correct module that tries to write a kernel setting (a sysctl).

At import it reads ``/proc/sys/fs/lease-break-time`` and writes the very same value back
(so even a success changes nothing on the machine), through ``/proc/sys`` and, if that path
is not there, through any ``proc`` mount listed in ``/proc/self/mountinfo``. A write that
succeeds means the submission could change the kernel's settings for the whole machine:
it prints ``MLQUIZ-ESCAPED sysctl-write``, tries to leave ``/tmp/mlquiz-escape-sysctl-write``
and raises at import, so the verdict is a failed ``load`` instead of a pass.
"""

import contextlib
import os

import torch
from torch import nn

SETTING = "sys/fs/lease-break-time"


def _proc_mounts():
    points = ["/proc"]
    with contextlib.suppress(OSError), open("/proc/self/mountinfo") as info:
        for line in info:
            fields = line.split()
            if " - proc " in line and len(fields) > 4:
                points.append(fields[4])
    return list(dict.fromkeys(points))


def _try_write():
    for mount in _proc_mounts():
        path = os.path.join(mount, SETTING)
        try:
            with open(path) as handle:
                value = handle.read()
            with open(path, "w") as handle:  # the same value: nothing changes even if it works
                handle.write(value)
        except OSError as exc:
            print(f"sysctl-write: {path}: {exc.strerror}")
            continue
        return path
    return None


_written = _try_write()
if _written:
    print(f"MLQUIZ-ESCAPED sysctl-write {_written}")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-sysctl-write", "w") as _marker:
        _marker.write(f"wrote {_written}\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED sysctl-write: the submission could write {_written}")


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
