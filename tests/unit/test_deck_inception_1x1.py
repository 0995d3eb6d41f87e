"""Tests of the shipped ``inception-1x1`` deck: structure, rubric patterns, arithmetic, q10 code.

The seed document the deck was written from lives outside the repository, so its answers are
copied here verbatim (``SEED_ANSWERS``); every key point must be hit by them, by the deck's own
reference answer, and by an answer in other words, while plausible wrong answers hit at most one.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from deck_helpers import concept_question, key_points_missed, numeric_parts, numeric_question

from questions import (
    CodeQuestion,
    Deck,
    WrongSolution,
    load_deck,
)

DECK_PATH = Path(__file__).resolve().parents[2] / "questions" / "decks" / "inception-1x1.yaml"

SEED_IDS = [f"q{n}" for n in range(1, 11)]
DRILL_IDS = ["bottleneck-params", "bottleneck-multiplies", "gap-vs-fc-params", "factorised-7x7"]
CONCEPT_IDS = ["q1", "q2", "q3", "q4", "q5", "q7", "q9"]
NUMERIC_IDS = ["q6", "q8", *DRILL_IDS]
DRAWN_IDS = [
    "separable-savings-drill",
    "separable-module-drill",
]  # numbers drawn per attempt: tests/unit/test_params.py

# Verbatim from "Day 13 Interview Questions: Inception & 1x1 Convs".
SEED_ANSWERS: dict[str, str] = {
    "q1": r"""
1.  **Dimensionality Reduction:** Reducing the number of channels (depth) to save computation before expensive operations.
2.  **Adding Non-linearity:** Introducing ReLU without changing spatial dimensions.
3.  **Cross-Channel Interaction:** Mixing information from different channels at the same spatial location.
""",  # noqa: E501
    "q2": r"""
The hypothesis that optimal local sparse structure in a convolutional vision network can be approximated and covered by readily available dense components.
*   In simple terms: Instead of trying to pick the single best kernel size ($3 \times 3$ or $5 \times 5$), let the network learn to use the best combination of them in parallel.
""",  # noqa: E501
    "q3": r"""
To combat the **vanishing gradient problem** in deep networks (22 layers was very deep in 2014).
*   They attached small classification heads to intermediate layers.
*   During training, the loss from these heads was added to the total loss (weighted by 0.3).
*   This injected useful gradients directly into the middle of the network.
*   *Note: Inception v3/v4 showed they act more as regularizers.*
""",
    "q4": r"""
A factorization of standard convolution into two steps:
1.  **Depthwise Conv:** Applies a single filter per input channel (spatial filtering).
2.  **Pointwise Conv:** Applies a $1 \times 1$ convolution to combine the outputs (channel mixing).
*   It is significantly more efficient (computationally and parameter-wise) than standard convolution.
""",  # noqa: E501
    "q5": r"""
*   Standard FC layers have millions of parameters (e.g., $7 \times 7 \times 512 \times 4096$), which easily overfit.
*   GAP has **zero parameters**. It simply averages the feature maps.
*   It forces the feature maps to be high-level confidence maps for categories, rather than just features for a classifier.
""",  # noqa: E501
    "q7": r"""
*   **v1 (GoogLeNet):** Standard Inception modules ($1 \times 1, 3 \times 3, 5 \times 5$).
*   **v3:**
    *   Factorized $5 \times 5$ into two $3 \times 3$.
    *   Factorized $N \times N$ into $1 \times N$ and $N \times 1$.
    *   Used RMSProp optimizer.
    *   Introduced Label Smoothing.
""",
    "q9": r"""
