"""Judging a free-text answer by the claims it makes, not by the words it contains.

A key point's patterns are matched against the answer after four steps:

1. **Normalising** the text: Unicode math and arrows to ASCII (``×`` → ``x``, ``Cᵀ`` → ``C^T``,
   ``−`` → ``-``, ``→`` → ``->``), LaTeX commands to words, contractions spelled out
   (``isn't`` → ``is not``, ``w/o`` → ``without``), British spellings and a few irregular verb
   forms to one spelling. Every character keeps its offset in the original text, so a match
   can be shown where the learner wrote it.
2. **Splitting** into clauses at sentence ends, semicolons, colons, line breaks, dashes and
   contrast words (*but*, *whereas*, *however*, *although*, *while*, *except*).
3. **Claims only**: a clause that makes no claim (no verb, no ``=``/``->``: a list of terms)
   earns nothing; nor does a clause that only introduces a list ("keywords: …", "it is about
   …").
4. **Negation and contrast**: a match is void when, earlier in its clause and within the same
   phrase (up to a comma or a coordinating word), a negator stands before it (*no*, *not*,
   *never*, *without*, *neither*, *nor*, *cannot*, *lacks*, *unlike*, *instead of*, *rather
   than*) or when a negated auxiliary follows it ("non-linearity *is not* added"). An odd
   number of negators voids it, an even number does not. Negators inside the match itself are
   part of the claim ("*no* extra parameters").

Finally a match whose content words all appear in the question's prompt earns nothing: copying
the prompt back is not an answer.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ANSWER_IN_SENTENCES",
    "Normalised",
    "Span",
    "claim_clauses",
    "content_terms",
    "find_claims",
    "makes_claims",
    "normalise",
    "normalise_pattern",
]

ANSWER_IN_SENTENCES = (
    "Answer in sentences: a list of terms makes no claim, so it earns no key points."
)

# --------------------------------------------------------------------------- normalising


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


def normalise(text: str) -> Normalised:
    """``text`` in one spelling, each character mapped back to where it came from."""
    norm = Normalised(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    norm = _substitute(norm, re.compile(r"(?<=\d)\s?[–—]\s?(?=\d)"), "-")
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


# --------------------------------------------------------------------------- clauses

_CLAUSE_END = re.compile(
    r"(?<!\d)[.!?](?=\s*$|[\"')]|\s+(?-i:[^a-z\s]))|(?<=\d)\.(?=\s*$|\s+(?-i:[^a-z\s]))"
    r"|;|\n\s*\n|\n(?=[^\n]{0,40}(?:\n|$))|\n(?=\s*(?:[-*+#>]|\d+[.)])\s)|\s--\s"
    r"|^\s*(?:[-*+]|\d+[.)])\s+"
    r"|\b(?=(?:but|whereas|however|although|though|while|whilst|except|yet|nevertheless)\b)",
    re.IGNORECASE | re.MULTILINE,
)

_AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "does",
        "do",
        "did",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "need",
        "needs",
    ]
)
_SUBJECTS = frozenset(
    [
        "it",
        "they",
        "this",
        "that",
        "which",
        "who",
        "we",
        "you",
        "he",
        "she",
        "these",
        "those",
        "one",
    ]
)
_VERBS = frozenset(
    [
        "accumulate",
        "act",
        "add",
        "adjust",
        "affect",
        "aggregate",
        "allow",
        "amplify",
        "apply",
        "approximate",
        "attach",
        "attend",
        "average",
        "avoid",
        "become",
        "behave",
        "blend",
        "block",
        "blow",
        "boost",
        "break",
        "bring",
        "build",
        "calculate",
        "call",
        "carry",
        "cause",
        "center",
        "change",
        "choose",
        "clip",
        "collapse",
        "combine",
        "come",
        "compare",
        "compensate",
        "compress",
        "compute",
        "concatenate",
        "connect",
        "contain",
        "contribute",
        "control",
        "convert",
        "convolve",
        "correct",
        "cost",
        "count",
        "cover",
        "create",
        "cut",
        "decay",
        "decide",
        "decouple",
        "decrease",
        "define",
        "degrade",
        "depend",
        "destroy",
        "detect",
        "determine",
        "dilate",
        "discard",
        "divide",
        "dominate",
        "double",
        "downsample",
        "drop",
        "ease",
        "eliminate",
        "enable",
        "encode",
        "end",
        "enlarge",
        "ensure",
        "equal",
        "estimate",
        "exceed",
        "expand",
        "expect",
        "explode",
        "explain",
        "express",
        "extract",
        "factor",
        "factorize",
        "fail",
        "fall",
        "feed",
        "fill",
        "filter",
        "find",
        "fit",
        "fix",
        "flow",
        "focus",
        "follow",
        "force",
        "forget",
        "gain",
        "get",
        "give",
        "go",
        "grow",
        "halve",
        "handle",
        "happen",
        "help",
        "hide",
        "hold",
        "ignore",
        "improve",
        "include",
        "increase",
        "inject",
        "interact",
        "introduce",
        "invert",
        "keep",
        "kill",
        "lead",
        "learn",
        "leave",
        "let",
        "limit",
        "look",
        "lose",
        "lower",
        "make",
        "map",
        "mask",
        "match",
        "matter",
        "mean",
        "merge",
        "miss",
        "mix",
        "model",
        "move",
        "multiply",
        "need",
        "normalize",
        "occur",
        "offer",
        "operate",
        "optimize",
        "output",
        "overfit",
        "overflow",
        "pad",
        "pass",
        "pay",
        "penalize",
        "perform",
        "pick",
        "pool",
        "predict",
        "preserve",
        "prevent",
        "process",
        "produce",
        "project",
        "propagate",
        "provide",
        "pull",
        "push",
        "put",
        "quadruple",
        "quantize",
        "raise",
        "reach",
        "read",
        "recompute",
        "recover",
        "reduce",
        "refer",
        "reflect",
        "regularize",
        "rely",
        "remain",
        "remove",
        "repeat",
        "replace",
        "represent",
        "require",
        "rescale",
        "reshape",
        "resize",
        "restore",
        "result",
        "retain",
        "return",
        "reuse",
        "run",
        "sample",
        "saturate",
        "save",
        "scale",
        "scan",
        "see",
        "select",
        "send",
        "separate",
        "serve",
        "set",
        "shift",
        "shrink",
        "shrinks",
        "skip",
        "slide",
        "slow",
        "smooth",
        "solve",
        "speed",
        "split",
        "spread",
        "square",
        "squash",
        "squeeze",
        "stabilize",
        "stack",
        "start",
        "stay",
        "stop",
        "store",
        "subtract",
        "suffer",
        "sum",
        "supply",
        "suppress",
        "swap",
        "take",
        "tend",
        "tie",
        "train",
        "transform",
        "treat",
        "triple",
        "turn",
        "underflow",
        "update",
        "upsample",
        "use",
        "vanish",
        "vary",
        "weigh",
        "weight",
        "widen",
        "work",
        "wrap",
        "yield",
        "zero",
    ]
)


def _verb_forms(verbs: Iterable[str]) -> frozenset[str]:
    forms: set[str] = set()
    for verb in verbs:
        forms.add(verb)
        if verb.endswith("y") and verb[-2] not in "aeiou":
            forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
        elif verb.endswith(("s", "sh", "ch", "x", "z", "o")):
            forms |= {verb + "es", verb + "ed"}
        else:
            forms.add(verb + "s")
            forms.add(verb + "d" if verb.endswith("e") else verb + "ed")
        if re.fullmatch(r".*[^aeiou][aeiou][bdgmnprt]", verb) and len(verb) <= 4:
            forms.add(verb + verb[-1] + "ed")
    return frozenset(forms)


_VERB_FORMS = _verb_forms(_VERBS)
# a base form ("mask", "pool") is a verb after these, and most often a noun otherwise
# and before these ("use the running mean", "mask every future position")
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "their",
        "each",
        "every",
        "all",
        "his",
        "her",
        "our",
        "your",
        "this",
        "that",
    ]
)
# words that relate terms in a verbless note ("same cost as a 3x3, without ...")
_LINKING_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "at",
        "with",
        "without",
        "by",
        "to",
        "of",
        "than",
        "so",
        "because",
        "for",
        "into",
        "from",
        "its",
        "their",
        "on",
        "in",
        "as",
        "per",
        "each",
        "every",
    ]
)
_BEFORE_BASE_VERB = _AUXILIARIES | _SUBJECTS | frozenset(["to", "not", "i", "we", "you", "they"])
_RELATION = re.compile(
    r"(?:^|\s)(?:=|->|=>|<=|>=|<|>|!=|<-|<->)(?:\s|$)|\w\s*=\s*\w|[\w)]\s*:\s*\w"
)
_LIST_LEAD = re.compile(
    r"^\W*(?:(?:it|this|that|the\s+answer)\s+(?:is\s+)?(?:all\s+)?(?:about|regarding)|"
    r"(?:the\s+)?(?:key\s*|main\s+)?(?:words?|terms?|ideas?|points?|concepts?|topics?|"
    r"keywords?|buzzwords?)(?:\s+(?:are|is|include|includes|here))?|think|answer|"
    r"in\s+(?:short|brief|a\s+word))\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[a-z0-9_]+(?:[-'][a-z0-9_]+)*", re.IGNORECASE)


def makes_claims(clause: str) -> bool:
    """Whether ``clause`` asserts something (has a verb or a relation), rather than naming
    terms. A clause that only introduces a list ("keywords: …") is judged by its list."""
    lead = _LIST_LEAD.match(clause)
    if lead:
        clause = clause[lead.end() :]
    unbracketed = re.sub(r"\([^()]*\)", " ", clause)
    items = [_TOKEN.findall(item) for item in unbracketed.split(",")]
    items = [item for item in items if item]
    if len(items) >= 3 and all(len(item) <= 3 for item in items):
        return False  # "bottleneck, 1x1 conv, 256 -> 64, cheaper": a list of terms
    if _RELATION.search(clause):
        return True
    words = [w.lower() for w in _TOKEN.findall(clause)]
    if any(word in _AUXILIARIES for word in words):
        return True
    if any(
        previous in _SUBJECTS and word.isalpha() and len(word) > 2
        for previous, word in itertools.pairwise(words)
    ):
        return True
    if len(words) == 3 and (
        words[0] in _VERB_FORMS
        or words[0].endswith("ed")
        or (words[1] in _VERB_FORMS and words[1] not in _VERBS)
    ):
        return True  # a terse bullet: "used label smoothing"
    if len(words) < 4:
        return False  # a term or two ("causal masks", "fewer params") is a name, not a claim
    if len(words) >= 5 and sum(word in _LINKING_WORDS for word in words) >= 2:
        return True  # a verbless note that relates things ("same cost as a 3x3, without ...")
    item_starts = {0}
    count = 0
    for piece in re.split(r"[,(]", clause):
        count += len(_TOKEN.findall(piece))
        item_starts.add(count)
    for index, token in enumerate(words):
        previous = words[index - 1] if index else ""
        word = token.rsplit("-", 1)[-1]  # "down-weights" is a form of "weights"
        following = words[index + 1] if index + 1 < len(words) else ""
        if (
            word.endswith("ed")
            and len(item_starts) > 2
            and (index in item_starts or previous in _DETERMINERS)
            and following not in _LINKING_WORDS
        ):
            continue  # an adjective: "inverted residual", "the learned weights"
        if word in _VERB_FORMS and (
            word not in _VERBS
            or previous in _BEFORE_BASE_VERB
            or previous == "people"
            or (previous.endswith("s") and not previous.endswith("ss"))
            or following in _DETERMINERS
        ):
            return True
        if re.fullmatch(r"[a-z]{3,}(?:izes|ized|ifies|ified|ates|ated)", word):
            return True
        if word.endswith("ed") and len(word) > 4:
            return True
    return False


_SHORT_LINE = 40


def claim_clauses(norm: Normalised) -> list[tuple[int, int, bool]]:
    """The clauses of normalised text: (start, end, whether it makes a claim)."""
    text = norm.text
    # a short line (a term typed on its own line) ends where it ends
    short_lines = [
        m.start()
        for m in re.finditer(r"\n", text)
        if m.start() - (text.rfind("\n", 0, m.start()) + 1) <= _SHORT_LINE
    ]
    cuts = sorted(
        {
            0,
            len(text),
            *(m.start() for m in _CLAUSE_END.finditer(text)),
            *(m.end() for m in _CLAUSE_END.finditer(text)),
            *short_lines,
        }
    )
    clauses = []
    for start, end in itertools.pairwise(cuts):
        piece = text[start:end]
        if not _TOKEN.search(piece):
            continue
        clauses.append((start, end, makes_claims(piece)))
    return clauses


# --------------------------------------------------------------------------- negation

_NEGATOR = re.compile(
    r"\b(?:no|not|never|without|neither|nor|none|cannot|lacks?|lacking|unlike|"
    r"instead\s+of|rather\s+than|in\s+place\s+of|as\s+opposed\s+to|free\s+of|"
    r"fails?\s+to|unable\s+to)\b",
    re.IGNORECASE,
)
_NOT_NEGATION = re.compile(
    r"\b(?:not\s+(?:only|just|merely|simply|necessarily\s+only)|no\s+matter|nothing\s+but|"
    r"not\s+to\s+mention|if\s+not|whether\s+or\s+not|no\s+more\s+than|no\s+less\s+than|"
    r"no\s+longer\s+than)\b",
    re.IGNORECASE,
)
_PHRASE_END = re.compile(
    r",|\b(?:and|so|which|because|since|thus|hence|then|therefore|where|so\s+that|meaning)\b",
    re.IGNORECASE,
)
_NEGATED_AFTER = re.compile(
    r"^\W*(?:[\w-]+\s+){0,2}?(?:is|are|was|were|be|been|does|do|did|has|have|had|can|could|"
    r"will|would|should|may|might|must)\s+(?:not|never)\b",
    re.IGNORECASE,
)


_NEW_PREDICATE = re.compile(
    r"\b(?:could|would|can|will|should|might|may|must|is|are|was|were)\b(?!\s+not\b)",
    re.IGNORECASE,
)


_PREPOSITIONAL = re.compile(
    r"without|instead|rather|unlike|in\s+place|as\s+opposed|free", re.IGNORECASE
)


def _negators(text: str) -> list[tuple[int, int]]:
    """Negators in ``text`` (the phrase before a match) whose scope reaches its end: not an
    idiom ("not only"), and no new predicate after them ("without a mask, it *could* see")."""
    exempt = [m.span() for m in _NOT_NEGATION.finditer(text)]
    return [
        m.span()
        for m in _NEGATOR.finditer(text)
        if not any(a <= m.start() < b for a, b in exempt)
        and not (_PREPOSITIONAL.match(m.group(0)) and _NEW_PREDICATE.search(text, m.end()))
    ]


def negated(text: str, clause_start: int, start: int, end: int) -> bool:
    """Whether the match ``text[start:end]`` is negated within its clause (which begins at
    ``clause_start``; the clause ends at the end of ``text``)."""
    before = text[clause_start:start]
    phrase_start = 0
    for boundary in _PHRASE_END.finditer(before):
        # a negator before a boundary still reaches past "or"-free coordination only
        phrase_start = boundary.end()
    phrase = before[phrase_start:]
    count = len(_negators(phrase))
    after = text[end:]
    cut = _PHRASE_END.search(after)
    if _NEGATED_AFTER.match(after[: cut.start()] if cut else after):
        count += 1
    return count % 2 == 1


# --------------------------------------------------------------------------- prompt words

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "into",
        "onto",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "and",
        "or",
        "but",
        "if",
        "then",
        "so",
        "than",
        "such",
        "there",
        "their",
        "they",
        "them",
        "we",
        "you",
        "your",
        "our",
        "he",
        "she",
        "his",
        "her",
        "i",
        "me",
        "my",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "also",
        "just",
        "very",
        "more",
        "most",
        "less",
        "least",
        "much",
        "many",
        "some",
        "any",
        "each",
        "every",
        "all",
        "both",
        "either",
        "one",
        "two",
        "own",
        "same",
        "other",
        "only",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "who",
        "whom",
        "whose",
        "about",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "here",
        "s",
        "t",
    ]
)


def _stem(word: str) -> str:
    word = word.lower().strip("'-")
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> frozenset[str]:
    """The stemmed content words of (normalised) text: what copying it back would say."""
    return frozenset(
        _stem(w) for w in _TOKEN.findall(text) if w.lower() not in _STOPWORDS and w.strip("-'")
    )


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Span:
    """A claim in the answer that makes a key point: offsets into the original text."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(normalise_pattern(pattern), re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """An answer read once: normalised, split into clauses, ready for any key point."""

    original: str
    norm: Normalised
    clauses: tuple[tuple[int, int, bool], ...]
    prompt_terms: frozenset[str]
    prompt_squashed: str = ""

    @property
    def makes_claims(self) -> bool:
        return any(claim for _, _, claim in self.clauses)

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def copies_prompt(self, matched: str, terms: frozenset[str]) -> bool:
        """Whether a match only repeats the prompt: all its content words are the prompt's,
        and it is either a word or two or a phrase the prompt itself contains."""
        if not self.prompt_terms or not terms <= self.prompt_terms:
            return False
        return len(terms) <= 2 or _squash(matched) in self.prompt_squashed


def read(text: str, prompt: str = "") -> Reading:
    """Read ``text`` as an answer to ``prompt``."""
    norm = normalise(text)
    terms, squashed = _prompt(prompt)
    return Reading(text, norm, tuple(claim_clauses(norm)), terms, squashed)


@lru_cache(maxsize=1024)
def _prompt(prompt: str) -> tuple[frozenset[str], str]:
    if not prompt:
        return frozenset(), ""
    text = normalise(prompt).text
    return content_terms(text), _squash(text)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def find_claims(patterns: Sequence[str], reading: Reading) -> tuple[list[Span], list[Span]]:
    """(claims that make the point, matches that earn nothing): each a span of the original
    text. A match earns nothing when its clause makes no claim, when it is negated, or when
    all its content words come from the prompt."""
    made: list[Span] = []
    void: list[Span] = []
    text = reading.norm.text
    for start, end, claim in reading.clauses:
        clause = text[start:end]
        for pattern in patterns:
            for match in _compiled(pattern).finditer(clause):
                if match.end() == match.start():
                    continue
                a, b = start + match.start(), start + match.end()
                o_start, o_end = reading.norm.origin(a, b)
                span = Span(o_start, o_end, reading.original[o_start:o_end])
                terms = content_terms(match.group(0))
                if (
                    not claim
                    or negated(text[:end], start, a, b)
                    or reading.copies_prompt(match.group(0), terms)
                ):
                    void.append(span)
                else:
                    made.append(span)
    made.sort(key=lambda s: (s.start, s.end))
    return made, void
