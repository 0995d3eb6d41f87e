"""The claim matcher on how answers are written: wrapped lines, formulas with a minus,
imperative sentences and the reach of a negator."""

from __future__ import annotations

import pytest
from testkit import ONE_BY_ONE, hits

from questions import ConceptQuestion
from questions._claims import makes_claims, read

FORMULAS = ConceptQuestion.model_validate(
    {
        "id": "q2",
        "kind": "concept",
        "prompt": "What does softmax cross-entropy pass back, and what does a norm layer compute?",
        "answer": "The gradient is p - y; the layer computes (x - mu) / sigma.",
        "key_points": [
            {"point": "Gradient p - y", "patterns": [r"\bp\s*-\s*y\b"]},
            {"point": "Centres by the mean", "patterns": [r"\bx\s*-\s*mu\b"]},
        ],
    }
)


def clause_texts(text: str) -> list[str]:
    reading = read(text)
    return [" ".join(reading.norm.text[a:b].split()) for a, b, _ in reading.clauses]


# --------------------------------------------------------------------------- line breaks


@pytest.mark.parametrize(
    ("text", "point"),
    [
        (
            "A 1x1 convolution is a per-pixel linear map over the channels, so it reduces the\n"
            "number of channels.",
            1,
        ),
        ("A ReLU after the 1x1 convolution adds\na non-linearity.", 2),
        ("It reduces the number of\nchannels before the 3x3.", 1),
        ("The layer mixes all of the\nchannels at every pixel.", 3),
    ],
)
def test_a_wrapped_line_does_not_end_a_clause(text: str, point: int) -> None:
    assert point in hits(ONE_BY_ONE, text)


def test_a_wrapped_line_is_one_clause() -> None:
    assert clause_texts("It reduces the number of\nchannels before the 3x3.") == [
        "It reduces the number of channels before the 3x3"
    ]


def test_a_wrapped_negation_still_voids() -> None:
    assert 2 not in hits(
        ONE_BY_ONE, "It is a purely linear map and does not add\nany non-linearity."
    )


@pytest.mark.parametrize(
    "text",
    [
        "It does not change the spatial size\n- adds a non-linearity after the conv",
        "It does not change the spatial size\n\nadds a non-linearity after the conv",
        "It does not change the spatial size\n1. adds a non-linearity after the conv",
    ],
)
def test_a_blank_line_or_a_list_marker_ends_a_clause(text: str) -> None:
    assert 2 in hits(ONE_BY_ONE, text)


def test_a_word_hyphenated_across_lines_is_one_word() -> None:
    assert 3 in hits(ONE_BY_ONE, "The point of it is that it does cross-\nchannel mixing cheaply.")


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("the update is LN(x\n+ F(x)) in post-LN", ["the update is LN(x + F(x)) in post-LN"]),
        ("the gradient = p\n- y here", ["the gradient = p - y here"]),
        ("The size is 256\n- 64 channels", ["The size is 256", "64 channels"]),
    ],
)
def test_a_formula_wrapped_before_an_operator_goes_on(text: str, clauses: list[str]) -> None:
    assert clause_texts(text) == clauses


@pytest.mark.parametrize(
    "text",
    [
        "cross-channel\nnonlinearity\nReLU",
        "bottleneck\nreduces channels\nnonlinearity\nReLU",
        "degradation\nidentity mapping\nF(x) = H(x) - x\nnonlinearity",
    ],
)
def test_a_column_of_terms_is_still_a_list(text: str) -> None:
    assert hits(ONE_BY_ONE, text) == []


# --------------------------------------------------------------------------- minus signs


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("The gradient is p – y, the prediction minus the target.", 1),
        ("The gradient is simply p–y.", 1),
        ("The gradient is p − y.", 1),
        ("It computes x – mu and divides by sigma.", 2),
        ("It computes (x — mu) / sigma per feature.", 2),
    ],
)
def test_a_spaced_minus_in_a_formula_does_not_split(text: str, point: int) -> None:
    assert point in hits(FORMULAS, text)


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("The gradient is p – y.", ["The gradient is p - y"]),
        ("It is 1 – p for the true class.", ["It is 1 - p for the true class"]),
        (
            "It mixes channels — a cheap trick — and adds a ReLU.",
            ["It mixes channels", "a cheap trick", "and adds a ReLU"],
        ),
        ("It mixes channels -- and adds a ReLU.", ["It mixes channels", "and adds a ReLU"]),
        (
            "It squeezes with a ratio r — C down to C/r.",
            ["It squeezes with a ratio r", "C down to C/r"],
        ),
    ],
)
def test_a_dash_between_words_splits_a_minus_between_terms_does_not(
    text: str, clauses: list[str]
) -> None:
    assert clause_texts(text) == clauses


