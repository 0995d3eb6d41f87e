"""The claim matcher: normalising, clauses, negation, prompt words and lists of terms."""

from __future__ import annotations

import pytest
from testkit import ONE_BY_ONE, hits

from questions import ConceptQuestion, KeyPoint
from questions._claims import ANSWER_IN_SENTENCES, makes_claims, normalise, read


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C×C filters", "C x C filters"),
        ("the gradient is p − onehot(y)", "the gradient is p - onehot(y)"),
        ("multiply by Cᵀ", "multiply by C^T"),
        ("it shouldn't and isn't", "it should not and is not"),
        ("it can't, it won't", "it can not, it will not"),
        ("w/o a ReLU", "without a ReLU"),
        ("they normalise and regularise", "they normalize and regularize"),
        ("$3 \\times 3$", "3  x  3"),
    ],
)
def test_normalise_spells_math_and_contractions_in_ascii(text: str, expected: str) -> None:
    assert normalise(text).text.replace("  x  ", "  x  ") == expected or " ".join(
        normalise(text).text.split()
    ) == " ".join(expected.split())


def test_normalised_characters_map_back_to_the_original() -> None:
    text = "It isn't a k×k filter"
    norm = normalise(text)
    start = norm.text.index("k x k")
    a, b = norm.origin(start, start + len("k x k"))
    assert text[a:b] == "k×k"


def test_a_plain_claim_hits_every_point() -> None:
    text = "It reduces the number of channels, adds a non-linearity and mixes the channels."
    assert hits(ONE_BY_ONE, text) == [1, 2, 3]


@pytest.mark.parametrize(
    "text",
    [
        "It has no nonlinearity.",
        "It does not add any non-linearity.",
        "It doesn't add non-linearity.",
        "It isn't followed by a ReLU, it is linear, so non-linearity is not added.",
        "A 1x1 convolution stays linear, without a ReLU.",
        "It uses a linear map instead of a ReLU.",
    ],
)
def test_a_negated_claim_earns_nothing(text: str) -> None:
    assert 2 not in hits(ONE_BY_ONE, text)


def test_not_only_is_no_negation() -> None:
    assert 2 in hits(ONE_BY_ONE, "It not only mixes channels, it also adds a non-linearity.")


def test_contrast_ends_the_negation() -> None:
    assert hits(ONE_BY_ONE, "It does not look at neighbours, but it mixes the channels.") == [3]


def test_a_double_negation_stands() -> None:
    assert 2 in hits(ONE_BY_ONE, "It is not true that it has no ReLU: it adds a nonlinearity.")


@pytest.mark.parametrize(
    "text",
    [
        "Bottleneck, nonlinearity and cross-channel mixing.",
        "Dimensionality reduction. Non-linearity. Cross-channel. Bottleneck.",
        "cross-channel\nnonlinearity\nReLU",
        "Keywords: cross-channel mixing, non-linearity, ReLU.",
        "It is about cross-channel mixing, nonlinearity and ReLU.",
    ],
)
def test_a_list_of_terms_earns_nothing_and_is_told_to_write_sentences(text: str) -> None:
    judgement = ONE_BY_ONE.judge(text)
    assert [v.hit for v in judgement.verdicts] == [False, False, False]
    assert judgement.advice == ANSWER_IN_SENTENCES


def test_a_sentence_answer_gets_no_advice() -> None:
    assert ONE_BY_ONE.judge("It mixes the channels at each pixel.").advice is None


@pytest.mark.parametrize(
    ("clause", "claim"),
    [
        ("it mixes channels", True),
        ("the projection is linear", True),
        ("1x1 conv = per-pixel FC", True),
        ("v2: inverted residuals with linear bottlenecks", True),
        ("causal masks", False),
        ("bottleneck, nonlinearity and cross-channel mixing", False),
        ("keywords: cross-channel mixing", False),
    ],
)
def test_makes_claims(clause: str, claim: bool) -> None:
    assert makes_claims(clause) is claim


def test_words_copied_from_the_prompt_earn_nothing() -> None:
    question = ConceptQuestion.model_validate(
        {
            "id": "focal",
            "kind": "concept",
            "prompt": "What happens to focal loss when gamma = 0?",
            "answer": "The factor becomes 1, so it is plain cross-entropy.",
            "key_points": [
                {"point": "Plain cross-entropy", "patterns": [r"gamma\s*=\s*0", r"plain\s+cross"]}
            ],
        }
    )
    assert hits(question, "When γ = 0 it is what it is.") == []
    assert hits(question, "With γ = 0 it becomes plain cross-entropy.") == [1]


def test_spans_point_into_the_original_text() -> None:
    text = "Honestly — it doesn’t reduce spatial size; it reduces the channels (256→64)."
    verdict = ONE_BY_ONE.judge(text).verdicts[0]
    assert verdict.hit
    (span,) = verdict.claims
    assert text[span.start : span.end] == span.text == "reduces the channels"


def test_old_style_key_point_still_answers_hit_by() -> None:
    point = KeyPoint(point="Uses a ReLU", patterns=[r"\brelu\b"])
    assert point.hit_by("A ReLU follows it.")
    assert not point.hit_by("There is no ReLU after it.")
    assert not read("ReLU").makes_claims
