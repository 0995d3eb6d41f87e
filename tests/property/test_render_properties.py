"""Rendering never fails and never touches text without math."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from questions import latex_to_unicode, render_math

TOKENS = [
    *"abcxyz0123 {}_^\\$`*+-/=()",
    r"\frac",
    r"\times",
    r"\xrightarrow",
    r"\text",
    "$$",
    "\n",
    "```",
]
latexish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@given(st.text(max_size=200))
def test_render_math_never_raises(text: str) -> None:
    assert isinstance(render_math(text), str)
    assert isinstance(render_math(text, markdown=False), str)


@given(latexish)
def test_latex_like_input_never_raises(text: str) -> None:
    assert isinstance(latex_to_unicode(text), str)
    assert isinstance(render_math(text), str)


@given(st.text(max_size=200).filter(lambda t: "$" not in t))
def test_text_without_dollars_is_unchanged(text: str) -> None:
    assert render_math(text) == text
    assert render_math(text, markdown=False) == text
