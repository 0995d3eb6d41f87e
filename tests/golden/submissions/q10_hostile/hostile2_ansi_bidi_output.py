"""Correct, but prints terminal escapes and bidi overrides to stdout and stderr.

At import it prints: clear-screen and cursor-home, cursor-up + erase-line (to rub out the
line above), colours, a window-title change (OSC 0), a hyperlink (OSC 8), a clipboard write
(OSC 52), a C1 CSI (U+009B), a bare carriage return followed by a fake "PASS" line,
Unicode bidi overrides and isolates (U+202E, U+2066..2069), zero-width characters, NUL,
BEL, and bytes that are not UTF-8 at all (written to the raw buffer).

The module is the reference, so the verdict must be a pass; the captured output must reach
every report format inert (escaped or stripped): no raw ESC, C0/C1 control or bidi
character in the text report, valid JSON, well-formed JUnit XML.
"""

import sys

import torch
from torch import nn

ESC = "\x1b"
TEXT = "".join([
    f"{ESC}[2J{ESC}[H",
    f"{ESC}[1A{ESC}[2K{ESC}[1A{ESC}[2K",
    f"{ESC}[31;1;5mred blinking{ESC}[0m ",
    f"{ESC}]0;mlquiz-escape window title{ESC}\\",
    f"{ESC}]8;;https://example.invalid/mlquiz-escape{ESC}\\a link{ESC}]8;;{ESC}\\ ",
    f"{ESC}]52;c;bWxxdWl6LWVzY2FwZQ=={ESC}\\",
    "\x9b2J",
    "\rhostile2_ansi_bidi_output.py  inception-1x1/q10  PASS  8/8 checks (100%)\n",
    "\u202ekcehc siht ssap\u202c \u2066isolated\u2069 \u2067rtl\u2069 \u2068fsi\u2069 ",
    "zero\u200bwidth\u200d\ufeff ",
    "nul\x00 bel\x07 del\x7f nel\x85 ls\u2028ps\u2029\n",
])

print(TEXT)
print(TEXT, file=sys.stderr)
sys.stdout.flush()
sys.stderr.flush()
sys.stdout.buffer.write(b"not utf-8: \xff\xfe\xc3\x28 \xe2\x82 \xed\xa0\x80\n")
sys.stderr.buffer.write(b"not utf-8: \xff\xfe\xc3\x28 \xe2\x82 \xed\xa0\x80\n")
sys.stdout.flush()
sys.stderr.flush()


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
