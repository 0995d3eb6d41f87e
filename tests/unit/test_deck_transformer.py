"""The shipped ``transformer`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns. The tests here recompute the deck's
numeric answers from first principles, pin its choice questions, check how its code questions
are set up, and (marked slow) run each reference against PyTorch's own modules and grade the
correct solutions in other styles under ``fixtures/transformer`` with the real grader. The wrong
solutions are graded by ``quiz check-deck``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
from deck_fixtures import assert_verdict, fixture_files, fixture_params, grade_fixtures
from deck_helpers import choice_question, code_question, numeric_question, reference_entry
from deck_suite import DECKS_DIR, DeckSuite

from grader import SubmissionReport
from questions import Deck
from questions._models import IntStrategy

OTHER_STYLES = fixture_files("transformer", "correct_*.py")
"""Correct solutions in styles other than the reference's, as ``question-id/file.py``."""
WRONG_STYLES = {
    "rope-function/wrong_ignores_base.py": "outputs",
    "rope-function/wrong_positions_along_batch.py": "outputs",
    "pre-ln-block/wrong_attention_without_bias.py": "parameters",
    "pre-ln-block/wrong_gelu_tanh_approximation.py": "outputs",
    "patch-embedding/wrong_class_token_without_position.py": "outputs",
    "patch-embedding/wrong_column_major_patches.py": "outputs",
    "grouped-query-attention/wrong_kv_heads_not_transposed.py": "outputs",
    "grouped-query-attention/wrong_projections_without_bias.py": "parameters",
}
"""Mistakes other than the deck's own wrong solutions, with the check that must catch each."""
KNOWN = {
    "rope-function/correct_complex.py": (
        "the judge does not run complex operations (aten.polar, aten.complex), so RoPE written "
        "with complex numbers, as in the RoFormer and Llama code, cannot be checked"
    ),
    "grouped-query-attention/correct_sdpa_enable_gqa.py": (
        "the judge refuses the traced SDPA op when keys and values have fewer heads than the "
        "queries (enable_gqa=True): 'query, key and value that do not fit together'"
    ),
}
"""Correct solutions the grader fails today: strict xfails, red as soon as it passes them."""


class TestTransformerDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "transformer.yaml"
    DECK_ID = "transformer"
    DECK_TITLE = "Transformers beyond attention"

    CONCEPT_IDS = ("sinusoidal-encoding", "rope", "model-families", "mqa-gqa", "flash-attention")
    NUMERIC_IDS = ("positional-numbers", "block-parameters", "vit-tokens", "gqa-cache")
    CHOICE_IDS = ("learned-positions", "alibi-bias", "pre-ln-final-norm", "vit-cls-token")
    CODE_IDS = ("rope-function", "pre-ln-block", "patch-embedding", "grouped-query-attention")

    QUESTION_IDS = (
        "sinusoidal-encoding",
        "learned-positions",
        "rope",
        "positional-numbers",
        "alibi-bias",
        "block-parameters",
        "pre-ln-final-norm",
        "model-families",
        "vit-tokens",
        "vit-cls-token",
        "mqa-gqa",
        "gqa-cache",
        "flash-attention",
        "rope-function",
        "pre-ln-block",
        "patch-embedding",
        "grouped-query-attention",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 4, "code": 4}
    # Every choice question has its one correct option first.
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = dict.fromkeys(CHOICE_IDS, frozenset({0}))
    ALSO_ACCEPT_COUNT = 1  # decimal gigabytes in gqa-cache

    # Good answers in words other than the deck's and its examples': each must hit every point.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "sinusoidal-encoding": (
            "Even dimensions are sin(pos / 10000^(2i/d)) and odd ones the matching cosine, so "
            "the wavelengths are spread from 2 pi to about 63,000 positions. "
            "Moving k positions ahead is a linear function of the current encoding, a rotation "
            "of every sin/cos pair, so the model can easily learn to attend by relative "
            "position. It has no parameters at all, and the authors hoped it would extrapolate "
            "to longer sequences than the training ones."
        ),
        "rope": (
            "Think of the query as d/2 little 2-D vectors; the one for frequency i is rotated "
            "by an angle proportional to the position, m times theta_i. This is done to the "
            "queries and keys in every layer. When you take q_m . k_n the two rotations "
            "partly cancel and the result depends only on the offset n - m."
        ),
        "model-families": (
            "BERT has bidirectional attention and learns by predicting masked tokens, then gets "
            "fine-tuned for classification or tagging. GPT uses a causal mask and is trained on "
            "next-token prediction, which makes it a text generator. An encoder-decoder model "
            "such as T5 has a decoder that cross-attends to the encoder, and it is used for "
            "seq2seq tasks like translation."
        ),
        "mqa-gqa": (
            "With multi-query attention all the heads share the same keys and values, one "
            "K head and one V head. Grouped-query attention splits the query heads into groups "
            "and each group shares one key/value head, an interpolation between MHA and MQA. "
            "The point is inference: the cache is smaller by h/G, so decoding reads fewer "
            "bytes and becomes faster."
        ),
        "flash-attention": (
            "It tiles the computation into blocks held in SRAM, so the full attention matrix "
            "never gets written out to HBM. Softmax normalisation is done on the fly with a "
            "running max and running sum, and the backward pass recomputes the scores. The "
            "output is exact, not an approximation, so the maths and FLOPs stay the same."
        ),
    }

    # Plausible wrong answers: each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "sinusoidal-encoding": [
            "The encoding is a learned table of sines that is multiplied with the word "
            "embeddings; because it is trained, it only works up to the maximum length.",
            "Each token gets its index divided by the sequence length, passed through a sine, "
            "so all positions lie between 0 and 1 and the model sees where in the sentence it is.",
        ],
        "rope": [
            "RoPE adds a rotation matrix to the token embedding at the input, like the learned "
            "position embeddings of BERT, and the values are rotated as well.",
            "It randomly permutes the order of the features at each layer so that the model "
            "becomes invariant to positions, which acts like data augmentation.",
        ],
        "model-families": [
            "BERT, GPT and T5 are all decoders with causal masks; they differ only in size and "
            "in the amount of data they were trained on.",
            "GPT is bidirectional and BERT is autoregressive; the encoder-decoder is a "
            "recurrent network with attention added on top.",
        ],
        "mqa-gqa": [
            "Multi-query attention uses many queries per token so that the model can ask several "
            "questions at once, which increases accuracy but costs more FLOPs.",
            "Grouped-query attention groups tokens into chunks and attends only within each "
            "chunk, making the cost linear in the sequence length.",
        ],
        "flash-attention": [
            "FlashAttention approximates the softmax with a low-rank kernel, so attention "
            "becomes linear in the sequence length at a small cost in accuracy.",
            "It prunes the attention matrix, keeping only the largest scores per row, and uses "
            "int8 arithmetic to speed up the matrix multiplications.",
        ],
    }

    # Transformer vocabulary that answers none of the questions: no key point may fire on it.
    OFF_TOPIC = (
        "I don't know.",
        "A Transformer stacks attention and feed-forward layers with residual connections.",
        "Large language models are trained on huge corpora with the Adam optimiser and a "
        "learning-rate schedule.",
    )

    # --------------------------------------------------------------------- numeric

    def test_rope_and_alibi_numbers(self, deck: Deck) -> None:
        d, base, heads = 128, 10000, 8
        pairs = d // 2
        slowest = base ** (-2 * (pairs - 1) / d)

        def slope(k: int) -> float:
            return float(2 ** (-8 * k / heads))

        expected = [pairs, slowest, 2 * math.pi / slowest, slope(3), -slope(1) * (10 - 4)]
        answers = [p.answer for p in numeric_question(deck, "positional-numbers").parts]
        assert answers == [pytest.approx(value, rel=1e-6) for value in expected]
        assert slope(3) == 0.125

    def test_block_parameters_add_up(self, deck: Deck) -> None:
        d, d_ff = 512, 2048
        ffn = d * d_ff + d_ff + d_ff * d + d
        attention = 4 * (d * d + d)
        norms = 2 * 2 * d
        parts = numeric_question(deck, "block-parameters").parts
        answers = [p.answer for p in parts]
        block = ffn + attention + norms
        assert answers == [ffn, attention, norms, block, pytest.approx(ffn / block, rel=1e-6)]
        assert block == 3_152_384
        measure = parts[3].measure
        assert measure is not None and measure.question == "pre-ln-block"
        assert measure.args == {"d_model": d, "num_heads": 8, "d_ff": d_ff}

    def test_vit_tokens(self, deck: Deck) -> None:
        image, patch, channels, dim = 224, 16, 3, 768
        patches = (image // patch) ** 2
        answers = [p.answer for p in numeric_question(deck, "vit-tokens").parts]
        assert answers == [
            patches,
            patches + 1,
            patch * patch * channels * dim + dim,
            (patches + 1) * dim,
            (384 // patch) ** 2 + 1,
        ]

    def test_gqa_cache(self, deck: Deck) -> None:
        layers, head_dim, fp16 = 80, 128, 2

        def per_token(kv_heads: int) -> int:
            return 2 * layers * kv_heads * head_dim * fp16

        answers = [p.answer for p in numeric_question(deck, "gqa-cache").parts]
        assert answers == [
            per_token(8),
            per_token(64),
            8,
            per_token(1),
            per_token(8) * 4096 * 16 / 2**30,
        ]
        assert answers[-1] == 20

    # --------------------------------------------------------------------- choice

    def test_alibi_is_a_distance_penalty_on_the_scores(self, deck: Deck) -> None:
        question = choice_question(deck, "alibi-bias")
        [correct] = question.correct_indices
        assert "penalty" in question.options[correct].text
        assert "no position embeddings" in question.options[correct].text

    def test_pre_ln_stack_needs_a_final_layer_norm(self, deck: Deck) -> None:
        question = choice_question(deck, "pre-ln-final-norm")
        [correct] = question.correct_indices
        assert question.options[correct].text.startswith("A LayerNorm after the last block")

    # --------------------------------------------------------------------- code (static)

    def test_rope_draws_the_base_and_even_widths(self, deck: Deck) -> None:
        checks = code_question(deck, "rope-function").checks
        assert checks is not None and checks.kind == "function"
        assert "base" in checks.init
        assert checks.inputs["x"].shape == ["batch", "n", "2*pairs"]
        # n >= 2, or every token would sit at position 0 and no rotation would show.
        n = checks.dims["n"]
        assert isinstance(n, IntStrategy) and n.int[0] == 2

    def test_attention_modules_accept_a_fused_projection(self, deck: Deck) -> None:
        for question_id in ("pre-ln-block", "grouped-query-attention"):
            checks = code_question(deck, question_id).checks
            assert checks is not None
            assert ["q_proj.weight", "k_proj.weight", "v_proj.weight"] in checks.joins

    def test_gqa_draws_heads_in_groups(self, deck: Deck) -> None:
        checks = code_question(deck, "grouped-query-attention").checks
        assert checks is not None
        heads = checks.init["num_heads"]
        assert isinstance(heads, IntStrategy) and heads.multiple_of == "num_kv_heads"
        # at least two key/value heads with two query heads each can be drawn: the only case
        # where repeat and repeat_interleave differ
        assert heads.int == ("num_kv_heads", "3*num_kv_heads")

    def test_wrong_solutions_cover_the_mistakes_named_in_the_answers(self, deck: Deck) -> None:
        names = {
            question_id: " / ".join(
                w.name for w in code_question(deck, question_id).wrong_solutions
            )
            for question_id in self.CODE_IDS
        }
        assert "rotate half" in names["rope-function"]
        assert "wrong sign" in names["rope-function"]
        assert "post-LN" in names["pre-ln-block"]
        assert "no class token" in names["patch-embedding"]
        assert "repeat" in names["grouped-query-attention"]

    # --------------------------------------------------------------------- code (run)

    @pytest.mark.slow
    def test_rope_reference_rotates_adjacent_pairs_and_keeps_relative_scores(
        self, deck: Deck
    ) -> None:
        torch = pytest.importorskip("torch")
        apply_rope = reference_entry(deck, "rope-function")
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(2, 5, 6, generator=generator, dtype=torch.float64)
        out = apply_rope(x, base=100.0)
        m, i = 3, 1
        angle = m * 100.0 ** (-2 * i / 6)
        first, second = x[:, m, 2 * i], x[:, m, 2 * i + 1]
        torch.testing.assert_close(
            out[:, m, 2 * i], first * math.cos(angle) - second * math.sin(angle)
        )
        torch.testing.assert_close(
            out[:, m, 2 * i + 1], first * math.sin(angle) + second * math.cos(angle)
        )
        # the same query and key vectors at every position: q_m . k_n depends on n - m only
        q = torch.randn(1, 1, 6, generator=generator, dtype=torch.float64).expand(1, 5, 6)
        k = torch.randn(1, 1, 6, generator=generator, dtype=torch.float64).expand(1, 5, 6)
        scores = apply_rope(q) @ apply_rope(k).transpose(-2, -1)
        torch.testing.assert_close(scores[0, 0, 2], scores[0, 2, 4])
        torch.testing.assert_close(scores[0, 1, 0], scores[0, 4, 3])

    @pytest.mark.slow
    def test_pre_ln_reference_matches_torch_encoder_layer(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        block_class = reference_entry(deck, "pre-ln-block")
        torch.manual_seed(0)
        d_model, heads, d_ff = 8, 2, 12
        block = block_class(d_model, heads, d_ff)
        layer = torch.nn.TransformerEncoderLayer(
            d_model, heads, d_ff, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
        )
        with torch.no_grad():
            layer.self_attn.in_proj_weight.copy_(
                torch.cat([block.q_proj.weight, block.k_proj.weight, block.v_proj.weight])
            )
            layer.self_attn.in_proj_bias.copy_(
                torch.cat([block.q_proj.bias, block.k_proj.bias, block.v_proj.bias])
            )
            pairs = [
                (layer.self_attn.out_proj, block.out_proj),
                (layer.linear1, block.fc1),
                (layer.linear2, block.fc2),
                (layer.norm1, block.norm1),
                (layer.norm2, block.norm2),
            ]
            for theirs, ours in pairs:
                theirs.weight.copy_(ours.weight)
                theirs.bias.copy_(ours.bias + torch.randn_like(ours.bias))
                ours.bias.copy_(theirs.bias)
        layer.eval()  # the fast path and training mode give the same maths without dropout
        x = torch.randn(3, 5, d_model)
        torch.testing.assert_close(block(x), layer(x))
        assert sum(p.numel() for p in block.parameters()) == sum(
            p.numel() for p in layer.parameters()
        )

    @pytest.mark.slow
    def test_patch_embedding_reference_puts_the_class_token_first(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        embedding = reference_entry(deck, "patch-embedding")(8, 4, 3, 5)
        with torch.no_grad():
            embedding.pos_embedding.zero_()
            embedding.cls_token.fill_(7.0)
        image = torch.randn(2, 3, 8, 8)
        tokens = embedding(image)
        assert tokens.shape == (2, 1 + 4, 5)
        assert torch.all(tokens[:, 0] == 7.0)
        # token 2 is the top-right patch: row-major order
        patch = image[:, :, 0:4, 4:8].reshape(2, -1)
        weight = embedding.proj.weight.reshape(5, -1)
        torch.testing.assert_close(tokens[:, 2], patch @ weight.T + embedding.proj.bias)

    @pytest.mark.slow
    def test_gqa_reference_matches_sdpa_with_enable_gqa(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        functional = torch.nn.functional
        torch.manual_seed(0)
        d_model, heads, kv_heads = 12, 6, 2
        attention = reference_entry(deck, "grouped-query-attention")(d_model, heads, kv_heads)
        x = torch.randn(2, 4, d_model)
        head_dim = d_model // heads
        q = attention.q_proj(x).view(2, 4, heads, head_dim).transpose(1, 2)
        k = attention.k_proj(x).view(2, 4, kv_heads, head_dim).transpose(1, 2)
        v = attention.v_proj(x).view(2, 4, kv_heads, head_dim).transpose(1, 2)
        out = functional.scaled_dot_product_attention(q, k, v, enable_gqa=True)
        expected = attention.out_proj(out.transpose(1, 2).reshape(2, 4, d_model))
        torch.testing.assert_close(attention(x), expected)

    @pytest.fixture(scope="class")
    def graded(self) -> dict[str, SubmissionReport]:
        """Every style file graded once, in one pool, by its name."""
        return grade_fixtures(self.DECK_ID, [*OTHER_STYLES, *WRONG_STYLES])

    @pytest.mark.slow
    @pytest.mark.parametrize("submission", fixture_params(OTHER_STYLES, KNOWN))
    def test_correct_solution_in_another_style_passes(
        self, graded: dict[str, SubmissionReport], submission: str
    ) -> None:
        assert_verdict(graded[submission])

    @pytest.mark.slow
    @pytest.mark.parametrize("submission", sorted(WRONG_STYLES))
    def test_mistake_in_another_style_fails_on_its_check(
        self, graded: dict[str, SubmissionReport], submission: str
    ) -> None:
        assert_verdict(graded[submission], WRONG_STYLES[submission])

    def test_every_style_file_is_expected_to_pass_or_fail(self) -> None:
        assert fixture_files("transformer") == sorted([*OTHER_STYLES, *WRONG_STYLES])

    def test_every_code_question_has_another_correct_style(self) -> None:
        assert {s.split("/")[0] for s in OTHER_STYLES} == set(self.CODE_IDS)
