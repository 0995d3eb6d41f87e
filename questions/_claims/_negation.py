"""Negation and contrast inside a clause: whether a negator before a match (or a negated
auxiliary after it) reaches it, within its own phrase."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._clauses import _TOKEN
from ._words import _AUXILIARIES, _DETERMINERS, _VERB_FORMS, _VERBS

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


_PREPOSITIONAL = re.compile(
    r"without|instead|rather|unlike|in\s+place|as\s+opposed|free", re.IGNORECASE
)
# a negator that negates the verb right after it ("does *not* add", "*never* mixes")
_VERBAL = re.compile(r"not|never|neither|nor|fails?\s+to|unable\s+to", re.IGNORECASE)
_ADVERBS = frozenset(
    ["really", "actually", "even", "always", "necessarily", "directly", "explicitly", "also"]
)
# these start a clause that belongs to the negated phrase ("not true *that* it has ...",
# "no activation *that* adds ...")
_EMBEDDING = frozenset(["that", "whether", "if", "who", "which", "than"])
# and these take one as what they deny ("I do not *think* it adds ...", "not *true* it adds")
_DENYING = frozenset(
    [
        "think",
        "believe",
        "claim",
        "say",
        "mean",
        "guarantee",
        "imply",
        "true",
        "correct",
        "right",
        "case",
        "clear",
        "certain",
        "sure",
        "obvious",
    ]
)
_PRONOUN_SUBJECTS = frozenset(["it", "they", "we", "you", "he", "she", "this", "these", "those"])
_NEW_PREDICATE_AUXILIARIES = frozenset(
    ["could", "would", "can", "will", "should", "might", "may", "must", "is", "are", "was", "were"]
)
# inflected forms that are mostly plural nouns after a verb ("does not use *masks* to ...")
_NOUN_FORMS = frozenset(
    [
        "weights",
        "masks",
        "maps",
        "outputs",
        "filters",
        "pools",
        "samples",
        "models",
        "updates",
        "costs",
        "results",
        "blocks",
        "sets",
        "sums",
        "squares",
        "splits",
        "stacks",
        "cuts",
        "counts",
        "gains",
        "matches",
        "factors",
        "estimates",
        "projects",
        "processes",
        "returns",
        "drops",
        "scales",
        "steps",
        "ends",
        "means",
        "changes",
        "averages",
        "controls",
        "tokens",
        "limits",
        "flows",
        "shifts",
        "runs",
        "calls",
        "fits",
    ]
)
_FINITE_BEFORE = _DETERMINERS | frozenset(
    ["of", "to", "by", "with", "for", "in", "on", "at", "from", "into", "per", "no", "any"]
)


def _finite_verb(words: Sequence[str], index: int) -> bool:
    """Whether ``words[index]`` starts a new predicate: a subject pronoun and its verb, an
    auxiliary, or a verb in the third person after its subject ("the conv *reduces* ...")."""
    word = words[index]
    previous = words[index - 1] if index else ""
    following = words[index + 1] if index + 1 < len(words) else ""
    if previous in _EMBEDDING or (
        previous in _PRONOUN_SUBJECTS and index >= 2 and words[index - 2] in _EMBEDDING
    ):
        return False
    if word in _PRONOUN_SUBJECTS and (
        following in _VERB_FORMS or following in _AUXILIARIES or following in _ADVERBS
    ):
        return True
    if word in _NEW_PREDICATE_AUXILIARIES and following not in ("not", "never"):
        return True
    if (
        word in _VERBS
        and index >= 2
        and previous.endswith("s")
        and not previous.endswith("ss")
        and words[index - 2] in _DETERMINERS
    ):
        return True  # a plural subject and its verb: "the gradients *explode*"
    return (
        word in _VERB_FORMS
        and word.endswith("s")
        and word not in _VERBS
        and previous not in _FINITE_BEFORE
        and not previous[:1].isdigit()
        and (word not in _NOUN_FORMS or following in _DETERMINERS)
    )


def _reaches(phrase: str, negator: re.Match[str], match: str) -> bool:
    """Whether ``negator`` (in ``phrase``, the text before the match) negates ``match``: its
    scope ends where a new predicate starts ("without changing H or W *it reduces* ...",
    "a conv that does not pad *reduces* ...", "since it has no padding *it shrinks* ...")."""
    head = [w.lower() for w in _TOKEN.findall(phrase[: negator.start()])]
    tail = [w.lower() for w in _TOKEN.findall(phrase[negator.end() :])]
    # and the start of the match: "... *reduces* the channels", "... *the gradients explode*"
    words = [*tail, *(w.lower() for w in _TOKEN.findall(match)[:3])]
    name = negator.group(0).lower()
    # where a new predicate may start: past the negated verb, noun or object
    index = 0
    while index < len(words) and words[index] in _ADVERBS:
        index += 1
    start = index + 1
    verbal = bool(_VERBAL.fullmatch(name)) and (
        name not in ("neither", "nor")  # "neither BN nor LN *uses* ...": a subject
        or (index < len(words) and (words[index] in _VERB_FORMS or words[index] in _AUXILIARIES))
    )
    own_predicate = not (
        _PREPOSITIONAL.match(name)
        or verbal
        or any(_finite_verb(head, i) or w in _AUXILIARIES for i, w in enumerate(head))
        or name.startswith("lack")
    )  # "*no* layer adds ...": the first verb is the negated one
    if any(word in _DENYING for word in words[index : index + 2]):
        return True  # "I do not *think* it adds ...", "it is not the *case* ...": denied
    for position in range(start, len(words)):
        if words[position] in _EMBEDDING:
            return True  # "not true *that* it has ...": still negated
        if _finite_verb(words, position):
            if own_predicate:
                own_predicate = False
                continue
            return False
    return True


def _negators(text: str, match: str = "") -> list[tuple[int, int]]:
    """Negators in ``text`` (the phrase before a match) whose scope reaches its end: not an
    idiom ("not only"), no new predicate after them ("without a mask, it *could* see"), and
    not followed by a *nor* that takes the negation on ("neither A *nor* B")."""
    exempt = [m.span() for m in _NOT_NEGATION.finditer(text)]
    found = [
        m
        for m in _NEGATOR.finditer(text)
        if not any(a <= m.start() < b for a, b in exempt) and _reaches(text, m, match)
    ]
    return [
        m.span()
        for m in found
        if not any(later.group(0).lower() == "nor" and later.start() > m.start() for later in found)
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
    count = len(_negators(phrase, text[start:end]))
    after = text[end:]
    cut = _PHRASE_END.search(after)
    if _NEGATED_AFTER.match(after[: cut.start()] if cut else after):
        count += 1
    return count % 2 == 1
