"""The "Inception family" deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure, the numeric workings and the concept rubrics; the tests
here check this deck's answers, its choice question, that it shares no question id with the
``inception-1x1`` deck, and the shape of its code questions. Code questions are graded by
`quiz check-deck` in CI, not here.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_helpers import choice_question, code_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck, load_deck


class TestInceptionFamilyDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "inception-family.yaml"
    DECK_ID = "inception-family"
    DECK_TITLE = "The Inception family"

    QUESTION_IDS = (
        "naive-module-cost",
        "concat-channels",
        "grid-reduction",
        "pool-projection-choice",
        "inception-module-code",
        "asymmetric-conv-code",
    )
    CONCEPT_IDS = ("naive-module-cost", "grid-reduction")
    NUMERIC_IDS = ("concat-channels",)
    CHOICE_IDS = ("pool-projection-choice",)
    CODE_IDS = ("inception-module-code", "asymmetric-conv-code")
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 2, "numeric": 1, "choice": 1, "code": 2}
    ALSO_ACCEPT_COUNT = 0

    # Good answers in other words than the deck's: each must hit every key point.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "naive-module-cost": (
            "The 5x5 convolution is costly because it reads all input channels, so its multiplies "
            "scale with the input depth. Worse, max pooling does not change the number of "
            "channels, so the output has more channels than the input and the depth keeps growing "
            "as you stack modules. GoogLeNet puts a 1x1 conv before the 3x3 and 5x5 and after the "
            "pool to reduce the channels."
        ),
        "grid-reduction": (
            "If you pool first you create a representational bottleneck: you throw away "
            "information before the features can be expanded. If you convolve first on the big "
            "grid it is about three times more expensive. Instead Inception v3 runs a stride-2 "
            "conv branch and a stride-2 pooling branch in parallel and concatenates them along "
            "the channel axis."
        ),
    }

    # Plausible wrong answers: each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "naive-module-cost": [
            "It is expensive because it uses dropout in every branch and batch normalization "
            "after the concatenation, which needs a lot of memory.",
            "The naive module uses fully connected layers between branches; GoogLeNet replaced "
            "them with global average pooling to save parameters.",
            "Concatenation copies memory, which is slow on GPUs; the fix was to add the branches "
            "element-wise instead, like a residual connection.",
        ],
        "grid-reduction": [
            "Both orders are fine; Inception v3 just uses a larger stride in the first "
            "convolution of the network and never reduces the grid again.",
            "It uses bilinear interpolation to resize the feature map to half its size, which "
            "needs no learnable weights.",
            "Pooling first is wrong because pooling has parameters that overfit; so the model uses "
            "dilated convolutions to keep the full grid everywhere.",
        ],
    }

    OFF_TOPIC = (
        "I don't know.",
        "Transformers use self-attention over tokens.",
        "Stochastic gradient descent updates the weights using the gradient of a mini-batch.",
    )

    # --------------------------------------------------------------------- structure

    @pytest.fixture(scope="class")
    def twin_deck(self) -> Deck:
        """The inception-1x1 deck, loaded once for the tests that compare with it."""
        return load_deck(DECKS_DIR / "inception-1x1.yaml")

    def test_no_question_id_repeats_the_inception_1x1_deck(
        self, deck: Deck, twin_deck: Deck
    ) -> None:
        assert not {q.id for q in deck.questions} & {q.id for q in twin_deck.questions}

    def test_pool_projection_choice_pools_then_projects(self, deck: Deck) -> None:
        question = choice_question(deck, "pool-projection-choice")
        [index] = question.correct_indices
        assert question.options[index].text.startswith("Max-pool, then")

    # --------------------------------------------------------------------- numeric

    def test_concat_channels(self, deck: Deck) -> None:
        answers = [p.answer for p in numeric_question(deck, "concat-channels").parts]
        assert answers == [416, 256, 640]

    # --------------------------------------------------------------------- retired

    def test_near_duplicates_of_inception_1x1_are_retired_to_their_twins(
        self, deck: Deck, twin_deck: Deck
    ) -> None:
        assert {q.id: q.replaced_by for q in deck.retired} == {
            "module-weights": "inception-1x1/bottleneck-params",
            "stacked-receptive-field": "inception-1x1/q8",
            "asymmetric-weights": "inception-1x1/factorised-7x7",
            "gap-head-shape": "inception-1x1/gap-vs-fc-params",
            "aux-classifier-head": "inception-1x1/q3",
        }
        twins = {q.id for q in twin_deck.questions}
        assert {q.replaced_by.split("/")[1] for q in deck.retired if q.replaced_by} <= twins

    # --------------------------------------------------------------------- code (static)

    def test_code_questions_shape(self, deck: Deck) -> None:
        module, asym = (
            code_question(deck, "inception-module-code"),
            code_question(deck, "asymmetric-conv-code"),
        )
        assert (module.entry_point, module.signature) == (
            "InceptionModule",
            "InceptionModule(in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj)",
        )
        assert (asym.entry_point, asym.signature) == (
            "AsymmetricConv",
            "AsymmetricConv(channels, n)",
        )
        # The grader pairs same-shape parameters itself: no prompt dictates creation order.
        assert "creation order" not in module.prompt and "creation order" not in asym.prompt
        assert {w.fails for w in module.wrong_solutions} == {
            "parameters",
            "output_shape",
            "outputs",
        }
        assert {w.fails for w in asym.wrong_solutions} == {"parameters", "output_shape", "outputs"}
