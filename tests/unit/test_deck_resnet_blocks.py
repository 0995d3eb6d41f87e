"""The "ResNet blocks" deck: its data for ``DeckSuite``, and tests of its own.

``DeckSuite`` checks the structure, the numeric workings and the concept rubrics; the tests
here add short answers jotted down as people do, which must hit the key points listed with
them, and check this deck's parameter counts, its choice question on shortcuts and the shape of
its code questions. Code questions are graded by `quiz check-deck` in CI, not here.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_helpers import choice_question, code_question, concept_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck
from questions._models import IntStrategy


class TestResNetBlocksDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "resnet-blocks.yaml"
    DECK_ID = "resnet-blocks"
    DECK_TITLE = "ResNet blocks"

    QUESTION_IDS = (
        "residual-gradient-flow",
        "identity-mapping",
        "basic-vs-bottleneck",
        "projection-shortcut",
        "pre-activation",
        "bn-relu-placement",
        "shortcut-choice",
        "preact-order-choice",
        "basic-block-params",
        "bottleneck-block-params",
        "projection-block-params",
        "basic-block-code",
        "bottleneck-code",
    )
    CONCEPT_IDS = (
        "residual-gradient-flow",
        "identity-mapping",
        "basic-vs-bottleneck",
        "projection-shortcut",
        "pre-activation",
        "bn-relu-placement",
    )
    CHOICE_IDS = ("shortcut-choice", "preact-order-choice")
    NUMERIC_IDS = ("basic-block-params", "bottleneck-block-params", "projection-block-params")
    CODE_IDS = ("basic-block-code", "bottleneck-code")
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 6, "numeric": 3, "choice": 2, "code": 2}

    # Good answers in other words than the deck's: each must hit every key point.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "residual-gradient-flow": (
            "Because y = x + F(x), dy/dx = 1 + dF/dx. That constant one means the gradient flows "
            "straight back through the skip connection no matter what the conv weights are. In a "
            "plain stack you multiply dozens of layer Jacobians and the result can vanish or "
            "explode. Stacked residual blocks act like an ensemble of shallower networks, so early "
            "layers still get a useful signal."
        ),
        "identity-mapping": (
            "The deep plain net is worse even on the training data, so this is not overfitting "
            "but an optimization difficulty. You could build the deep net by copying the shallow "
            "one and letting the additional layers be identity, so it should never be worse. With "
            "a residual, representing the identity just means pushing the branch weights towards "
            "zero, which is easy."
        ),
        "basic-vs-bottleneck": (
            "The basic block stacks two 3x3 convs. The bottleneck squeezes the channels with a "
            "1x1, does the 3x3 on the thin tensor, then restores the width with another 1x1 "
            "(4 times wider). ResNet-18 and 34 use basic blocks, ResNet-50 and deeper use "
            "bottlenecks, because the bottleneck needs far fewer parameters and FLOPs when the "
            "feature maps have hundreds of channels."
        ),
        "projection-shortcut": (
            "You need it when the output shape differs from the input: the number of channels "
            "increases or the block downsamples with stride 2, so x cannot be added directly. A "
            "1x1 conv is just a learned linear map across channels per pixel, the cheapest way to "
            "go from C_in to C_out, and giving it stride 2 halves the height and width exactly "
            "like the main branch does."
        ),
        "pre-activation": (
            "In ResNet v2 each conv is preceded by batch norm and ReLU, so the branch is "
            "BN-ReLU-conv-BN-ReLU-conv and the sum is not passed through any ReLU. The shortcut "
            "stays a pure identity, so information moves between blocks unchanged. This let them "
            "train a 1001-layer network and gave better accuracy."
        ),
        "bn-relu-placement": (
            "Every conv is followed by batch norm and then ReLU, except the second conv which "
            "goes conv -> BN and then the shortcut is added; the ReLU is applied to the sum. Bias "
            "is redundant because BN subtracts the batch mean and then adds its own learned beta. "
            "If you put the ReLU on the branch the residual could not be negative, so a block "
            "could only increase activations."
        ),
    }

    # Short answers written the way people jot them down: each must hit the key points listed.
    TERSE: ClassVar[list[tuple[str, str, list[int]]]] = [
        # a list of terms makes no claim, so it earns nothing; the same order as a chain does
        ("bn-relu-placement", "conv-BN-ReLU-conv-BN, add, ReLU", []),
        ("bn-relu-placement", "conv → BN → ReLU → conv → BN → (+x) → ReLU", [0, 1]),
        (
            "pre-activation",
            "BN→ReLU→conv→BN→ReLU→conv, no ReLU after the add; trains 1001 layers",
            [0, 1, 2],
        ),
        (
            "basic-vs-bottleneck",
            "two 3×3 convs vs 1×1 → 3×3 → 1×1; ResNet-50 uses the bottleneck, less compute",
            [0, 1, 2, 3],
        ),
        (
            "projection-shortcut",
            "when stride != 1 or in_channels != out_channels; a 1x1 conv maps the channels "
            "cheaply, with the same stride as the main path",
            [0, 1, 2],
        ),
        (
            "residual-gradient-flow",
            "dy/dx = 1 + dF/dx, no vanishing; an ensemble of short paths",
            [0, 1, 2],
        ),
    ]

    # Plausible wrong answers: each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "residual-gradient-flow": [
            "Residual connections double the number of parameters so the network has more "
            "capacity, and batch normalization inside the block keeps the activations in range.",
            "The skip connection lets the network use a larger learning rate because it "
            "normalises the weights of every layer to unit norm.",
            "They act like dropout: randomly skipping layers during training regularises the "
            "network, which reduces overfitting on the test set.",
        ],
        "identity-mapping": [
            "The deeper network overfits because it has more parameters; the residual adds "
            "regularization that prevents overfitting.",
            "A deeper network always has a larger receptive field, so the residual shortcut "
            "shrinks the receptive field back to that of the shallow network.",
            "It's caused by vanishing gradients; residuals fix it by adding batch normalization "
            "after each convolution.",
        ],
        "basic-vs-bottleneck": [
            "The basic block uses a single 7x7 convolution while the bottleneck uses max pooling "
            "to halve the feature map.",
            "The bottleneck block is the narrow fully connected layer before the classifier, and "
            "the basic block is any convolution layer.",
            "A bottleneck block has more layers so it is slower and has more parameters, but it "
            "is more accurate.",
            "The basic block is one 3x3 convolution and the bottleneck is a 5x5 convolution; "
            "bottlenecks are used in VGG.",
        ],
        "projection-shortcut": [
            "A projection shortcut is used in every block to improve accuracy, because the 1x1 "
            "convolution adds extra non-linearity to the identity path.",
            "You need it at the end of the network to project features into the number of "
            "classes before softmax.",
            "It is used when the network is very deep so gradients do not vanish; the 1x1 "
            "convolution makes the model more expressive.",
        ],
        "pre-activation": [
            "Pre-activation means the ReLU is applied to the input image before the first "
            "convolution, which normalizes the pixel values.",
            "It moves the ReLU after the addition instead of inside the branch, so the output of "
            "every block is non-negative.",
            "Pre-activation blocks replace ReLU with a sigmoid so that the activations are "
            "bounded.",
        ],
        "bn-relu-placement": [
            "ReLU goes first, then the convolution, then batch norm; the convs need a bias so "
            "the network can learn an offset.",
            "Batch norm is applied once at the end of the block after the ReLU, and the bias is "
            "kept because it helps the optimiser.",
            "The ReLU is applied to the residual branch before the addition so that both inputs "
            "of the sum are positive.",
            # The pre-activation order is not the original block's.
            "BN -> ReLU -> conv -> BN -> ReLU -> conv, then add. No bias because it is not needed.",
        ],
    }

    # Generic CNN vocabulary that answers none of the questions.
    OFF_TOPIC = (
        "I don't know.",
        "Transformers use self-attention over tokens.",
        "A convolution layer slides a kernel over the image and produces feature maps for the "
        "next layer of the network.",
        "Convolutional networks learn filters with backpropagation; deeper layers see larger "
        "regions of the input image.",
    )

    # --------------------------------------------------------------------- choice

    def test_shortcut_choice_names_stride_2(self, deck: Deck) -> None:
        shortcut = choice_question(deck, "shortcut-choice")
        [index] = shortcut.correct_indices
        assert "stride 2" in shortcut.options[index].text

    # --------------------------------------------------------------------- rubric

    @pytest.mark.parametrize(("question_id", "text", "points"), TERSE)
    def test_terse_answer_hits_its_key_points(
        self, deck: Deck, question_id: str, text: str, points: list[int]
    ) -> None:
        question = concept_question(deck, question_id)
        hit = [i for i, (_, ok) in enumerate(question.rubric(text)) if ok]
        assert hit == points

    # --------------------------------------------------------------------- numeric

    def test_basic_block_counts(self, deck: Deck) -> None:
        answers = [p.answer for p in numeric_question(deck, "basic-block-params").parts]
        assert answers == [36864, 73728, 256, 73984]
        assert answers[3] == 2 * 3 * 3 * 64 * 64 + 2 * 2 * 64

    def test_bottleneck_counts(self, deck: Deck) -> None:
        parts = numeric_question(deck, "bottleneck-block-params").parts
        assert [p.answer for p in parts[:5]] == [16384, 36864, 16384, 768, 70400]
        ratio = parts[5]
        assert ratio.answer == pytest.approx(69632 / 1179648, rel=1e-5)
        assert ratio.tolerance.relative == pytest.approx(0.02)
        [reciprocal] = ratio.also_accept
        assert reciprocal.value == pytest.approx(1179648 / 69632, rel=1e-5)

    def test_projection_block_counts(self, deck: Deck) -> None:
        parts = numeric_question(deck, "projection-block-params").parts
        assert [p.answer for p in parts[:6]] == [28, 73728, 147456, 8192, 768, 230144]
        share = parts[6]
        assert share.percent
        assert share.answer == pytest.approx((8192 + 256) / 230144, rel=1e-5)

    # --------------------------------------------------------------------- code (static)

    def test_code_questions_shape(self, deck: Deck) -> None:
        basic, bottleneck = (
            code_question(deck, "basic-block-code"),
            code_question(deck, "bottleneck-code"),
        )
        assert (basic.entry_point, basic.signature) == (
            "BasicBlock",
            "BasicBlock(in_channels, out_channels, stride=1)",
        )
        assert (bottleneck.entry_point, bottleneck.signature) == (
            "Bottleneck",
            "Bottleneck(in_channels, mid_channels, stride=1)",
        )
        for question in (basic, bottleneck):
            assert "bias=False" in question.reference
            assert question.checks is not None
            assert question.checks.compare == ["parameters", "output_shape", "outputs", "gradients"]
            batch = question.checks.dims["batch"]
            assert isinstance(batch, IntStrategy) and batch.int[0] == 2  # BatchNorm needs a batch
            fails = {wrong.fails for wrong in question.wrong_solutions}
            assert {"parameters", "output_shape", "outputs"} <= fails
