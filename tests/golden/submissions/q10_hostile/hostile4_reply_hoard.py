"""Hostile (outside red team): make the TRUSTED judge hoard memory outside the submission's cgroup.

Mechanism: every evaluate reply may be up to 64 MiB (REPLY_BYTES), and the judge keeps
every decoded observation (Grading._seen, one per configuration and weight pairing),
including every tensor in reply["param_grads"] under ANY name. This correct module's
process adds a 60 MB junk "gradient" to each reply. The judge (forked by the judge server,
outside the contestant's 2 GiB cgroup and rlimits) then holds ~60 MB x configurations.

Expected correct verdict: PASS (the module is correct), and the judge's memory bounded.
Break: judge RSS grows to several GiB (host memory beyond the documented limits).
"""
import sys
import torch
from torch import nn

for _name, _mod in list(sys.modules.items()):
    _cls = getattr(_mod, "Contestant", None)
    if isinstance(_cls, type) and hasattr(_cls, "reply") and _name.endswith("_contestant"):
        _wire = sys.modules[_name.rsplit(".", 1)[0] + "._wire"]
        _orig = _cls.reply

        def _reply(self, header, buffers=None, _orig=_orig, _wire=_wire):
            if isinstance(header, dict) and isinstance(header.get("param_grads"), dict):
                buffers = buffers if buffers is not None else []
                junk = torch.ones(15_500_000)
                header["param_grads"]["junk"] = _wire.pack_tensor(junk, buffers)
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