The $1 \times 1$ convolution used *before* the $3 \times 3$ or $5 \times 5$ convolutions.
*   It reduces the number of input channels, making the subsequent expensive convolution cheaper.
*   Example: $256 \xrightarrow{1 \times 1} 64 \xrightarrow{3 \times 3} 64$.
""",
}

# Correct answers in a person's own words, typed without markdown or LaTeX.
OWN_WORDS: dict[str, str] = {
    "q1": "A 1x1 conv cuts the channel count (fewer channels) so the next 3x3 is cheaper, adds "
    "another ReLU non-linearity, and mixes information across channels at every pixel.",
    "q2": "Rather than hand-choosing 3x3 or 5x5, run 1x1, 3x3, 5x5 and pooling branches side by "
    "side and let the model learn how to combine them; an optimal sparse structure is "
    "approximated with dense building blocks. Chollet reads it as cross-channel and spatial "
    "correlations being decoupled enough to map them separately.",
    "q3": "The net was so deep that gradients vanished before reaching the early layers. Extra "
    "classifier heads on intermediate layers add their loss (times 0.3) to the main loss "
    "during training; later work showed they mostly regularise.",
    "q4": "First filter each input channel separately with its own kxk kernel, then a pointwise "
    "1x1 conv combines the channels; this needs far fewer parameters and multiplies.",
    "q5": "A fully connected layer on a 7x7x512 map needs about 100 million weights and memorises "
    "the training set; GAP has no learnable parameters, just a mean per channel, and pushes "
    "each channel to become a confidence map for one class.",
    "q7": "v1 had parallel 1x1/3x3/5x5 branches. v3 replaced each 5x5 with two stacked 3x3 "
    "convs, split 7x7 into 1x7 then 7x1, trained with RMSprop and used label smoothing. It "
    "also uses batch norm everywhere and shrinks the grid with parallel stride-2 branches.",
    "q9": "A 1x1 conv in front of the 3x3 and 5x5 convs that squeezes 256 channels down to 64, "
    "so the big convolution needs far less computation.",
}

# Plausible but wrong answers; each may hit at most one key point.
WRONG_ANSWERS: dict[str, list[str]] = {
    "q1": [
        "It shrinks the height and width of the feature map, like a pooling layer.",
        "It is a tiny edge detector that looks at a small spatial neighbourhood and is mainly "
        "used to upsample images.",
        "It reduces the spatial dimensions so the network runs faster on large images.",
    ],
    "q2": [
        "Deeper is always better: stack as many identical 3x3 layers as possible to get the "
        "most accurate network.",
        "The network should pick the single best kernel size by grid search and use it in "
        "every layer.",
        "It is the idea that fully connected dense layers should replace convolutions at the "
        "top of the network.",
    ],
    "q3": [
        "They speed up inference by skipping layers.",
        "They let the model exit early at test time to save computation on easy images.",
        "They are extra classifiers used at test time to ensemble predictions from "
        "intermediate layers.",
    ],
    "q4": [
        "It splits a 3x3 kernel into a 3x1 followed by a 1x3 kernel, which is cheaper.",
        "It is a 3D convolution that slides the kernel along the depth (channel) axis as well "
        "as height and width.",
        "A depthwise separable convolution is a regular convolution followed by batch "
        "normalization on each channel.",
    ],
    "q5": [
        "GAP randomly drops activations during training, like dropout, so neurons cannot co-adapt.",
        "It normalises each channel to zero mean and unit variance, like batch norm.",
        "It keeps the full spatial resolution so the classifier sees more detail.",
    ],
    "q7": [
        "v3 added residual connections and switched from ReLU to sigmoid activations.",
        "v3 removed the 1x1 convolutions and used a single large 7x7 kernel in each module, "
        "trained with plain SGD.",
        "v3 only made the network deeper by stacking more of the original v1 modules.",
    ],
    "q9": [
        "The bottleneck is the narrowest fully connected layer at the end of the network, like "
        "the code layer of an autoencoder.",
        "It is a 1x1 convolution placed after the 3x3 convolution to expand the channels back up.",
        "It is a max-pooling layer that halves height and width to save computation.",
    ],
}

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


def evaluate(working: str) -> float:
    """Evaluate arithmetic made only of numbers, + - * / and parentheses."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        raise ValueError(f"{ast.dump(node)} is not allowed in a working")

    return walk(ast.parse(working, mode="eval"))


