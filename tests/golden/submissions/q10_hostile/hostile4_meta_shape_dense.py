"""Hostile (outside red team): masked DENSE depthwise kernel whose FLOPs the judge counts as depthwise.

Mechanism: aten.binary_cross_entropy on CPU squeezes its arguments and returns a
result shaped like `input` ([C]), while its meta function broadcasts input [C] with
target [1, C] and says [1, C]. The judge accepts a real result that differs in shape
from the meta one when it is not larger ("corrected"), runs the graph with real shapes,
but then counts FLOPs in a separate meta-only pass (count_flops) that never sees the
correction. Rank misalignment turns that into an identity mask that is [C, C] for real
but [1, 1, C] in the meta pass, so the dense (C, C, k, k) convolution the judge really
runs is counted as a (1, C, k, k) one = the depthwise cost.

Same code path always (no trace detection). Expected correct verdict: FAIL at flops
(the deck's "masked dense kernel" wrong solution). A pass is a forged verdict.
"""
import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.c = in_channels
        self.pad = kernel_size // 2
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=self.pad, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        C = self.c
        w = self.depthwise.weight  # (C, 1, k, k)
        if C == 1:
            dense = w
        else:
            ar = torch.arange(C, dtype=x.dtype)
            z = torch.ops.aten.binary_cross_entropy.default(
                torch.zeros(C), torch.zeros(1, C), None, 0)   # real [C] zeros; meta [1, C]
            idx = z * 0 + ar                                   # real [C];   meta [1, C]
            u = idx.unsqueeze(1)                               # real [C,1]; meta [1,1,C]
            mask = (u == ar)                                   # real eye(C); meta [1,1,C]
            mask = mask.unsqueeze(-1).unsqueeze(-1)            # real [C,C,1,1]
            dense = mask * w.permute(1, 0, 2, 3)               # real [C,C,k,k] (dense!)
            dense = dense.squeeze(0)                           # meta [1,C,k,k]
        y = F.conv2d(x, dense, padding=self.pad)               # DENSE conv, C*C*k*k weights
        y = y.expand(x.shape[0], C, y.shape[2], y.shape[3])
        return self.pointwise(y)