# --------------------------------------------------------------------------- imperatives


@pytest.mark.parametrize(
    "clause",
    [
        "Divide by sqrt(d_k) to keep the logits small",
        "Divide by sqrt(d_k)",
        "Use a 1x1 conv to cut channels",
        "Apply dropout only during training",
        "Call model.eval() before testing",
        "Warm up the learning rate",
        "Stack two 3x3 convs instead of one 5x5",
        "Reduce channels cheaply before the 3x3",
        "First subtract the max from every logit",
    ],
)
def test_an_imperative_sentence_makes_a_claim(clause: str) -> None:
    assert makes_claims(clause)


@pytest.mark.parametrize("clause", ["Weight decay and dropout", "Scale and shift parameters"])
def test_a_term_that_starts_with_a_verb_is_still_a_term(clause: str) -> None:
    assert not makes_claims(clause)


def test_an_imperative_answer_earns_its_points() -> None:
    assert hits(ONE_BY_ONE, "Reduce channels cheaply before the 3x3.") == [1]


# --------------------------------------------------------------------------- negation


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("It does not change H and W, and it adds a nonlinearity.", 2),
        ("Without changing the spatial size, it reduces channels.", 1),
        ("Without changing H or W it reduces the channels.", 1),
        ("Instead of looking at neighbours it mixes the channels.", 3),
        ("Since it has no spatial extent it reduces channels only.", 1),
        ("A 1x1 conv that does not pad reduces the channels.", 1),
        ("It does not change H and W\nit adds a nonlinearity.", 2),
        ("Unlike a 3x3 conv it only mixes the channels.", 3),
    ],
)
def test_a_negator_reaches_only_its_own_phrase(text: str, point: int) -> None:
    assert point in hits(ONE_BY_ONE, text)


@pytest.mark.parametrize(
    "text",
    [
        "It has no nonlinearity.",
        "Non-linearity is not added.",
        "No layer adds a nonlinearity.",
        "It uses no activation that adds a non-linearity.",
        "Without a ReLU it adds no non-linearity.",
        "It neither mixes the channels nor adds a nonlinearity.",
        "It does not really add a nonlinearity.",
        "It is not followed by anything that adds a nonlinearity.",
        "I don't think it adds a nonlinearity.",
        "It is not true it adds a nonlinearity.",
    ],
)
def test_a_negator_still_voids_its_own_phrase(text: str) -> None:
    assert 2 not in hits(ONE_BY_ONE, text)


def test_neither_nor_negates_both() -> None:
    assert hits(ONE_BY_ONE, "It neither adds a nonlinearity nor mixes the channels.") == []


def test_a_few_words_after_a_semicolon_finish_the_claim_before_them() -> None:
    """Note form: "Basic: 3x3 -> 3x3; ResNet-18/34." says which ResNets use the basic block."""
    reading = read("Basic: 3x3 -> 3x3, same width; ResNet-18/34. Bottleneck; ResNet-50.")
    clauses = [(reading.norm.text[a:b].strip(" ."), claim) for a, b, claim in reading.clauses]
    assert clauses[0] == ("Basic: 3x3 -> 3x3, same width; ResNet-18/34", True)
    # after a term that makes no claim, a fragment stays a term
    assert ("ResNet-50", False) in clauses


def test_a_list_of_terms_stays_a_list_after_a_semicolon() -> None:
    reading = read("Bottleneck; non-linearity; cross-channel mixing; fewer parameters.")
    assert not reading.makes_claims


def test_steps_in_order_make_a_claim_a_list_does_not() -> None:
    assert makes_claims("conv-BN-ReLU-conv-BN, add, then ReLU")
    assert not makes_claims("conv-BN-ReLU-conv-BN, add, ReLU")
