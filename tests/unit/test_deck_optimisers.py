"""The shipped ``optimisers`` deck: its data for ``DeckSuite``, its own numbers, and correct
answers in other styles graded against its code questions.

``DeckSuite`` checks the structure and the rubric. The tests here check this deck's arithmetic
and how its code questions are set up; ``quiz check-deck`` grades the references and the wrong
solutions in CI, and the slow tests below grade correct answers written differently.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_fixtures import assert_all_pass, fixture_files, grade_fixtures
from deck_helpers import code_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck


class TestOptimisersDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "optimisers.yaml"
    DECK_ID = "optimisers"
    DECK_TITLE = "Optimisers and learning-rate schedules"

    CONCEPT_IDS = (
        "momentum-why",
        "adam-bias-correction",
        "adamw-decoupled",
        "warmup-why",
        "lr-batch-scaling",
    )
    NUMERIC_IDS = (
        "momentum-numbers",
        "adam-step-numbers",
        "warmup-cosine-numbers",
        "lr-scaling-numbers",
    )
    CHOICE_IDS = ("nesterov-vs-classical", "adamw-update", "cosine-why", "batch-times-four")
    CODE_IDS = ("sgd-momentum-code", "adamw-code", "warmup-cosine-code")

    QUESTION_IDS = (
        "momentum-why",
        "nesterov-vs-classical",
        "momentum-numbers",
        "adam-bias-correction",
        "adam-step-numbers",
        "adamw-decoupled",
        "adamw-update",
        "warmup-why",
        "warmup-cosine-numbers",
        "cosine-why",
        "lr-batch-scaling",
        "lr-scaling-numbers",
        "batch-times-four",
        "sgd-momentum-code",
        "adamw-code",
        "warmup-cosine-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 4, "code": 3}
    # Every part has one right value (within its tolerance); no alternative readings.
    ALSO_ACCEPT_COUNT = 0

    OWN_WORDS: ClassVar[dict[str, str]] = {
        "momentum-why": "The buffer sums up the gradients with exponential decay, so it builds up "
        "velocity in directions that stay consistent. Gradient components that flip sign from "
        "one step to the next cancel out, which damps the oscillation in a ravine. In steady "
        "state the step is lr * g / (1 - mu), ten times plain SGD for mu = 0.9.",
        "adam-bias-correction": "Both moment estimates are initialised at zero, so at first they "
        "are biased towards zero, v much more than m because beta2 is 0.999. Skip the correction "
        "and the first updates come out too large, about 3.16 times at step 1. The factor "
        "1 - beta^t goes to 1 quickly, so the correction only matters early in training.",
        "adamw-decoupled": "Adam's weight_decay is an L2 term added to the gradient, so it is "
        "coupled with the adaptive scaling. AdamW is decoupled: it shrinks the weights directly "
        "by lr * wd at every step. In the L2 version the decay is divided by the root of v, so "
        "weights with large gradients end up decayed less than the rest.",
        "warmup-why": "For the first steps the learning rate rises linearly from about zero to "
        "the target. Early gradients are huge and erratic, and the full rate straight away "
        "tends to make the loss blow up.",
        "lr-batch-scaling": "Multiply the learning rate by the same factor as the batch, 32 here, "
        "so 0.1 becomes 3.2: one step on the big batch stands in for k small steps, which holds "
        "while the gradient changes slowly. It fails early in training, which is why a warm-up "
        "is used, and at very large batch sizes.",
    }

    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "momentum-why": [
            "Momentum lowers the learning rate as training goes on so the optimiser settles down.",
            "It keeps a copy of the previous weights so a bad step can be undone.",
        ],
        "adam-bias-correction": [
            "It corrects for the bias term of each layer, which Adam would otherwise not train.",
            "It makes the learning rate smaller late in training when the averages are large.",
        ],
        "adamw-decoupled": [
            "They are identical; AdamW only has a larger default weight decay value.",
            "AdamW removes weight decay from the bias parameters, Adam applies it everywhere.",
        ],
        "warmup-why": [
            "Warm-up trains the first epochs on a small subset of easy examples.",
            "It runs a few forward passes without updates so BatchNorm statistics are filled.",
        ],
        "lr-batch-scaling": [
            "Keep the learning rate: the bigger batch already gives a better gradient.",
            "Divide the learning rate by the number of GPUs so each one takes a smaller step.",
        ],
    }

    OFF_TOPIC = (
        "I don't know.",
        "Convolutions slide a kernel over the image to produce feature maps.",
        "An optimiser updates the weights using the gradient of the loss, one batch at a time.",
        "The learning rate controls how big a step the optimiser takes.",
    )

    # --------------------------------------------------------------------- numbers

    def test_adam_first_step_is_the_learning_rate(self, deck: Deck) -> None:
        m, v, corrected, uncorrected = numeric_question(deck, "adam-step-numbers").parts
        assert (m.answer, v.answer, corrected.answer) == (0.05, 0.00025, 0.001)
        assert uncorrected.answer == pytest.approx(0.001 * 0.05 / 0.00025**0.5, rel=1e-4)
        # The ratio to the corrected step is not the step.
        assert not uncorrected.tolerance.allows(3.1623, uncorrected.value)

    def test_cosine_numbers_follow_the_formula(self, deck: Deck) -> None:
        import math

        def rate(step: int) -> float:
            if step < 1000:
                return 0.001 * step / 1000
            return 0.001 * 0.5 * (1 + math.cos(math.pi * (step - 1000) / 9000))

        parts = numeric_question(deck, "warmup-cosine-numbers").parts
        assert [p.answer for p in parts] == pytest.approx([rate(250), rate(4000), rate(5500)])

    def test_scaling_accepts_either_count_of_whole_steps(self, deck: Deck) -> None:
        _, per_epoch, warmup = numeric_question(deck, "lr-scaling-numbers").parts
        assert per_epoch.tolerance.allows(156, per_epoch.value)
        assert per_epoch.tolerance.allows(157, per_epoch.value)
        assert warmup.tolerance.allows(780, warmup.value)
        assert warmup.tolerance.allows(785, warmup.value)
        assert not warmup.tolerance.allows(5 * 1281167 / 256, warmup.value)

    # --------------------------------------------------------------------- code set-up

    @pytest.mark.parametrize("question_id", ["sgd-momentum-code", "adamw-code"])
    def test_optimiser_questions_compare_trajectories(self, deck: Deck, question_id: str) -> None:
        question = code_question(deck, question_id)
        assert question.checks is not None
        assert question.checks.kind == "optimizer"
        assert question.checks.compare == ["trajectory"]
        assert question.checks.steps >= 3
        assert question.checks.forbid and question.checks.forbid[0].names
        assert {w.fails for w in question.wrong_solutions} == {"trajectory", "rules"}


# ------------------------------------------------------------------------- other styles

# A torch.optim.Optimizer subclass, state kept per parameter in self.state.

# Bias correction folded into the step size, decay as an explicit subtraction.

# Piecewise with masks instead of torch.where, the cosine through math on floats.


# Correct answers in other styles than the reference's, one file each.
STYLES = fixture_files("optimisers", "correct_*.py")


@pytest.mark.slow  # starts grader workers
def test_correct_answers_in_other_styles_pass() -> None:
    assert_all_pass(grade_fixtures("optimisers", STYLES, timeout=20.0))
