"""``DeckSuite``: the structure and rubric tests every packaged deck must pass, written once.

A deck's test module subclasses it (``class TestAttentionDeck(DeckSuite):``) and declares that
deck's data as class attributes: where the file is, its id and title, its question ids by kind,
how many of each kind, answers in other words, plausible wrong answers and off-topic text. The
generic tests below then run over that data, one case per question, answer or pair, as chosen by
the names of their arguments (see ``DeckSuite.pytest_generate_tests``). Where decks differ in
what they promise (an exact count of ``also_accept`` alternatives, a choice question with several
correct options, code answers that show their own version of the reference), the deck says so in
an attribute; the defaults here are the rule the decks share. Tests only one deck needs stay in
that deck's class, with ordinary ``pytest.mark.parametrize`` marks.

The code questions are graded by ``quiz check-deck`` in CI; here only their set-up is checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from deck_helpers import (
    choice_question,
    code_question,
    concept_question,
    key_points_hit,
    key_points_missed,
    numeric_parts,
)

from grader import evaluate_working
from questions import Deck, load_deck

DECKS_DIR = Path(__file__).resolve().parents[2] / "questions" / "decks"


class DeckSuite:
    """The generic tests of one deck; a subclass per deck supplies the data they run over."""

    # ----------------------------------------------------------------- what every deck declares

    DECK_PATH: ClassVar[Path]
    DECK_ID: ClassVar[str]
    DECK_TITLE: ClassVar[str]

    QUESTION_IDS: ClassVar[Sequence[str]]
    """Every question id, in the deck's order."""
    CONCEPT_IDS: ClassVar[Sequence[str]]
    NUMERIC_IDS: ClassVar[Sequence[str]]
    CHOICE_IDS: ClassVar[Sequence[str]]
    CODE_IDS: ClassVar[Sequence[str]]
    COUNTS_BY_KIND: ClassVar[Mapping[str, int]]
    """``Deck.counts_by_kind()`` written out, a check on the id lists above."""

    OWN_WORDS: ClassVar[Mapping[str, str]]
    """A good answer to each concept question in other words: it must hit every key point."""
    WRONG_ANSWERS: ClassVar[Mapping[str, Sequence[str]]]
    """Plausible wrong answers to each concept question: each may hit at most one key point."""
    OFF_TOPIC: ClassVar[Sequence[str]]
    """Text in the deck's vocabulary that answers none of its questions: it must hit nothing."""

    # ----------------------------------------------------------------- where a deck may differ

    HINTS_RANGE: ClassVar[tuple[int, int]] = (1, 3)
    """Fewest and most hints a question may have."""
    KEY_POINTS_RANGE: ClassVar[tuple[int, int]] = (2, 4)
    """Fewest and most key points a concept question may have."""
    MULTIPLE_CHOICE_IDS: ClassVar[frozenset[str]] = frozenset()
    """Choice questions with ``multiple: true``; every other one has exactly one correct option."""
    CORRECT_INDICES: ClassVar[Mapping[str, frozenset[int]]] = {}
    """Choice questions whose correct options are pinned by position."""
    ALSO_ACCEPT_COUNT: ClassVar[int | None] = None
    """How many ``also_accept`` alternatives the numeric parts hold; None: at least one."""
    ALSO_ACCEPT_NOTE_SAYS: ClassVar[str | None] = None
    """A word every alternative's note must contain, if the deck's alternatives share one."""
    CODE_ANSWER_SHOWS_REFERENCE: ClassVar[bool] = True
    """Whether each code answer quotes the reference solution verbatim."""

    # ----------------------------------------------------------------- parametrisation

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Run each generic test over this deck's data, chosen by the test's argument names.

        ``question_id``, ``concept_id``, ``choice_id`` and ``code_id`` take each id of that kind,
        ``off_topic`` each text of OFF_TOPIC, and ``wrong_answer`` each wrong answer together
        with its ``concept_id``. Tests a deck adds itself are left to their own marks.
        """
        if not metafunc.function.__qualname__.startswith(f"{DeckSuite.__name__}."):
            return
        arguments = metafunc.fixturenames
        if "wrong_answer" in arguments:
            metafunc.parametrize(
                ("concept_id", "wrong_answer"),
                [(qid, wrong) for qid, answers in self.WRONG_ANSWERS.items() for wrong in answers],
            )
        elif "concept_id" in arguments:
            metafunc.parametrize("concept_id", self.CONCEPT_IDS)
        cases: dict[str, Sequence[str]] = {
            "question_id": self.QUESTION_IDS,
            "choice_id": self.CHOICE_IDS,
            "code_id": self.CODE_IDS,
            "off_topic": self.OFF_TOPIC,
        }
        for argument, values in cases.items():
            if argument in arguments:
                metafunc.parametrize(argument, values)

    @pytest.fixture(scope="class")
    def deck(self) -> Deck:
        return load_deck(self.DECK_PATH)

    # ----------------------------------------------------------------- structure

    def test_deck_metadata(self, deck: Deck) -> None:
        assert deck.id == self.DECK_ID
        assert deck.title == self.DECK_TITLE
        assert deck.description

    def test_ids_in_order(self, deck: Deck) -> None:
        assert [q.id for q in deck.questions] == list(self.QUESTION_IDS)

    def test_counts_by_kind(self, deck: Deck) -> None:
        kinds = {q.id: q.kind for q in deck.questions}
        assert kinds == {
            **dict.fromkeys(self.CONCEPT_IDS, "concept"),
            **dict.fromkeys(self.NUMERIC_IDS, "numeric"),
            **dict.fromkeys(self.CHOICE_IDS, "choice"),
            **dict.fromkeys(self.CODE_IDS, "code"),
        }
        assert deck.counts_by_kind() == self.COUNTS_BY_KIND

    def test_every_question_has_title_answer_hints_tags_and_time(
        self, deck: Deck, question_id: str
    ) -> None:
        question = deck.get(question_id)
        assert question is not None
        assert question.title
        assert question.answer.strip()
        fewest, most = self.HINTS_RANGE
        assert fewest <= len(question.hints) <= most
        assert question.tags
        assert question.expected_seconds

    def test_concept_question_key_point_count_is_in_range(
        self, deck: Deck, concept_id: str
    ) -> None:
        fewest, most = self.KEY_POINTS_RANGE
        assert fewest <= len(concept_question(deck, concept_id).key_points) <= most

    def test_choice_question_correct_options_and_reasons(self, deck: Deck, choice_id: str) -> None:
        question = choice_question(deck, choice_id)
        assert question.multiple == (choice_id in self.MULTIPLE_CHOICE_IDS)
        if not question.multiple:
            assert len(question.correct_indices) == 1
        if choice_id in self.CORRECT_INDICES:
            assert question.correct_indices == self.CORRECT_INDICES[choice_id]
        assert all(option.why for option in question.options)

    # ----------------------------------------------------------------- numeric

    def test_every_numeric_part_has_a_working(self, deck: Deck) -> None:
        parts = numeric_parts(deck, self.NUMERIC_IDS)
        assert [(qid, part.label) for qid, part in parts if not part.working] == []

    def test_every_working_evaluates_to_its_answer(self, deck: Deck) -> None:
        for question_id, part in numeric_parts(deck, self.NUMERIC_IDS):
            assert part.working, (question_id, part.label)
            assert part.answer is not None, (question_id, part.label)
            value = evaluate_working(part.working)
            assert part.tolerance.allows(value, part.answer), (question_id, part.label, value)

    def test_every_also_accept_working_evaluates_to_its_value(self, deck: Deck) -> None:
        alternatives = [
            (qid, part, alt)
            for qid, part in numeric_parts(deck, self.NUMERIC_IDS)
            for alt in part.also_accept
        ]
        if self.ALSO_ACCEPT_COUNT is None:
            assert alternatives
        else:
            assert len(alternatives) == self.ALSO_ACCEPT_COUNT
        for question_id, part, alt in alternatives:
            assert alt.working is not None, (question_id, part.label)
            tolerance = alt.tolerance or part.tolerance
            assert tolerance.allows(evaluate_working(alt.working), alt.value), (
                question_id,
                part.label,
            )
            if self.ALSO_ACCEPT_NOTE_SAYS is not None:
                assert self.ALSO_ACCEPT_NOTE_SAYS in alt.note, (question_id, part.label)

    # ----------------------------------------------------------------- rubric

    def test_deck_answer_hits_every_key_point(self, deck: Deck, concept_id: str) -> None:
        question = concept_question(deck, concept_id)
        assert key_points_missed(question, question.answer) == []

    def test_answer_in_own_words_hits_every_key_point(self, deck: Deck, concept_id: str) -> None:
        question = concept_question(deck, concept_id)
        assert key_points_missed(question, self.OWN_WORDS[concept_id]) == []

    def test_wrong_answer_hits_at_most_one_key_point(
        self, deck: Deck, concept_id: str, wrong_answer: str
    ) -> None:
        hits = key_points_hit(concept_question(deck, concept_id), wrong_answer)
        assert len(hits) <= 1, hits

    def test_every_concept_question_has_own_words_and_two_wrong_answers(self) -> None:
        assert set(self.OWN_WORDS) == set(self.CONCEPT_IDS)
        assert set(self.WRONG_ANSWERS) == set(self.CONCEPT_IDS)
        assert all(
            len(answers) >= 2 and all(a.strip() for a in answers)
            for answers in self.WRONG_ANSWERS.values()
        )

    def test_off_topic_answer_hits_nothing(
        self, deck: Deck, concept_id: str, off_topic: str
    ) -> None:
        assert key_points_hit(concept_question(deck, concept_id), off_topic) == []

    # ----------------------------------------------------------------- code (set-up only)

    def test_code_question_has_starter_reference_and_wrong_solutions(
        self, deck: Deck, code_id: str
    ) -> None:
        question = code_question(deck, code_id)
        assert "NotImplementedError" in question.starter
        if self.CODE_ANSWER_SHOWS_REFERENCE:
            assert question.reference.strip() in question.answer
        assert question.checks is not None
        assert len(question.wrong_solutions) >= 3
