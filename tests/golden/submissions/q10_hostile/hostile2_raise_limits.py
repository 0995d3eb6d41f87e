"""Hostile: a correct module that tries to undo its own limits and privileges.

At import it checks what a sandboxed submission must not be able to do:

- raise any resource limit's hard value (address space, CPU seconds, file size, open
  files, processes) above what it was given;
- become root (``setresuid(0, 0, 0)``, ``setresgid``) when it does not run as root;
- hold any effective or permitted capability (``CapEff``/``CapPrm`` in
  ``/proc/self/status``), or run as root with its capability bounding set intact.

Each success prints ``MLQUIZ-ESCAPED raise-limits <what>``; it tries to leave
``/tmp/mlquiz-escape-raise-limits`` and raises at import, so the verdict is a failed
``load`` instead of a pass. Nothing it changes outlives its own process.
"""

import contextlib
import os
import resource

import torch
from torch import nn

LIMITS = {
    "address space": resource.RLIMIT_AS,
    "CPU seconds": resource.RLIMIT_CPU,
    "file size": resource.RLIMIT_FSIZE,
    "open files": resource.RLIMIT_NOFILE,
    "processes": resource.RLIMIT_NPROC,
}
FOUND = []


def _limits():
    for name, which in LIMITS.items():
        soft, hard = resource.getrlimit(which)
        if hard == resource.RLIM_INFINITY:  # nothing to raise (a cgroup may limit it instead)
            print(f"raise-limits: no hard limit on {name}")
            continue
        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(which, (soft, hard * 2 + 1))
            FOUND.append(f"raised the hard limit on {name}")


def _identity():
    if os.getuid() != 0:
        with contextlib.suppress(OSError):
            os.setresgid(0, 0, 0)
            FOUND.append("became group root")
        with contextlib.suppress(OSError):
            os.setresuid(0, 0, 0)
            FOUND.append("became root")
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    for key in ("CapEff", "CapPrm", "CapAmb"):
        if int(fields.get(key, "0").strip() or "0", 16):
            FOUND.append(f"{key} {fields[key].strip()}")
    if os.getuid() == 0 and int(fields.get("CapBnd", "0").strip() or "0", 16):
        FOUND.append("root with a non-empty capability bounding set")


with contextlib.suppress(Exception):
    _limits()
with contextlib.suppress(Exception):
    _identity()

if FOUND:
    for _what in FOUND:
        print(f"MLQUIZ-ESCAPED raise-limits {_what}")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-raise-limits", "w") as _marker:
        _marker.write("\n".join(FOUND) + "\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED raise-limits: {FOUND}")


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
