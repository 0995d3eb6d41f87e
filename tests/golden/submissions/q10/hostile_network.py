"""Hostile: a correct module that tries to reach a server on the loopback interface.

At import it tries TCP connections to 127.0.0.1, ports 40000-40010 (0.2 s each; the
environment is scrubbed, so it cannot be told the test's port). On a connection it sends
a line and drops a marker file ``/tmp/mlquiz-escape-network``; every error is ignored.
The grader must pass it (the module is correct) and the test's loopback server must see
no connection: the child has no network.
"""

import contextlib
import socket

import torch
from torch import nn

for _port in range(40000, 40011):
    with contextlib.suppress(Exception):
        with socket.create_connection(("127.0.0.1", _port), timeout=0.2) as _sock:
            _sock.sendall(b"mlquiz-escape: hostile_network.py connected\n")
        with open("/tmp/mlquiz-escape-network", "a") as _file:
            _file.write(f"hostile_network.py reached 127.0.0.1:{_port}\n")


class SeparableConv2d(nn.Module):
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
        return self.pointwise(self.depthwise(x))
