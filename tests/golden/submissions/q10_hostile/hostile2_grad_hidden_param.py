"""Wrong, and hiding it: the pointwise weight is used detached and swapped out of the listing.

Forward uses ``self.pointwise.weight.detach()``, so that weight never learns (the deck's
"pointwise weight detached" wrong solution). To hide it, ``named_parameters`` /
``parameters`` / ``state_dict`` are overridden to list, in its place, ``pointwise_alias``:
an ``nn.Parameter`` made from the same storage (``weight.detach()`` shares memory), so weights
copied into the alias do reach the real weight and the outputs come out right. The alias
itself is never used, so it would get no gradient; a hook on the output then fills
``alias.grad`` with zeros during backward, so a check that only asks "is there a gradient?"
sees one.

A grader must fail it at ``gradients``: the alias's gradient is zero where the reference's is
not (and the real weight has none at all).
"""

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn


class SeparableConv2d(nn.Module):
    """WRONG: the pointwise weight never gets a gradient."""

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
        # Same storage as pointwise.weight: a copy into the alias is a copy into the weight.
        self.pointwise_alias = nn.Parameter(self.pointwise.weight.detach())

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        yield prefix + "depthwise.weight", self.depthwise.weight
        yield prefix + "pointwise.weight", self.pointwise_alias

    def parameters(self, recurse=True):
        for _, parameter in self.named_parameters():
            yield parameter

    def state_dict(self, *args, **kwargs):
        return OrderedDict(
            (name, p.detach()) for name, p in self.named_parameters()
        )

    def _fake_gradient(self, grad):
        self.pointwise_alias.grad = torch.zeros_like(self.pointwise_alias)
        return grad

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.conv2d(self.depthwise(x), self.pointwise.weight.detach())
        if out.requires_grad:
            out.register_hook(self._fake_gradient)
        return out
