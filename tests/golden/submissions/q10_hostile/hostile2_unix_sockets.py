"""Hostile: a correct module that connects to every Unix socket it can find.

At import it walks ``/tmp``, ``/var/tmp``, ``/run``, ``/var/run`` and ``/dev/shm`` (4 levels,
at most 5000 entries) for socket files, and reads ``/proc/net/unix`` for abstract sockets.
It connects to each path socket (0.2 s timeout) and closes at once without sending anything,
except to sockets whose name contains ``mlquiz``, where it sends one line
``mlquiz-escape: hostile2_unix_sockets connected`` (so a test may listen on one, e.g.
``/tmp/mlquiz-escape.sock`` or the abstract ``@mlquiz-escape``, and count). Abstract sockets
it only tries when their name contains ``mlquiz``: other ones belong to the machine.

Paths of Unix sockets are not cut off by a network namespace, only by the file system view
(and permissions). On any connection it prints ``MLQUIZ-ESCAPED unix-socket <path>``, tries
to leave ``/tmp/mlquiz-escape-unix-socket`` and raises at import, so a leak shows as a
failed ``load`` instead of a pass.
"""

import contextlib
import os
import socket
import stat

import torch
from torch import nn

ROOTS = ("/tmp", "/var/tmp", "/run", "/var/run", "/dev/shm")
CONNECTED = []


def _path_sockets(limit=5000):
    found, seen = [], 0
    for root in ROOTS:
        depth0 = root.count(os.sep)
        for folder, dirs, files in os.walk(root):
            if folder.count(os.sep) - depth0 >= 4:
                dirs[:] = []
            for name in dirs + files:
                seen += 1
                if seen > limit:
                    return found
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    if stat.S_ISSOCK(os.lstat(path).st_mode):
                        found.append(path)
    return found


def _abstract_sockets():
    names = []
    with contextlib.suppress(OSError), open("/proc/net/unix") as table:
        for line in list(table)[1:]:
            fields = line.split()
            if len(fields) >= 8 and fields[7].startswith("@") and "mlquiz" in fields[7]:
                names.append("\0" + fields[7][1:])
    return names


def _try(address):
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        sock.connect(address)
        if "mlquiz" in address:
            with contextlib.suppress(OSError):
                sock.sendall(b"mlquiz-escape: hostile2_unix_sockets connected\n")
        CONNECTED.append(address.replace("\0", "@"))


for _address in _path_sockets() + _abstract_sockets():
    _try(_address)

if CONNECTED:
    for _address in CONNECTED:
        print(f"MLQUIZ-ESCAPED unix-socket {_address}")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-unix-socket", "w") as _marker:
        _marker.write("\n".join(CONNECTED) + "\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED unix-socket: connected to {CONNECTED}")


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
