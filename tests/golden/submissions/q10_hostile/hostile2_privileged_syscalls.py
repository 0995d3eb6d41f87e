"""Hostile: a correct module that tries syscalls a sandboxed submission has no business making.

Each attempt runs through ``ctypes`` in a forked child (so the submission's own process is
left as it was), which reports success by its exit status:

- ``unshare(CLONE_NEWUSER)``: a user namespace, where it is root (kernel attack surface);
- ``unshare(CLONE_NEWNS)`` alone, and ``mount`` of a tmpfs on a fresh folder of its own
  (in ``$TMPDIR``), unmounted at once (both need privileges in the current namespace);
- in a new user + mount namespace: the same tmpfs mount;
- ``add_key`` of a ``user`` key into the *user* keyring, which outlives the process and is
  shared by every process of that uid (a channel between submissions); it is given a 10 s
  timeout at once;
- ``bpf(BPF_MAP_CREATE)`` of a one-entry array map;
- ``io_uring_setup`` with one entry.

Any success prints ``MLQUIZ-ESCAPED syscall-<name>``, tries to leave
``/tmp/mlquiz-escape-syscalls`` and makes the import raise, so the verdict is a failed
``load`` instead of a pass. A grader that filters syscalls (seccomp) passes it.
"""

import contextlib
import ctypes
import os
import platform
import tempfile

import torch
from torch import nn

NUMBERS = {  # syscall numbers: x86_64, aarch64
    "x86_64": {"add_key": 248, "keyctl": 250, "bpf": 321, "io_uring_setup": 425},
    "aarch64": {"add_key": 217, "keyctl": 219, "bpf": 280, "io_uring_setup": 425},
}.get(platform.machine(), {})
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
KEY_SPEC_USER_KEYRING, KEYCTL_SET_TIMEOUT = -4, 15
MNT_DETACH = 2
FOUND = []

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


TARGET = None
with contextlib.suppress(OSError):  # made here: inside a new user namespace we may not
    TARGET = tempfile.mkdtemp(prefix="mlquiz-mnt-")


def _mount_tmpfs():
    if TARGET is None:
        return False
    if libc.mount(b"tmpfs", TARGET.encode(), b"tmpfs", 0, b"size=64k") != 0:
        return False
    libc.umount2(TARGET.encode(), MNT_DETACH)
    return True


def attempt_unshare_user():
    return libc.unshare(CLONE_NEWUSER) == 0


def attempt_unshare_mount_ns():
    return libc.unshare(CLONE_NEWNS) == 0


def attempt_mount():
    return _mount_tmpfs()


def attempt_mount_in_userns():
    return libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 and _mount_tmpfs()


def attempt_keyctl_user_keyring():
    if "add_key" not in NUMBERS:
        return False
    key = libc.syscall(NUMBERS["add_key"], b"user", b"mlquiz-escape-key", b"x", 1,
                       KEY_SPEC_USER_KEYRING)
    if key < 0:
        return False
    libc.syscall(NUMBERS["keyctl"], KEYCTL_SET_TIMEOUT, key, 10)
    return True


def attempt_bpf():
    if "bpf" not in NUMBERS:
        return False
    attr = (ctypes.c_uint32 * 32)(2, 4, 4, 1)  # BPF_MAP_TYPE_ARRAY, key 4 B, value 4 B, 1 entry
    fd = libc.syscall(NUMBERS["bpf"], 0, ctypes.byref(attr), ctypes.sizeof(attr))
    if fd < 0:
        return False
    os.close(fd)
    return True


def attempt_io_uring():
    if "io_uring_setup" not in NUMBERS:
        return False
    params = (ctypes.c_uint8 * 120)()
    fd = libc.syscall(NUMBERS["io_uring_setup"], 1, ctypes.byref(params))
    if fd < 0:
        return False
    os.close(fd)
    return True


def _in_child(attempt):
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        code = 1
        try:
            code = 0 if attempt() else 1
        except BaseException:
            pass
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


for _name, _attempt in list(globals().items()):
    if _name.startswith("attempt_") and callable(_attempt):
        _ok = _in_child(_attempt)
        _verdict = "allowed" if _ok else "refused" if _ok is False else "no fork"
        print(f"syscalls: {_name[8:]}: {_verdict}")
        if _ok:
            FOUND.append(_name[8:])

if TARGET is not None:
    with contextlib.suppress(OSError):
        os.rmdir(TARGET)  # our own empty folder

if FOUND:
    for _name in FOUND:
        print(f"MLQUIZ-ESCAPED syscall-{_name}")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-syscalls", "w") as _marker:
        _marker.write("\n".join(FOUND) + "\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED syscalls allowed: {FOUND}")


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
