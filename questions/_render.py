"""LaTeX math in deck text, rendered as readable Unicode for a terminal.

Deck prompts and answers are markdown with ``$…$`` and ``$$…$$`` math. The math
is converted by pylatexenc's LaTeX-to-text engine, extended with the macros it
lacks (``\\xrightarrow{label}`` keeps its label: ``─1×1→``) and made to keep the
spacing the author wrote around operators (``1 \\times 1`` → ``1 × 1``,
``1\\times1`` → ``1×1``). Code spans and fenced code blocks are left untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from pylatexenc import latexwalker
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec

# Arrows with a label written over them: the label sits inside the shaft.
_LABELLED_ARROWS = {
    "xrightarrow": ("─", "→"),
    "xleftarrow": ("←", "─"),
    "xlongrightarrow": ("─", "→"),
    "xmapsto": ("↦", "→"),
}

# Macros pylatexenc leaves out or renders poorly for our decks.
_EXTRA_SYMBOLS = {
    "times": "×",
    "cdot": "·",
    "approx": "≈",
    "sim": "∼",
    "odot": "⊙",
    "otimes": "⊗",
    "oplus": "⊕",
    "top": "ᵀ",
    "ell": "ℓ",
    "dots": "…",
    "ldots": "…",
    "cdots": "⋯",
    "mid": "|",
    "ne": "≠",
    "neq": "≠",
    "lVert": "‖",
    "rVert": "‖",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
}

# Font and operator-name macros whose argument is shown as plain text.
_TEXT_MACROS = (
    "text",
    "textrm",
    "mathrm",
    "mathbf",
    "mathit",
    "mathsf",
    "mathtt",
    "mathcal",
    "boldsymbol",
    "operatorname",
    "textbf",
    "textit",
)


def _keep_post_space(replacement: str) -> Callable[..., str]:
    """A symbol macro that keeps the whitespace written after it."""

    def render(node: Any) -> str:
        return replacement + (node.macro_post_space or "")

    return render


def _labelled_arrow(head: str, tail: str) -> Callable[..., str]:
    # pylatexenc passes itself as `l2tobj` to a callable that names that argument.
    def render(node: Any, l2tobj: Any) -> str:
        arguments = node.nodeargd.argnlist if node.nodeargd else []
        label = "".join(l2tobj.nodelist_to_text([a]) for a in arguments if a is not None)
        label = label.strip()
        return f"{head}{label}{tail}" + (node.macro_post_space or "")

    return render


def _fraction(node: Any, l2tobj: Any) -> str:
    """``\\frac{a+b}{c}`` → ``(a+b)/c``: parentheses only where the reading needs them."""
    arguments = node.nodeargd.argnlist if node.nodeargd else []
    parts = [l2tobj.nodelist_to_text([a]).strip() for a in arguments if a is not None]
    if len(parts) != 2:
        return "/".join(parts)
    wrapped = [f"({p})" if re.search(r"[\s+\-−/·×]", p) else p for p in parts]
    return "/".join(wrapped) + (node.macro_post_space or "")


@cache
def _parser_context() -> Any:
    """Argument specs for parsing: the defaults plus the macros added here."""
    db = latexwalker.get_default_latex_context_db().filter_context()
    macros = [MacroSpec(name, "[{") for name in _LABELLED_ARROWS]
    macros += [MacroSpec(name, "{") for name in _TEXT_MACROS]
    macros += [MacroSpec(name, "{{") for name in ("dfrac", "tfrac")]
    db.add_context_category("mlquiz", macros=macros, prepend=True)
    return db


@cache
def _converter() -> LatexNodes2Text:
    db = get_default_latex_context_db().filter_context()
    text_macros = [
        MacroTextSpec(name, simplify_repl=_labelled_arrow(head, tail))
        for name, (head, tail) in _LABELLED_ARROWS.items()
    ]
    text_macros += [MacroTextSpec(name, simplify_repl="%s") for name in _TEXT_MACROS]
    text_macros += [MacroTextSpec(n, simplify_repl=_fraction) for n in ("frac", "dfrac", "tfrac")]
    symbols = dict(_EXTRA_SYMBOLS)
    # Every other argument-less macro (symbols, and names such as \log or \max) also keeps
    # the space its author wrote: `\log p` is "log p", not "logp".
    for spec in db.iter_macro_specs():
        repl = spec.simplify_repl
        if isinstance(repl, str) and "%" not in repl and repl.strip():
            symbols.setdefault(spec.macroname, repl.strip())
    text_macros += [
        MacroTextSpec(name, simplify_repl=_keep_post_space(symbol))
        for name, symbol in symbols.items()
    ]
    db.add_context_category("mlquiz", macros=text_macros, prepend=True)
    return LatexNodes2Text(latex_context=db, math_mode="text", strict_latex_spaces=False)


def latex_to_unicode(latex: str) -> str:
    """Convert one LaTeX math expression (without ``$``) to Unicode text."""
    try:
        walker = latexwalker.LatexWalker(
            latex, latex_context=_parser_context(), tolerant_parsing=False
        )
        nodes, _, _ = walker.get_latex_nodes()
        text: str = _converter().nodelist_to_text(nodes)
    except (latexwalker.LatexWalkerError, ValueError, IndexError, RecursionError):
        return latex  # unreadable math is shown as written rather than lost
    text = text.replace("^ᵀ", "ᵀ")  # `W^\top` is one transposed symbol
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# Fenced blocks and inline code are copied through unchanged.
_CODE = re.compile(r"(^```.*?^```[ \t]*$|^~~~.*?^~~~[ \t]*$|`[^`\n]+`)", re.MULTILINE | re.DOTALL)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
# Pandoc's rule for inline math: no space just inside the dollars, no digit right after.
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:[^$\\\n]|\\.)+?)(?<!\s)\$(?![\d$])")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|])")


def render_math(text: str, *, markdown: bool = True) -> str:
    """Replace every ``$…$`` / ``$$…$$`` in ``text`` with Unicode.

    With ``markdown`` the converted math is escaped so a markdown renderer shows
    it as written (``C_in`` must not start emphasis); display math becomes its
    own centred-looking line.
    """

    def convert(latex: str) -> str:
        out = latex_to_unicode(latex)
        return _MARKDOWN_SPECIALS.sub(r"\\\1", out) if markdown else out

    def display(match: re.Match[str]) -> str:
        return f"\n\n{convert(match.group(1).strip())}\n\n" if markdown else convert(match.group(1))

    pieces = _CODE.split(text)
    for index in range(0, len(pieces), 2):  # even pieces are outside code
        piece = _DISPLAY_MATH.sub(display, pieces[index])
        piece = _INLINE_MATH.sub(lambda m: convert(m.group(1)), piece)
        pieces[index] = piece.replace(r"\$", "$") if not markdown else piece
    return "".join(pieces)
