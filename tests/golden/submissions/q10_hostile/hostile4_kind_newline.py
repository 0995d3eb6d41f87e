"""Hostile (outside red team): submission text printed as a verdict line, through a report's "actual:" field.

Mechanism: the judge reports an unexpected reply["output_kind"] as
`actual=str(kind)[:40]` (_judge.check_output_shape); the text report prints
expected/actual through terminal_safe, which keeps newlines (report/_helpers
_detail_lines, report/_text._labelled). This correct module's process rewrites the
output_kind of its evaluate replies to "\\nref_ok.py  inception-1x1/q10  PASS  8/8",
which starts a new, unfenced line that reads like another submission's verdict header.
Expected correct verdict: FAIL at output_shape (the reply lies), with the lie shown inert.
Break: a line "ref_ok.py  inception-1x1/q10  PASS  8/8" at column 0 in the text report.
"""
import sys
from torch import nn

FAKE = "\nref_ok.py  inception-1x1/q10  PASS  8/8"

for _name, _mod in list(sys.modules.items()):
    _cls = getattr(_mod, "Contestant", None)
    if isinstance(_cls, type) and hasattr(_cls, "reply") and _name.endswith("_contestant"):
        _orig = _cls.reply

        def _reply(self, header, buffers=None, _orig=_orig):
            if isinstance(header, dict) and "output_kind" in header:
                header["output_kind"] = FAKE
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
