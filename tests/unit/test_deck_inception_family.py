"""The "Inception family" deck: structure, numeric workings and concept rubrics.

Code questions are graded by `quiz check-deck` in CI, not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from deck_helpers import (
    code_question,
    concept_question,
    key_points_hit,
    key_points_missed,
    numeric_parts,
    numeric_question,
)

from grader import evaluate_arithmetic
from questions import (
    ChoiceQuestion,
    Deck,
    load_deck,
)

DECK_PATH = Path(__file__).parents[2] / "questions" / "decks" / "inception-family.yaml"

ALL_IDS = [
    "naive-module-cost",
    "concat-channels",
    "module-weights",
    "stacked-receptive-field",
    "asymmetric-weights",
    "gap-head-shape",
    "aux-classifier-head",
    "grid-reduction",
    "pool-projection-choice",
    "inception-module-code",
    "asymmetric-conv-code",
]
CONCEPT_IDS = ["naive-module-cost", "aux-classifier-head", "grid-reduction"]
NUMERIC_IDS = [
    "concat-channels",
    "module-weights",
    "stacked-receptive-field",
    "asymmetric-weights",
    "gap-head-shape",
]
CHOICE_IDS = ["pool-projection-choice"]
CODE_IDS = ["inception-module-code", "asymmetric-conv-code"]

# Good answers in other words than the deck's: each must hit every key point.
OWN_WORDS = {
    "naive-module-cost": (
        "The 5x5 convolution is costly because it reads all input channels, so its multiplies "
        "scale with the input depth. Worse, max pooling does not change the number of channels, "
        "so the output has more channels than the input and the depth keeps growing as you "
        "stack modules. GoogLeNet puts a 1x1 conv before the 3x3 and 5x5 and after the pool to "
        "reduce the channels."
    ),
    "aux-classifier-head": (
        "Two small side classifiers hang off the middle of the network. Each does average "
        "pooling, a 1x1 conv to 128 channels, a dense layer of 1024 with dropout, then a "
        "softmax. Their losses get multiplied by 0.3 and added to the main loss. At test time "
        "they are removed and only the final classifier is used."
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
WRONG_ANSWERS = {
    "naive-module-cost": [
        "It is expensive because it uses dropout in every branch and batch normalization "
        "after the concatenation, which needs a lot of memory.",
        "The naive module uses fully connected layers between branches; GoogLeNet replaced "
        "them with global average pooling to save parameters.",
        "Concatenation copies memory, which is slow on GPUs; the fix was to add the branches "
        "element-wise instead, like a residual connection.",
    ],
    "aux-classifier-head": [
        "The auxiliary classifier sits on top of the final layer and averages the predictions "
        "of several models, like an ensemble, and it is kept when making predictions.",
        "It is a second network trained separately on the same data whose outputs are used "
        "as soft labels for distillation.",
        "It is a max pooling layer followed by a 3x3 convolution that predicts bounding boxes "
        "for detection.",
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

OFF_TOPIC = [
    "I don't know.",
    "Transformers use self-attention over tokens.",
    "Stochastic gradient descent updates the weights using the gradient of a mini-batch.",
]


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(DECK_PATH)


# --------------------------------------------------------------------------- structure


def test_deck_metadata(deck: Deck) -> None:
    assert deck.id == "inception-family"
    assert deck.title == "The Inception family"
    assert deck.description


def test_ids_in_order(deck: Deck) -> None:
    assert [q.id for q in deck.questions] == ALL_IDS


def test_counts_by_kind(deck: Deck) -> None:
    assert deck.counts_by_kind() == {"concept": 3, "numeric": 5, "choice": 1, "code": 2}
    kinds = {q.id: q.kind for q in deck.questions}
    assert kinds == {
        **dict.fromkeys(CONCEPT_IDS, "concept"),
        **dict.fromkeys(NUMERIC_IDS, "numeric"),
        **dict.fromkeys(CHOICE_IDS, "choice"),
        **dict.fromkeys(CODE_IDS, "code"),
    }


def test_no_question_id_repeats_the_inception_1x1_deck(deck: Deck) -> None:
    other = load_deck(DECK_PATH.with_name("inception-1x1.yaml"))
    assert not {q.id for q in deck.questions} & {q.id for q in other.questions}


@pytest.mark.parametrize("question_id", ALL_IDS)
def test_every_question_has_title_hints_tags_and_time(deck: Deck, question_id: str) -> None:
    question = deck.get(question_id)
    assert question is not None
    assert question.title
    assert 1 <= len(question.hints) <= 3
    assert question.tags
    assert question.expected_seconds


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
def test_concept_questions_have_two_to_four_key_points(deck: Deck, question_id: str) -> None:
    assert 2 <= len(concept_question(deck, question_id).key_points) <= 4


def test_choice_question_has_one_correct_option_with_reasons(deck: Deck) -> None:
    question = deck.get("pool-projection-choice")
    assert isinstance(question, ChoiceQuestion)
    assert not question.multiple
    [index] = question.correct_indices
    assert question.options[index].text.startswith("Max-pool, then")
    assert all(option.why for option in question.options)


# --------------------------------------------------------------------------- rubric


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


# --------------------------------------------------------------------------- numeric


def test_every_working_evaluates_to_its_answer(deck: Deck) -> None:
    for question_id, part in numeric_parts(deck, NUMERIC_IDS):
        assert part.working, (question_id, part.label)
        assert part.answer is not None, (question_id, part.label)
        value = evaluate_arithmetic(part.working)
        assert part.tolerance.allows(value, part.answer), (question_id, part.label, value)


def test_every_also_accept_working_evaluates_to_its_value(deck: Deck) -> None:
    alternatives = [
        (qid, p, alt) for qid, p in numeric_parts(deck, NUMERIC_IDS) for alt in p.also_accept
    ]
    assert len(alternatives) == 2
    for question_id, part, alt in alternatives:
        assert alt.working is not None, (question_id, part.label)
        tolerance = alt.tolerance or part.tolerance
        assert tolerance.allows(evaluate_arithmetic(alt.working), alt.value)


def test_concat_channels(deck: Deck) -> None:
    answers = [p.answer for p in numeric_question(deck, "concat-channels").parts]
    assert answers == [416, 256, 640]


def test_module_weights(deck: Deck) -> None:
    parts = numeric_question(deck, "module-weights").parts
    naive = 192 * 64 + 9 * 192 * 128 + 25 * 192 * 32
    bottlenecked = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32
    assert [p.answer for p in parts[:5]] == [221184, 153600, naive, 15872, bottlenecked]
    assert parts[5].answer == pytest.approx(bottlenecked / naive, rel=1e-5)


def test_receptive_field_and_asymmetric_counts(deck: Deck) -> None:
    field = [p.answer for p in numeric_question(deck, "stacked-receptive-field").parts]
    assert field == [5, 7, 27, 49]
    asym = numeric_question(deck, "asymmetric-weights").parts
    assert [p.answer for p in asym[:4]] == [179200, 215040, 394240, 1505280]
    assert asym[4].answer == pytest.approx(11 / 42, rel=1e-5)


def test_gap_head_shape(deck: Deck) -> None:
    answers = [p.answer for p in numeric_question(deck, "gap-head-shape").parts]
    assert answers == [1, 2048, 65536, 2049000]


# --------------------------------------------------------------------------- code (static)


def test_code_questions_shape(deck: Deck) -> None:
    module, asym = (
        code_question(deck, "inception-module-code"),
        code_question(deck, "asymmetric-conv-code"),
    )
    assert (module.entry_point, module.signature) == (
        "InceptionModule",
        "InceptionModule(in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj)",
    )
    assert (asym.entry_point, asym.signature) == ("AsymmetricConv", "AsymmetricConv(channels, n)")
    assert "creation order" in module.prompt and "creation order" in asym.prompt
    for question in (module, asym):
        assert "NotImplementedError" in question.starter
        assert question.reference.strip() in question.answer
        assert question.checks is not None
        assert len(question.wrong_solutions) >= 3
    assert {w.fails for w in module.wrong_solutions} == {"parameters", "output_shape", "outputs"}
    assert {w.fails for w in asym.wrong_solutions} == {"parameters", "output_shape", "outputs"}
