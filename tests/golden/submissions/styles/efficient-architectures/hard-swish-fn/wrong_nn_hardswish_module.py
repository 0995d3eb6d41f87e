"""nn.Hardswish()(x): the forbidden built-in, reached through its module."""

import torch
from torch import nn

_act = nn.Hardswish()


def hard_swish(x: torch.Tensor) -> torch.Tensor:
    return _act(x)
