"""The shipped ``efficient-architectures`` deck: its data for ``DeckSuite``, and its own tests.

``DeckSuite`` checks the structure and the rubric patterns: every concept key point must be hit
by the deck's own answer and by a correct answer in other words, while plausible wrong answers
hit at most one. The tests here check this deck's arithmetic, a rubric that must tell two
formulas apart, and the shape of its code questions, which are graded by ``quiz check-deck``
in CI.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_helpers import code_question, concept_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck


class TestEfficientArchitecturesDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "efficient-architectures.yaml"
    DECK_ID = "efficient-architectures"
    DECK_TITLE = "Efficient architectures"

    QUESTION_IDS = (
        "width-multiplier",
        "resolution-multiplier",
        "separable-savings",
        "cost-knob",
        "inverted-vs-bottleneck",
        "linear-bottleneck",
        "residual-rule",
        "squeeze-excitation",
        "se-params",
        "hard-swish",
        "mobilenet-versions",
        "mobilenet-v3-facts",
        "compound-scaling",
        "compound-scaling-flops",
        "hard-swish-values",
        "se-module",
        "inverted-residual",
        "hard-swish-fn",
    )
    CONCEPT_IDS = (
        "inverted-vs-bottleneck",
        "linear-bottleneck",
        "squeeze-excitation",
        "hard-swish",
        "mobilenet-versions",
        "compound-scaling",
    )
    NUMERIC_IDS = (
        "width-multiplier",
        "resolution-multiplier",
        "separable-savings",
        "se-params",
        "compound-scaling-flops",
        "hard-swish-values",
    )
    CHOICE_IDS = ("cost-knob", "residual-rule", "mobilenet-v3-facts")
    CODE_IDS = ("se-module", "inverted-residual", "hard-swish-fn")
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 6, "numeric": 6, "choice": 3, "code": 3}
    MULTIPLE_CHOICE_IDS = frozenset({"mobilenet-v3-facts"})
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "cost-knob": frozenset({1}),
        "residual-rule": frozenset({1}),
        "mobilenet-v3-facts": frozenset({0, 1, 2}),
    }
    ALSO_ACCEPT_COUNT = 4  # the reciprocal of each of the four ratios
    ALSO_ACCEPT_NOTE_SAYS = "reciprocal"
    # The code answers show their own copy of the solution, not the reference verbatim.
    CODE_ANSWER_SHOWS_REFERENCE = False

    # Correct answers in a person's own words, typed without markdown or LaTeX.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "inverted-vs-bottleneck": "ResNet's bottleneck squeezes 256 channels to 64, runs a normal "
        "3x3 and widens back. MobileNetV2 does the opposite: it first expands the channels by t=6, "
        "filters with a depthwise 3x3 in that wide space, then projects back down, and the skip "
        "connection links the thin ends, so less activation memory has to be kept around.",
        "linear-bottleneck": "A ReLU would set every negative value to zero, and with only a "
        "handful of channels in the bottleneck there is no redundancy left, so that information "
        "is gone for good. Keeping the projection purely affine, batch norm only, gave higher "
        "accuracy in the paper.",
        "squeeze-excitation": "It averages each channel over all spatial positions to get a "
        "vector of C numbers, passes it through a small two-layer MLP that shrinks to C/r and back "
        "with a sigmoid at the end, and multiplies every channel of the input by the resulting "
        "weight between 0 and 1.",
        "hard-swish": "Swish is x times sigmoid of x. Hard-swish swaps the sigmoid for "
        "relu6(x + 3)/6 and multiplies by x. No exponential is needed, just an add, a clip and "
        "multiplies, which also suits int8 quantization.",
        "mobilenet-versions": "V1 built the whole network from depthwise separable convolutions "
        "and added width and resolution multipliers. V2 introduced inverted residual blocks whose "
        "projection is linear. V3 came out of a NAS plus NetAdapt search and added SE modules and "
        "h-swish.",
        "compound-scaling": "Instead of growing only depth, EfficientNet grows depth, width and "
        "image size at the same time, controlled by one exponent phi with fixed bases alpha, beta, "
        "gamma. Since cost goes with width squared and resolution squared, they pick "
        "alpha*beta^2*gamma^2 = 2, so each step of phi costs about twice as much. The bases are "
        "tuned once by grid search on the small B0 model. Scaling one dimension alone saturates, "
        "because bigger inputs need both a larger receptive field and more channels.",
    }

    # Plausible but wrong answers; each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "inverted-vs-bottleneck": [
            "It is the same as ResNet's bottleneck but the order of batch norm and ReLU is "
            "inverted, putting the activation before the convolution.",
            "The inverted residual first reduces the channels with a 1x1 conv, applies a 3x3 "
            "conv, then expands them back, and subtracts the input instead of adding it.",
            "The shortcut is inverted: it goes from the wide expanded layer to the next block, "
            "and the 3x3 is a full convolution.",
        ],
        "linear-bottleneck": [
            "The ReLU is left out only to save computation: one activation fewer makes the block "
            "faster on phones.",
            "Batch norm already acts as a non-linearity, so a ReLU after it would be redundant.",
            "Because a ReLU after the projection would cause exploding gradients in the residual "
            "sum.",
        ],
        "squeeze-excitation": [
            "SE reduces the number of channels by a factor r with a 1x1 convolution to save "
            "computation, like a bottleneck layer.",
            "It computes spatial attention: a softmax over all pixel positions weights each "
            "location of the feature map.",
            "It is a max pooling followed by a single fully connected layer that outputs class "
            "scores.",
        ],
        "hard-swish": [
            "Hard swish is x times tanh(x), and it is cheaper because it has fewer parameters to "
            "learn.",
            "Swish is x times sigmoid of x; hard swish is just ReLU6(x), which is cheaper because "
            "it is smaller.",
            "Hard-swish uses a lookup table of the sigmoid, so it is exactly swish but computed "
            "faster with a cache.",
        ],
        "mobilenet-versions": [
            "v1 introduced residual connections, v2 added batch normalization, and v3 switched to "
            "a transformer backbone.",
            "They differ only in size: v2 is v1 with a larger width multiplier and v3 is v2 with "
            "more layers.",
            "v1 used 5x5 kernels, v2 moved to 3x3 kernels and dropout, v3 used knowledge "
            "distillation from a larger teacher network.",
        ],
        "compound-scaling": [
            "Compound scaling means stacking more layers, as ResNet-152 does, until accuracy stops "
            "improving.",
            "EfficientNet prunes channels after training and fine-tunes the smaller network, "
            "repeating until the FLOPs target is met.",
            "You first make the network wider, then once that saturates make it deeper, then raise "
            "the resolution, one dimension at a time.",
        ],
    }

    # Generic CNN vocabulary that answers none of the questions: catches a pattern as loose as
    # `channel`, `layer`, `3x3` or `network`, which the at-most-one rule alone can miss.
    OFF_TOPIC = (
        "I don't know.",
        "Transformers use self-attention over tokens.",
        "A 3x3 convolution layer slides a kernel over the image and produces feature maps for the "
        "next layer of the network.",
        "Convolutional networks learn filters with backpropagation; deeper layers see larger "
        "regions of the input image.",
        "Batch normalization normalizes activations with the batch mean and variance.",
    )

    # --------------------------------------------------------------------- rubric

    def test_hard_swish_rubric_tells_the_two_formulas_apart(self, deck: Deck) -> None:
        question = concept_question(deck, "hard-swish")
        hard, swish, _cheaper = question.key_points
        hard_text, swish_text = "It is x * relu6(x+3) / 6.", "It is x * sigmoid(x)."
        assert hard.hit_by(hard_text) and not hard.hit_by(swish_text)
        assert swish.hit_by(swish_text) and not swish.hit_by(hard_text)

    # --------------------------------------------------------------------- numeric

    def test_width_multiplier_ratio_is_near_but_not_alpha_squared(self, deck: Deck) -> None:
        ratio = numeric_question(deck, "width-multiplier").parts[2]
        assert ratio.answer is not None
        assert ratio.answer == pytest.approx(17536 / 67840, rel=1e-5)
        # 0.25 is the rule of thumb; the depthwise part scales only with alpha, so it is not exact.
        assert not ratio.tolerance.allows(0.25, ratio.answer)
        assert ratio.tolerance.allows(0.25, ratio.answer, scale=10)  # but "close"

    def test_se_weights_follow_two_c_squared_over_r(self, deck: Deck) -> None:
        weights, _with_biases, v3_weights, _fraction = numeric_question(deck, "se-params").parts
        assert weights.answer == 2 * 512**2 / 16
        assert v3_weights.answer == 2 * 480**2 / 4

    # --------------------------------------------------------------------- code (shape only)

    @pytest.mark.parametrize(
        ("question_id", "entry_point", "kind"),
        [
            ("se-module", "SqueezeExcitation", "module"),
            ("inverted-residual", "InvertedResidual", "module"),
            ("hard-swish-fn", "hard_swish", "function"),
        ],
    )
    def test_code_questions(
        self, deck: Deck, question_id: str, entry_point: str, kind: str
    ) -> None:
        question = code_question(deck, question_id)
        assert question.entry_point == entry_point
        assert question.checks is not None and question.checks.kind == kind
        allowed = {"compile", "load", "construct", *question.checks.compare}
        allowed |= {"rules"} if question.checks.forbid else set()
        allowed |= {"initial"} if question.checks.initial else set()
        assert {wrong.fails for wrong in question.wrong_solutions} <= allowed
        # Different mistakes are caught by different checks, not all by one.
        assert len({wrong.fails for wrong in question.wrong_solutions}) >= 2

    def test_expected_wrong_solutions(self, deck: Deck) -> None:
        fails = {
            qid: {wrong.name: wrong.fails for wrong in code_question(deck, qid).wrong_solutions}
            for qid in self.CODE_IDS
        }
        se, block = fails["se-module"], fails["inverted-residual"]
        assert se["sigmoid left out, the raw linear output scales the channels"] == "outputs"
        assert se["no bottleneck, dense C × C layers"] == "parameters"
        assert block["ReLU6 after the projection (no linear bottleneck)"] == "outputs"
        assert (
            block["residual added whenever the channels match, even at stride 2"] == "output_shape"
        )
        assert (
            block["full 3×3 convolution in the middle instead of a depthwise one (groups left out)"]
            == "parameters"
        )
        assert "gradients" in fails["hard-swish-fn"].values()
