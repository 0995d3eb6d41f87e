"""The shipped ``conv-arithmetic`` deck: its data for ``DeckSuite``, and tests of its arithmetic.

``DeckSuite`` checks the structure and the rubric patterns: every numeric ``working`` must
evaluate to its answer; each concept key point must be hit by the deck's own answer and by a
good answer in other words, while plausible wrong answers hit at most one key point. The tests
here recompute this deck's sizes and receptive fields and check its choice and code questions.
The code questions are graded by ``quiz check-deck`` (in CI), not here.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_helpers import choice_question, code_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck


def _floor_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


class TestConvArithmeticDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "conv-arithmetic.yaml"
    DECK_ID = "conv-arithmetic"
    DECK_TITLE = "Convolution arithmetic"

    QUESTION_IDS = (
        "output-size",
        "output-size-chain",
        "why-floor",
        "receptive-field-stride1",
        "receptive-field-strided",
        "dilation-gridding",
        "conv-params",
        "grouped-params",
        "which-changes-params",
        "conv-macs",
        "transposed-output-size",
        "transposed-conv",
        "conv2d-same",
        "conv2d-via-unfold",
    )
    CONCEPT_IDS = ("why-floor", "dilation-gridding", "transposed-conv")
    NUMERIC_IDS = (
        "output-size",
        "output-size-chain",
        "receptive-field-stride1",
        "receptive-field-strided",
        "conv-params",
        "grouped-params",
        "conv-macs",
        "transposed-output-size",
    )
    CHOICE_IDS = ("which-changes-params",)
    CODE_IDS = ("conv2d-same", "conv2d-via-unfold")
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 3, "numeric": 8, "choice": 1, "code": 2}
    # At least one also_accept alternative (the default ALSO_ACCEPT_COUNT): grouped-params
    # accepts the ratio as well as the reduction factor.

    # Good answers in other words than the deck's: each must hit every key point.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "why-floor": (
            "Because the filter has to fit completely inside the padded image: if one more stride "
            "would make the window overhang the border, that position is not computed. Whatever "
            "rows are left at the bottom are never used. So two input sizes such as 31 and 32 can "
            "give the same output, and ConvTranspose2d needs output_padding to say which one to "
            "return to."
        ),
        "dilation-gridding": (
            "Atrous convs enlarge the receptive field while the parameter count stays the same, "
            "and unlike striding they don't downsample, so we keep full resolution. If every "
            "layer uses rate 2, each output only sees a sparse lattice of the input pixels (a "
            "checkerboard), so adjacent pixels never interact. The remedy is to use co-prime "
            "rates such as 1, 2, 3 in successive layers."
        ),
        "transposed-conv": (
            "It is the adjoint of an ordinary convolution, i.e. the backward pass of conv2d "
            "w.r.t. its input. You can picture it as zero-stuffing the input (stride - 1 zeros "
            "between samples) and then doing a regular conv. Despite the old name deconvolution "
            "it does not invert the convolution; only the spatial size comes back. With k=3 and "
            "stride 2 the kernel footprints overlap unevenly, which gives checkerboard patterns."
        ),
    }

    # Plausible but wrong answers: each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "why-floor": [
            "The floor is there because pixel indices must be integers, so the fractional part is "
            "rounded away. Padding adds zeros around the border so that the kernel can be centred "
            "on the edge pixels.",
            "Stride skips positions, so the division is rounded down. A transposed convolution is "
            "the exact inverse of the convolution, so it always gives back the original input, "
            "values included.",
            "We round down to save memory: a smaller output means fewer activations to store "
            "during training.",
        ],
        "dilation-gridding": [
            "Dilated convolutions upsample the feature map by inserting zeros between pixels, "
            "which doubles the resolution. Stacking them makes the network deeper and slower, so "
            "put batch norm between them.",
            "A dilated kernel is simply a bigger dense kernel, e.g. 5x5 instead of 3x3, so it has "
            "more weights and more compute. Repeating the same rate causes vanishing gradients; "
            "fix it with residual connections.",
        ],
        "transposed-conv": [
            "A transposed convolution is the exact inverse of a convolution: it undoes the "
            "filtering and recovers the original image. It is called transposed because it swaps "
            "the height and width axes of the feature map.",
            "It applies max-unpooling with the indices stored by the pooling layer, then a 1x1 "
            "convolution to mix channels. It gives blurry outputs when the learning rate is too "
            "high.",
        ],
    }

    # Generic CNN vocabulary that answers none of the questions.
    OFF_TOPIC = (
        "I don't know.",
        "Transformers use self-attention over tokens.",
        "A 3x3 convolution layer slides a kernel over the image and produces feature maps for the "
        "next layer of the network.",
        "Convolutional networks learn filters with backpropagation; deeper layers see larger "
        "regions of the input image.",
    )

    # --------------------------------------------------------------------- numeric

    def test_output_sizes_match_the_floor_formula(self, deck: Deck) -> None:
        single = [p.answer for p in numeric_question(deck, "output-size").parts]
        assert single == [
            _floor_output_size(224, 7, 2, 3, 1),
            _floor_output_size(112, 3, 2, 1, 1),
            _floor_output_size(20, 3, 2, 2, 3),
        ]
        h1 = _floor_output_size(96, 5, 2, 2, 1)
        h2 = _floor_output_size(h1, 3, 2, 0, 1)
        h3 = _floor_output_size(h2, 3, 1, 0, 2)
        chain = [p.answer for p in numeric_question(deck, "output-size-chain").parts]
        assert chain == [h1, h2, h3, h3 * h3 * 64]

    def test_receptive_fields_match_the_recurrence(self, deck: Deck) -> None:
        layers = [(7, 2), (3, 2), (3, 1), (3, 1), (3, 2), (3, 1)]
        field, jump, fields = 1, 1, []
        for kernel, stride in layers:
            field += (kernel - 1) * jump
            jump *= stride
            fields.append(field)
        parts = [p.answer for p in numeric_question(deck, "receptive-field-strided").parts]
        assert parts == [fields[1], fields[3], fields[5], jump]

    def test_transposed_sizes_invert_the_convolution(self, deck: Deck) -> None:
        parts = [p.answer for p in numeric_question(deck, "transposed-output-size").parts]
        assert parts == [14, 31, 32, 14]
        # A 3×3, stride-2, padding-1 convolution maps both 31 and 32 to 16.
        assert _floor_output_size(31, 3, 2, 1, 1) == _floor_output_size(32, 3, 2, 1, 1) == 16

    # --------------------------------------------------------------------- choice

    def test_choice_only_groups_changes_the_parameter_count(self, deck: Deck) -> None:
        question = choice_question(deck, "which-changes-params")
        [correct] = question.correct_indices
        assert "groups" in question.options[correct].text

    # --------------------------------------------------------------------- code (no grading)

    @pytest.mark.parametrize(
        ("question_id", "entry_point", "kind", "fails"),
        [
            (
                "conv2d-same",
                "Conv2dSame",
                "module",
                ["output_shape", "output_shape", "parameters", "outputs", "flops"],
            ),
            (
                "conv2d-via-unfold",
                "conv2d_via_unfold",
                "function",
                ["output_shape", "outputs", "outputs", "gradients", "flops"],
            ),
        ],
    )
    def test_code_questions(
        self, deck: Deck, question_id: str, entry_point: str, kind: str, fails: list[str]
    ) -> None:
        question = code_question(deck, question_id)
        assert question.entry_point == entry_point
        assert question.checks is not None
        assert question.checks.kind == kind
        assert [wrong.fails for wrong in question.wrong_solutions] == fails
        assert set(fails) <= set(question.checks.compare)

    def test_conv2d_same_draws_only_odd_effective_kernels(self, deck: Deck) -> None:
        checks = code_question(deck, "conv2d-same").checks
        assert checks is not None
        dilation = checks.init["dilation"]
        assert dilation.model_dump() == {"int": (1, 4), "multiple_of": "2 - kernel_size % 2"}
