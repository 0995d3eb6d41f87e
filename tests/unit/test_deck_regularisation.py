"""The shipped ``regularisation`` deck: its data for ``DeckSuite``, its own numbers, and correct
answers in other styles graded against its code questions.

``DeckSuite`` checks the structure and the rubric. The tests here check this deck's arithmetic
and how its code questions are set up; ``quiz check-deck`` grades the references and the wrong
solutions in CI, and the slow test below grades correct answers written differently.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_fixtures import assert_all_pass, fixture_files, grade_fixtures
from deck_helpers import code_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck


class TestRegularisationDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "regularisation.yaml"
    DECK_ID = "regularisation"
    DECK_TITLE = "Regularisation"

    CONCEPT_IDS = (
        "dropout-inverted",
        "dropout-why",
        "weight-decay-vs-l2",
        "mixup-cutmix",
        "early-stopping",
    )
    NUMERIC_IDS = ("dropout-numbers", "weight-decay-numbers", "mixup-numbers", "cutmix-box-numbers")
    CHOICE_IDS = (
        "dropout-eval-choice",
        "mixup-lambda-choice",
        "cutmix-label-choice",
        "early-stopping-choice",
        "dropout-scaling-choice",
    )
    CODE_IDS = ("dropout-code", "mixup-code")

    QUESTION_IDS = (
        "dropout-inverted",
        "dropout-why",
        "dropout-numbers",
        "dropout-eval-choice",
        "weight-decay-vs-l2",
        "weight-decay-numbers",
        "mixup-cutmix",
        "mixup-numbers",
        "cutmix-box-numbers",
        "mixup-lambda-choice",
        "cutmix-label-choice",
        "early-stopping",
        "early-stopping-choice",
        "dropout-scaling-choice",
        "dropout-code",
        "mixup-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 5, "code": 2}
    # Every part has one right value (within its tolerance); no alternative readings.
    ALSO_ACCEPT_COUNT = 0

    OWN_WORDS: ClassVar[dict[str, str]] = {
        "dropout-inverted": "While training, each unit is zeroed with probability p and the "
        "surviving ones are divided by (1 - p). After model.eval() it returns the input "
        "unchanged. Scaling the survivors keeps the expected value of every activation the "
        "same in both modes.",
        "dropout-why": "It prevents co-adaptation: any partner of a neuron may be missing, so "
        "each one learns features that work on their own. Training samples a different thinned "
        "network at every step, and the test-time network approximates averaging that ensemble.",
        "weight-decay-vs-l2": "For SGD the penalty and the decay are equivalent, up to a factor "
        "of the learning rate. Adam divides the L2 gradient by the square root of v, so "
        "parameters with big gradients are decayed less; AdamW decouples the decay to fix it.",
        "mixup-cutmix": "mixup takes a convex combination of two images and of their labels with "
        "a weight from a Beta distribution. CutMix pastes a box from one image into another and "
        "mixes the labels in proportion to the area of the box, so the pixels stay real and the "
        "model learns to localise objects.",
        "early-stopping": "Keep an eye on validation loss and stop when it has gone a few epochs "
        "without improvement, the patience; then restore the best checkpoint. It regularises "
        "because the weights cannot move far from initialisation, similar to L2.",
    }

    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "dropout-inverted": [
            "It drops units in both modes, fewer at test time.",
            "The outputs are multiplied by p during training so the network learns with less "
            "signal.",
        ],
        "dropout-why": [
            "The network has fewer parameters, so it cannot overfit.",
            "Training is faster because fewer units are computed.",
        ],
        "weight-decay-vs-l2": [
            "They are always identical, the only difference is the name.",
            "Weight decay only applies to biases and L2 only to weights.",
        ],
        "mixup-cutmix": [
            "Both add Gaussian noise to the images and keep the original label.",
            "CutMix crops the image to a random box and resizes it back up.",
        ],
        "early-stopping": [
            "Stop when the training loss stops decreasing, because the model has converged.",
            "It saves GPU time, which is why it counts as regularisation.",
        ],
    }

    OFF_TOPIC = (
        "I don't know.",
        "Convolutions slide a kernel over the image to produce feature maps.",
        "Regularisation reduces overfitting so the model generalises to new data.",
        "The model is trained for several epochs on the training set and then tested.",
    )

    # --------------------------------------------------------------------- numbers

    def test_dropout_keeps_the_expected_value(self, deck: Deck) -> None:
        kept, expected, zeroed = numeric_question(deck, "dropout-numbers").parts
        assert kept.answer == pytest.approx(5 / 0.8)
        assert expected.answer == pytest.approx(0.8 * kept.value)
        assert zeroed.answer == 200

    def test_weight_decay_after_ten_thousand_steps(self, deck: Deck) -> None:
        _, left, _ = numeric_question(deck, "weight-decay-numbers").parts
        assert left.tolerance.allows((1 - 0.1 * 0.0005) ** 10000, left.value)

    def test_cutmix_weights_follow_the_area(self, deck: Deck) -> None:
        side, weight, clipped = numeric_question(deck, "cutmix-box-numbers").parts
        assert side.answer == 112
        assert weight.answer == pytest.approx(1 - (side.value / 224) ** 2)
        assert clipped.answer == pytest.approx(1 - 112 * 56 / 224**2)
        assert not clipped.tolerance.allows(0.75, clipped.value)

    # --------------------------------------------------------------------- code set-up

    def test_dropout_is_checked_in_both_modes(self, deck: Deck) -> None:
        question = code_question(deck, "dropout-code")
        assert question.checks is not None
        assert question.checks.dropout == "p"
        assert "train_eval" in question.checks.compare
        assert question.checks.forbid[0].names
        assert len(question.wrong_solutions) >= 4


# ------------------------------------------------------------------------- other styles

# torch's own way of drawing the mask, written out: the grader matches it exactly.

# The keep mask from torch.where, scale precomputed in __init__.

# Gather with index_select and torch.lerp.


# Correct answers in other styles than the reference's, one file each.
STYLES = fixture_files("regularisation", "correct_*.py")


@pytest.mark.slow  # starts grader workers
def test_correct_answers_in_other_styles_pass() -> None:
    assert_all_pass(grade_fixtures("regularisation", STYLES, timeout=20.0))
