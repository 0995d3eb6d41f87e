"""The shipped ``attention`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns: every concept key point must be hit
by the deck's own answer and by a good answer in other words; plausible wrong answers (and
off-topic attention vocabulary) must not pass for right ones. The tests here check what only
this deck has: its numeric answers and its choice and code questions. The code questions are
graded by ``quiz check-deck`` in CI, not here.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from deck_helpers import choice_question, code_question, numeric_question
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck
from questions._models import IntStrategy


class TestAttentionDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "attention.yaml"
    DECK_ID = "attention"
    DECK_TITLE = "Attention"

    CONCEPT_IDS = ("scaled-dot-product", "causal-mask", "multi-head", "kv-cache", "self-vs-cross")
    NUMERIC_IDS = ("dot-product-variance", "mha-parameters", "attention-flops", "kv-cache-size")
    CHOICE_IDS = ("softmax-axis", "cross-attention-sources")
    CODE_IDS = ("causal-attention", "multi-head-self-attention")

    QUESTION_IDS = (
        "scaled-dot-product",
        "dot-product-variance",
        "softmax-axis",
        "causal-mask",
        "multi-head",
        "mha-parameters",
        "attention-flops",
        "kv-cache",
        "kv-cache-size",
        "self-vs-cross",
        "cross-attention-sources",
        "causal-attention",
        "multi-head-self-attention",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 2, "code": 2}
    # Every choice question has its one correct option first.
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = dict.fromkeys(CHOICE_IDS, frozenset({0}))
    ALSO_ACCEPT_COUNT = 2  # decimal gigabytes in kv-cache-size

    # Good answers in words other than the deck's: each must hit every key point.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "scaled-dot-product": (
            "Output = softmax(Q K^T / sqrt(d_k)) V. If the entries of q and k are independent with "
            "unit variance, q.k adds up d_k such products, so its variance equals d_k. Logits that "
            "big push the softmax towards a one-hot distribution where the gradients almost "
            "disappear. Multiplying by 1/sqrt(d_k) keeps the scores well scaled regardless of the "
            "head dimension."
        ),
        "causal-mask": (
            "Token i can look only at tokens 1..i, never at later ones. Before the softmax we add "
            "minus infinity to every score above the main diagonal, so those probabilities become "
            "zero. Training scores every position in a single pass with teacher forcing, so "
            "without it each position could peek at the very token it is supposed to predict."
        ),
        "multi-head": (
            "Every head learns its own Q, K and V maps into a low-dimensional subspace, so one "
            "head can track syntax while another tracks nearby words. The head outputs are "
            "concatenated and passed through W_O. Since each head is d_model/h wide, the "
            "parameter count and the compute are about what a single big head would need."
        ),
        "kv-cache": (
            "While decoding we keep the K and V tensors of the tokens generated so far in every "
            "layer, and each new step feeds only the newest token through the network. Past tokens "
            "never attend to future ones, so their keys and values stay the same. That avoids "
            "recomputing the whole prefix, so a step is linear in the context, but the memory "
            "grows with sequence length, number of layers and batch size."
        ),
        "self-vs-cross": (
            "In self-attention a sequence attends to itself: Q, K and V are computed from the "
            "same tokens. In cross-attention the queries come from the decoder while the keys and "
            "values come from the encoder's output, as in every decoder layer of a translation "
            "model. The score matrix is then target length by source length, so it is not square."
        ),
    }

    # Plausible wrong answers: each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "scaled-dot-product": [
            "We divide by the square root of d_k so that the attention weights of each query sum "
            "to one and form a probability distribution over the keys.",
            "The square root keeps the model from overfitting: smaller scores act like dropout and "
            "regularise the attention, and training is faster on long sequences.",
        ],
        "causal-mask": [
            "The causal mask hides the padding tokens of shorter sentences in a batch; the "
            "attention weights at pad positions are multiplied by zero after the softmax.",
            "It randomly hides 15% of the input tokens, which the model must reconstruct, as in "
            "BERT pre-training; the hidden tokens are replaced by a [MASK] token.",
        ],
        "multi-head": [
            "Several heads make the network deeper: the heads are stacked one after another so "
            "each one refines the previous head's output, which costs h times more parameters.",
            "Multiple heads let the model process several sentences of a batch in parallel, one "
            "sentence per head, which speeds up training on a GPU.",
        ],
        "kv-cache": [
            "The KV cache stores the attention weights of the previous batch so that the next "
            "batch can reuse them, which reduces overfitting.",
            "It caches the queries of all previous tokens so that the softmax does not need to be "
            "recomputed, and it saves memory because the cache is smaller than the weights.",
        ],
        "self-vs-cross": [
            "Self-attention is used in the encoder and cross-attention in the decoder; "
            "cross-attention uses a causal mask so that it cannot see future tokens, and both "
            "have an n by n score matrix.",
            "Cross-attention lets every head attend across the other heads, while self-attention "
            "keeps each head to itself.",
        ],
    }

    # Attention vocabulary that answers none of the questions: no key point may fire on it.
    OFF_TOPIC = (
        "I don't know.",
        "Attention computes a weighted sum of value vectors using softmax scores.",
        "Transformers replaced recurrent networks for sequence modelling and are trained with "
        "Adam on large text corpora.",
    )

    # --------------------------------------------------------------------- choice

    def test_softmax_axis_is_the_keys(self, deck: Deck) -> None:
        question = choice_question(deck, "softmax-axis")
        [correct] = question.correct_indices
        assert "dim=-1" in question.options[correct].text

    # --------------------------------------------------------------------- numeric

    def test_mha_parameters_are_four_projections_with_bias(self, deck: Deck) -> None:
        d = 512
        answers = [p.answer for p in numeric_question(deck, "mha-parameters").parts]
        assert answers == [d * d + d, 4 * (d * d + d), 4 * (d * d + d), d * (d // 8)]
        assert answers[1] == 1_050_624

    def test_attention_flops_are_quadratic_in_n(self, deck: Deck) -> None:
        n, d = 2048, 128
        answers = [p.answer for p in numeric_question(deck, "attention-flops").parts]
        assert answers == [n * n * d, 4 * n * n * d, n * n, 4]

    def test_kv_cache_size(self, deck: Deck) -> None:
        per_token = 2 * 32 * 4096 * 2
        answers = [p.answer for p in numeric_question(deck, "kv-cache-size").parts]
        assert answers == [per_token, per_token * 4096, 2, 16]

    def test_dot_product_variance(self, deck: Deck) -> None:
        answers = [p.answer for p in numeric_question(deck, "dot-product-variance").parts]
        assert answers == [64, 1, pytest.approx(1 / 64), 4]

    # --------------------------------------------------------------------- code (static)

    def test_causal_attention_checks(self, deck: Deck) -> None:
        question = code_question(deck, "causal-attention")
        checks = question.checks
        assert checks is not None and checks.kind == "function"
        assert list(checks.inputs) == ["q", "k", "v"]
        # n >= 2, or a mask with the wrong triangle could not change the output.
        n = checks.dims["n"]
        assert isinstance(n, IntStrategy) and isinstance(n.int[0], int) and n.int[0] >= 2

    def test_multi_head_checks(self, deck: Deck) -> None:
        question = code_question(deck, "multi-head-self-attention")
        checks = question.checks
        assert checks is not None and checks.kind == "module"
        d_model = checks.init["d_model"]
        assert isinstance(d_model, IntStrategy) and d_model.multiple_of == "num_heads"
        assert "dropout" not in question.reference.lower()
        assert question.reference.count("nn.Linear(d_model, d_model)") == 4
        assert {w.fails for w in question.wrong_solutions} >= {"parameters", "outputs"}
