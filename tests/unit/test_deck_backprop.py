"""The shipped ``backprop`` deck: its data for ``DeckSuite``, its own numbers, and correct
answers in other styles graded against its code questions.

``DeckSuite`` checks the structure and the rubric. The tests here check this deck's arithmetic
and how its code questions are set up; ``quiz check-deck`` grades the references and the wrong
solutions in CI, and the slow test below grades correct answers written differently.
"""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
from deck_fixtures import assert_all_pass, fixture_files, grade_fixtures
from deck_helpers import code_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck


class TestBackpropDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "backprop.yaml"
    DECK_ID = "backprop"
    DECK_TITLE = "Backpropagation by hand"

    CONCEPT_IDS = (
        "linear-backward",
        "softmax-ce-gradient",
        "batchnorm-backward",
        "chain-rule-graph",
        "gradient-checking",
    )
    NUMERIC_IDS = (
        "linear-numbers",
        "softmax-ce-numbers",
        "chain-rule-numbers",
        "finite-difference-numbers",
    )
    CHOICE_IDS = (
        "bias-grad-choice",
        "weight-grad-shape",
        "bn-grad-sum-choice",
        "saved-tensors-choice",
        "central-difference-choice",
    )
    CODE_IDS = ("linear-function-code", "softmax-ce-function-code")

    QUESTION_IDS = (
        "linear-backward",
        "bias-grad-choice",
        "weight-grad-shape",
        "linear-numbers",
        "softmax-ce-gradient",
        "softmax-ce-numbers",
        "batchnorm-backward",
        "bn-grad-sum-choice",
        "chain-rule-graph",
        "chain-rule-numbers",
        "gradient-checking",
        "finite-difference-numbers",
        "saved-tensors-choice",
        "central-difference-choice",
        "linear-function-code",
        "softmax-ce-function-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 5, "code": 2}
    # Every part has one right value (within its tolerance); no alternative readings.
    ALSO_ACCEPT_COUNT = 0

    OWN_WORDS: ClassVar[dict[str, str]] = {
        "linear-backward": "The gradient for the input is G times W. For the weights it is "
        "G^T times X, which has the shape of W. The bias was broadcast over the batch, so its "
        "gradient sums G over the rows.",
        "softmax-ce-gradient": "dL/dz = softmax(z) minus the one-hot vector of the label. If you "
        "backprop through the log alone you divide by the probability p_y, and when it "
        "underflows you get inf. Fused, the gradient is bounded and costs one subtraction.",
        "batchnorm-backward": "The batch mean and variance depend on all the inputs, so the "
        "gradient of each x also goes through the mean and through the variance. The gradient "
        "of gamma is the sum over the batch of g times x hat, and beta's gradient is the sum "
        "of g.",
        "chain-rule-graph": "The contributions of both uses are summed into the gradient of x. "
        "Starting from the loss, each node multiplies the upstream gradient by its local "
        "derivative, so every shared gradient is computed once and reused.",
        "gradient-checking": "Estimate the derivative numerically with a finite difference, "
        "using the two-sided formula because its error is O(h^2), and run it in double "
        "precision so rounding does not swamp it.",
    }

    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "linear-backward": [
            "All three gradients are just G, since the layer is linear.",
            "The weight gradient is X^T G and the bias gradient is the mean of G.",
        ],
        "softmax-ce-gradient": [
            "The gradient is the one-hot target times the log of the probabilities.",
            "They are fused to save memory; the numbers are the same either way.",
        ],
        "batchnorm-backward": [
            "Treat the mean and variance as constants; the gradient is gamma over sigma times g.",
            "Gamma and beta get the mean of the upstream gradient.",
        ],
        "chain-rule-graph": [
            "Only the path with the largest gradient is kept.",
            "It runs one backward pass per parameter, each starting from the loss.",
        ],
        "gradient-checking": [
            "Check that the loss decreases for a few training steps.",
            "Compare the gradient with the one from the previous epoch in float16.",
        ],
    }

    OFF_TOPIC = (
        "I don't know.",
        "Convolutions slide a kernel over the image to produce feature maps.",
        "Backpropagation computes gradients so that the optimiser can update the weights.",
        "The network has layers with weights and biases and a loss at the end.",
    )

    # --------------------------------------------------------------------- numbers

    def test_linear_numbers(self, deck: Deck) -> None:
        y = 3 * 1 + 4 * 2 + 0.5
        upstream = y - 10
        parts = numeric_question(deck, "linear-numbers").parts
        assert [p.answer for p in parts] == [y, upstream, upstream * 2, upstream * 3]

    def test_softmax_numbers_are_p_minus_one_hot(self, deck: Deck) -> None:
        exps = [math.exp(2), math.exp(1), math.exp(0)]
        p = [e / sum(exps) for e in exps]
        p0, dz0, dz1 = numeric_question(deck, "softmax-ce-numbers").parts
        assert p0.tolerance.allows(p[0], p0.value)
        assert dz0.tolerance.allows(p[0] - 1, dz0.value)
        assert dz1.tolerance.allows(p[1], dz1.value)

    def test_both_paths_count_in_the_chain_rule(self, deck: Deck) -> None:
        _, dfdx, _ = numeric_question(deck, "chain-rule-numbers").parts
        assert dfdx.answer == 2 * (2 * 3 + 2) * (3 + 1)
        # Only the path through x*y (48) is a wrong answer, not a close one.
        assert not dfdx.tolerance.allows(48, dfdx.value, scale=10)

    def test_central_difference_error_is_h_squared(self, deck: Deck) -> None:
        forward, central = numeric_question(deck, "finite-difference-numbers").parts
        assert central.value - 12 == pytest.approx(0.01**2, rel=1e-6)
        assert forward.value - 12 > 100 * (central.value - 12)

    # --------------------------------------------------------------------- code set-up

    @pytest.mark.parametrize("question_id", CODE_IDS)
    def test_code_questions_are_functions_checked_by_gradcheck(
        self, deck: Deck, question_id: str
    ) -> None:
        question = code_question(deck, question_id)
        assert question.checks is not None
        assert question.checks.kind == "autograd_function"
        assert "gradcheck" in question.checks.compare
        assert any("torch.autograd.grad" in rule.names for rule in question.checks.forbid)
        assert "rules" in {w.fails for w in question.wrong_solutions}


# ------------------------------------------------------------------------- other styles

# Gradients with einsum, the bias through a matmul with ones, and a Function that keeps
# only what it needs on ctx attributes.

# The softmax saved, the one-hot built with scatter, logsumexp from torch.


# Correct answers in other styles than the reference's, one file each.
STYLES = fixture_files("backprop", "correct_*.py")


@pytest.mark.slow  # starts grader workers
def test_correct_answers_in_other_styles_pass() -> None:
    assert_all_pass(grade_fixtures("backprop", STYLES, timeout=20.0))
