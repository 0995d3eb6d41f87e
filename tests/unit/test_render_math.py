"""LaTeX math in deck text becomes readable Unicode; markdown and code survive."""

from __future__ import annotations

import pytest

from questions import latex_to_unicode, render_math


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"1 \times 1", "1 × 1"),
        (r"1\times1", "1×1"),
        (r"C_{in}=64, C_{out}=128", "C_in=64, C_out=128"),
        (r"256 \xrightarrow{1 \times 1} 64", "256 ─1 × 1→ 64"),
        (
            r"256 \xrightarrow{1 \times 1} 64 \xrightarrow{3 \times 3} 64",
            "256 ─1 × 1→ 64 ─3 × 3→ 64",
        ),
        (r"\frac{8768}{73728} \approx 0.119", "8768/73728 ≈ 0.119"),
        (r"\frac{576 + 8192}{73728}", "(576 + 8192)/73728"),
        (r"\dfrac{1}{2}", "1/2"),
        (r"\text{ops per pixel} = K^2 C", "ops per pixel = K^2 C"),
        (r"\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)", "softmax(QKᵀ/√(d_k))"),
        (r"\alpha \le \beta", "α ≤ β"),
        (r"a \cdot b", "a · b"),
        (r"\hat{y}", "ŷ"),
        (r"\log p_t", "log p_t"),
        (r"a \ne b", "a ≠ b"),
    ],
)
def test_latex_to_unicode(latex: str, expected: str) -> None:
    assert latex_to_unicode(latex) == expected


@pytest.mark.parametrize("broken", [r"\frac{a", "}{", r"\begin{x}", "a_{"])
def test_broken_latex_is_shown_as_written(broken: str) -> None:
    assert latex_to_unicode(broken) == broken


def test_inline_and_display_math_in_markdown() -> None:
    text = "Given $C_{in}=64$ and **bold**:\n\n$$\\frac{a}{b}$$\n\nend"
    out = render_math(text)
    assert "C\\_in=64" in out  # escaped so markdown does not start emphasis
    assert "**bold**" in out
    assert "\n\na/b\n\n" in out
    assert "$" not in out


def test_plain_rendering_does_not_escape() -> None:
    assert render_math("cost $3 \\times 3 \\times C_{in}$", markdown=False) == "cost 3 × 3 × C_in"


def test_dollar_amounts_are_not_math() -> None:
    text = "It costs $5 and $10 a month."
    assert render_math(text) == text


def test_code_is_left_alone() -> None:
    text = "Use `x = $a$` and\n\n```python\ncost = '$C_{in}$'\n```\nbut $K^2$ here."
    out = render_math(text)
    assert "`x = $a$`" in out
    assert "cost = '$C_{in}$'" in out
    assert out.endswith("but K^2 here.")
