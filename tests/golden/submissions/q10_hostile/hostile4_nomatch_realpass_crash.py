"""Hostile (outside red team): internal grader error from the judge's FLOP count on an unmatched graph.

Mechanism: when the graph's parameter shapes match none of the reference's, judge_run
counts FLOPs with all-zero parameters (`own`) and catches only GraphError. A boolean-mask
index makes the meta pass give up (_NeedsValues), so count_flops reruns the graph for
real; there, an index computed as 1/param is int64-min (the parameter is 0 in the judge,
1 in the contestant), index_select raises IndexError/RuntimeError, which nothing catches.

Expected correct verdict: FAIL (parameters: wrong count, extra parameter). A report with
"internal grader error" (status error) is a grader robustness bug.
"""
import sys
import torch
from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=kernel_size // 2, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.extra = nn.Parameter(torch.ones(5))  # matches no reference shape

    def forward(self, x):
        i = (1.0 / self.extra[:1] - 1).long()      # 0 here; int64 min in the judge
        t = torch.index_select(x.reshape(-1), 0, i)
        sel = x[x > 0]                              # data-dependent size
        y = self.pointwise(self.depthwise(x))
        return y + 0 * (t.sum() + sel.sum() + self.extra.sum())