def _plain(markdown: str) -> str:
    """The seed answer as typed text: no emphasis or $ signs, ``\\times`` as ×."""
    return markdown.replace("**", "").replace("*", "").replace("$", "").replace(r"\times", "×")


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(DECK_PATH)


def _code(deck: Deck) -> CodeQuestion:
    question = deck.get("q10")
    assert isinstance(question, CodeQuestion)
    return question


# --------------------------------------------------------------------------- structure


def test_deck_metadata(deck: Deck) -> None:
    assert deck.id == "inception-1x1"
    assert deck.title == "Inception & 1×1 convolutions"
    assert deck.source == "Day 13 Interview Questions: Inception & 1x1 Convs"
    assert deck.description


def test_ids_are_seed_questions_in_order_then_drills(deck: Deck) -> None:
    assert [q.id for q in deck.questions] == SEED_IDS + DRILL_IDS + DRAWN_IDS


def test_kinds(deck: Deck) -> None:
    kinds = {q.id: q.kind for q in deck.questions}
    assert kinds == {
        **dict.fromkeys(CONCEPT_IDS, "concept"),
        **dict.fromkeys(NUMERIC_IDS + DRAWN_IDS, "numeric"),
        "q10": "code",
    }
    assert deck.counts_by_kind() == {"concept": 7, "numeric": 8, "choice": 0, "code": 1}


@pytest.mark.parametrize("question_id", SEED_IDS + DRILL_IDS + DRAWN_IDS)
def test_every_question_has_title_tags_and_time(deck: Deck, question_id: str) -> None:
    question = deck.get(question_id)
    assert question is not None
    assert question.title
    assert question.tags
    assert question.expected_seconds
    if question_id in SEED_IDS:
        assert len(question.hints) >= 2


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
def test_concept_questions_have_two_to_four_key_points(deck: Deck, question_id: str) -> None:
    assert 2 <= len(concept_question(deck, question_id).key_points) <= 4


def test_seed_latex_is_kept(deck: Deck) -> None:
    q1, q6, q9 = deck.get("q1"), deck.get("q6"), deck.get("q9")
    assert q1 is not None and q6 is not None and q9 is not None
    assert r"$1 \times 1$" in q1.prompt
    assert "$C_{in}=64" in q6.prompt
    assert r"$256 \xrightarrow{1 \times 1} 64 \xrightarrow{3 \times 3} 64$" in q9.answer


# --------------------------------------------------------------------------- rubric


ADDED_BY_CORRECTIONS = {"q2": (4,), "q7": (4,)}
"""Key points added when the seed answers were corrected (Xception's reading of the Inception
hypothesis; v3's BatchNorm and grid-size reduction): the seed answers never made them."""


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
@pytest.mark.parametrize("form", ["markdown", "plain"])
def test_seed_answer_hits_every_key_point(deck: Deck, question_id: str, form: str) -> None:
    text = SEED_ANSWERS[question_id]
    if form == "plain":
        text = _plain(text)
    question = concept_question(deck, question_id)
    added = {question.key_points[n - 1].point for n in ADDED_BY_CORRECTIONS.get(question_id, ())}
    assert [p for p in key_points_missed(question, text) if p not in added] == []


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
    hits = [kp.point for kp, hit in concept_question(deck, question_id).rubric(wrong) if hit]
    assert len(hits) <= 1, hits


def test_every_concept_question_has_two_wrong_answers() -> None:
    assert set(WRONG_ANSWERS) == set(CONCEPT_IDS)
    assert all(
        len(answers) >= 2 and all(a.strip() for a in answers) for answers in WRONG_ANSWERS.values()
    )


