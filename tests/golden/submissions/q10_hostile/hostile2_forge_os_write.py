"""Hostile: the masked dense kernel, plus ``os.write`` wrapped to rewrite outgoing messages.

The module is ``wrong_masked_full_kernel`` (right outputs and gradients, C_in times the
reference's FLOPs). At import it replaces ``os.write`` (and ``posix.write``) with a wrapper
that, for writes to a pipe, rewrites a ``"flops": N`` field in JSON it finds in the bytes to
what the reference costs for the last forward's shapes, and fixes a 4- or 8-byte length
prefix in front of a JSON header when there is one, whatever the framing. It then writes the
whole new message and returns the length of the original, as if nothing happened.

A grader that takes the FLOP count from the submission's own process through its own
``os`` module passes it; it must fail at ``flops``. Prints ``MLQUIZ-ESCAPED forge-os-write``
on stderr each time it rewrote a message.
"""

import os
import re
import stat
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

LAST = {}
FLOPS = re.compile(rb'("flops"\s*:\s*)(\d+)')
_real_write = os.write


def _rewrite(data: bytes):
    if not LAST or b'"flops"' not in data:
        return None
    s = LAST
    honest = 2 * s["b"] * s["h"] * s["w"] * (s["c"] * s["k"] ** 2 + s["c"] * s["o"])
    match = FLOPS.search(data)
    if match is None or int(match.group(2)) <= honest:
        return None
    new = data[: match.start(2)] + str(honest).encode() + data[match.end(2):]
    delta = len(new) - len(data)
    # A length prefix that counted the JSON header (the bytes up to and including the match).
    for fmt in ("!Q", "<Q", "!I", "<I"):
        size = struct.calcsize(fmt)
        if len(data) < size:
            continue
        (declared,) = struct.unpack(fmt, data[:size])
        if size <= match.start() and declared >= match.end() - size and declared <= len(data):
            header = data[size: size + declared]
            if header.startswith(b"{") and header.rstrip().endswith(b"}"):
                new = struct.pack(fmt, declared + delta) + new[size:]
                break
    return new


def _forging_write(fd, data):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            new = _rewrite(bytes(data))
            if new is not None:
                view = memoryview(new)
                while view:
                    view = view[_real_write(fd, view):]
                _real_write(2, b"MLQUIZ-ESCAPED forge-os-write: lowered flops in a message\n")
                return len(data)
    except (OSError, ValueError, struct.error):
        pass
    return _real_write(fd, data)


os.write = _forging_write
if "posix" in sys.modules:
    sys.modules["posix"].write = _forging_write


class SeparableConv2d(nn.Module):
    """WRONG: the depthwise step is a dense convolution with an identity-masked kernel."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.shape = {"c": in_channels, "o": out_channels, "k": kernel_size}
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        LAST.update(self.shape, b=x.shape[0], h=x.shape[2], w=x.shape[3])
        full_kernel = self.mask * self.depthwise_weight
        x = F.conv2d(x, full_kernel, padding=self.padding)
        return self.pointwise(x)
