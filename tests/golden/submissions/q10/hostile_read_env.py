"""Hostile: a correct module that prints the environment and raises if it holds secrets.

At import it reads ``os.environ`` and also ``/proc/self/environ`` and the parent's
``/proc/<ppid>/environ`` (a forked child's ``/proc/self/environ`` still shows the
environment it inherited, whatever ``os.environ`` was changed to). It prints every
``NAME=value`` to stdout and stderr, and raises an error whose message carries them if
any name outside a small allowlist is present. With a scrubbed environment the grader
must pass it, and no value of the grader's own environment may appear in the report.
"""

import os
import sys

import torch
from torch import nn

ALLOWED = {"PATH", "HOME", "LANG", "LANGUAGE", "TMPDIR", "TZ", "PWD", "SHLVL", "_", "TERM"}
ALLOWED_PREFIXES = ("LC_", "PYTHON", "OMP_", "MKL_", "OPENBLAS_")


def _read_environ_file(path):
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError:
        return {}
    pairs = (entry.decode(errors="replace").partition("=") for entry in raw.split(b"\0"))
    return {name: value for name, _, value in pairs if name}


_seen = {}
for _source in (f"/proc/{os.getppid()}/environ", "/proc/self/environ"):
    _seen.update(_read_environ_file(_source))
_seen.update(os.environ)

for _name, _value in sorted(_seen.items()):
    print(f"{_name}={_value}")
    print(f"{_name}={_value}", file=sys.stderr)

_leaked = {
    name: value
    for name, value in _seen.items()
    if name not in ALLOWED and not name.startswith(ALLOWED_PREFIXES)
}
if _leaked:
    raise RuntimeError(f"the grader's environment reached the submission: {_leaked!r}")


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
