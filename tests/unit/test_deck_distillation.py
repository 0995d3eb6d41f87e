"""The shipped ``distillation`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns. The tests here check the deck's
arithmetic against numbers computed another way, the sample answers (``examples``) of its
concept questions, that each code reference computes what its prompt promises, and — graded
for real, marked slow — that correct solutions in other styles pass.
"""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
from deck_fixtures import (
    assert_named_for_verdict,
    assert_verdict,
    expected_verdict,
    fixture_files,
    fixture_params,
    grade_fixtures,
)
from deck_helpers import (
    assert_examples_hit_and_miss_what_they_say,
    assert_examples_of_every_kind,
    code_question,
    concept_question,
    key_points_hit,
    numeric_question,
    reference_entry,
)
from deck_suite import DECKS_DIR, DeckSuite

from grader import SubmissionReport
from questions import Deck


class TestDistillationDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "distillation.yaml"
    DECK_ID = "distillation"
    DECK_TITLE = "Knowledge distillation"

    CONCEPT_IDS = (
        "soft-targets",
        "t-squared",
        "capacity-gap",
        "feature-distillation",
        "born-again",
        "distilbert-recipe",
    )
    NUMERIC_IDS = (
        "softened-probabilities",
        "t-squared-numbers",
        "hinton-results",
        "distilbert-numbers",
    )
    CHOICE_IDS = ("kd-kl-call", "inference-temperature", "transfer-set", "hint-width")
    CODE_IDS = ("kd-loss-code", "hint-loss-code")

    QUESTION_IDS = (
        "soft-targets",
        "softened-probabilities",
        "t-squared",
        "t-squared-numbers",
        "capacity-gap",
        "feature-distillation",
        "born-again",
        "hinton-results",
        "distilbert-recipe",
        "distilbert-numbers",
        "kd-kl-call",
        "inference-temperature",
        "transfer-set",
        "hint-width",
        "kd-loss-code",
        "hint-loss-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 6, "numeric": 4, "choice": 4, "code": 2}
    # t-squared-numbers accepts the reduction factor 16; distilbert-numbers the time ratio and
    # the size in MiB.
    ALSO_ACCEPT_COUNT = 3
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "kd-kl-call": frozenset({2}),
        "inference-temperature": frozenset({1}),
        "transfer-set": frozenset({3}),
        "hint-width": frozenset({0}),
    }

    # Correct answers in a person's own words, typed without markdown or LaTeX.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "soft-targets": (
            "The teacher puts small probabilities on the wrong classes, and those show which "
            "classes resemble the true one for this input; that is the dark knowledge. A soft "
            "target is worth more information per example than a label, so the student needs "
            "less data and is regularised. At T = 1 those probabilities are so tiny they barely "
            "count, and a higher temperature softens the distribution and raises them."
        ),
        "t-squared": (
            "The soft targets are computed from z/T, so the size of their gradients scales as "
            "1/T^2. The T^2 factor keeps the relative weight of the soft and hard terms about "
            "the same whatever temperature is chosen. For a large T the loss is equivalent to "
            "matching the logits with a squared error, as in Caruana's model compression."
        ),
        "capacity-gap": (
            "The gap in capacity is too large: a tiny student is too small to mimic a giant "
            "teacher. It works better with a teacher assistant of intermediate size in between, "
            "or with an early-stopped teacher, which is easier to follow."
        ),
        "feature-distillation": (
            "The student is also trained on hints: a middle layer of the student has to "
            "predict the hidden layer activations of the teacher. A small learned conv, the "
            "regressor, maps the thinner student features to the teacher's width. Training "
            "happens in two stages, the hint loss to pre-train the lower layers and then "
            "ordinary KD."
        ),
        "born-again": (
            "The students end up better than their teachers, and they kept improving over "
            "several generations. The teacher's outputs contain dark knowledge, and they also "
            "weight every example by the teacher's confidence. It works as a regulariser, "
            "much like label smoothing."
        ),
        "distilbert-recipe": (
            "DistilBERT keeps the hidden size but has six layers instead of twelve, without "
            "the pooler. Its weights are initialized from BERT by taking one layer out of two. "
            "It is pre-trained with a triple loss: distillation, masked language modeling "
            "and a cosine loss on the hidden states."
        ),
    }

    # Plausible but wrong answers; each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "soft-targets": [
            "The teacher's outputs are a cleaner version of the labels that fixes mislabelled "
            "examples; softening them makes inference faster.",
            "The student copies the teacher's weights through the probabilities, which is why "
            "it must have the same architecture.",
            "Soft targets are used because one-hot labels cannot be fed to cross-entropy in "
            "PyTorch.",
        ],
        "t-squared": [
            "T^2 makes the loss bigger so that training converges faster; at a large "
            "temperature the soft targets become one-hot.",
            "The factor normalises the loss by the number of classes, because the KL divergence "
            "grows with the number of classes.",
            "It compensates for the batch size: the KL divergence is summed over T^2 examples "
            "per batch.",
        ],
        "capacity-gap": [
            "A bigger teacher is always better; the student got worse because the learning rate "
            "was too high, so train it longer.",
            "The large teacher overfits the transfer set, so the solution is more data "
            "augmentation for the student.",
            "The student needs to be larger than the teacher for distillation to work at all.",
        ],
        "feature-distillation": [
            "FitNets copy the teacher's weights into the student layer by layer and prune the "
            "channels that do not fit.",
            "They train the student only on the teacher's final predictions, with a higher "
            "temperature than Hinton et al.",
            "The student is made wider than the teacher so that its outputs can be averaged "
            "with the teacher's.",
        ],
        "born-again": [
            "A student of the same size can at best copy its teacher, so they found no gain; "
            "self-distillation only helps with a larger student.",
            "Born-again networks restart training from the teacher's weights with a new random "
            "seed, which is just an ensemble of two runs.",
            "The student reached the same accuracy with half the training time, because the "
            "teacher's outputs are easier to fit.",
        ],
        "distilbert-recipe": [
            "DistilBERT halves the hidden size and the number of heads, starts from random "
            "weights, and is trained only on GLUE labels.",
            "They quantised BERT to 8 bits and pruned half of its attention heads, then "
            "fine-tuned it on each task.",
            "DistilBERT is BERT trained on a smaller corpus for fewer steps, with the same "
            "architecture.",
        ],
    }

    # Generic vocabulary that answers none of the questions.
    OFF_TOPIC = (
        "I don't know.",
        "Convolutions slide a kernel over the image to produce feature maps.",
        "A teacher network and a student network are both neural networks trained with "
        "gradient descent on a loss.",
        "Model compression makes networks smaller so they run on phones.",
    )

    # --------------------------------------------------------------------- examples

    def test_examples_of_every_kind(self, deck: Deck) -> None:
        for question_id in self.CONCEPT_IDS:
            assert_examples_of_every_kind(concept_question(deck, question_id))

    @pytest.mark.parametrize("question_id", CONCEPT_IDS)
    def test_examples_hit_and_miss_what_they_say(self, deck: Deck, question_id: str) -> None:
        assert_examples_hit_and_miss_what_they_say(concept_question(deck, question_id))

    def test_a_bare_keyword_list_earns_nothing(self, deck: Deck) -> None:
        for question_id in self.CONCEPT_IDS:
            question = concept_question(deck, question_id)
            [keywords] = [e for e in question.examples if e.kind == "keywords"]
            assert key_points_hit(question, keywords.answer) == [], question_id

    # --------------------------------------------------------------------- numeric

    def test_softened_probabilities(self, deck: Deck) -> None:
        def softmax(logits: list[float], temperature: float) -> list[float]:
            exps = [math.exp(z / temperature) for z in logits]
            return [e / sum(exps) for e in exps]

        logits = [3 * math.log(2), 0.0, 0.0]
        at_1, at_3 = softmax(logits, 1), softmax(logits, 3)
        parts = numeric_question(deck, "softened-probabilities").parts
        for part, value in zip(parts, [at_1[0], at_1[1], at_3[0], at_3[1]], strict=True):
            assert part.answer == pytest.approx(value, abs=1e-12), part.label
            assert part.percent

    def test_t_squared_numbers(self, deck: Deck) -> None:
        scale, kl_weight, ce_weight, kl_weight_t2 = numeric_question(
            deck, "t-squared-numbers"
        ).parts
        t, alpha = 4, 0.9
        assert scale.answer == pytest.approx(1 / t**2)
        assert kl_weight.answer == pytest.approx(alpha * t**2)
        assert ce_weight.answer == pytest.approx(1 - alpha)
        assert kl_weight_t2.answer == pytest.approx(alpha * 2**2)
        [reduction] = scale.also_accept
        assert reduction.value == t**2

    def test_hinton_results(self, deck: Deck) -> None:
        error_rate, mnist_gap, speech_gain = numeric_question(deck, "hinton-results").parts
        assert error_rate.tolerance.allows(74 / 10_000, error_rate.value)
        assert mnist_gap.tolerance.allows(72 / 79, mnist_gap.value)
        assert speech_gain.tolerance.allows(1.9 / 2.2, speech_gain.value)
        # The paper's own summary: "more than 80% of the improvement".
        assert speech_gain.value > 0.8

    def test_distilbert_numbers(self, deck: Deck) -> None:
        removed, speedup, kept, size = numeric_question(deck, "distilbert-numbers").parts
        assert removed.tolerance.allows(0.4, removed.value)  # "40% smaller"
        assert speedup.value == pytest.approx(1.6, abs=0.05)  # "60% faster"
        assert round(kept.value, 2) == 0.97  # "97% of BERT's performance"
        assert size.answer == 66_000_000 * 4 / 1_000_000
        [time_ratio] = speedup.also_accept
        assert time_ratio.value * speedup.value == pytest.approx(1, rel=1e-3)
        [mib] = size.also_accept
        assert mib.value == pytest.approx(66_000_000 * 4 / 2**20, rel=1e-4)

    # --------------------------------------------------------------------- code (set-up)

    def test_kd_loss_draws_temperature_and_alpha(self, deck: Deck) -> None:
        question = code_question(deck, "kd-loss-code")
        assert question.checks is not None
        assert question.checks.kind == "function"
        assert list(question.checks.init) == ["temperature", "alpha"]
        assert list(question.checks.inputs) == ["student_logits", "teacher_logits", "target"]
        target = question.checks.inputs["target"]
        assert (target.dtype, target.shape, target.low, target.high) == ("int64", ["n"], 0, "c")
        # 1.0 would hide a forgotten T² (and T/T mistakes), so it is never drawn.
        assert 1.0 not in question.checks.init["temperature"].one_of  # type: ignore[union-attr]

    def test_hint_loss_is_a_module_checked_by_its_parameters(self, deck: Deck) -> None:
        question = code_question(deck, "hint-loss-code")
        assert question.checks is not None
        assert question.checks.kind == "module"
        assert list(question.checks.init) == ["student_channels", "teacher_channels"]
        assert [w.fails for w in question.wrong_solutions].count("parameters") >= 3

    # --------------------------------------------------------------------- code (references)

    def test_kd_reference_matches_the_formula(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        loss = reference_entry(deck, "kd-loss-code")
        generator = torch.Generator().manual_seed(0)
        student = torch.randn(3, 4, generator=generator, dtype=torch.float64) * 3
        teacher = torch.randn(3, 4, generator=generator, dtype=torch.float64) * 3
        target = torch.tensor([0, 3, 1])
        for t, alpha in ((4.0, 0.9), (2.0, 0.5)):
            expected = 0.0
            for row in range(3):
                p = torch.softmax(teacher[row] / t, 0).tolist()
                q = torch.softmax(student[row] / t, 0).tolist()
                kl = sum(pi * math.log(pi / qi) for pi, qi in zip(p, q, strict=True))
                ce = -math.log(torch.softmax(student[row], 0)[target[row]].item())
                expected += (alpha * t * t * kl + (1 - alpha) * ce) / 3
            value = float(loss(student, teacher, target, temperature=t, alpha=alpha))
            assert value == pytest.approx(expected, rel=1e-9)

    def test_hint_reference_has_a_1x1_regressor_with_bias(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        module = reference_entry(deck, "hint-loss-code")(3, 7)
        assert sum(p.numel() for p in module.parameters()) == 3 * 7 + 7
        student = torch.randn(2, 3, 4, 5)
        teacher = torch.randn(2, 7, 4, 5)
        expected = ((module.regressor(student) - teacher) ** 2).mean()
        assert float(module(student, teacher).detach()) == pytest.approx(float(expected.detach()))


# ------------------------------------------------------------------------- graded for real

# Files under fixtures/distillation/<question>/: correct_* must pass; wrong_* must fail first on
# the check named here; known_* are mistakes the grader cannot catch today (strict xfail on the
# verdict alone, so a grader that catches them turns the test red).
FIXTURES = fixture_files("distillation")
FAILS_AT = {
    "kd-loss-code/wrong_log_target_without_flag.py": "outputs",
    "kd-loss-code/wrong_times_t_not_t_squared.py": "outputs",
    "kd-loss-code/wrong_teacher_not_detached.py": "gradients",
    "hint-loss-code/wrong_relu_after_regressor.py": "outputs",
    "hint-loss-code/wrong_mean_over_batch_only.py": "outputs",
}
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def graded() -> dict[str, SubmissionReport]:
    return grade_fixtures("distillation", FIXTURES)


def test_every_fixture_is_named_for_its_verdict() -> None:
    code_ids = TestDistillationDeck.CODE_IDS
    assert_named_for_verdict(FIXTURES, code_ids, FAILS_AT, KNOWN, known_files=True)


@pytest.mark.slow
@pytest.mark.parametrize("name", fixture_params(FIXTURES, KNOWN))
def test_fixture_gets_its_verdict(graded: dict[str, SubmissionReport], name: str) -> None:
    assert_verdict(graded[name], expected_verdict(name, FAILS_AT, KNOWN))
