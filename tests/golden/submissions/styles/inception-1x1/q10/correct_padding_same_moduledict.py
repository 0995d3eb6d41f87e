"""An nn.ModuleDict holding the two convolutions, the depthwise one with padding="same"."""

from torch import nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.convs = nn.ModuleDict(
            {
                "depthwise": nn.Conv2d(
                    in_channels, in_channels, kernel_size,
                    padding="same", groups=in_channels, bias=False,
                ),
                "pointwise": nn.Conv2d(in_channels, out_channels, 1, bias=False),
            }
        )

    def forward(self, x):
        return self.convs["pointwise"](self.convs["depthwise"](x))
