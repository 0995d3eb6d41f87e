"""The shipped ``normalisation`` deck: its data for ``DeckSuite``, and tests of its own.

``DeckSuite`` checks the structure and the rubric patterns: each concept key point must be hit
by the deck's own answer and by an answer in other words, while plausible wrong answers hit at
most one key point. The tests here add what only this deck asks for: its answers typed as plain
text and in interview shorthand must hit every key point too; and they check its arithmetic and
its choice and code questions. Code questions are not graded here: ``quiz check-deck`` runs
their references and wrong solutions through the grader in CI.
"""

from __future__ import annotations

import re
from typing import ClassVar

import pytest
from deck_helpers import (
    choice_question,
    code_question,
    concept_question,
    key_points_missed,
    numeric_question,
)
from deck_suite import DECKS_DIR, DeckSuite

from questions import Deck


def _plain(markdown: str) -> str:
    """The answer as a person might type it: no emphasis, $ signs or LaTeX commands."""
    text = markdown.replace("**", "").replace("*", "").replace("$", "")
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", text)
    return text.replace(r"\leftarrow", "<-").replace(r"\times", "x").replace("\\", "")


class TestNormalisationDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "normalisation.yaml"
    DECK_ID = "normalisation"
    DECK_TITLE = "Normalisation layers"

    CONCEPT_IDS = (
        "norm-axes",
        "train-vs-eval",
        "conv-bias-redundant",
        "batch-size-sensitivity",
        "pre-vs-post-ln",
        "epsilon",
    )
    NUMERIC_IDS = ("running-stats-update", "norm-param-count", "values-per-statistic", "fold-bn")
    CHOICE_IDS = ("choose-norm", "train-eval-layers")
    CODE_IDS = ("batch-norm-function", "layer-norm-module")
    QUESTION_IDS = (
        "norm-axes",
        "train-vs-eval",
        "running-stats-update",
        "conv-bias-redundant",
        "norm-param-count",
        "values-per-statistic",
        "batch-size-sensitivity",
        "pre-vs-post-ln",
        "epsilon",
        "fold-bn",
        "choose-norm",
        "train-eval-layers",
        "batch-norm-function",
        "layer-norm-module",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 6, "numeric": 4, "choice": 2, "code": 2}
    MULTIPLE_CHOICE_IDS = frozenset({"train-eval-layers"})
    # At least one also_accept alternative (the default ALSO_ACCEPT_COUNT): the buffer count also
    # accepts num_batches_tracked.

    # A good answer to each concept question, worded differently from the deck's answer.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "norm-axes": (
            "Batch norm takes one mean and variance for each channel across the batch and spatial "
            "dimensions, so it needs the other images. Layer norm works on each sample by itself, "
            "over all of its channels and positions. Instance norm is per image and per channel, "
            "averaging only over height and width. Group norm splits the channels into groups and "
            "normalises each group of channels within one sample."
        ),
        "train-vs-eval": (
            "While training it standardises each channel with the mean and variance of the "
            "current mini-batch and keeps an exponential moving average of them. At test time it "
            "uses those moving averages instead. If you leave the model in train mode, the "
            "prediction for an image depends on which other images happen to be in the batch, and "
            "the test data pollutes the stored statistics."
        ),
        "conv-bias-redundant": (
            "Whatever constant the conv adds to a channel is subtracted again when BN removes the "
            "channel mean, so it has no effect. The beta of the BN layer provides the offset "
            "anyway, so build the conv without bias and you save some parameters."
        ),
        "batch-size-sensitivity": (
            "With only two images the per-channel mean and variance are unreliable estimates and "
            "jump around between iterations, and the running averages used at inference no longer "
            "match what the network saw in training, a discrepancy between the two modes. Use "
            "GroupNorm, or SyncBN so the statistics are computed over all GPUs."
        ),
        "pre-vs-post-ln": (
            "The original design normalises the sum: out = LN(x + sublayer(x)). The pre-norm "
            "variant applies the layer norm on the input to each sublayer, out = x + "
            "sublayer(LN(x)), and leaves the skip path untouched. Pre-norm is used because "
            "training is more stable and you hardly need a warmup schedule."
        ),
        "epsilon": (
            "It is there so we never divide by zero when a channel has zero variance. It is added "
            "under the square root, sqrt(var + eps). For a nearly constant channel it limits the "
            "scale factor, so noise is not amplified into unit-variance garbage."
        ),
    }

    # The same in interview shorthand: axis letters, formulas, abbreviations.
    TERSE: ClassVar[dict[str, str]] = {
        "norm-axes": (
            "BN: mean/var per channel over N,H,W. LN: per sample over C,H,W. "
            "IN: per sample per channel over H,W. GN: per sample over C/G channels and H,W."
        ),
        "train-vs-eval": (
            "Train: batch stats, and it updates the running estimates with momentum. Eval: running "
            "mean and var. Forget eval() and outputs depend on the batch composition, and test "
            "batches overwrite the running stats."
        ),
        "conv-bias-redundant": (
            "The bias only shifts the channel mean and BN's mean subtraction undoes it; beta "
            "replaces it. Use bias=False."
        ),
        "batch-size-sensitivity": (
            "Mean/var from 2 images are noisy; train/test mismatch between batch stats and running "
            "averages. Fix: GN, synchronized BN across GPUs, or frozen BN."
        ),
        "pre-vs-post-ln": (
            "Post-LN: x = LayerNorm(x + Attn(x)). Pre-LN: x = x + Attn(LayerNorm(x)). Pre-LN has "
            "better gradient flow and needs no warmup."
        ),
        "epsilon": (
            "Avoids division by zero: y = (x - mu) / sqrt(var + eps). For a constant channel the "
            "output is close to beta instead of amplified noise."
        ),
    }

    # Plausible wrong answers: each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "norm-axes": [
            "BatchNorm normalises each sample over its features, and LayerNorm normalises each "
            "feature across the batch; the other two are just variants of BatchNorm.",
            "All four compute one global mean and variance over the whole tensor; they only differ "
            "in how the learnable scale is applied.",
        ],
        "train-vs-eval": [
            "There is no difference: BatchNorm always normalises with the statistics of the "
            "current mini-batch; eval() only turns off dropout.",
            "In eval mode BatchNorm is simply switched off and passes its input through unchanged, "
            "so forgetting eval() only makes inference a little slower.",
        ],
        "conv-bias-redundant": [
            "Because BatchNorm divides by the standard deviation, which scales the bias down to "
            "nothing, so the bias becomes too small to matter.",
            "The bias is not redundant; it is needed so the ReLU after BatchNorm has a learnable "
            "threshold, so keep it in every convolution.",
        ],
        "batch-size-sensitivity": [
            "Small batches make each step slower on the GPU, so BatchNorm takes longer; use a "
            "larger learning rate to compensate.",
            "BatchNorm needs at least 32 samples per batch or PyTorch raises an error; just use "
            "dropout instead of normalisation.",
        ],
        "pre-vs-post-ln": [
            "Post-LN puts LayerNorm at the very end of the network and pre-LN puts it at the very "
            "beginning, right after the embeddings; pre-LN is chosen because it is faster.",
            "Both place LayerNorm inside the attention, on the query and key vectors; pre-LN uses "
            "fewer parameters, which is why large models prefer it.",
        ],
        "epsilon": [
            "Epsilon is the momentum of the running average; a small value makes the running mean "
            "change slowly.",
            "It is a tiny learning rate applied to gamma and beta so that they stay close to their "
            "initial values during training.",
        ],
    }

    # Normalisation vocabulary that answers none of the questions: catches patterns as loose as
    # `norm`, `mean`, `batch` or `layer` on their own.
    OFF_TOPIC = (
        "I don't know.",
        "Normalisation layers make deep networks easier to train; they are used in most modern "
        "architectures.",
        "Convolutional networks learn filters with backpropagation, and deeper layers see larger "
        "regions of the input image.",
    )

    # --------------------------------------------------------------------- rubric

    @pytest.mark.parametrize("question_id", CONCEPT_IDS)
    def test_plain_deck_answer_hits_every_key_point(self, deck: Deck, question_id: str) -> None:
        question = concept_question(deck, question_id)
        assert key_points_missed(question, _plain(question.answer)) == []

    @pytest.mark.parametrize("question_id", CONCEPT_IDS)
    def test_terse_answer_hits_every_key_point(self, deck: Deck, question_id: str) -> None:
        assert key_points_missed(concept_question(deck, question_id), self.TERSE[question_id]) == []

    def test_every_concept_question_has_a_terse_answer(self) -> None:
        assert set(self.TERSE) == set(self.CONCEPT_IDS)

    # --------------------------------------------------------------------- numeric

    def test_running_stats_update(self, deck: Deck) -> None:
        mean, biased_var, running_mean, running_var = numeric_question(
            deck, "running-stats-update"
        ).parts
        values = [1, 2, 3, 6]
        batch_mean = sum(values) / len(values)
        squares = sum((v - batch_mean) ** 2 for v in values)
        assert mean.answer == batch_mean == 3
        assert biased_var.answer == pytest.approx(squares / len(values))
        # PyTorch: new = (1 - momentum) * old + momentum * batch value; running mean starts at 0.
        assert running_mean.answer == pytest.approx(0.9 * 0 + 0.1 * batch_mean)
        # The running variance stores the unbiased estimate; it starts at 1.
        assert running_var.answer == pytest.approx(0.9 * 1 + 0.1 * squares / (len(values) - 1))
        # Using the biased variance there (a common slip) must not count as correct or close.
        slip = 0.9 * 1 + 0.1 * squares / len(values)
        assert running_var.answer is not None
        assert not running_var.tolerance.allows(slip, running_var.answer, scale=10)

    def test_parameter_counts(self, deck: Deck) -> None:
        parts = numeric_question(deck, "norm-param-count").parts
        assert [p.answer for p in parts] == [512, 512, 256, 1536]
        assert [alt.value for alt in parts[1].also_accept] == [513]

    def test_values_per_statistic(self, deck: Deck) -> None:
        n, c, h, w, groups = 8, 64, 16, 16, 16
        parts = numeric_question(deck, "values-per-statistic").parts
        assert [p.answer for p in parts] == [
            n * h * w,
            c * h * w,
            h * w,
            c // groups * h * w,
            n * groups,
        ]

    def test_fold_bn(self, deck: Deck) -> None:
        scale, weight, bias = numeric_question(deck, "fold-bn").parts
        gamma, beta, mu, std, w, b = 3, 0.5, 1, 2, 0.6, 0.2
        assert scale.answer == pytest.approx(gamma / std)
        assert weight.answer == pytest.approx(gamma / std * w)
        assert bias.answer == pytest.approx(gamma / std * (b - mu) + beta)

    # --------------------------------------------------------------------- choice

    def test_choose_norm_is_group_norm(self, deck: Deck) -> None:
        question = choice_question(deck, "choose-norm")
        [correct] = question.correct_indices
        assert question.options[correct].text.startswith("GroupNorm")

    def test_train_eval_layers_are_those_with_running_statistics(self, deck: Deck) -> None:
        question = choice_question(deck, "train-eval-layers")
        correct = {question.options[i].text for i in question.correct_indices}
        assert correct == {"nn.BatchNorm2d(64)", "nn.InstanceNorm2d(64, track_running_stats=True)"}

    # --------------------------------------------------------------------- code (not graded)

    def test_batch_norm_function_question(self, deck: Deck) -> None:
        question = code_question(deck, "batch-norm-function")
        assert question.entry_point == "batch_norm_train"
        assert question.signature == "batch_norm_train(x, weight, bias, eps=1e-5)"
        checks = question.checks
        assert checks is not None
        assert checks.kind == "function"
        assert list(checks.inputs) == ["x", "weight", "bias"]
        assert list(checks.init) == ["eps"]  # drawn and passed by keyword: it must be used
        assert checks.inputs["x"].shape == ["n", "c", "h", "w"]
        assert checks.inputs["weight"].shape == checks.inputs["bias"].shape == ["c"]
        assert checks.model_dump()["dims"]["n"]["int"][0] >= 2
        # Small-variance inputs, so that eps inside or outside the square root differs visibly.
        low, high = checks.inputs["x"].low, checks.inputs["x"].high
        assert isinstance(low, float) and isinstance(high, float)
        assert 0 < high - low <= 0.1
        assert "correction=0" in question.reference
        assert checks.compare == ["output_shape", "outputs", "gradients"]
        fails = [wrong.fails for wrong in question.wrong_solutions]
        assert {"output_shape", "outputs", "gradients"} <= set(fails)

    def test_layer_norm_module_question(self, deck: Deck) -> None:
        question = code_question(deck, "layer-norm-module")
        assert question.entry_point == "LayerNorm"
        assert question.signature == "LayerNorm(normalized_shape, eps=1e-5)"
        checks = question.checks
        assert checks is not None
        assert checks.kind == "module"
        assert list(checks.init) == ["normalized_shape", "eps"]  # eps drawn: it must be used
        assert checks.inputs["x"].shape == ["batch", "seq", "normalized_shape"]
        # The prompt rules out the built-in and says how weight and bias start.
        assert {"aten.native_layer_norm", "aten.layer_norm"} <= set(checks.forbid[0].ops)
        assert checks.initial == ["weight", "bias"]
        assert "torch.ones(normalized_shape)" in question.reference
        assert "torch.zeros(normalized_shape)" in question.reference
        assert checks.compare == ["parameters", "output_shape", "outputs", "gradients"]
        fails = [wrong.fails for wrong in question.wrong_solutions]
        assert {"rules", "parameters", "output_shape", "initial", "outputs"} <= set(fails)

    @pytest.mark.parametrize("question_id", CODE_IDS)
    def test_wrong_solutions_name_checks_the_question_runs(
        self, deck: Deck, question_id: str
    ) -> None:
        question = code_question(deck, question_id)
        assert question.checks is not None
        runnable = {"compile", "load", *question.checks.compare}
        if question.checks.kind == "module":
            runnable.add("construct")
        if question.checks.forbid:
            runnable.add("rules")
        if question.checks.initial:
            runnable.add("initial")
        for wrong in question.wrong_solutions:
            assert wrong.fails in runnable, wrong.name
            assert wrong.code.strip() != question.reference.strip()