# Generic CNN vocabulary that answers none of the questions: catches a pattern as loose as
# `kernel`, `layer`, `3x3` or `network`, which the at-most-one rule alone can miss.
OFF_TOPIC = [
    "I don't know.",
    "Transformers use self-attention over tokens.",
    "A 3x3 convolution layer slides a kernel over the image and produces feature maps for the "
    "next layer of the network.",
    "Convolutional networks learn filters with backpropagation; deeper layers see larger "
    "regions of the input image.",
]


@pytest.mark.parametrize("question_id", CONCEPT_IDS)
@pytest.mark.parametrize("text", OFF_TOPIC)
def test_off_topic_answer_hits_nothing(deck: Deck, question_id: str, text: str) -> None:
    hits = [kp.point for kp, hit in concept_question(deck, question_id).rubric(text) if hit]
    assert hits == []


# --------------------------------------------------------------------------- numeric


def test_evaluate_helper_rejects_names_and_calls() -> None:
    assert evaluate("(576 + 8192) / 73728") == pytest.approx(0.1189236111)
    assert evaluate("-3*3") == -9
    for bad in ("x*2", "__import__('os')", "2**8", "abs(-1)"):
        with pytest.raises(ValueError):
            evaluate(bad)


def test_every_numeric_part_has_a_working(deck: Deck) -> None:
    assert [qid for qid, part in numeric_parts(deck, NUMERIC_IDS) if not part.working] == []


def test_every_working_evaluates_to_its_answer(deck: Deck) -> None:
    for question_id, part in numeric_parts(deck, NUMERIC_IDS):
        assert part.working is not None and part.answer is not None
        value = evaluate(part.working)
        assert part.tolerance.allows(value, part.answer), (question_id, part.label, value)


def test_every_also_accept_working_evaluates_to_its_value(deck: Deck) -> None:
    alternatives = [
        (qid, p, alt) for qid, p in numeric_parts(deck, NUMERIC_IDS) for alt in p.also_accept
    ]
    assert alternatives  # q6 and bottleneck-params both accept the reciprocal
    for question_id, part, alt in alternatives:
        assert alt.working is not None, (question_id, part.label)
        tolerance = alt.tolerance or part.tolerance
        assert tolerance.allows(evaluate(alt.working), alt.value), (question_id, part.label)


def test_q6_parts(deck: Deck) -> None:
    parts = numeric_question(deck, "q6").parts
    assert [p.answer for p in parts[:4]] == [73728, 576, 8192, 8768]
    assert [p.working for p in parts[:4]] == [
        "3*3*64*128",
        "3*3*64",
        "1*1*64*128",
        "3*3*64 + 64*128",
    ]
    assert all(p.tolerance.describe() == "±0.1%" for p in parts[:4])  # the default
    ratio = parts[4]
    assert ratio.working == "(576 + 8192) / 73728"
    assert ratio.answer == pytest.approx(8768 / 73728, rel=1e-6)
    assert ratio.tolerance.relative == pytest.approx(0.02)
    [reciprocal] = ratio.also_accept
    assert reciprocal.value == pytest.approx(73728 / 8768, rel=1e-6)
    assert reciprocal.tolerance is not None and reciprocal.tolerance.relative == 0.02
    assert "reciprocal" in reciprocal.note
    # The seed's 0.118 / "8.5x" are rounded; the answer text says so.
    answer = numeric_question(deck, "q6").answer
    assert "8.41" in answer and "0.119" in answer


def test_q8_parts(deck: Deck) -> None:
    question = numeric_question(deck, "q8")
    assert [(p.answer, p.working, p.percent) for p in question.parts] == [
        (25, "5*5", False),
        (18, "3*3 + 3*3", False),
        (0.28, "(25 - 18) / 25", True),
    ]
    assert question.parts[2].tolerance.relative == pytest.approx(0.01)
    assert "Non-linearity" in question.answer and "Receptive Field" in question.answer


# --------------------------------------------------------------------------- code


