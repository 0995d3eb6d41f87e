"""Hostile: the masked dense kernel, with the module-level ``conv_flop_count`` replaced.

The module is ``wrong_masked_full_kernel`` (right outputs and gradients, C_in times the
reference's FLOPs). At import it replaces ``conv_flop_count`` in every loaded module that
has one (``torch.utils.flop_counter`` looks it up as a global each time a convolution is
counted) by a version that counts a square ``(C, C, k, k)`` kernel as if it were the
depthwise ``(C, 1, k, k)`` one. The registry, the counter class and its methods stay
exactly as they were, so a check of those finds nothing; the count comes out equal to the
reference's.

A grader whose counting code can be patched from the submission's process passes it; it
must fail at ``flops``. Prints ``MLQUIZ-ESCAPED conv-flop-count`` when the patched
function under-counts a convolution.
"""

import sys

import torch
import torch.nn.functional as F
from torch import nn


def _patch():
    patched = []
    for name, module in list(sys.modules.items()):
        original = getattr(module, "conv_flop_count", None)
        if not callable(original) or getattr(original, "_mlquiz", False):
            continue

        def counted_as_depthwise(x_shape, w_shape, out_shape, transposed=False, *,
                                 _original=original):
            w_shape = list(w_shape)
            if len(w_shape) > 2 and w_shape[0] == w_shape[1] > 1:
                w_shape[1] = 1
                print("MLQUIZ-ESCAPED conv-flop-count: a dense kernel counted as depthwise",
                      file=sys.stderr)
            return _original(x_shape, w_shape, out_shape, transposed=transposed)

        counted_as_depthwise._mlquiz = True
        module.conv_flop_count = counted_as_depthwise
        patched.append(name)
    print(f"conv-flop-count: patched in {patched}")


import torch.utils.flop_counter  # noqa: E402 - make sure it is loaded before patching

_patch()


class SeparableConv2d(nn.Module):
    """WRONG: the depthwise step is a dense convolution with an identity-masked kernel."""

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.padding = kernel_size // 2
        self.depthwise_weight = nn.Parameter(
            torch.randn(in_channels, 1, kernel_size, kernel_size) / kernel_size
        )
        self.register_buffer("mask", torch.eye(in_channels).view(in_channels, in_channels, 1, 1))
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        full_kernel = self.mask * self.depthwise_weight
        x = F.conv2d(x, full_kernel, padding=self.padding)
        return self.pointwise(x)
