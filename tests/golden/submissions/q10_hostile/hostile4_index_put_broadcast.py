"""Hostile (outside red team): keep the trusted judge busy far past the timeout with ONE traced node.

Mechanism: index_put is costed as a reduction, "the numel of its largest tensor", but
its index tensors broadcast: indices [N, 1] and [1, N] make N*N accumulations while the
count says N. The size N is data-dependent (a boolean mask on a parameter): in the
contestant the parameter is 1, the mask selects nothing and every forward is instant; in
judge_run's no-match branch (a parameter of a shape no reference has) the judge counts
FLOPs with all-zero parameters, so it runs the graph for real (the mask needs values),
with NO deadline, and the mask selects N = 2**18: ~6.9e10 accumulations in one node.
Expected correct verdict: FAIL at parameters, reported within the 20 s timeout.
Break: no report until the judge server's backstop alarm (3 x timeout + 30 s) kills the
judge, then "internal grader error"; meanwhile a trusted process burns a core.
"""
import torch
from torch import nn

N = 2 ** 18


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=kernel_size // 2, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.extra = nn.Parameter(torch.ones(257))  # no reference shape, even reshaped

    def forward(self, x):
        y = self.pointwise(self.depthwise(x))
        mask = (self.extra.detach()[:1] == 0).expand(N)   # all False here, all True in the judge
        sel = torch.zeros(N, dtype=torch.long)[mask]        # [0] here, [N] in the judge
        acc = torch.zeros(1, 1).index_put(
            (sel.unsqueeze(1), sel.unsqueeze(0)), torch.ones(()), accumulate=True)
        return y + 0 * acc.sum() + 0 * self.extra.sum()
