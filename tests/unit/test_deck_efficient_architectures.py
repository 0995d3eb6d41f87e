"""Tests of the shipped ``efficient-architectures`` deck: structure, rubric patterns, arithmetic.

Every concept key point must be hit by the deck's own answer and by a correct answer in other
words, while plausible wrong answers hit at most one. The code questions are graded by
``quiz check-deck`` in CI; here only their shape is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from deck_helpers import (
    choice_question,
    code_question,
    concept_question,
    key_points_hit,
    key_points_missed,
    numeric_parts,
    numeric_question,
)

from grader import evaluate_arithmetic
from questions import (
    Deck,
    load_deck,
)

DECK_PATH = (
    Path(__file__).resolve().parents[2] / "questions" / "decks" / "efficient-architectures.yaml"
)

QUESTION_IDS = [
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
]
CONCEPT_IDS = [
    "inverted-vs-bottleneck",
    "linear-bottleneck",
    "squeeze-excitation",
    "hard-swish",
    "mobilenet-versions",
    "compound-scaling",
]
NUMERIC_IDS = [
    "width-multiplier",
    "resolution-multiplier",
    "separable-savings",
    "se-params",
    "compound-scaling-flops",
    "hard-swish-values",
]
CHOICE_IDS = ["cost-knob", "residual-rule", "mobilenet-v3-facts"]
CODE_IDS = ["se-module", "inverted-residual", "hard-swish-fn"]

# Correct answers in a person's own words, typed without markdown or LaTeX.
OWN_WORDS: dict[str, str] = {
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
WRONG_ANSWERS: dict[str, list[str]] = {
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
        "Because a ReLU after the projection would cause exploding gradients in the residual sum.",
    ],
    "squeeze-excitation": [
        "SE reduces the number of channels by a factor r with a 1x1 convolution to save "
        "computation, like a bottleneck layer.",
        "It computes spatial attention: a softmax over all pixel positions weights each "
        "location of the feature map.",
        "It is a max pooling followed by a single fully connected layer that outputs class scores.",
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
OFF_TOPIC = [
    "I don't know.",
    "Transformers use self-attention over tokens.",
    "A 3x3 convolution layer slides a kernel over the image and produces feature maps for the "
    "next layer of the network.",
    "Convolutional networks learn filters with backpropagation; deeper layers see larger "
    "regions of the input image.",
    "Batch normalization normalizes activations with the batch mean and variance.",
]


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(DECK_PATH)


# --------------------------------------------------------------------------- structure


def test_deck_metadata(deck: Deck) -> None:
    assert deck.id == "efficient-architectures"
    assert deck.title == "Efficient architectures"
    assert deck.description


def test_ids_in_order(deck: Deck) -> None:
    assert [q.id for q in deck.questions] == QUESTION_IDS


def test_kinds(deck: Deck) -> None:
    kinds = {q.id: q.kind for q in deck.questions}
    assert kinds == {
        **dict.fromkeys(CONCEPT_IDS, "concept"),
        **dict.fromkeys(NUMERIC_IDS, "numeric"),
        **dict.fromkeys(CHOICE_IDS, "choice"),
        **dict.fromkeys(CODE_IDS, "code"),
    }
    assert deck.counts_by_kind() == {"concept": 6, "numeric": 6, "choice": 3, "code": 3}


@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_every_question_has_title_hints_tags_and_time(deck: Deck, question_id: str) -> None:
    question = deck.get(question_id)
    assert question is not None
    assert question.title
    assert 1 <= len(question.hints) <= 3
    assert question.tags
    assert question.expected_seconds


# --------------------------------------------------------------------------- rubric


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
def test_concept_questions_have_two_to_four_key_points(deck: Deck, question_id: str) -> None:
    assert 2 <= len(concept_question(deck, question_id).key_points) <= 4


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
def test_deck_answer_hits_every_key_point(deck: Deck, question_id: str) -> None:
    question = concept_question(deck, question_id)
    assert key_points_missed(question, question.answer) == []


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
def test_answer_in_own_words_hits_every_key_point(deck: Deck, question_id: str) -> None:
    assert key_points_missed(concept_question(deck, question_id), OWN_WORDS[question_id]) == []


@pytest.mark.parametrize(
    ("question_id", "wrong"),
    [(qid, wrong) for qid, answers in WRONG_ANSWERS.items() for wrong in answers],
)
def test_wrong_answer_hits_at_most_one_key_point(deck: Deck, question_id: str, wrong: str) -> None:
    hits = key_points_hit(concept_question(deck, question_id), wrong)
    assert len(hits) <= 1, hits


def test_every_concept_question_has_own_words_and_wrong_answers() -> None:
    assert set(OWN_WORDS) == set(CONCEPT_IDS)
    assert set(WRONG_ANSWERS) == set(CONCEPT_IDS)
    assert all(len(answers) >= 2 for answers in WRONG_ANSWERS.values())


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
@pytest.mark.parametrize("text", OFF_TOPIC)
def test_off_topic_answer_hits_nothing(deck: Deck, question_id: str, text: str) -> None:
    assert key_points_hit(concept_question(deck, question_id), text) == []


def test_hard_swish_rubric_tells_the_two_formulas_apart(deck: Deck) -> None:
    question = concept_question(deck, "hard-swish")
    hard, swish, _cheaper = question.key_points
    assert hard.hit_by("x * relu6(x+3) / 6") and not hard.hit_by("x * sigmoid(x)")
    assert swish.hit_by("x * sigmoid(x)") and not swish.hit_by("x * relu6(x+3) / 6")


# --------------------------------------------------------------------------- numeric


def test_every_numeric_part_has_a_working(deck: Deck) -> None:
    assert [
        (qid, part.label) for qid, part in numeric_parts(deck, NUMERIC_IDS) if not part.working
    ] == []


def test_every_working_evaluates_to_its_answer(deck: Deck) -> None:
    for question_id, part in numeric_parts(deck, NUMERIC_IDS):
        assert part.working is not None and part.answer is not None
        value = evaluate_arithmetic(part.working)
        assert part.tolerance.allows(value, part.answer), (question_id, part.label, value)


def test_every_also_accept_working_evaluates_to_its_value(deck: Deck) -> None:
    alternatives = [
        (qid, p, alt) for qid, p in numeric_parts(deck, NUMERIC_IDS) for alt in p.also_accept
    ]
    assert len(alternatives) == 4  # the reciprocal of each of the four ratios
    for question_id, part, alt in alternatives:
        assert alt.working is not None, (question_id, part.label)
        tolerance = alt.tolerance or part.tolerance
        assert tolerance.allows(evaluate_arithmetic(alt.working), alt.value), (
            question_id,
            part.label,
        )
        assert "reciprocal" in alt.note


def test_width_multiplier_ratio_is_near_but_not_alpha_squared(deck: Deck) -> None:
    ratio = numeric_question(deck, "width-multiplier").parts[2]
    assert ratio.answer == pytest.approx(17536 / 67840, rel=1e-5)
    # 0.25 is the rule of thumb; the depthwise part scales only with alpha, so it is not exact.
    assert not ratio.tolerance.allows(0.25, ratio.answer)
    assert ratio.tolerance.allows(0.25, ratio.answer, scale=10)  # but "close"


def test_se_weights_follow_two_c_squared_over_r(deck: Deck) -> None:
    weights, _with_biases, v3_weights, _fraction = numeric_question(deck, "se-params").parts
    assert weights.answer == 2 * 512**2 / 16
    assert v3_weights.answer == 2 * 480**2 / 4


# --------------------------------------------------------------------------- choice


def test_choice_answers(deck: Deck) -> None:
    assert choice_question(deck, "cost-knob").correct_indices == {1}
    assert choice_question(deck, "residual-rule").correct_indices == {1}
    v3 = choice_question(deck, "mobilenet-v3-facts")
    assert v3.multiple
    assert v3.correct_indices == {0, 1, 2}
    assert all(option.why for q in CHOICE_IDS for option in choice_question(deck, q).options)


# --------------------------------------------------------------------------- code (shape only)


@pytest.mark.parametrize(
    ("question_id", "entry_point", "kind"),
    [
        ("se-module", "SqueezeExcitation", "module"),
        ("inverted-residual", "InvertedResidual", "module"),
        ("hard-swish-fn", "hard_swish", "function"),
    ],
)
def test_code_questions(deck: Deck, question_id: str, entry_point: str, kind: str) -> None:
    question = code_question(deck, question_id)
    assert question.entry_point == entry_point
    assert question.checks is not None and question.checks.kind == kind
    assert "NotImplementedError" in question.starter
    assert len(question.wrong_solutions) >= 3
    allowed = {"compile", "load", "construct", *question.checks.compare}
    assert {wrong.fails for wrong in question.wrong_solutions} <= allowed
    # Different mistakes are caught by different checks, not all by one.
    assert len({wrong.fails for wrong in question.wrong_solutions}) >= 2


def test_expected_wrong_solutions(deck: Deck) -> None:
    fails = {
        qid: {wrong.name: wrong.fails for wrong in code_question(deck, qid).wrong_solutions}
        for qid in CODE_IDS
    }
    se, block = fails["se-module"], fails["inverted-residual"]
    assert se["sigmoid left out, the raw linear output scales the channels"] == "outputs"
    assert se["no bottleneck, dense C × C layers"] == "parameters"
    assert block["ReLU6 after the projection (no linear bottleneck)"] == "outputs"
    assert block["residual added whenever the channels match, even at stride 2"] == "output_shape"
    assert (
        block["full 3×3 convolution in the middle instead of a depthwise one (groups left out)"]
        == "parameters"
    )
    assert "gradients" in fails["hard-swish-fn"].values()
