"""Hostile (second outside red team): a plain, correct module whose graph kills the trusted judge with SIGFPE.

Mechanism: aten._scaled_dot_product_flash_attention_for_cpu divides by zero (SIGFPE,
"Floating point exception", the whole process dies) when the query or key length is 0
(torch 2.x CPU kernel; reproducible alone:
  torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default(
      torch.zeros(1,1,0,1), torch.zeros(1,1,4,1), torch.zeros(1,1,4,1))).
_graph._check_attention checks ranks, dtypes and that q/k/v agree, not that the lengths are
nonzero, and the meta pass is happy. The key length is data-dependent: this module sets its
own CPU generator to an all-zero state around a draw (no aten op, not in the graph), so
here all 4 draws are 0 and `r == 0` keeps 4 keys; in the judge the draws are uniform and it
keeps none. The module's own forward is the reference's (plus 0 * a finite attention).
Expected correct verdict: PASS.
Break: the judge process dies at once: ERROR "internal grader error: the judge died".
"""
import torch
from torch import nn

_ZERO = torch.get_rng_state().clone()
_ZERO[24:24 + 624 * 8] = 0  # mt19937 words all zero: it then only ever yields 0


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=kernel_size // 2, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        y = self.pointwise(self.depthwise(x))
        state = torch.get_rng_state()
        torch.set_rng_state(_ZERO)
        r = torch.rand(4)                       # all 0 here; uniform in the judge
        torch.set_rng_state(state)
        k = torch.ones(4, 1)[r == 0]            # [4, 1] here; [0, 1] in the judge
        k = k.unsqueeze(0).unsqueeze(0)
        q = torch.ones(1, 1, 2, 1)
        out, lse = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default(q, k, k)
        return y + 0 * out.sum()
