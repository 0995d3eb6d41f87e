"""What many tests share: a clock they move by hand, and the smallest deck of every kind."""

from __future__ import annotations

import textwrap
from pathlib import Path

from questions import ConceptQuestion


class FakeClock:
    """A monotonic clock for sessions and mock interviews; ``advance`` moves it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


TINY_DECK = textwrap.dedent(
    """\
    id: tiny
    title: A tiny deck
    questions:
      - id: c1
        kind: concept
        prompt: Why use a $1 \\times 1$ convolution?
        answer: To reduce channels.
        key_points:
          - point: reduces channels
            patterns: ['reduc']
      - id: n1
        kind: numeric
        prompt: How many weights in a 3x3 conv from 2 to 4 channels?
        answer: 3 * 3 * 2 * 4 = 72
        parts:
          - {label: weights, answer: 72, working: 3*3*2*4}
      - id: m1
        kind: choice
        prompt: Which is a 1x1 conv?
        answer: The pointwise one.
        options:
          - {text: pointwise, correct: true}
          - {text: depthwise}
    """
)
"""One concept, one numeric and one choice question (deck id ``tiny``); the loader's tests
point at its lines."""


def write(path: Path, text: str) -> Path:
    """``text`` written to ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


ONE_BY_ONE = ConceptQuestion.model_validate(
    {
        "id": "q1",
        "kind": "concept",
        "prompt": "What is the primary purpose of a $1 \\times 1$ convolution?",
        "answer": "It reduces the number of channels, adds a non-linearity and mixes channels.",
        "key_points": [
            {"point": "Reduces channels", "patterns": [r"reduc\w*\s+(?:\w+\s+){0,3}channels"]},
            {"point": "Adds non-linearity", "patterns": [r"non[- ]?linear", r"\brelu\b"]},
            {
                "point": "Mixes channels",
                "patterns": [r"cross[- ]?channel", r"mix\w*\s+(?:\w+\s+){0,3}channels"],
            },
        ],
    }
)
"""A 1×1-convolution concept question with three key points, for the claims matcher's tests."""


def hits(question: ConceptQuestion, text: str) -> list[int]:
    """The key point numbers (from 1) that ``text`` makes."""
    return [n for n, (_, hit) in enumerate(question.rubric(text), 1) if hit]


# A correct inception-1x1/q10 module, for test files that probe the sandbox around it.
Q10_CORRECT_MODULE = """

class SeparableConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels, in_channels, kernel_size, padding=kernel_size // 2,
            groups=in_channels, bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))
"""


def q10_sleeper(seconds: int, marker: str = "") -> str:
    """An inception-1x1/q10 module whose forward sleeps ``seconds`` (after printing
    ``marker``, which names its process in a listing of command lines' output)."""
    say = f"        print({marker!r}, flush=True)\n" if marker else ""
    return (
        "import time\n"
        "from torch import nn\n\n\n"
        "class SeparableConv2d(nn.Module):\n"
        "    def __init__(self, in_channels, out_channels, kernel_size=3):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(\n"
        "            in_channels, out_channels, kernel_size, padding=kernel_size // 2\n"
        "        )\n\n"
        "    def forward(self, x):\n"
        f"{say}"
        f"        time.sleep({seconds})\n"
        "        return self.conv(x)\n"
    )
