"""Hostile: make the trusted judge hoard memory through reply headers, not tensors.

Mechanism: every reply's JSON header may be up to 8 MiB, and the judge once kept every
decoded reply (one per configuration and weight pairing) for the whole grading. This
correct module's process adds a list of two million zeros (about 6 MB of JSON, some 16 MB
once decoded) to each reply header, so the judge, outside the submission's cgroup, would
hold gigabytes. The judge now keeps at most 16 MiB of a submission's headers in all and
ends it as an error past that. Found by introspection (sys.modules), not by private names.
"""
import sys

from torch import nn

for _name, _mod in list(sys.modules.items()):
    _cls = getattr(_mod, "Contestant", None)
    if isinstance(_cls, type) and hasattr(_cls, "reply") and _name.endswith("_contestant"):
        _orig = _cls.reply

        def _reply(self, header, buffers=None, _orig=_orig):
            if isinstance(header, dict) and header.get("ok") is True:
                header["junk"] = [0] * 2_000_000
            return _orig(self, header, buffers)

        _cls.reply = _reply


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size,
                                   padding=kernel_size // 2, groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))
