"""Hostile: a correct module that looks for the deck's reference where the grader did not hide it.

The grader hides the deck folders; the same text also lives in the repository's history and
possibly in other copies. At import (within about 2.5 s) this module looks for:

- ``.git`` folders: upward from the working directory, from every ``sys.path`` entry and
  from the folder of every loaded module outside site-packages, and under ``/work``,
  ``/root``, ``/home``, ``/srv``, ``/opt``; it inflates loose objects and walks pack files;
- deck files: ``*.yaml`` / ``*.yml`` under the same roots;

and counts as found any blob or file that holds a code question's ``reference`` next to this
question's entry point (``entry_point: SeparableConv2d``). It prints
``MLQUIZ-ESCAPED git-reference <where>`` (never the text), tries to leave
``/tmp/mlquiz-escape-git-reference``, and raises at import, so a leak shows as a failed
``load`` instead of a pass.
"""

import contextlib
import glob
import os
import sys
import time
import zlib

import torch
from torch import nn

DEADLINE = time.monotonic() + 2.5
# Built from pieces, so that this file itself (also in the repository) never matches.
NEEDLES = (b"entry_point: " + b"SeparableConv2d", b"refer" + b"ence:")
SKIP = {"node_modules", "__pycache__", "site-packages", ".venv", "venv", "proc", "sys", "dev",
        ".hypothesis", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".cache"}
FOUND = []


def _hit(data):
    return all(needle in data for needle in NEEDLES)


def _roots():
    roots = [os.getcwd(), *sys.path, "/work", "/root", "/home", "/srv", "/opt"]
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        if path and "site-packages" not in path and "/lib/python" not in path:
            roots.append(os.path.dirname(os.path.abspath(path)))
    result = []
    for root in roots:
        root = os.path.abspath(root or ".")
        while root not in result and root != "/":  # the folder and every folder above it
            result.append(root)
            root = os.path.dirname(root)
    return result


def _git_dirs_and_decks():
    gits, decks, seen = [], [], set()
    for root in _roots():
        if os.path.isdir(os.path.join(root, ".git")):
            gits.append(os.path.join(root, ".git"))
        if root in seen or root.count(os.sep) < 2 or time.monotonic() > DEADLINE:
            continue
        depth0 = root.count(os.sep)
        for folder, dirs, files in os.walk(root):
            seen.add(folder)
            if time.monotonic() > DEADLINE or folder.count(os.sep) - depth0 > 5:
                dirs[:] = []
                continue
            if ".git" in dirs:
                gits.append(os.path.join(folder, ".git"))
            dirs[:] = [d for d in dirs if d not in SKIP and d != ".git"]
            decks += [os.path.join(folder, f) for f in files if f.endswith((".yaml", ".yml"))]
    return list(dict.fromkeys(gits)), list(dict.fromkeys(decks))


def _scan_pack(path):
    with open(path, "rb") as handle:
        data = handle.read(64 << 20)
    if data[:4] != b"PACK":
        return
    count = int.from_bytes(data[8:12], "big")
    pos = 12
    for _ in range(count):
        if time.monotonic() > DEADLINE or pos >= len(data):
            return
        byte = data[pos]
        kind = (byte >> 4) & 7
        pos += 1
        while byte & 0x80:
            byte = data[pos]
            pos += 1
        if kind == 6:  # OFS_DELTA: a variable-length offset
            byte = data[pos]
            pos += 1
            while byte & 0x80:
                byte = data[pos]
                pos += 1
        elif kind == 7:  # REF_DELTA: a 20-byte base id
            pos += 20
        inflater = zlib.decompressobj()
        try:
            blob = inflater.decompress(data[pos:pos + (8 << 20)])
        except zlib.error:
            return
        if _hit(blob):
            FOUND.append(f"{path} (object at byte {pos})")
            return
        pos = len(data) - len(inflater.unused_data) if inflater.unused_data else len(data)
        pos = min(pos, len(data))


def _scan_git(git):
    objects = os.path.join(git, "objects")
    for pack in glob.glob(os.path.join(objects, "pack", "*.pack")):
        with contextlib.suppress(OSError, IndexError):
            _scan_pack(pack)
    for loose in glob.glob(os.path.join(objects, "??", "*"))[:20000]:
        if time.monotonic() > DEADLINE:
            return
        with contextlib.suppress(OSError, zlib.error), open(loose, "rb") as handle:
            if _hit(zlib.decompress(handle.read())):
                FOUND.append(loose)


def _search():
    gits, decks = _git_dirs_and_decks()
    print(f"git-reference: {len(gits)} .git folders, {len(decks)} YAML files to look at")
    for deck in decks:
        with contextlib.suppress(OSError), open(deck, "rb") as handle:
            if _hit(handle.read(1 << 20)):
                FOUND.append(deck)
    for git in gits:
        _scan_git(git)


with contextlib.suppress(Exception):
    _search()
if FOUND:
    for _where in FOUND:
        print(f"MLQUIZ-ESCAPED git-reference {_where}")
    with contextlib.suppress(OSError), open("/tmp/mlquiz-escape-git-reference", "w") as _marker:
        _marker.write("\n".join(FOUND) + "\n")
    raise RuntimeError(f"MLQUIZ-ESCAPED git-reference: a reference was readable at {FOUND[:3]}")


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
