"""Hostile: a correct module that leaves state for the next submission, and looks for it.

Every grading should start from a clean slate. At import this module first looks for what
an earlier grading of it (or of anything else) may have left, then leaves it again:

- files ``mlquiz-escape-persist`` in ``/tmp``, ``/var/tmp``, ``/dev/shm``, ``$HOME``,
  ``$TMPDIR`` and the working directory;
- a key ``mlquiz-escape-persist`` in the kernel's *user* keyring (shared by every process of
  the uid, outliving them; added with a 120 s timeout so it goes away by itself);

If it finds any of them at import, state crossed from one grading to another: it prints
``MLQUIZ-ESCAPED persist-<channel>`` and raises at import, so the verdict is a failed
``load``. So the first grading of it only leaves things (``/tmp``, ``/var/tmp`` and
``/dev/shm`` files must not exist afterwards); a second grading on the same machine catches
what persisted.
"""

import contextlib
import ctypes
import os
import platform

import torch
from torch import nn

NAME = "mlquiz-escape-persist"
FOLDERS = ["/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"),
           os.environ.get("TMPDIR", "/tmp"), os.getcwd()]
SYSCALLS = {"x86_64": (248, 249), "aarch64": (217, 218)}.get(platform.machine())  # add, request
KEY_SPEC_USER_KEYRING, KEYCTL_SET_TIMEOUT = -4, 15
FOUND = []


def _files():
    for folder in dict.fromkeys(FOLDERS):
        path = os.path.join(folder, NAME)
        if os.path.exists(path):
            FOUND.append(f"persist-file {path}")
        with contextlib.suppress(OSError), open(path, "w") as handle:
            handle.write(f"left by hostile2_persist_channels.py, pid {os.getpid()}\n")


def _keyring():
    if SYSCALLS is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    add_key, request_key = SYSCALLS
    # request_key searches the process's keyrings, the user keyring among them.
    if libc.syscall(request_key, b"user", NAME.encode(), None, 0) >= 0:
        FOUND.append("persist-keyring user keyring")
    key = libc.syscall(add_key, b"user", NAME.encode(), b"1", 1, KEY_SPEC_USER_KEYRING)
    if key >= 0:
        libc.syscall(250 if SYSCALLS[0] == 248 else 219, KEYCTL_SET_TIMEOUT, key, 120)


with contextlib.suppress(Exception):
    _files()
with contextlib.suppress(Exception):
    _keyring()

if FOUND:
    for _what in FOUND:
        print(f"MLQUIZ-ESCAPED {_what}")
    raise RuntimeError(f"MLQUIZ-ESCAPED persist: state left by an earlier grading: {FOUND}")


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
