"""Hostile (outside red team): a CORRECT module whose traced graph keeps the trusted judge busy past the timeout.

Mechanism: the graph may draw random numbers (aten.rand is allowed, "free"); the judge
draws them from its own generator, the contestant from its own. This module sets its own
CPU generator to an all-zero Mersenne-Twister state before drawing (no aten op, so
nothing of it is in the graph): every draw here is 0.0, every draw in the judge is
uniform. A boolean mask `rand(N) > 0.5` then selects nothing here and ~N/2 in the judge,
and an index_put with broadcast indices [S,1] x [1,S] costs S*S accumulations while the
judge's counter charges S (the numel of its largest tensor). The deadline is checked only
between nodes, so this single node runs until the judge server's backstop alarm kills
the judge. The module's own output is exactly the reference's.
Expected correct verdict: PASS (or a FAIL/ERROR *within the timeout* for the graph's work).
Break: "internal grader error: the judge died" after ~3 x timeout + 30 s.
"""
import torch
from torch import nn

N = 2 ** 19
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
        r = torch.rand(N)                                   # all 0 here; uniform in the judge
        torch.set_rng_state(state)
        sel = torch.zeros(N, dtype=torch.long)[r > 0.5]     # [0] here; ~N/2 in the judge
        acc = torch.zeros(1, 1).index_put(
            (sel.unsqueeze(1), sel.unsqueeze(0)), torch.ones(()), accumulate=True)
        return y + 0 * acc.sum()
