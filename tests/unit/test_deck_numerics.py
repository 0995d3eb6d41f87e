"""The shipped ``numerics`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns. The tests here recompute the deck's
numeric answers from the formats themselves (float16 and float32 through ``struct``, bfloat16
from its bit layout), pin its choice questions, check how its code questions are set up and what
they forbid, check that the sample answers in the deck hit and miss the key points they say, and
(marked slow) check the float32 facts against torch and grade correct solutions in other styles
under ``fixtures/numerics`` with the real grader. The wrong solutions are graded by
``quiz check-deck``.
"""

from __future__ import annotations

import math
import struct
from typing import ClassVar

import pytest
from deck_fixtures import assert_verdict, fixture_files, grade_fixtures
from deck_helpers import (
    assert_examples_hit_and_miss_what_they_say,
    assert_examples_of_every_kind,
    code_question,
    concept_question,
    numeric_question,
)
from deck_suite import DECKS_DIR, DeckSuite

from grader import SubmissionReport
from questions import Deck

OTHER_STYLES = fixture_files("numerics", "correct_*.py")
"""Correct solutions in styles other than the reference's, as ``question-id/file.py``."""


def _float16(value: float) -> float:
    """``value`` rounded to the nearest float16 (struct's 'e' format is IEEE binary16)."""
    return float(struct.unpack("<e", struct.pack("<e", value))[0])


def _float32(value: float) -> float:
    """``value`` rounded to the nearest float32."""
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def _float16_bits(bits: int) -> float:
    return float(struct.unpack("<e", struct.pack("<H", bits))[0])


class TestNumericsDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "numerics.yaml"
    DECK_ID = "numerics"
    DECK_TITLE = "Stable numerics"

    CONCEPT_IDS = (
        "logsumexp-shift",
        "where-nan-gradient",
        "half-precision",
        "catastrophic-cancellation",
        "log1p-expm1",
    )
    NUMERIC_IDS = ("float-formats", "overflow-thresholds", "bce-extremes", "cancellation-variance")
    CHOICE_IDS = (
        "fp16-zero-gradients",
        "log-sigmoid-expression",
        "masked-softmax-row",
        "loss-scaling",
    )
    CODE_IDS = ("logsumexp-code", "softmax-code", "bce-with-logits-code")

    QUESTION_IDS = (
        "logsumexp-shift",
        "where-nan-gradient",
        "half-precision",
        "float-formats",
        "overflow-thresholds",
        "bce-extremes",
        "catastrophic-cancellation",
        "cancellation-variance",
        "log1p-expm1",
        "fp16-zero-gradients",
        "log-sigmoid-expression",
        "masked-softmax-row",
        "loss-scaling",
        "logsumexp-code",
        "softmax-code",
        "bce-with-logits-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 4, "code": 3}
    # The two machine epsilons each accept the unit roundoff, half of it.
    ALSO_ACCEPT_COUNT = 2
    ALSO_ACCEPT_NOTE_SAYS = "unit roundoff"

    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "fp16-zero-gradients": frozenset({0}),
        "log-sigmoid-expression": frozenset({3}),
        "masked-softmax-row": frozenset({2}),
        "loss-scaling": frozenset({1}),
    }

    # Correct answers in a person's own words, typed without markdown or LaTeX.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "logsumexp-shift": "log sum exp(x) = c + log sum exp(x - c) because exp(c) factors out "
        "of the sum, for any c. With c = max(x) every exponent is <= 0 and the largest term is "
        "exactly 1, so the sum is at least 1 and at most n. When the whole row is -inf the max "
        "is -inf too, and -inf - (-inf) = NaN; torch replaces an infinite max by 0 first.",
        "where-nan-gradient": "torch.where is not an if: log(x) is computed for all elements, "
        "including the zeros. The gradient of the branch you did not pick is zero, but autograd "
        "multiplies it by 1/x which is infinite, and 0 * inf gives NaN. You need a safe input "
        "for the log, i.e. replace x by 1 where x <= 0 before calling log.",
        "half-precision": "float16 uses 5 exponent bits and 10 fraction bits, so the largest "
        "value is 65504 and small gradients underflow. bfloat16 uses 8 exponent bits like fp32, "
        "so it has the same range, but just 7 mantissa bits. Mixed precision with fp16 needs "
        "loss scaling and fp32 master weights; bf16 usually gets away without the scaler.",
        "catastrophic-cancellation": "If two floats are almost equal, subtracting them leaves "
        "only the low-order bits, and those are mostly rounding error, so the relative error "
        "explodes. Computing the variance as the mean of squares minus the squared mean is the "
        "typical victim in normalisation layers. Welford's algorithm or a two-pass variance "
        "fixes it.",
        "log1p-expm1": "Adding a very small x to 1 rounds to exactly 1 in float32, so "
        "log(1 + x) returns 0 and all information is gone. log1p evaluates log(1 + x) directly "
        "and is accurate near zero, where it is about x - x^2/2. It shows up in softplus and in "
        "BCE with logits as log1p(exp(-|x|)).",
    }

    # Plausible but wrong answers; each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "logsumexp-shift": [
            "Subtracting the max is an approximation that only holds when all the inputs are "
            "close to each other; masked rows are fine because exp(-inf) is just 0.",
            "The shift is used to make the numbers positive so that the logarithm is defined, "
            "and rows of -inf simply produce -inf as expected.",
        ],
        "where-nan-gradient": [
            "The NaN appears because torch.where is not differentiable at all, so autograd "
            "returns NaN for any input that goes through it; use an if statement instead.",
            "log(0) is -inf in the forward pass, and the loss becomes -inf; the optimiser then "
            "divides by the loss and gets NaN. A smaller learning rate fixes it.",
        ],
        "half-precision": [
            "float16 and bfloat16 are the same format with different names; bfloat16 is just "
            "the name Google uses. Neither needs anything special in training.",
            "bfloat16 has more precision than float16 because it was designed for neural "
            "networks, and float16 needs gradient clipping to stay stable.",
        ],
        "catastrophic-cancellation": [
            "It is when a neural network forgets what it learned earlier after training on new "
            "data; replaying old examples avoids it.",
            "It happens when very large numbers overflow to infinity; using float64 everywhere "
            "is the only fix.",
        ],
        "log1p-expm1": [
            "They exist only for speed: log1p skips adding 1, which saves one addition in "
            "inner loops, and the results are identical otherwise.",
            "log1p is the logarithm in base 1 plus a constant, and expm1 is the exponential "
            "minus the mean; they are used to normalise features.",
        ],
    }

    # Generic vocabulary that answers none of the questions.
    OFF_TOPIC = (
        "I don't know.",
        "Floating point numbers are stored in binary in the computer's memory.",
        "Training a neural network means computing the loss, calling backward and taking an "
        "optimiser step.",
        "PyTorch tensors can live on the CPU or on the GPU.",
    )

    # --------------------------------------------------------------------- examples

    @pytest.mark.parametrize("concept_id", CONCEPT_IDS)
    def test_examples_cover_every_kind(self, deck: Deck, concept_id: str) -> None:
        assert_examples_of_every_kind(concept_question(deck, concept_id))

    @pytest.mark.parametrize("concept_id", CONCEPT_IDS)
    def test_examples_hit_and_miss_what_they_say(self, deck: Deck, concept_id: str) -> None:
        assert_examples_hit_and_miss_what_they_say(concept_question(deck, concept_id))

    # --------------------------------------------------------------------- numeric

    def test_float_formats(self, deck: Deck) -> None:
        largest, eps16, eps_bf16, gap = numeric_question(deck, "float-formats").parts
        # 0x7BFF: exponent 11110, fraction all ones — the largest finite float16.
        assert largest.answer == _float16_bits(0x7BFF)
        assert math.isinf(_float16_bits(0x7C00))
        # The next float16 above 1 is 0x3C01.
        assert eps16.answer == _float16_bits(0x3C01) - 1
        # bfloat16 is the top half of a float32: the next one above 1 flips the 7th fraction bit.
        one_bits = struct.unpack("<I", struct.pack("<f", 1.0))[0]
        next_bf16 = struct.unpack("<f", struct.pack("<I", one_bits + (1 << 16)))[0]
        assert eps_bf16.answer == next_bf16 - 1
        assert gap.answer == _float16(2048 + 2) - _float16(2048)
        assert _float16(2049) in (2048, 2050)  # 2049 has no float16

    def test_overflow_thresholds(self, deck: Deck) -> None:
        exp32, exp16, saturation = numeric_question(deck, "overflow-thresholds").parts
        largest32 = struct.unpack("<f", struct.pack("<I", 0x7F7FFFFF))[0]
        assert exp32.answer == pytest.approx(math.log(largest32), abs=0.01)
        assert exp16.answer == pytest.approx(math.log(65504), abs=0.01)
        # 1 + exp(-x) rounds to 1 in float32 exactly from 24 ln 2 on.
        threshold = 24 * math.log(2)
        assert saturation.answer == pytest.approx(threshold, abs=0.01)
        assert _float32(1 + math.exp(-(threshold + 0.01))) == 1.0
        assert _float32(1 + math.exp(-(threshold - 0.01))) > 1.0

    def test_bce_extremes(self, deck: Deck) -> None:
        exact, clamped, gradient, saturated = numeric_question(deck, "bce-extremes").parts
        x, y = 1e4, 0.0
        stable = max(x, 0) - x * y + math.log1p(math.exp(-abs(x)))
        assert exact.answer == pytest.approx(stable)
        # In float32 the sigmoid is exactly 1, so log(1 - p) is log 0 = -inf, clamped to -100.
        p = _float32(1 / (1 + math.exp(-x)))
        assert p == 1.0
        log_one_minus_p = math.log(1 - p) if p < 1 else -math.inf
        assert clamped.answer == pytest.approx(-(1 - y) * max(log_one_minus_p, -100))
        assert gradient.answer == pytest.approx(1 / (1 + math.exp(-x)) - y)
        assert saturated.answer == 0

    def test_cancellation_variance(self, deck: Deck) -> None:
        variance, mean_square, gap = numeric_question(deck, "cancellation-variance").parts
        values = [10001, 10002, 10003]
        mean = sum(values) / 3
        assert variance.answer == pytest.approx(sum((v - mean) ** 2 for v in values) / 3, rel=1e-5)
        exact_mean_square = sum(v * v for v in values) / 3
        assert mean_square.answer == pytest.approx(exact_mean_square, abs=0.01)
        # The float32 numbers next to E[x^2] are `gap` apart, and the variance is below one step.
        rounded = _float32(exact_mean_square)
        assert _float32(rounded + gap.value) - rounded == gap.answer
        assert _float32(rounded + gap.value / 4) == rounded
        assert variance.value < gap.value
        # The naive formula in float32 cannot return 2/3.
        naive = _float32(_float32(exact_mean_square) - _float32(_float32(mean) ** 2))
        assert naive % gap.value == 0

    # --------------------------------------------------------------------- code (set-up only)

    @pytest.mark.parametrize("question_id", CODE_IDS)
    def test_code_inputs_reach_extreme_magnitudes(self, deck: Deck, question_id: str) -> None:
        checks = code_question(deck, question_id).checks
        assert checks is not None
        assert checks.compare == ["output_shape", "outputs", "gradients"]
        scales = checks.dims["scale"]
        assert getattr(scales, "one_of", None) == [1, 100, 10000]
        first = next(iter(checks.inputs.values()))
        assert (first.low, first.high) == ("0 - scale", "scale")

    def test_forbidden_calls(self, deck: Deck) -> None:
        rules = {}
        for question_id in self.CODE_IDS:
            checks = code_question(deck, question_id).checks
            assert checks is not None
            rules[question_id] = checks.forbid
        forbidden = {qid: {op for rule in found for op in rule.ops} for qid, found in rules.items()}
        assert "aten.logsumexp" in forbidden["logsumexp-code"]
        assert "aten._softmax" in forbidden["softmax-code"]
        assert "aten._log_softmax" in forbidden["softmax-code"]
        assert "aten.softplus" in forbidden["bce-with-logits-code"]
        assert "aten.log_sigmoid_forward" in forbidden["bce-with-logits-code"]
        [fused] = [rule for rule in rules["bce-with-logits-code"] if "with_logits" in rule.call]
        # Traced under functionalisation the fused loss leaves no op of its own: found by name.
        assert "torch.nn.functional.binary_cross_entropy_with_logits" in fused.names

    @pytest.mark.parametrize("question_id", CODE_IDS)
    def test_every_code_question_has_a_rules_mistake(self, deck: Deck, question_id: str) -> None:
        fails = {w.fails for w in code_question(deck, question_id).wrong_solutions}
        assert {"rules", "outputs"} <= fails

    # --------------------------------------------------------------------- torch facts (slow)

    @pytest.mark.slow
    def test_float_facts_match_torch(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        largest, eps16, eps_bf16, _ = numeric_question(deck, "float-formats").parts
        assert largest.answer == torch.finfo(torch.float16).max
        assert eps16.answer == torch.finfo(torch.float16).eps
        assert eps_bf16.answer == torch.finfo(torch.bfloat16).eps
        exp32, exp16, saturation = numeric_question(deck, "overflow-thresholds").parts
        assert math.isfinite(torch.exp(torch.tensor(exp32.value - 0.01)).item())
        assert math.isinf(torch.exp(torch.tensor(exp32.value + 0.01)).item())
        half = torch.float16
        assert math.isfinite(torch.exp(torch.tensor(exp16.value - 0.01, dtype=half)).item())
        assert math.isinf(torch.exp(torch.tensor(exp16.value + 0.02, dtype=half)).item())
        assert torch.sigmoid(torch.tensor(saturation.value + 0.01)).item() == 1.0
        assert torch.sigmoid(torch.tensor(saturation.value - 0.02)).item() < 1.0

    @pytest.mark.slow
    def test_bce_facts_match_torch(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        functional = torch.nn.functional
        exact, clamped, gradient, saturated = numeric_question(deck, "bce-extremes").parts
        target = torch.tensor([0.0])
        x = torch.tensor([1e4], requires_grad=True)
        loss = functional.binary_cross_entropy_with_logits(x, target)
        loss.backward()
        assert loss.item() == exact.answer
        assert x.grad is not None and x.grad.item() == gradient.answer
        x = torch.tensor([1e4], requires_grad=True)
        loss = functional.binary_cross_entropy(torch.sigmoid(x), target)
        loss.backward()
        assert loss.item() == clamped.answer
        assert x.grad is not None and x.grad.item() == saturated.answer

    @pytest.mark.slow
    def test_naive_variance_cancels_in_torch(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        variance, _, gap = numeric_question(deck, "cancellation-variance").parts
        values = torch.tensor([10001.0, 10002.0, 10003.0])
        naive = ((values * values).mean() - values.mean() ** 2).item()
        assert naive % gap.value == 0
        assert values.var(unbiased=False).item() == pytest.approx(variance.value, rel=1e-5)

    # --------------------------------------------------------------------- code (graded)

    @pytest.fixture(scope="class")
    def graded(self) -> dict[str, SubmissionReport]:
        """Every style file graded once, in one pool, by its name."""
        return grade_fixtures(self.DECK_ID, OTHER_STYLES)

    @pytest.mark.slow
    @pytest.mark.parametrize("submission", OTHER_STYLES)
    def test_correct_solution_in_another_style_passes(
        self, graded: dict[str, SubmissionReport], submission: str
    ) -> None:
        assert_verdict(graded[submission])

    def test_every_code_question_has_another_correct_style(self) -> None:
        assert {s.split("/")[0] for s in OTHER_STYLES} == set(self.CODE_IDS)
