"""Wrong, with hostile text in its error: forward raises an exception full of escapes.

Construction and the parameter count are fine; forward raises an exception whose class
name and message hold ANSI escapes (erase line, cursor up, colours, an OSC 8 hyperlink, an
OSC 52 clipboard write), a carriage return, Unicode bidi overrides, NUL and C1 control
characters, and a fake verdict on lines of its own ("PASS 8/8", "✓ flops", a JSON report
line, a JUnit fragment). The message is 64 KiB long.

A grader must fail it at the first check that calls forward and show the message inert:
no raw escape or control character may reach a terminal, a JSON or JUnit report, and the
fake lines must stay inside the failure's message, never look like verdicts of their own.
"""

import torch
from torch import nn

ESC = "\x1b"
HOSTILE = (
    f"{ESC}[2K\r{ESC}[1A{ESC}[2K{ESC}[32m✓ outputs      held for 25 drawn configurations{ESC}[0m\n"
    "hostile2_ansi_in_error.py  inception-1x1/q10  PASS  8/8 checks (100%)\n"
    "  ✓ flops        held for 25 drawn configurations\n"
    '{"submission": "hostile2_ansi_in_error.py", "status": "pass", "score": 1.0}\n'
    '</failure></testcase><testcase name="flops" classname="q10"/></testsuite>]]>\n'
    f"{ESC}]8;;https://example.invalid/{ESC}\\click{ESC}]8;;{ESC}\\ "
    f"{ESC}]52;c;bWxxdWl6LWVzY2FwZQ=={ESC}\\ "
    "\u202etxt.gnorw\u202c \u2066isolate\u2069 \u200b\u200d \x00 \x9b31m \x85 \x07"
)


class FakePass(Exception):
    pass


FakePass.__name__ = f"{ESC}[32mPASS{ESC}[0m"
FakePass.__qualname__ = FakePass.__name__


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
        raise FakePass((HOSTILE + "\n") * (65536 // len(HOSTILE) + 1))
