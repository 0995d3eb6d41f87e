"""The shipped ``losses`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns: every concept key point must be hit
by the deck's own answer and by a correct answer written in other words, while plausible wrong
answers hit at most one. The tests here check this deck's arithmetic and how its code questions
are set up. The code questions are graded by ``quiz check-deck`` in CI, not here.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_helpers import code_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck


class TestLossesDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "losses.yaml"
    DECK_ID = "losses"
    DECK_TITLE = "Loss functions"

    CONCEPT_IDS = (
        "ce-from-logits",
        "label-smoothing",
        "focal-loss-factor",
        "focal-dense-detection",
        "huber-vs-mse",
        "kl-vs-ce",
        "bce-with-logits",
    )
    NUMERIC_IDS = ("label-smoothing-targets", "focal-weights", "huber-numbers")
    CHOICE_IDS = ("softmax-before-ce", "multi-label-loss")
    CODE_IDS = ("label-smoothing-ce-code", "focal-loss-code")

    QUESTION_IDS = (
        "ce-from-logits",
        "label-smoothing",
        "label-smoothing-targets",
        "focal-loss-factor",
        "focal-weights",
        "focal-dense-detection",
        "huber-vs-mse",
        "huber-numbers",
        "kl-vs-ce",
        "bce-with-logits",
        "softmax-before-ce",
        "multi-label-loss",
        "label-smoothing-ce-code",
        "focal-loss-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 7, "numeric": 3, "choice": 2, "code": 2}
    # At least one also_accept alternative (the default ALSO_ACCEPT_COUNT): focal-weights accepts
    # the 100x reduction factor.

    # Correct answers in a person's own words, typed without markdown or LaTeX.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "ce-from-logits": "exp of a big logit like 1000 is inf in float32 and tiny probabilities "
        "round to zero, so log(softmax) gives NaN or -inf. Instead you shift by the max logit "
        "before exponentiating (logsumexp) so every exponent is <= 0. As a bonus the gradient "
        "w.r.t. the logits is just p - y.",
        "label-smoothing": (
            "The one-hot label is mixed with a uniform distribution: the right class "
            "gets 1 - eps and eps/K is added to every class. The model then never needs to be 100% "
            "sure, which keeps it from being overconfident, and it works as a regulariser with "
            "better calibration."
        ),
        "focal-loss-factor": (
            "FL = -(1 - pt)^gamma * log(pt), where pt is the probability the model assigns to the "
            "ground-truth class. Examples the model already gets right have pt near 1, so their "
            "loss is down-weighted and training concentrates on the hard, misclassified ones. "
            "With gamma = 0 it is just ordinary cross entropy."
        ),
        "focal-dense-detection": "A one-stage detector evaluates ~100k anchors per image and the "
        "vast majority of them are background. Each easy negative contributes a tiny loss, but "
        "summed they overwhelm the few positives. The focal term down-weights those easy anchors, "
        "so there is no need for hard negative mining or a fixed sampling ratio.",
        "huber-vs-mse": "Squared error lets a single outlier box dominate because the penalty is "
        "quadratic; Huber grows linearly for big residuals and its gradient is capped at delta, "
        "so a bad label cannot blow up training. Close to zero it is quadratic like MSE, so it is "
        "smooth there, unlike L1.",
        "kl-vs-ce": "Cross entropy H(p,q) = H(p) + KL(p||q). The target entropy H(p) does not "
        "depend on the model, so minimising either one gives the same gradients. For one-hot "
        "labels the entropy is zero and they are equal; with soft targets, as in distillation, "
        "CE cannot go below H(p) while KL goes to 0.",
        "bce-with-logits": "Sigmoid saturates to exactly 0 or 1 in float32, so BCELoss ends up "
        "taking log(0); BCEWithLogitsLoss uses the log-sigmoid/softplus form and stays finite. "
        "Use per-class sigmoid + BCE for multi-label data, where a sample can have several labels "
        "at the same time.",
    }

    # Plausible but wrong answers; each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "ce-from-logits": [
            "Because softmax is expensive, so skipping it makes training faster, and logits are "
            "already probabilities anyway.",
            "Cross-entropy needs values between -1 and 1, which logits are, while softmax outputs "
            "must be normalised again by the loss.",
            "Softmax can return negative numbers and the log of a negative number is undefined, so "
            "the framework clips the logits to a safe range first.",
        ],
        "label-smoothing": [
            "It adds Gaussian noise to the input images so the network sees slightly blurred "
            "versions of each example.",
            "It averages the loss over several batches so the training curve is smoother and "
            "converges faster.",
            "It replaces the hard labels with the predictions of a larger teacher network and "
            "prevents overfitting.",
        ],
        "focal-loss-factor": [
            "The factor weights each class by the inverse of its frequency, so rare classes count "
            "more in the loss.",
            "It multiplies the learning rate by (1 - p)^gamma so that training slows down as the "
            "model converges.",
            "p_t is the fraction of positive anchors in the batch; the factor up-weights the easy "
            "examples so training is stable.",
        ],
        "focal-dense-detection": [
            "Because cross-entropy cannot handle more than two classes, and detectors have many "
            "object classes.",
            "Focal loss makes the regression of box coordinates more accurate by focusing on the "
            "box edges.",
            "It was introduced to make detectors faster at inference, since the loss is cheaper to "
            "compute than cross-entropy.",
        ],
        "huber-vs-mse": [
            "Huber loss is faster to compute than squared error and uses less memory on the GPU.",
            "Huber penalises large errors more heavily than MSE, so the model fits outliers "
            "better.",
            "Because box offsets are integers and squared error only works on probabilities.",
        ],
        "kl-vs-ce": [
            "They are unrelated: KL divergence measures the distance between two images, cross "
            "entropy measures classification error.",
            "KL divergence is symmetric and cross-entropy is not, so KL is used for one-hot "
            "targets and cross-entropy for soft targets.",
            "Cross-entropy is always larger than KL by a factor of two, so minimising one halves "
            "the other.",
        ],
        "bce-with-logits": [
            "BCEWithLogitsLoss is just faster because it skips the sigmoid; use BCE whenever there "
            "are exactly two classes and softmax for more.",
            "Use BCE when each image has exactly one label out of many classes, because sigmoid "
            "outputs sum to one.",
            "BCEWithLogitsLoss applies softmax internally, which normalises the outputs over the "
            "classes for multi-class problems.",
        ],
    }

    # Generic vocabulary that answers none of the questions: catches a pattern as loose as `loss`,
    # `class` or `probability`, which the at-most-one rule alone can miss.
    OFF_TOPIC = (
        "I don't know.",
        "Convolutions slide a kernel over the image to produce feature maps.",
        "A loss function measures how far the predictions are from the labels; the optimiser "
        "updates the weights with backpropagation to make it smaller.",
        "The model outputs a probability for each class and the predicted class is the one with "
        "the highest score.",
    )

    # --------------------------------------------------------------------- numeric

    def test_label_smoothing_targets(self, deck: Deck) -> None:
        parts = numeric_question(deck, "label-smoothing-targets").parts
        answers = [p.answer for p in parts]
        assert answers == [0.91, 0.01, 0.9001, 0.0001]
        assert all(p.percent for p in parts)
        # Each distribution sums to one: the true class plus K - 1 others.
        a, b, c, d = (float(answer or 0) for answer in answers)
        assert a + 9 * b == pytest.approx(1)
        assert c + 999 * d == pytest.approx(1)
        # "1 - eps" alone (0.9), the K - 1 convention's answer, must not count as right.
        assert not parts[0].tolerance.allows(0.9, a)
        assert not parts[2].tolerance.allows(0.9, c)
        assert not parts[1].tolerance.allows(0.1 / 9, b)

    def test_focal_weights(self, deck: Deck) -> None:
        easy, hard, ratio = numeric_question(deck, "focal-weights").parts
        assert (easy.answer, hard.answer, ratio.answer) == (0.01, 0.81, 81)
        [reduction] = easy.also_accept
        assert reduction.value == 100

    def test_huber_numbers(self, deck: Deck) -> None:
        parts = numeric_question(deck, "huber-numbers").parts
        assert [p.answer for p in parts] == [0.125, 50, 9.5, 10, 1]

    # --------------------------------------------------------------------- code (set-up only)

    @pytest.mark.parametrize("question_id", CODE_IDS)
    def test_code_question_setup(self, deck: Deck, question_id: str) -> None:
        question = code_question(deck, question_id)
        assert question.checks is not None
        assert question.checks.kind == "function"
        assert list(question.checks.inputs) == ["logits", "target"]
        target = question.checks.inputs["target"]
        assert target.dtype == "int64"
        assert (target.shape, target.low, target.high) == (["n"], 0, "c")
        assert question.checks.compare == ["output_shape", "outputs", "gradients"]
        assert {w.fails for w in question.wrong_solutions} >= {"output_shape", "outputs"}
        assert question.entry_point in question.reference
