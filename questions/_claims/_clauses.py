"""Splitting an answer into clauses and telling a clause that makes a claim (a verb, an
imperative, an ``=`` or ``->``) from a list of terms; wrapped lines stay one clause."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from ._normalise import _MATH_LEFT, _MATH_RIGHT, Normalised
from ._words import (
    _AUXILIARIES,
    _BEFORE_BASE_VERB,
    _DETERMINERS,
    _LINKING_WORDS,
    _LIST_LEAD,
    _ORDER,
    _RELATION,
    _SUBJECTS,
    _VERB_FORMS,
    _VERBS,
)

_CLAUSE_END = re.compile(
    r"(?<!\d)[.!?](?=\s*$|[\"')]|\s+(?-i:[^a-z\s]))|(?<=\d)\.(?=\s*$|\s+(?-i:[^a-z\s]))"
    r"|;|\n\s*\n|\n(?=\s*(?:[-*+#>]|\d+[.)])\s)|\s--\s"
    r"|^\s*(?:[-*+]|\d+[.)])\s+"
    r"|\b(?=(?:but|whereas|however|although|though|while|whilst|except|yet|nevertheless)\b)",
    re.IGNORECASE | re.MULTILINE,
)


_TOKEN = re.compile(r"[a-z0-9_]+(?:[-'][a-z0-9_]+)*", re.IGNORECASE)


# an imperative ("Divide by sqrt(d_k).", "Apply dropout only during training.") is a claim:
# a verb first, then what it acts on; words that may come before it
_IMPERATIVE_LEAD = frozenset(
    ["then", "so", "just", "first", "always", "simply", "also", "and", "finally", "now", "instead"]
)
_IMPERATIVE_VERBS = _VERBS | frozenset(
    [
        "warm",
        "freeze",
        "unfreeze",
        "insert",
        "initialize",
        "tune",
        "check",
        "monitor",
        "evaluate",
        "load",
        "cast",
        "detach",
        "shuffle",
        "sort",
        "standardize",
        "exponentiate",
        "try",
        "place",
        "append",
        "flatten",
        "transpose",
        "anneal",
        "schedule",
        "concat",
    ]
)
# right after the verb: what it acts on begins ("Divide by", "Warm up the", "Stack two")
_IMPERATIVE_OBJECT = _DETERMINERS | frozenset(
    [
        "it",
        "them",
        "these",
        "those",
        "both",
        "one",
        "two",
        "three",
        "four",
        "by",
        "with",
        "to",
        "into",
        "on",
        "in",
        "at",
        "from",
        "over",
        "through",
        "across",
        "before",
        "after",
        "during",
        "up",
        "down",
        "out",
        "off",
        "away",
        "back",
        "only",
        "instead",
    ]
)
# later in the clause: how, when or why ("Apply dropout only during training")
_IMPERATIVE_ADJUNCT = frozenset(
    [
        "by",
        "with",
        "to",
        "into",
        "before",
        "after",
        "during",
        "instead",
        "until",
        "when",
        "so",
        "for",
        "from",
        "across",
        "over",
        "per",
        "on",
        "in",
        "at",
        "without",
        "than",
        "first",
    ]
)


def _imperative(words: Sequence[str]) -> bool:
    """Whether words (lower case) read as an imperative sentence."""
    index = 0
    while index < len(words) - 1 and words[index] in _IMPERATIVE_LEAD:
        index += 1
    verb, rest = words[index], words[index + 1 :]
    if verb not in _IMPERATIVE_VERBS or len(rest) < 2:
        return False
    if rest[0] in ("of", "and", "or", "is", "are") or rest[0].endswith("ing"):
        return False  # a term: "weight of", "scale and shift", "average pooling"
    return (
        rest[0] in _IMPERATIVE_OBJECT
        or rest[0][0].isdigit()
        or any(word in _IMPERATIVE_ADJUNCT for word in rest[1:])
    )


def makes_claims(clause: str) -> bool:
    """Whether ``clause`` asserts something (has a verb or a relation), rather than naming
    terms. A clause that only introduces a list ("keywords: …") is judged by its list."""
    lead = _LIST_LEAD.match(clause)
    if lead:
        clause = clause[lead.end() :]
    unbracketed = re.sub(r"\([^()]*\)", " ", clause)
    items = [_TOKEN.findall(item) for item in unbracketed.split(",")]
    items = [item for item in items if item]
    if _ORDER.search(clause):
        return True
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
    if words and _imperative(words):
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
_COLUMN_WORDS = 4
# a line that ends with one of these, or a line that starts with one of these, goes on
# with the sentence (text wrapped across lines)
_GOES_ON = frozenset(
    [
        *_LINKING_WORDS,
        *_AUXILIARIES,
        *_DETERMINERS,
        "and",
        "or",
        "nor",
        "not",
        "no",
        "if",
        "when",
        "which",
        "that",
        "whose",
        "while",
        "both",
        "either",
        "neither",
        "over",
        "under",
        "between",
        "through",
        "via",
        "across",
        "after",
        "before",
        "then",
        "thus",
        "hence",
        "where",
        "more",
        "less",
        "only",
        "also",
    ]
)
_SENTENCE_START = re.compile(
    r"(?:It|This|That|They|These|Those|There|The|A|An|We|You|He|She|Its|Their|In|If|When)\s"
)
_LIST_MARKER = re.compile(r"\s*(?:[-*+#>]|\d+[.)])\s")


def _goes_on(line: str, following: str) -> bool:
    """Whether the sentence on ``line`` goes on on the ``following`` line."""
    end = line.rstrip()
    if re.search(r"[,(\[{=+*/<>^-]$", end) or re.match(r"\s*[)\]}=+*/<>^(]", following):
        return True
    last = _TOKEN.findall(end[-30:])
    first = _TOKEN.match(following.lstrip())
    return bool(last and last[-1].lower() in _GOES_ON) or bool(
        first and first.group(0) in _GOES_ON  # lower case: "... the\nand", not "And"
    )


def _list_item(text: str, line_start: int) -> bool:
    """Whether the line at ``line_start`` starts with a list marker, rather than going on
    with a formula wrapped before an operator ("... LN(x\n+ F(x))", "grad = p\n- y")."""
    line_end = text.find("\n", line_start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if not _LIST_MARKER.match(line):
        return False
    operator = re.match(r"[ \t]*[-+*][ \t]+(\S+)", line)
    if not operator or line_start == 0:
        return True
    previous = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1]
    last = re.search(r"(\S+)\s*\Z", previous)
    if not last or _LIST_MARKER.match(previous) or not _MATH_RIGHT.match(operator.group(1)):
        return True
    unclosed = previous.count("(") > previous.count(")")  # "LN(x" goes on
    in_formula = "=" in previous and _MATH_LEFT.fullmatch(last.group(1))
    return not (unclosed or in_formula)


def _line_breaks(text: str) -> list[int]:
    """Where a single line break ends a clause: text wrapped across lines goes on past it.

    A blank line and a line that starts a list item end a clause anyway (``_CLAUSE_END``).
    Otherwise a line break ends one only in a column of short lines (a term on each line,
    unless the line plainly goes on: "... of" / "and ...") or where a new sentence starts
    without a full stop ("... the channels\nIt adds ...")."""
    cuts: list[int] = []
    lines: list[tuple[int, str]] = []
    at = 0
    for line in text.split("\n"):
        lines.append((at, line))
        at += len(line) + 1
    blocks: list[list[tuple[int, str]]] = []
    for start, line in lines:
        if not line.strip() or _list_item(text, start) or not blocks:
            blocks.append([])
        if line.strip():
            blocks[-1].append((start, line))
    for block in blocks:
        words = sorted(len(_TOKEN.findall(line)) for _, line in block)
        column = (
            len(block) >= 3
            and all(len(line.strip()) <= _SHORT_LINE for _, line in block)
            and words[len(words) // 2] <= _COLUMN_WORDS
        )  # a term or a few on each line, not prose wrapped at a narrow width
        for (start, line), (_, following) in itertools.pairwise(block):
            if _goes_on(line, following):
                continue
            if column or _SENTENCE_START.match(following.lstrip()):
                cuts.append(start + len(line))
    return cuts


def claim_clauses(norm: Normalised) -> list[tuple[int, int, bool]]:
    """The clauses of normalised text: (start, end, whether it makes a claim)."""
    text = norm.text
    ends = [
        m
        for m in _CLAUSE_END.finditer(text)
        if not (
            re.fullmatch(r"\n|\s*[-+*]\s+", m.group(0))
            and (m.start() == 0 or text[m.start() - 1] == "\n" or m.group(0) == "\n")
            and not _list_item(text, m.start() + 1 if m.group(0) == "\n" else m.start())
        )
    ]
    cuts = sorted(
        {
            0,
            len(text),
            *(m.start() for m in ends),
            *(m.end() for m in ends),
            *_line_breaks(text),
        }
    )
    clauses: list[tuple[int, int, bool]] = []
    for start, end in itertools.pairwise(cuts):
        piece = text[start:end]
        if not _TOKEN.search(piece):
            continue
        claim = makes_claims(piece)
        if not claim and clauses and _elliptical(text, clauses[-1], start, piece):
            clauses[-1] = (clauses[-1][0], end, True)
            continue
        clauses.append((start, end, claim))
    return clauses


_ELLIPSIS_WORDS = 3


def _elliptical(text: str, previous: tuple[int, int, bool], start: int, piece: str) -> bool:
    """Whether ``piece``, a clause without a verb, finishes the claim before it after a
    semicolon (an answer in note form: "Basic: 3x3 -> 3x3, same width; ResNet-18/34."): a few
    words, not a new list, right after a clause that makes a claim."""
    before = text[previous[1] : start]
    words = _TOKEN.findall(piece)
    return (
        previous[2] and before.strip() == ";" and len(words) <= _ELLIPSIS_WORDS and "," not in piece
    )
