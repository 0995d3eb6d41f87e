"""Judging a free-text answer by the claims it makes, not by the words it contains.

A key point's patterns are matched against the answer after four steps:

1. **Normalising** the text: Unicode math and arrows to ASCII (``×`` → ``x``, ``Cᵀ`` → ``C^T``,
   ``−`` → ``-``, ``→`` → ``->``), LaTeX commands to words, contractions spelled out
   (``isn't`` → ``is not``, ``w/o`` → ``without``), British spellings and a few irregular verb
   forms to one spelling. Every character keeps its offset in the original text, so a match
   can be shown where the learner wrote it.
2. **Splitting** into clauses at sentence ends, semicolons, colons, blank lines, list items,
   dashes between words and contrast words (*but*, *whereas*, *however*, *although*, *while*,
   *except*). A single line break is where the text was wrapped and ends nothing, except in a
   column of short lines (a term on each) or before a sentence that lacks its full stop; a
   dash between math terms is a minus (``p – y``), and ends nothing either.
3. **Claims only**: a clause that makes no claim (no verb, no ``=``/``->``: a list of terms)
   earns nothing; nor does a clause that only introduces a list ("keywords: …", "it is about
   …"). An imperative ("Divide by sqrt(d_k).") is a claim.
4. **Negation and contrast**: a match is void when, earlier in its clause and within the same
   phrase, a negator stands before it (*no*, *not*, *never*, *without*, *neither*, *nor*,
   *cannot*, *lacks*, *unlike*, *instead of*, *rather than*) or when a negated auxiliary
   follows it ("non-linearity *is not* added"). A phrase ends at a comma or a coordinating
   word, and a negator's reach ends where a new predicate starts ("without changing H or W
   *it reduces* the channels", "a conv that does not pad *reduces* ..."). An odd number of
   negators voids it, an even number does not ("neither A *nor* B" counts once). Negators
   inside the match itself are part of the claim ("*no* extra parameters").

Finally a match whose content words all appear in the question's prompt earns nothing: copying
the prompt back is not an answer.

The steps live in :mod:`._normalise`, :mod:`._clauses` (with the word lists of :mod:`._words`),
:mod:`._negation` and :mod:`._prompt`; matching a key point's patterns is here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ._clauses import claim_clauses, makes_claims
from ._negation import negated
from ._normalise import Normalised, normalise, normalise_pattern
from ._prompt import content_terms

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
    # a line break inside a clause is where the text was wrapped: a space to the patterns
    text = reading.norm.text.replace("\r", " ").replace("\n", " ")
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
