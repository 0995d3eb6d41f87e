"""Wrong: the output is computed under ``torch.no_grad`` and re-attached as a fresh leaf.

Forward computes the right values with autograd off, then returns
``y.clone().requires_grad_(True) + 0 * sum(p.sum() for p in parameters)``: the output
"requires grad", backward runs, and every parameter gets a gradient (all zeros), but the
input gets none and the parameter gradients are wrong. (Where a tracer refuses
``requires_grad_``, it returns ``y.detach()`` plus the same zero term: just as detached.)
Parameters, shapes, outputs and FLOPs all match the reference.

A grader must fail it at ``gradients`` (the input's gradient is missing; the parameters'
are zero).
"""

import torch
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: nothing before the output is differentiable."""

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
        with torch.no_grad():
            y = self.pointwise(self.depthwise(x))
        try:
            fresh = y.clone().requires_grad_(True)
        except RuntimeError:  # a tracer refuses requires_grad_: stay detached all the same
            fresh = y.detach()
        # Keeps every parameter in the graph, so each gets a (zero) gradient.
        return fresh + 0.0 * sum(p.sum() for p in self.parameters())
