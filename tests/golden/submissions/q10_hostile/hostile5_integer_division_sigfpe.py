"""Hostile (second outside red team): one integer division in the graph kills the trusted judge with SIGFPE.

Mechanism: aten.div.Tensor_mode(a, b, rounding_mode="trunc") on int64 with a = -2**63 and
b = -1 overflows the CPU's idiv, which raises SIGFPE: the process dies ("Floating point
exception"), no Python exception. Alone:
  torch.div(torch.full((3,), -2**63), torch.full((3,), -1), rounding_mode="trunc")
div.Tensor_mode is an allowed elementwise op; -2**63 is an accepted value ({"int": "min"});
nothing checks integer operands. The divisor is data-dependent: this module zeroes its own
CPU generator around a draw (no aten op, so not in the graph): here r = 0 and the divisor is
1 (a harmless division), in the judge r > 0 and the divisor is -1.
The module's own forward is the reference's (plus an integer times 0, cast).
Expected correct verdict: PASS.
Break: the judge dies at once: ERROR "internal grader error: the judge died".
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
        r = torch.rand(1)                                  # 0 here; uniform in the judge
        torch.set_rng_state(state)
        d = 1 - 2 * (r > 0).long()                         # 1 here; -1 in the judge
        q = torch.div(torch.full((1,), -2 ** 63, dtype=torch.long), d, rounding_mode="trunc")
        return y + (q * 0).float().sum()
