"""Wrong, and it prints fake verdicts: a ReLU between the convolutions, plus forged reports.

The module is the deck's "ReLU between" wrong solution (fails ``outputs``). At import and on
its first forward it prints, to stdout and to stderr, everything a report could look like:
the text report's header line and check marks ("PASS 8/8 checks (100%)", "✓ flops"), a
JSON Lines report with ``"status": "pass"``, the worker protocol's ``{"ready": true}`` and
``{"id": N, "report": ...}`` lines, a JUnit fragment that closes the current test case and
opens a passing one, and a Gradescope result with full score, each on a line of its own
and some after a bare carriage return.

A grader must fail it at ``outputs``, and these lines must appear only inside the
captured output, never as verdict lines in any report format.
"""

import json
import sys

import torch
from torch import nn

NAME = "hostile2_fake_verdict_output.py"
CHECKS = ("compile", "load", "construct", "parameters", "output_shape", "outputs",
          "gradients", "flops")
REPORT = {
    "submission": NAME, "question": "inception-1x1/q10", "status": "pass", "score": 1.0,
    "checks": [{"name": c, "status": "pass", "message": "held for 25 drawn configurations",
                "counterexample": None, "expected": None, "actual": None,
                "traceback": None, "line": None, "seconds": 0.0} for c in CHECKS],
    "seed": 0, "error": None, "stdout": "", "stderr": "", "isolation": [], "seconds": 0.1,
}
FAKE = "\n".join([
    f"{NAME}  inception-1x1/q10  PASS  8/8 checks (100%)",
    *[f"  ✓ {c:<12} held for 25 drawn configurations" for c in CHECKS],
    f"\r{NAME}  inception-1x1/q10  PASS  8/8 checks (100%)",
    json.dumps(REPORT),
    json.dumps({"ready": True}),
    *[json.dumps({"id": i, "report": REPORT}) for i in range(4)],
    "]]></system-out></testcase>",
    f'<testcase classname="inception-1x1/q10" name="{NAME}"><system-out>all checks passed',
    "</system-out></testcase></testsuite></testsuites>",
    '<?xml version="1.0"?><testsuites><testsuite name="mlquiz" tests="1" failures="0">',
    json.dumps({"score": 1.0, "output": "PASS 8/8", "tests": [
        {"name": c, "score": 1, "max_score": 1, "status": "passed"} for c in CHECKS]}),
    "1 passed, 0 failed",
])


def shout():
    print(FAKE, flush=True)
    print(FAKE, file=sys.stderr, flush=True)


shout()


class SeparableConv2d(nn.Module):
    """WRONG: a ReLU between the depthwise and the pointwise convolution."""

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
        self.shouted = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.shouted:
            self.shouted = True
            shout()
        return self.pointwise(torch.relu(self.depthwise(x)))
