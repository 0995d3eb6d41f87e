"""The shipped ``training-practice`` deck: its data for ``DeckSuite``, and tests of its own.

``DeckSuite`` checks the structure and the rubric patterns. The tests here check the deck's
arithmetic (against ``torch.finfo`` and ``clip_grad_norm_`` where PyTorch has the number), its
examples against the rubric, that its code references agree with PyTorch's own
``clip_grad_norm_`` and loss-scale kernel, and, through the real grader, that correct answers
written in other styles pass.
"""

from __future__ import annotations

import itertools
import math
from typing import ClassVar

import pytest
from deck_fixtures import assert_verdict, fixture_files, grade_fixtures
from deck_helpers import (
    assert_examples_hit_and_miss_what_they_say,
    assert_examples_of_every_kind,
    choice_question,
    code_question,
    concept_question,
    numeric_question,
    reference_entry,
)
from deck_suite import DECKS_DIR, DeckSuite

from grader import SubmissionReport
from questions import Deck

# Correct answers written in styles other than the reference's, one folder per code question.
STYLES = fixture_files("training-practice", "correct_*.py")
# Correct answers the grader refuses today because they use ATen operations it does not run.
KNOWN = fixture_files("training-practice", "known_correct_*.py")


class TestTrainingPracticeDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "training-practice.yaml"
    DECK_ID = "training-practice"
    DECK_TITLE = "Training in practice"

    QUESTION_IDS = (
        "diagnose-curves",
        "loss-scaling",
        "float-ranges",
        "loss-scale-dynamics",
        "bf16-vs-fp16",
        "clip-norm-vs-value",
        "clip-arithmetic",
        "clip-where",
        "grad-accumulation",
        "accumulation-arithmetic",
        "accumulation-bn",
        "loss-not-falling",
        "lr-symptoms",
        "softmax-twice",
        "clip-grad-norm-fn",
        "loss-scale-update",
    )
    CONCEPT_IDS = (
        "diagnose-curves",
        "loss-scaling",
        "clip-norm-vs-value",
        "grad-accumulation",
        "loss-not-falling",
    )
    NUMERIC_IDS = (
        "float-ranges",
        "loss-scale-dynamics",
        "clip-arithmetic",
        "accumulation-arithmetic",
    )
    CHOICE_IDS = ("bf16-vs-fp16", "clip-where", "accumulation-bn", "lr-symptoms", "softmax-twice")
    CODE_IDS = ("clip-grad-norm-fn", "loss-scale-update")
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 5, "numeric": 4, "choice": 5, "code": 2}
    MULTIPLE_CHOICE_IDS = frozenset({"lr-symptoms"})
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "bf16-vs-fp16": frozenset({0}),
        "clip-where": frozenset({2}),
        "accumulation-bn": frozenset({1}),
        "lr-symptoms": frozenset({0, 1}),
        "softmax-twice": frozenset({2}),
    }
    ALSO_ACCEPT_COUNT = 2  # the reciprocals of the clip coefficient and of the loss factor
    ALSO_ACCEPT_NOTE_SAYS = "reciprocal"

    OWN_WORDS: ClassVar[dict[str, str]] = {
        "diagnose-curves": (
            "An underfit model has a training loss that stays high; validation is just as bad. "
            "I would give it a bigger model. An overfit model has a validation loss that "
            "rises while training keeps improving, and I would regularise it or stop early."
        ),
        "loss-scaling": (
            "Gradients smaller than about 6e-8 underflow in fp16. The loss is multiplied by a "
            "scale factor, and the gradients are divided by the scale before the optimizer "
            "step. When an inf appears the step is skipped and the scale is halved. bf16 keeps "
            "the same exponent range as fp32, so it does not need scaling."
        ),
        "clip-norm-vs-value": (
            "It protects against exploding gradients. Clipping by norm rescales the entire "
            "gradient vector, so its direction is preserved. Clipping by value clips each "
            "component independently, which can change the direction."
        ),
        "grad-accumulation": (
            "I would call backward on 8 micro-batches of 32 without zeroing the grads, then "
            "step once. The loss of each micro-batch is divided by 8. It still differs because "
            "batch norm computes its statistics over 32 samples, not 256."
        ),
        "loss-not-falling": (
            "I would first overfit a single batch of a few images; a correct setup gets it to "
            "near zero loss. Then I would sweep the learning rate over a few orders of "
            "magnitude. I would visualise the inputs and labels right before the model. I "
            "would also check that a softmax layer is not followed by cross-entropy, which "
            "applies softmax twice."
        ),
    }

    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "diagnose-curves": [
            "If the loss curve is smooth the model is fine; if it is noisy it is overfitting.",
            "Overfitting shows as a validation loss lower than the training loss.",
        ],
        "loss-scaling": [
            "The loss is scaled so that it fits in a progress bar; bf16 is just faster.",
            "fp16 has more range than fp32, so scaling prevents the weights from growing.",
        ],
        "clip-norm-vs-value": [
            "Clipping removes the smallest gradients to make training sparse and fast.",
            "Clipping by norm normalises the inputs; clipping by value normalises the labels.",
        ],
        "grad-accumulation": [
            "You set the batch size to 256 and let PyTorch split it across the GPU cores.",
            "Multiply the learning rate by 8 and it is the same as a larger batch.",
        ],
        "loss-not-falling": [
            "Add more layers and train for longer; a flat loss always means underfitting.",
            "Switch to a different framework, since the loss curve is often a logging bug.",
        ],
    }

    OFF_TOPIC = (
        "I don't know.",
        "Training a neural network takes many iterations over the dataset.",
        "Convolutional networks learn filters with backpropagation, and deeper layers see larger "
        "regions of the input image.",
        "The loss measures how wrong the predictions of the model are.",
    )

    # --------------------------------------------------------------------- rubric

    @pytest.mark.parametrize("question_id", CONCEPT_IDS)
    def test_examples_hit_and_miss_what_they_say(self, deck: Deck, question_id: str) -> None:
        question = concept_question(deck, question_id)
        assert_examples_of_every_kind(question)
        assert_examples_hit_and_miss_what_they_say(question)

    # --------------------------------------------------------------------- numeric

    def test_float_ranges_match_torch(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        largest, normal, subnormal, bf16 = numeric_question(deck, "float-ranges").parts
        half, brain = torch.finfo(torch.float16), torch.finfo(torch.bfloat16)
        assert largest.answer == half.max == 65504
        for part, value in [
            (normal, half.tiny),
            (subnormal, half.smallest_normal * 2.0**-10),
            (bf16, brain.max),
        ]:
            assert part.answer is not None
            assert part.tolerance.allows(value, part.answer), part.label
        assert float(torch.tensor(2e-8, dtype=torch.float16)) == 0  # under half of it: zero

    def test_loss_scale_dynamics(self, deck: Deck) -> None:
        after_overflows, applied, after_clean = numeric_question(deck, "loss-scale-dynamics").parts
        scale = 65536.0
        for _ in range(3):
            scale *= 0.5
        assert after_overflows.answer == scale
        assert applied.answer == 0
        assert after_clean.answer == scale * 2 ** (4000 // 2000)

    def test_clip_arithmetic_matches_clip_grad_norm(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        total, coefficient, clipped = numeric_question(deck, "clip-arithmetic").parts
        first = torch.nn.Parameter(torch.zeros(2))
        second = torch.nn.Parameter(torch.zeros(1))
        first.grad = torch.tensor([3.0, 4.0])
        second.grad = torch.tensor([12.0])
        norm = torch.nn.utils.clip_grad_norm_([first, second], max_norm=1.0)
        assert total.answer == pytest.approx(float(norm))
        assert coefficient.answer == pytest.approx(1 / (13 + 1e-6), rel=1e-4)
        assert second.grad is not None
        assert clipped.answer == pytest.approx(float(second.grad[0]), rel=1e-4)

    def test_accumulation_arithmetic(self, deck: Deck) -> None:
        steps, factor, learning_rate = numeric_question(deck, "accumulation-arithmetic").parts
        assert steps.answer == 512 / 64 == 8
        assert factor.answer == 1 / 8
        assert learning_rate.answer == pytest.approx(0.2 * 8)

    def test_softmax_twice_floor_in_the_answer(self, deck: Deck) -> None:
        # A perfect one-hot probability vector fed to log-softmax again, 10 classes.
        floor = -math.log(math.e / (math.e + 9))
        assert "1.46" in choice_question(deck, "softmax-twice").answer
        assert floor == pytest.approx(1.46, abs=0.005)

    # --------------------------------------------------------------------- code

    def test_clip_reference_matches_torch(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        clip = reference_entry(deck, "clip-grad-norm-fn")
        generator = torch.Generator().manual_seed(0)
        for max_norm in (0.05, 0.5, 1.0, 100.0):
            grads = [
                torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1
                for shape in ((3, 4), (3,), (2, 2, 2))
            ]
            params = []
            for grad in grads:
                param = torch.nn.Parameter(torch.zeros_like(grad))
                param.grad = grad.clone()
                params.append(param)
            expected_norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
            *clipped, norm = clip(*grads, max_norm=max_norm)
            torch.testing.assert_close(norm, expected_norm, rtol=1e-12, atol=0)
            for ours, param in zip(clipped, params, strict=True):
                torch.testing.assert_close(ours, param.grad, rtol=1e-12, atol=0)

    def test_scale_update_reference_matches_the_kernel(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        update = reference_entry(deck, "loss-scale-update")
        for tracker, found_inf, interval in itertools.product(range(3), (False, True), (1, 3)):
            if tracker >= interval:
                continue
            scale = torch.tensor([1024.0])
            growth = torch.tensor([tracker], dtype=torch.int32)
            torch._amp_update_scale_(
                scale, growth, torch.tensor([float(found_inf)]), 2.0, 0.5, interval
            )
            ours_scale, ours_tracker = update(
                torch.tensor(1024.0),
                torch.tensor(tracker),
                torch.tensor(found_inf),
                growth_factor=2.0,
                backoff_factor=0.5,
                growth_interval=interval,
            )
            assert float(ours_scale) == float(scale[0])
            assert int(ours_tracker) == int(growth[0])
            assert ours_tracker.dtype == torch.int64 and ours_scale.dtype == torch.float32

    def test_code_question_checks(self, deck: Deck) -> None:
        clip = code_question(deck, "clip-grad-norm-fn")
        assert clip.checks is not None and clip.checks.kind == "function"
        # float64 and a tight tolerance: leaving out PyTorch's 1e-6 must fail `outputs`.
        assert all(spec.dtype == "float64" for spec in clip.checks.inputs.values())
        assert clip.checks.rtol <= 1e-8
        names = {wrong.name for wrong in clip.wrong_solutions}
        assert "no 1e-6 in the coefficient" in names
        assert "each tensor clipped by its own norm, not the global one" in names
        assert "clips each element by value instead of rescaling by the norm" in names
        scaler = code_question(deck, "loss-scale-update")
        assert scaler.checks is not None
        assert scaler.checks.inputs["found_inf"].dtype == "bool"
        assert scaler.checks.inputs["growth_tracker"].high == "growth_interval"

    @pytest.fixture(scope="class")
    def graded_styles(self) -> dict[str, SubmissionReport]:
        """Every correct answer in another style, graded once by the real grader."""
        return grade_fixtures(self.DECK_ID, [*STYLES, *KNOWN])

    @pytest.mark.slow
    @pytest.mark.parametrize("style", STYLES)
    def test_correct_answer_in_another_style_passes(
        self, graded_styles: dict[str, SubmissionReport], style: str
    ) -> None:
        assert_verdict(graded_styles[style])

    @pytest.mark.slow
    @pytest.mark.xfail(strict=True, reason="known: the grader does not run these ATen operations")
    @pytest.mark.parametrize("style", KNOWN)
    def test_correct_answer_using_an_operation_the_grader_does_not_run(
        self, graded_styles: dict[str, SubmissionReport], style: str
    ) -> None:
        assert_verdict(graded_styles[style])

    def test_every_code_question_has_correct_answers_in_other_styles(self) -> None:
        assert {s.split("/")[0] for s in STYLES} == set(self.CODE_IDS)
