"""Normalising answers and patterns alike: Unicode math and arrows to ASCII, LaTeX to words,
contractions spelled out, British spellings and irregular verbs to one form, dashes between
math terms read as minus; every character keeps its offset in the original text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Normalised:
    """Normalised text; ``starts[i]``/``ends[i]``: where character ``i`` came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def origin(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``text[start:end]`` came from."""
        if end <= start:
            at = (
                self.starts[start]
                if start < len(self.starts)
                else (self.ends[-1] if self.ends else 0)
            )
            return at, at
        return self.starts[start], self.ends[end - 1]


def _substitute(
    norm: Normalised, pattern: re.Pattern[str], replace: str | Callable[[re.Match[str]], str]
) -> Normalised:
    """``pattern.sub`` that keeps each character's origin; the replacement of a match comes
    from the whole matched span."""
    text, starts, ends = norm.text, norm.starts, norm.ends
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        a, b = match.span()
        out.append(text[last:a])
        new_starts.extend(starts[last:a])
        new_ends.extend(ends[last:a])
        repl = match.expand(replace) if isinstance(replace, str) else replace(match)
        if repl == match.group(0):
            out.append(repl)
            new_starts.extend(starts[a:b])
            new_ends.extend(ends[a:b])
        elif a < b:
            out.append(repl)
            new_starts.extend([starts[a]] * len(repl))
            new_ends.extend([ends[b - 1]] * len(repl))
        else:
            at = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
            out.append(repl)
            new_starts.extend([at] * len(repl))
            new_ends.extend([at] * len(repl))
        last = b
    if last == 0 and not out:
        return norm
    out.append(text[last:])
    new_starts.extend(starts[last:])
    new_ends.extend(ends[last:])
    return Normalised("".join(out), tuple(new_starts), tuple(new_ends))


_CHARACTERS = {
    "×": " x ",
    "⨯": " x ",
    "✕": " x ",
    "·": " * ",
    "⋅": " * ",
    "∗": "*",
    "−": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": " -- ",  # a range between digits ("1–2") is handled first
    "—": " -- ",
    "―": " -- ",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "“": '"',
    "”": '"',
    "→": " -> ",
    "⟶": " -> ",
    "⇒": " -> ",
    "⟹": " -> ",
    "↦": " -> ",
    "←": " <- ",
    "↔": " <-> ",
    "⇔": " <-> ",
    "↑": " up ",
    "↓": " down ",
    "≈": " approx ",
    "≃": " approx ",
    "∼": " approx ",
    "~": " approx ",
    "≤": " <= ",
    "≥": " >= ",
    "≠": " != ",
    "≪": " << ",
    "≫": " >> ",
    "∝": " proportional to ",
    "√": " sqrt ",
    "∑": " sum ",
    "Σ": " sum ",
    "∏": " product ",
    "∞": " infinity ",
    "∂": " d",
    "∇": " grad ",
    "∈": " in ",
    "…": "...",
    "²": "^2",
    "³": "^3",
    "ᵀ": "^T",
    "⊤": "^T",
    "⁻¹": "^-1",
    "½": "1/2",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "η": "eta",
    "θ": "theta",
    "λ": "lambda",
    "μ": "mu",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "ϕ": "phi",
    "φ": "phi",
    "ω": "omega",
    "Δ": "delta",
}
_CHARACTER = re.compile("|".join(re.escape(c) for c in sorted(_CHARACTERS, key=len, reverse=True)))

_LATEX = re.compile(
    r"\\(times|cdot|sqrt|sum|frac|approx|le|ge|leq|geq|neq|to|rightarrow|infty|"
    r"alpha|beta|gamma|delta|epsilon|varepsilon|eta|theta|lambda|mu|pi|rho|sigma|"
    r"tau|phi|omega|top|partial|nabla|log|exp|max|min|mathrm|text|operatorname)\b"
)
_LATEX_WORDS = {
    "times": " x ",
    "cdot": " * ",
    "approx": " approx ",
    "le": " <= ",
    "leq": " <= ",
    "ge": " >= ",
    "geq": " >= ",
    "neq": " != ",
    "to": " -> ",
    "rightarrow": " -> ",
    "infty": " infinity ",
    "top": "^T",
    "varepsilon": "epsilon",
    "partial": " d",
    "nabla": " grad ",
    "mathrm": "",
    "text": "",
    "operatorname": "",
}

_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bcan't\b|\bcannot\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"\bshan't\b", "shall not"),
    (r"\bain't\b", "is not"),
    (r"(\w)n't\b", r"\1 not"),
    (r"\b(it|that|there|what|here|this|who|which|he|she)'s\b", r"\1 is"),
    (r"(\w)'re\b", r"\1 are"),
    (r"(\w)'ve\b", r"\1 have"),
    (r"(\w)'ll\b", r"\1 will"),
    (r"\b(i|you|we|they|it|he|she)'d\b", r"\1 would"),
    (r"\bi'm\b", "i am"),
    (r"\bw/o\b", "without"),
    (r"\bw/(?=\s)", "with"),
    (r"\bb/c\b", "because"),
    (r"\be\.\s?g\.(?=\W|$)", "for example"),
    (r"\bi\.\s?e\.(?=\W|$)", "that is"),
    (r"\bvs\.(?=\W|$)", "versus"),
    (r"\betc\.(?=\W|$)", "etc"),
    (r"\bcf\.(?=\W|$)", "compare"),
    (r"\bapprox\.(?=\W|$)", "approx"),
    (r"\bresp\.(?=\W|$)", "respectively"),
    (r"\bet al\.(?=\W|$)", "et al"),
    (r"\bsec\.(?=\s*\d)", "section"),
    (r"\beq\.(?=\s*\d)", "equation"),
    (r"\bfig\.(?=\s*\d)", "figure"),
    (r"&", " and "),
)
_CONTRACTION = [(re.compile(p, re.IGNORECASE), r) for p, r in _CONTRACTIONS]

_BRITISH = re.compile(
    r"\b(normal|regular|general|optim|factor|initial|parameter|summar|minim|maxim|recogn|organ|"
    r"util|vector|standard|stabil|special|real|local|categor|quant|linear|central|emphas|"
    r"character|discret|random|tokens|memor|visual|capital|serial|synchron|penal|anonym|"
    r"custom|prior|central|author|neutral|sanit)is(e|es|ed|ing|ation|ations|er|ers|able)\b",
    re.IGNORECASE,
)
_BRITISH_WORDS = {
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "colour": "color",
    "neighbour": "neighbor",
    "neighbours": "neighbors",
    "neighbouring": "neighboring",
    "favour": "favor",
    "favours": "favors",
    "modelling": "modeling",
    "modelled": "modeled",
    "labelled": "labeled",
    "labelling": "labeling",
    "travelled": "traveled",
    "analyse": "analyze",
    "analysed": "analyzed",
    "centre": "center",
    "centred": "centered",
}
_IRREGULAR = {
    "fed": "feed",
    "kept": "keep",
    "ran": "run",
    "chose": "choose",
    "chosen": "choose",
    "lost": "lose",
    "sent": "send",
    "built": "build",
    "taught": "teach",
    "brought": "bring",
    "thought": "think",
    "made": "make",
    "went": "go",
    "gone": "go",
    "grew": "grow",
    "grown": "grow",
    "drew": "draw",
    "drawn": "draw",
    "broke": "break",
    "broken": "break",
    "blew": "blow",
    "blown": "blow",
    "threw": "throw",
    "thrown": "throw",
    "shrank": "shrink",
    "shrunk": "shrink",
    "spent": "spend",
    "fell": "fall",
    "fallen": "fall",
    "saw": "see",
    "seen": "see",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "overfitted": "overfit",
    "underfitted": "underfit",
}
_WORD_MAP = {**_BRITISH_WORDS, **{form: f"{base}ed" for form, base in _IRREGULAR.items()}}
_WORD = re.compile(
    r"\b(" + "|".join(sorted(_WORD_MAP, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def _british(match: re.Match[str]) -> str:
    return f"{match.group(1)}iz{match.group(2)}"


def _latex(match: re.Match[str]) -> str:
    name = match.group(1)
    return _LATEX_WORDS.get(name, f" {name} ")


# an en dash between two math terms is a minus ("p – y", "1 – p"), and so is any dash inside
# brackets ("(x — mu) / sigma"); not a parenthetical dash ("it mixes channels — a trick")
_DASH = re.compile(r"[ \t]*(?:[–—]|(?<=\s)--(?=\s))[ \t]*")
_GREEK = "|".join(
    sorted({v for v in _CHARACTERS.values() if v.isalpha() and v.islower() and len(v) > 1})
)
_MATH_CORE = (
    rf"(?:[a-z]|\d+(?:\.\d+)?|{_GREEK}|[a-z]\w*_\w+|sqrt|log|exp|max|min|mean|sum|var|std)"
    r"(?:_\w+|'+|\^\S+)*"
)
_MATH_LEFT = re.compile(rf"[(\[]*(?:{_MATH_CORE}|\S*\w[)\]])", re.IGNORECASE)
_MATH_RIGHT = re.compile(rf"(?:[(\[]|\w+[(\[]|{_MATH_CORE}[)\]]*[,.;:!?]*$)", re.IGNORECASE)
_NOT_MATH = frozenset(["a", "i"])


def _dash(match: re.Match[str]) -> str:
    text = match.string
    left = re.search(r"(\S+)\Z", text[: match.start()])
    right = re.match(r"\S+", text[match.end() :])
    if (
        match.group(0).strip() != "–"
        and not (
            match.group(0) == match.group(0).strip()  # "x—mu"
            or (left and left.group(1)[:1] in "([")  # "(x — mu)", inside a formula
            or (right and right.group(0).rstrip(",.;:!?")[-1:] in ")]")
        )
    ):
        return match.group(0)  # an em dash between words: "a ratio r — C down to C/r"
    if (
        left
        and right
        and left.group(1).lower() not in _NOT_MATH
        and right.group(0).lower().rstrip(",.;:!?") not in _NOT_MATH
        and _MATH_LEFT.fullmatch(left.group(1))
        and _MATH_RIGHT.match(right.group(0))
    ):
        return " - " if match.group(0) != match.group(0).strip() else "-"
    return match.group(0)


def normalise(text: str) -> Normalised:
    """``text`` in one spelling, each character mapped back to where it came from."""
    norm = Normalised(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    norm = _substitute(norm, re.compile(r"(?<=\d)\s?[–—]\s?(?=\d)"), "-")
    norm = _substitute(norm, _DASH, _dash)
    # a word hyphenated across a line break ("cross-\nattention") is one word
    norm = _substitute(norm, re.compile(r"(?<=[a-zA-Z]-)[ \t]*\r?\n[ \t]*(?=[a-zA-Z])"), "")
    norm = _substitute(norm, _CHARACTER, lambda m: _CHARACTERS[m.group(0)])
    # the rest of Unicode by compatibility (superscripts, full-width forms, ligatures)
    norm = _substitute(
        norm,
        re.compile(r"[^\x00-\x7f]"),
        lambda m: unicodedata.normalize("NFKC", m.group(0)),
    )
    norm = _substitute(norm, _LATEX, _latex)
    norm = _substitute(norm, re.compile(r"(?<=\w)[.:](?=\*\*)"), ":")
    norm = _substitute(norm, re.compile(r"[$`*_]{1,2}(?=\S)|(?<=\S)[$`*_]{1,2}"), _strip_markup)
    norm = _substitute(norm, re.compile(r"(?<=\w)\^\{([^}]*)\}"), r"^\1")
    for pattern, replacement in _CONTRACTION:
        norm = _substitute(norm, pattern, replacement)
    norm = _substitute(norm, _BRITISH, _british)
    norm = _substitute(norm, _WORD, lambda m: _WORD_MAP[m.group(0).lower()])
    return norm


def _strip_markup(match: re.Match[str]) -> str:
    # markdown emphasis and inline math delimiters; keep snake_case names whole
    token = match.group(0)
    return token if "_" in token and len(token) == 1 else ""


def _pattern_character(character: str) -> str:
    """The regex for a special character of a pattern, as the normalised text spells it."""
    spelled = _CHARACTERS[character]
    core = re.escape(spelled.strip()) if spelled.strip() else r"\s"
    return rf"\s*{core}\s*" if spelled != spelled.strip() else core


def _pattern_characters(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        character = pattern[index]
        if character == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if character == "[" and not in_class:
            in_class = True
        elif character == "]" and in_class:
            in_class = False
        elif character in _CHARACTERS:
            spelled = _CHARACTERS[character].strip()
            if not in_class:
                character = f"(?:{_pattern_character(character)})"
            elif len(spelled) == 1:
                character = re.escape(spelled)
        out.append(character)
        index += 1
    return "".join(out)


def normalise_pattern(pattern: str) -> str:
    """A key point's pattern in the spelling the normalised text uses: special characters
    (``×``, ``σ``, ``√``, ``≈``) as the text spells them, contractions spelled out and
    British ``-ise`` forms written literally in the pattern as ``-ize``."""
    pattern = _pattern_characters(pattern)
    pattern = _BRITISH.sub(_british, pattern)
    pattern = re.sub(r"\bcan't|\bcannot", "can not", pattern)
    pattern = re.sub(r"\bwon't", "will not", pattern)
    pattern = re.sub(r"(\w)n't", r"\1 not", pattern)
    return _WORD.sub(lambda m: _WORD_MAP[m.group(0).lower()], pattern)
