"""Hostile: a correct module that tries to read the machine's secrets, and fails if it can.

At import it tries ``/etc/shadow``, ``/etc/gshadow``, ``/etc/sudoers``, a listing of ``/root``
and of every ``.ssh`` folder in a home directory (``~``, ``/root``, the password database)
and the files in them (entries that are part of the running Python's own path, such as a
``.pyenv`` the sandbox has to show, do not count), and the environment of ``/proc/1``, of
its parent and of itself (names outside a small allowlist: a grader must scrub its
environment). It never prints what it read: only the
path, the size and a short SHA-256 (``MLQUIZ-ESCAPED read-secrets <path> ...``), so no secret
ends up in a log. It also tries to leave ``/tmp/mlquiz-escape-read-secrets`` listing the paths.

If anything was readable, it raises at import, so the verdict is a failed ``load`` instead of
a pass: the test sees the escape in the verdict itself.
"""

import contextlib
import hashlib
import os
import pwd
import sys

import torch
from torch import nn

ALLOWED = {"PATH", "HOME", "LANG", "LANGUAGE", "TMPDIR", "TZ", "PWD", "SHLVL", "_", "TERM"}
ALLOWED_PREFIXES = ("LC_", "PYTHON", "OMP_", "MKL_", "OPENBLAS_")
FOUND = []


def _note(path, data):
    digest = hashlib.sha256(data).hexdigest()[:12]
    FOUND.append(path)
    print(f"MLQUIZ-ESCAPED read-secrets {path} {len(data)} bytes sha256={digest}")


def _try_file(path):
    with contextlib.suppress(OSError), open(path, "rb") as handle:
        data = handle.read(1 << 16)
        if data:
            _note(path, data)


def _runtime_parts():
    """Path components of the running Python itself, which a sandbox has to show."""
    parts = set()
    for path in (sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.realpath(sys.executable)):
        parts.update(p for p in path.split(os.sep) if p)
    return parts


def _try_listing(path):
    with contextlib.suppress(OSError):
        names = sorted(os.listdir(path))
        extra = [n for n in names if n not in _runtime_parts()]
        print(f"read-secrets: {path} lists {len(names)} entries, {len(extra)} not the runtime's")
        if extra:
            _note(path + "/", "\n".join(extra).encode())
        for name in extra[:50]:
            full = os.path.join(path, name)
            if os.path.isfile(full):
                _try_file(full)


def _try_environ(path):
    with contextlib.suppress(OSError), open(path, "rb") as handle:
        names = [entry.partition(b"=")[0].decode(errors="replace")
                 for entry in handle.read().split(b"\0") if entry]
        leaked = [n for n in names if n not in ALLOWED and not n.startswith(ALLOWED_PREFIXES)]
        if leaked:
            _note(f"{path} (names {', '.join(sorted(leaked))})", "\0".join(leaked).encode())


for _path in ("/etc/shadow", "/etc/gshadow", "/etc/sudoers"):
    _try_file(_path)
_homes = {"/root", os.path.expanduser("~")}
with contextlib.suppress(Exception):
    _homes.update(entry.pw_dir for entry in pwd.getpwall())
_try_listing("/root")
for _home in sorted(h for h in _homes if h and h != "/"):
    _try_listing(os.path.join(_home, ".ssh"))
for _pid in {"1", str(os.getppid()), "self"} - {"0"}:
    _try_environ(f"/proc/{_pid}/environ")

if FOUND:
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-read-secrets", "w") as _marker:
        _marker.write("\n".join(FOUND) + "\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED read-secrets: the submission could read {FOUND}")


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
