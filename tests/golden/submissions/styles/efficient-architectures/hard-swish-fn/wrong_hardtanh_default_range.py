"""F.hardtanh(x + 3) / 6 with hardtanh's default range [-1, 1], not [0, 6]."""

import torch.nn.functional as F


def hard_swish(x):
    return x * F.hardtanh(x + 3) / 6