def _padding_of_depthwise(code: str) -> ast.expr:
    """The ``padding=`` argument of the first ``nn.Conv2d(...)`` call in ``code``."""
    for node in ast.walk(ast.parse(code)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Conv2d"
        ):
            for keyword in node.keywords:
                if keyword.arg == "padding":
                    return keyword.value
    raise AssertionError("no nn.Conv2d(..., padding=...) call")


def test_q10_reference_pads_by_half_the_kernel(deck: Deck) -> None:
    padding = _padding_of_depthwise(_code(deck).reference)
    assert ast.unparse(padding) == "kernel_size // 2"


def _seed_wrong_solution(question: CodeQuestion) -> WrongSolution:
    """The seed document's own answer, kept as the first wrong solution."""
    return question.wrong_solutions[0]


def test_q10_wrong_solutions_each_fail_a_different_check(deck: Deck) -> None:
    fails = [wrong.fails for wrong in _code(deck).wrong_solutions]
    assert len(fails) == len(set(fails))
    assert set(fails) >= {"output_shape", "parameters", "outputs", "gradients", "flops"}


def test_q10_wrong_solution_is_the_seed_padding_by_one(deck: Deck) -> None:
    wrong = _seed_wrong_solution(_code(deck))
    assert wrong.fails == "output_shape"
    padding = _padding_of_depthwise(wrong.code)
    assert isinstance(padding, ast.Constant) and padding.value == 1
    assert "from torch import nn" in wrong.code


def test_q10_prompt_and_checks(deck: Deck) -> None:
    question = _code(deck)
    prompt = question.prompt.lower()
    assert "height" in prompt and "width" in prompt and "bias" in prompt
    assert question.entry_point == "SeparableConv2d"
    assert question.signature == "SeparableConv2d(in_channels, out_channels, kernel_size=3)"
    assert "NotImplementedError" in question.starter
    assert question.reference.strip() in question.answer
    assert question.checks is not None
    assert question.checks.compare == [
        "parameters",
        "output_shape",
        "outputs",
        "gradients",
        "flops",
    ]
    assert list(question.checks.inputs) == ["x"]
    assert question.checks.inputs["x"].shape == ["batch", "in_channels", "height", "width"]


def _build(code: str, *args: int) -> Any:
    """Run deck code and construct its ``SeparableConv2d``."""
    namespace: dict[str, Any] = {}
    exec(compile(code, "<deck code>", "exec"), namespace)
    return namespace["SeparableConv2d"](*args)


@pytest.mark.parametrize("kernel_size", [1, 3, 5, 7])
def test_q10_reference_keeps_height_and_width(deck: Deck, kernel_size: int) -> None:
    torch = pytest.importorskip("torch")
    module = _build(_code(deck).reference, 4, 6, kernel_size)
    out = module(torch.randn(2, 4, 9, 5))
    assert tuple(out.shape) == (2, 6, 9, 5)
    assert all(name.endswith("weight") for name, _ in module.named_parameters())


def test_q10_reference_parameter_count_matches_q6(deck: Deck) -> None:
    pytest.importorskip("torch")
    module = _build(_code(deck).reference, 64, 128, 3)
    count = sum(p.numel() for p in module.parameters())
    assert count == numeric_question(deck, "q6").parts[3].answer == 8768


@pytest.mark.parametrize(("kernel_size", "height"), [(1, 11), (5, 7), (7, 3)])
def test_q10_wrong_solution_changes_the_output_size(
    deck: Deck, kernel_size: int, height: int
) -> None:
    torch = pytest.importorskip("torch")
    wrong = _seed_wrong_solution(_code(deck))
    module = _build(wrong.code, 4, 6, kernel_size)
    # Padding 1: H_out = H + 2 - k + 1, which is H only for k = 3 (and fails for H < k - 2).
    expected = height + 3 - kernel_size
    if expected < 1:
        with pytest.raises(RuntimeError):
            module(torch.randn(1, 4, height, height))
    else:
        out = module(torch.randn(1, 4, height, height))
        assert tuple(out.shape[2:]) == (expected, expected) != (height, height)
