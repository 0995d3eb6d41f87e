"""Piecewise: 0 below -3, x above 3, x(x + 3)/6 in between, with torch.where."""

import torch


def hard_swish(x: torch.Tensor) -> torch.Tensor:
    middle = x * (x + 3) / 6
    return torch.where(x <= -3, torch.zeros_like(x), torch.where(x >= 3, x, middle))
