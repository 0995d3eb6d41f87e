"""Key points proposed from an answer's sentences and bullets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .._claims import Reading, find_claims
from .._claims import read as read_answer
from .._render import _DISPLAY_MATH, _INLINE_MATH
from ._data import MAX_KEY_POINTS, KeyPointData
from ._parts import _plain_text
from ._scan import _LINK_REFERENCE, _markdown

# =========================================================================== key points

# Words that carry no topic: function words, then words any answer uses.
_STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "a an the it its it's they them their this that these those is are was were be been "
        "being to of in on at by for with from as and or nor but not no so than then into onto "
        "over under which who whom whose what when where why how can could would should may "
        "might must will shall just very more most less least also only each every some any all "
        "both either neither there here do does did done has have had having i we you he she "
        "our your his her one ones own if else while because since though although until "
        "about above below after before between through during without within across per via "
        "up down out off again further once same other another such too rather instead"
    ).split()
)
_GENERIC_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "use uses used using make makes made making allow allows allowed allowing add adds "
        "added adding introduce introduces introduced introducing get gets got getting give "
        "gives gave giving help helps helped helping take takes took taking let lets way ways "
        "thing things number numbers lot lots many much new different various several like "
        "well good better best important simply simple basically actually really often usually "
        "typically generally mainly mostly much many few step steps example examples e.g i.e "
        "etc term terms called known need needs needed show shows showed shown work works worked "
        "working become becomes became able kind type types part parts case cases way idea "
        "problem problems answer question note notes see also first second third two three "
        "four five main key point points set sets thus hence therefore however"
    ).split()
)
_GENERIC_LABEL = re.compile(
    r"^(?:the\s+)?(?:problems?|solutions?|answers?|pros|cons|advantages?|disadvantages?|benefits?|"
    r"drawbacks?|limitations?|notes?|n\.?b\.?|examples?|e\.?g\.?|i\.?e\.?|intuition|(?:key\s+|main\s+)?"
    r"ideas?|summary|tl;?dr|definitions?|explanations?|reasons?|why|how|what|results?|formulas?|"
    r"code|usage|in\s+short|in\s+simple\s+terms|in\s+other\s+words|simply\s+put|overview|"
    r"context|background|details?|important|tips?|hints?|remember|key\s+points?|takeaways?|"
    r"bonus|follow[- ]?ups?|level|tags?|difficulty|(?:step|option|case|part|point|reason|"
    r"method|approach)\s*\d*)\s*:?$",
    re.IGNORECASE,
)
# A line break before a label ("**Cons:** …", "Note: …") in one paragraph: the label names
# the lines after it, so it starts a unit of its own and never runs into the text before it.
_LABELLED_LINE = re.compile(
    r"\n(?=[ \t]*(?:(?:\*\*|__)[^*_\n]{1,40}?(?::[ \t]*(?:\*\*|__)|(?:\*\*|__)[ \t]*:)"
    r"|[A-Z][A-Za-z0-9 ./&()-]{0,30}:[ \t]))"
)
_EXAMPLE = re.compile(r"^\W*(?:e\.\s?g\.|i\.\s?e\.|for\s+(?:example|instance)|example)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_ABBREVIATIONS = re.compile(r"(?:\b(?:e\.g|i\.e|vs|etc|cf|approx|fig|eq|[A-Z])\.)$", re.I)
_GAP = r"\W+(?:\w+\W+){0,3}?"
_POINT_LENGTH = 100


@dataclass(frozen=True)
class _Unit:
    """A bullet or a sentence of an answer, as a candidate key point."""

    order: int
    group: int
    lead: str  # a bold or "Name:" lead naming the idea, plain text ('' when none)
    rest: str  # what it says, plain text
    item: bool
    depth: int


def _protect_math(text: str) -> tuple[str, list[str]]:
    spans: list[str] = []

    def hide(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\ue000{len(spans) - 1}\ue001"

    return _INLINE_MATH.sub(hide, _DISPLAY_MATH.sub(hide, text)), spans


def _restore_math(text: str, spans: Sequence[str]) -> str:
    return re.sub("\ue000(\\d+)\ue001", lambda m: spans[int(m.group(1))], text)


def _inline_plain(text: str) -> str:
    """Inline markdown as plain text (math kept as written)."""
    hidden, spans = _protect_math(_LINK_REFERENCE.sub("", text))
    return _restore_math(_plain_text(hidden), spans)


def _without_math(text: str) -> str:
    return _INLINE_MATH.sub(" ", _DISPLAY_MATH.sub(" ", text))


def _words(text: str) -> list[str]:
    """The words of ``text`` that can name a topic (math and links left out)."""
    text = re.sub(r"https?://\S+", " ", _without_math(text))
    found = []
    for word in _WORD.findall(text):
        lower = word.lower().strip("'")
        if lower in _STOP_WORDS or lower in _GENERIC_WORDS:
            continue
        if lower.endswith("ly") and len(lower) > 5:
            continue  # "significantly", "directly": how, not what
        if len(lower) >= 3 or (word.isupper() and len(word) >= 2):
            found.append(word)
    return found


def _stem(piece: str) -> str:
    piece = piece.lower()
    if len(piece) >= 7:
        return piece[:5]
    if len(piece) > 3 and piece.endswith("s") and not piece.endswith("ss"):
        return piece[:-1]
    return piece


def _keys(word: str) -> set[str]:
    return {_stem(p) for p in re.split(r"[-']", word) if p}


def _word_pattern(word: str) -> str:
    if word.isupper() and word.isalpha() and len(word) <= 5:
        return rf"\b{re.escape(word.lower())}s?\b"
    pieces = [p for p in re.split(r"[-']", word) if p]
    return r"\b" + r"[-\s]?".join(re.escape(_stem(p)) + r"\w*" for p in pieces)


def _phrase(words: Sequence[str]) -> str:
    return _GAP.join(_word_pattern(w) for w in words)


def _lead(text: str) -> tuple[str, str]:
    """(lead, rest) of a bullet or paragraph: ``**Name:** rest`` or ``Name: rest``; the lead is
    '' when there is none or it is only a label such as "Pros" or "Note"."""
    hidden, spans = _protect_math(_LINK_REFERENCE.sub("", text))
    bold = re.match(r"^\s*(\*\*|__)(.+?)\1\s*(.*)$", hidden, re.DOTALL)
    lead = rest = ""
    names = bold is not None and (
        bold.group(2).rstrip().endswith(":")
        or re.match(r"^[:\-–—]\s*\S", bold.group(3)) is not None
    )
    if bold and names:
        lead = _plain_text(bold.group(2)).rstrip(":").strip()
        rest = _plain_text(re.sub(r"^[:\-–—]\s*", "", bold.group(3)))
    else:
        plain = _plain_text(hidden)
        named = re.match(r"^([^:.!?\ue000]{2,40}):\s+(\S.*)$", plain)
        if named and len(named.group(1).split()) <= 5:
            lead, rest = named.group(1).strip(), named.group(2)
        else:
            rest = plain
    lead, rest = _restore_math(lead, spans), _restore_math(rest, spans)
    if _GENERIC_LABEL.match(lead) or not _words(lead):
        return "", rest if rest else ""
    return lead, rest


def _is_label(lead: str, rest: str, raw: str) -> bool:
    """A line that only names what follows: "**Pros:**", "v3:", "Problem"; not a short
    sentence of its own ("**GAP has zero parameters.**")."""
    plain = _inline_plain(raw).strip()
    if _GENERIC_LABEL.match(plain):
        return True
    if plain.endswith(":"):
        return len(plain.split()) <= 8
    all_bold = re.fullmatch(r"\s*(\*\*|__)[^*_]+\1\s*", raw) is not None
    short = len(plain.split()) <= 4 and not plain.endswith((".", "!", "?"))
    return short and (all_bold or (bool(lead) and not rest))


def _sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9$(\"'`])", text)
    out: list[str] = []
    for piece in pieces:
        if out and _ABBREVIATIONS.search(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return [p.strip() for p in out if p.strip()]


def _units(answer: str) -> list[_Unit]:
    tokens = _markdown().parse(answer)
    units: list[_Unit] = []
    group = 0
    stack: list[str] = []
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(token.type)
        elif token.nesting == -1 and stack:
            stack.pop()
        if token.type == "heading_open":
            group += 1
        if token.type != "inline" or tokens[index - 1].type != "paragraph_open":
            continue
        if "table_open" in stack:
            continue
        depth = sum(t in ("bullet_list_open", "ordered_list_open") for t in stack)
        raw = token.content
        if re.match(r"^\[[ xX]\]\s", raw):
            continue  # an option of a checklist, not a point
        first_in_item = index >= 2 and tokens[index - 2].type == "list_item_open"
        has_children = first_in_item and any(
            t.type in ("bullet_list_open", "ordered_list_open")
            for t in tokens[index + 2 : index + 3]
        )
        for position, line in enumerate(_LABELLED_LINE.split(raw)):
            if position:
                group += 1  # a line led by its own label is a part of its own
            lead, rest = _lead(line)
            item = first_in_item and position == 0
            if _is_label(lead, rest, line) and (has_children or not item):
                group += 1  # what follows is a part of its own ("Pros:", "v3:")
                continue
            if item:
                units.append(_Unit(len(units), group, lead, rest, True, depth))
                continue
            for index_in_line, sentence in enumerate(_sentences(rest)):
                units.append(
                    _Unit(
                        len(units),
                        group,
                        lead if index_in_line == 0 else "",
                        sentence,
                        False,
                        depth,
                    )
                )
    return units


@dataclass(frozen=True)
class _Candidate:
    unit: _Unit
    score: float
    keys: frozenset[str]
    patterns: tuple[str, ...]


def _novel(word: str, question_keys: set[str]) -> bool:
    """Whether ``word`` says something the question does not (``conv`` repeats
    ``convolution``)."""
    for key in _keys(word):
        if not any(
            key == known
            or (min(len(key), len(known)) >= 4 and known.startswith(key))
            or (min(len(key), len(known)) >= 4 and key.startswith(known))
            for known in question_keys
        ):
            return True
    return False


def _pairs(text: str, question_keys: set[str]) -> list[tuple[str, str]]:
    """Successive telling words of ``text``, best first: side by side (a term such as
    "vanishing gradient" or "label smoothing") before words further apart, longer first."""
    words = _WORD.findall(re.sub(r"https?://\S+", " ", _without_math(text)))
    telling = set(_words(text))
    found: list[tuple[int, int, str, str]] = []
    previous: tuple[int, str] | None = None
    for position, word in enumerate(words):
        if word not in telling or not _novel(word, question_keys):
            continue
        if previous is not None and _keys(previous[1]) != _keys(word):
            gap = position - previous[0] - 1
            if gap <= 3:
                found.append((min(gap, 1), -(len(previous[1]) + len(word)), previous[1], word))
        previous = (position, word)
    return [(first, second) for _, _, first, second in sorted(found)]


def _candidate(unit: _Unit, question_keys: set[str], answer: Reading) -> _Candidate | None:
    """``unit`` as a key point, unless it is an example or says too little beyond the
    question; its patterns are the ones the answer itself makes as a claim (an answer that
    only lists terms makes none, so its units become no key points)."""
    if _EXAMPLE.match(unit.rest) and not unit.lead:
        return None
    lead_words = [w for w in _words(unit.lead) if _novel(w, question_keys)]
    rest_words = [w for w in _words(unit.rest) if _novel(w, question_keys)]
    keys = frozenset(k for w in lead_words + rest_words for k in _keys(w))
    one_telling_word = unit.item and len(keys) == 1 and max(map(len, keys)) >= 5
    if len(keys) < 2 and not one_telling_word:
        return None

    def hits(pattern: str) -> bool:
        made, _ = find_claims([pattern], answer)
        return bool(made)

    patterns: list[str] = []
    if len(lead_words) >= 2 and hits(_phrase(lead_words[:2])):
        # The idea named either way round: "dimensionality reduction", "reduce dimensionality".
        patterns += [_phrase(lead_words[:2]), _phrase(lead_words[1::-1])]
    elif lead_words and hits(_word_pattern(lead_words[0])):
        patterns.append(_word_pattern(lead_words[0]))
    pair = next((p for p in _pairs(unit.rest, question_keys) if hits(_phrase(p))), None)
    if pair is not None:
        patterns.append(_phrase(pair))
    # A name such as ReLU, RMSProp or GAP is telling on its own.
    technical = [
        w
        for w in lead_words + rest_words
        if re.search(r"[a-z][A-Z]|[A-Z]{2,}|[A-Za-z]\d", w) or len(keys) == 1
    ]
    if technical:
        term = _word_pattern(max(technical, key=len))
        if hits(term):
            patterns.append(term)
    patterns = list(dict.fromkeys(patterns))
    if not patterns:
        return None
    score = (
        min(len(keys), 6)
        + (2 if lead_words else 0)
        + (1 if unit.item else 0)
        - (1 if unit.depth > 1 else 0)
    )
    return _Candidate(unit, score, keys, tuple(patterns))


def _point_text(unit: _Unit) -> str:
    rest = unit.rest.strip()
    if unit.lead and rest:
        if len(rest) > 1 and rest[0].isupper() and rest[1].islower():
            rest = rest[0].lower() + rest[1:]
        text = f"{unit.lead} — {rest}"
    else:
        text = unit.lead or rest
    text = text.strip()
    if len(text) > _POINT_LENGTH:
        cut = text[:_POINT_LENGTH].rsplit(" ", 1)[0]
        if cut.count("$") % 2:
            cut = cut[: cut.rfind("$")].rstrip()
        text = cut.rstrip(" ,;:—-(") + "…"
    return text.rstrip(" .:;,")


def _key_points(answer: str, question: str) -> list[KeyPointData]:
    """Up to five key points: bullets and sentences that say something the question does not,
    the best of each part of the answer first, each with patterns its answer hits."""
    question_keys = {k for w in _words(question) for k in _keys(w)}
    reading = read_answer(answer, question)
    by_group: dict[int, list[_Candidate]] = {}
    for unit in _units(answer):
        found = _candidate(unit, question_keys, reading)
        if found is not None:
            by_group.setdefault(unit.group, []).append(found)
    for candidates in by_group.values():
        candidates.sort(key=lambda c: (-c.score, c.unit.order))
    chosen: list[_Candidate] = []
    while len(chosen) < MAX_KEY_POINTS and any(by_group.values()):
        round_ = [group.pop(0) for group in by_group.values() if group]
        for candidate in sorted(round_, key=lambda c: (-c.score, c.unit.order)):
            if len(chosen) >= MAX_KEY_POINTS:
                break
            redundant = any(
                candidate.keys <= c.keys or candidate.patterns[0] == c.patterns[0] for c in chosen
            )
            if not redundant:
                chosen.append(candidate)
    chosen.sort(key=lambda c: c.unit.order)
    return [{"point": _point_text(c.unit), "patterns": list(c.patterns)} for c in chosen]
