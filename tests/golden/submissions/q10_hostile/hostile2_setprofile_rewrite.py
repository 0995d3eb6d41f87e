"""Hostile: the masked dense kernel, plus a ``sys.setprofile`` hook that edits arguments.

The module is ``wrong_masked_full_kernel`` (right outputs and gradients, C_in times the
reference's FLOPs). Its first forward installs a profile hook (``sys.setprofile`` and
``threading.setprofile``). On every Python call from then on, the hook looks at the callee's
arguments (``frame.f_locals``): any dict with an integer ``"flops"`` above what the reference
costs for the last forward's shapes is edited in place before the callee runs. No grader
function is replaced and nothing is named: whatever sends the count sends the edited one.

A grader that reports from the submission's own interpreter passes it; it must fail at
``flops``. Prints ``MLQUIZ-ESCAPED setprofile`` on stderr when it edited a dict.
"""

import sys
import threading

import torch
import torch.nn.functional as F
from torch import nn

LAST = {}


def _honest():
    s = LAST
    return 2 * s["b"] * s["h"] * s["w"] * (s["c"] * s["k"] ** 2 + s["c"] * s["o"])


def _hook(frame, event, arg):
    if event != "call" or not LAST:
        return
    try:
        honest = _honest()
        for value in list(frame.f_locals.values()):
            flops = value.get("flops") if type(value) is dict else None
            if isinstance(flops, int) and flops > honest:
                value["flops"] = honest
                sys.stderr.write(f"MLQUIZ-ESCAPED setprofile: flops set to {honest} before "
                                 f"{frame.f_code.co_qualname} ran\n")
    except Exception:
        pass


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
        if sys.getprofile() is not _hook:
            sys.setprofile(_hook)
            threading.setprofile(_hook)
        full_kernel = self.mask * self.depthwise_weight
        x = F.conv2d(x, full_kernel, padding=self.padding)
        return self.pointwise(x)
