"""The shipped ``contrastive`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns. The tests here check the deck's
arithmetic against numbers computed another way, the sample answers (``examples``) of its
concept questions, that each code reference computes what its prompt promises (the built-in
it stands for, or the algorithm written out), and — graded for real, marked slow — that
correct solutions in other styles pass and a call the prompt rules out is caught.
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


class TestContrastiveDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "contrastive.yaml"
    DECK_ID = "contrastive"
    DECK_TITLE = "Embeddings and contrastive learning"

    CONCEPT_IDS = (
        "cosine-vs-dot",
        "infonce-objective",
        "temperature-role",
        "negatives-batch-size",
        "triplet-mining",
        "collapse",
    )
    NUMERIC_IDS = ("cosine-numbers", "temperature-numbers", "batch-negatives", "triplet-numbers")
    CHOICE_IDS = ("alignment-uniformity", "clip-targets", "projection-head", "moco-momentum")
    CODE_IDS = ("nt-xent-code", "clip-loss-code", "triplet-loss-code")

    QUESTION_IDS = (
        "cosine-vs-dot",
        "cosine-numbers",
        "infonce-objective",
        "temperature-role",
        "temperature-numbers",
        "negatives-batch-size",
        "batch-negatives",
        "triplet-mining",
        "triplet-numbers",
        "collapse",
        "alignment-uniformity",
        "clip-targets",
        "projection-head",
        "moco-momentum",
        "nt-xent-code",
        "clip-loss-code",
        "triplet-loss-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 6, "numeric": 4, "choice": 4, "code": 3}
    # batch-negatives accepts both sizes in powers of ten as well as in powers of two.
    ALSO_ACCEPT_COUNT = 2
    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "alignment-uniformity": frozenset({1}),
        "clip-targets": frozenset({2}),
        "projection-head": frozenset({0}),
        "moco-momentum": frozenset({3}),
    }

    # Correct answers in a person's own words, typed without markdown or LaTeX.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "cosine-vs-dot": (
            "Cosine similarity is the dot product divided by the two norms, so it only depends "
            "on the angle. A plain dot product can be increased by making a vector longer, and "
            "the model then learns to inflate the norms of popular items. When everything is "
            "unit length the similarity is between -1 and 1 and the distance is 2-2cos, so "
            "the temperature is what sets how sharp the scores are."
        ),
        "infonce-objective": (
            "InfoNCE is cross entropy where the correct class is the positive among N "
            "candidates, so the encoder is trained to identify the matching sample against the "
            "negatives. Oord et al. showed it gives a lower bound on mutual information, "
            "I >= log N - L, and since that is at most log N, more negatives give a tighter bound."
        ),
        "temperature-role": (
            "A low temperature makes the softmax sharp, so it focuses on the hardest negatives, "
            "and a high one makes it flat. Set too low it is unstable and repels false "
            "negatives, so it has to be tuned or learned like CLIP does. Cosines are bounded "
            "to [-1, 1], so without a temperature the logits would be too flat for the model "
            "to ever be confident."
        ),
        "negatives-batch-size": (
            "The negatives are the other views in the same batch: 2N-2 of them for each pair. "
            "A bigger batch gives more negatives, which is better because harder negatives "
            "show up and the log N bound is tighter. MoCo keeps a queue of old keys encoded "
            "by a momentum encoder, so its negatives do not depend on the batch size."
        ),
        "triplet-mining": (
            "Random negatives are usually already beyond the margin, so the triplet has zero "
            "loss and teaches nothing. FaceNet used semi-hard negatives, further than the "
            "positive but within the margin, found online in big batches. Always taking the "
            "hardest ones led to bad local minima and a collapsed model, and many of them are "
            "outliers anyway."
        ),
        "collapse": (
            "It can map every image to the same vector, which is a trivial solution with zero "
            "loss. Contrastive losses prevent it because the negatives push different images "
            "apart. BYOL uses a predictor and a momentum target with stop-gradient, SimSiam "
            "only the stop-gradient, and Barlow Twins pushes the cross-correlation matrix "
            "towards the identity."
        ),
    }

    # Plausible but wrong answers; each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "cosine-vs-dot": [
            "They always give the same ranking, and cosine is used because it is cheaper to "
            "compute on a GPU than a dot product.",
            "The dot product is bounded between 0 and 1 while cosine can be any number, so "
            "cosine gives the model more freedom to separate the classes.",
            "Cosine similarity is the Euclidean distance between the raw embeddings, so it is "
            "more robust to noise in the images.",
        ],
        "infonce-objective": [
            "InfoNCE is a reconstruction loss: the model predicts the pixels of the future "
            "frame and is penalised by the squared error.",
            "It is the triplet loss with a margin of one, applied to a single negative, and it "
            "minimises the entropy of the embedding.",
            "InfoNCE estimates the noise level in the data and denoises the images before they "
            "are encoded.",
        ],
        "temperature-role": [
            "The temperature is the learning rate of the contrastive loss; a higher temperature "
            "means bigger optimisation steps and it is annealed to zero.",
            "The temperature controls the strength of the data augmentation, such as how much "
            "colour jitter is applied to each view.",
            "It is multiplied with the embedding dimension to normalise the loss so that wider "
            "models get the same loss scale.",
        ],
        "negatives-batch-size": [
            "The negatives are random noise images generated for each batch; large batches are "
            "only needed because BatchNorm statistics are noisy.",
            "SimCLR needs large batches because its ResNet is too large for small batches to "
            "fit on a GPU, and MoCo fixed that with a smaller network.",
            "Negatives are images of a different class chosen using the labels, and MoCo "
            "reduced the number of classes so fewer negatives were needed.",
        ],
        "triplet-mining": [
            "Random triplets are fine; FaceNet always picks the single hardest negative in the "
            "whole dataset for every anchor because harder is always better.",
            "The triplet loss does not need negatives at all, it only pulls the positives "
            "together, so FaceNet chose the positives carefully instead.",
            "FaceNet trained with cross-entropy over identities and used triplets only at test "
            "time to compare faces.",
        ],
        "collapse": [
            "It overfits the training images by memorising them; weight decay and dropout fix "
            "this in BYOL and Barlow Twins.",
            "The loss becomes zero because the learning rate is too high, so the methods use a "
            "warm-up schedule and gradient clipping to avoid it.",
            "The two augmented views are identical when the augmentation is too weak, so the "
            "methods apply stronger augmentations.",
        ],
    }

    # Generic vocabulary that answers none of the questions.
    OFF_TOPIC = (
        "I don't know.",
        "Convolutions slide a kernel over the image to produce feature maps.",
        "An embedding is a vector that represents an input; the network is trained with "
        "backpropagation and gradient descent on a loss over a batch of examples.",
        "Self-supervised learning trains a model on data without labels and then fine-tunes "
        "it on a downstream task.",
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

    def test_cosine_numbers(self, deck: Deck) -> None:
        u, v, w = (3, 4), (4, 3), (6, 8)

        def dot(a: tuple[int, int], b: tuple[int, int]) -> float:
            return float(a[0] * b[0] + a[1] * b[1])

        def cos(a: tuple[int, int], b: tuple[int, int]) -> float:
            return dot(a, b) / (math.hypot(*a) * math.hypot(*b))

        parts = numeric_question(deck, "cosine-numbers").parts
        expected = [dot(u, v), cos(u, v), dot(u, w), cos(u, w), 2 - 2 * cos(u, v)]
        for part, value in zip(parts, expected, strict=True):
            assert part.answer == pytest.approx(value, abs=1e-9), part.label
        # Normalised, the squared distance is exactly |u/|u| - v/|v||^2.
        unit_u = [x / math.hypot(*u) for x in u]
        unit_v = [x / math.hypot(*v) for x in v]
        assert parts[4].answer == pytest.approx(math.dist(unit_u, unit_v) ** 2)

    def test_temperature_numbers(self, deck: Deck) -> None:
        parts = numeric_question(deck, "temperature-numbers").parts

        def positive_probability(tau: float) -> float:
            pos, neg = math.exp(0.8 / tau), math.exp(0.3 / tau)
            return pos / (pos + neg)

        gap_1, p_1, gap_01, p_01, widest = parts
        assert gap_1.answer == pytest.approx(0.5)
        assert gap_01.answer == pytest.approx(5)
        assert p_1.tolerance.allows(positive_probability(1.0), p_1.value)
        assert p_01.tolerance.allows(positive_probability(0.1), p_01.value)
        assert widest.answer == 200
        # A lower temperature must make the positive more likely, not less.
        assert p_01.value > p_1.value

    def test_batch_negatives(self, deck: Deck) -> None:
        negatives, entries, mib, clip_gib = numeric_question(deck, "batch-negatives").parts
        views = 2 * 4096
        assert negatives.answer == views - 2
        assert entries.answer == views * views
        assert mib.answer == views * views * 4 / (1024 * 1024)
        assert clip_gib.answer == 32768 * 32768 * 4 / 1024**3
        [mb] = mib.also_accept
        assert mb.value == pytest.approx(views * views * 4 / 1e6)

    def test_triplet_numbers(self, deck: Deck) -> None:
        def hinge(d_pos: float, d_neg: float, margin: float = 0.2) -> float:
            return max(0.0, d_pos - d_neg + margin)

        losses = [hinge(0.5, d) for d in (1.0, 0.6, 0.4)]
        semi_hard, hard, mean, active = numeric_question(deck, "triplet-numbers").parts
        assert semi_hard.tolerance.allows(losses[1], semi_hard.value)
        assert hard.tolerance.allows(losses[2], hard.value)
        assert mean.tolerance.allows(sum(losses) / 3, mean.value)
        assert active.tolerance.allows(sum(loss > 0 for loss in losses) / 3, active.value)
        assert losses[0] == 0

    # --------------------------------------------------------------------- code (set-up)

    def test_function_questions_draw_their_keyword_argument(self, deck: Deck) -> None:
        for question_id, keyword in (
            ("nt-xent-code", "temperature"),
            ("triplet-loss-code", "margin"),
        ):
            checks = code_question(deck, question_id).checks
            assert checks is not None
            assert checks.kind == "function"
            assert list(checks.init) == [keyword]
            assert checks.compare == ["output_shape", "outputs", "gradients"]

    def test_clip_loss_checks_the_starting_temperature(self, deck: Deck) -> None:
        question = code_question(deck, "clip-loss-code")
        assert question.checks is not None
        assert question.checks.kind == "module"
        assert question.checks.initial == ["logit_scale"]
        assert {w.fails for w in question.wrong_solutions} >= {"parameters", "initial", "outputs"}

    def test_triplet_loss_rules_out_the_built_ins_by_name_and_by_op(self, deck: Deck) -> None:
        question = code_question(deck, "triplet-loss-code")
        assert question.checks is not None
        [rule] = question.checks.forbid
        assert rule.ops == ["aten.norm"]
        assert "torch.nn.functional.triplet_margin_loss" in rule.names
        assert "torch.nn.functional.pairwise_distance" in rule.names
        assert [w.fails for w in question.wrong_solutions].count("rules") == 1

    # --------------------------------------------------------------------- code (references)

    def test_nt_xent_reference_matches_the_algorithm_written_out(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        loss = reference_entry(deck, "nt-xent-code")
        generator = torch.Generator().manual_seed(0)
        z1 = torch.randn(4, 5, generator=generator, dtype=torch.float64)
        z2 = torch.randn(4, 5, generator=generator, dtype=torch.float64)
        for tau in (0.1, 0.5, 1.0):
            z = torch.nn.functional.normalize(torch.cat([z1, z2]), dim=1)
            total = 0.0
            for i in range(8):
                positive = (i + 4) % 8
                scores = [math.exp(float(z[i] @ z[k]) / tau) for k in range(8) if k != i]
                total -= math.log(math.exp(float(z[i] @ z[positive]) / tau) / sum(scores))
            assert float(loss(z1, z2, temperature=tau)) == pytest.approx(total / 8, rel=1e-9)

    def test_clip_reference_is_symmetric_and_starts_at_tau_0_07(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        module = reference_entry(deck, "clip-loss-code")()
        [(name, parameter)] = list(module.named_parameters())
        assert name == "logit_scale"
        assert parameter.shape == ()
        assert float(parameter.detach().exp()) == pytest.approx(1 / 0.07, rel=1e-6)
        generator = torch.Generator().manual_seed(1)
        image = torch.randn(5, 3, generator=generator)
        text = torch.randn(5, 3, generator=generator)
        # Swapping images and texts swaps the two directions: the average is unchanged.
        forward, backward = module(image, text).detach(), module(text, image).detach()
        assert float(forward) == pytest.approx(float(backward), rel=1e-6)

    def test_triplet_reference_matches_f_triplet_margin_loss(self, deck: Deck) -> None:
        torch = pytest.importorskip("torch")
        loss = reference_entry(deck, "triplet-loss-code")
        generator = torch.Generator().manual_seed(2)
        a, p, n = (torch.randn(6, 4, generator=generator) for _ in range(3))
        for margin in (0.2, 1.0, 2.0):
            builtin = torch.nn.functional.triplet_margin_loss(a, p, n, margin=margin)
            assert float(loss(a, p, n, margin=margin)) == pytest.approx(float(builtin), abs=1e-5)
        assert float(loss(a, p, n)) == pytest.approx(
            float(torch.nn.functional.triplet_margin_loss(a, p, n)), abs=1e-5
        )


# ------------------------------------------------------------------------- graded for real

# Files under fixtures/contrastive/<question>/: correct_* must pass; wrong_* must fail first
# on the check named here. KNOWN files get the wrong verdict from the grader today (strict xfail
# on the verdict alone, so a grader that gets them right turns the test red).
FIXTURES = fixture_files("contrastive")
KNOWN: dict[str, str] = {}
FAILS_AT = {
    "nt-xent-code/wrong_only_cross_view_negatives.py": "outputs",
    "nt-xent-code/wrong_temperature_multiplied.py": "outputs",
    "clip-loss-code/wrong_same_direction_twice.py": "outputs",
    "clip-loss-code/wrong_log_of_tau.py": "initial",
    "triplet-loss-code/wrong_pairwise_distance.py": "rules",
    "triplet-loss-code/wrong_triplet_module.py": "rules",
    "triplet-loss-code/wrong_mean_before_hinge.py": "outputs",
    "triplet-loss-code/wrong_cosine_distance.py": "outputs",
}


@pytest.fixture(scope="module")
def graded() -> dict[str, SubmissionReport]:
    return grade_fixtures("contrastive", FIXTURES)


def test_every_fixture_is_named_for_its_verdict() -> None:
    code_ids = TestContrastiveDeck.CODE_IDS
    assert_named_for_verdict(FIXTURES, code_ids, FAILS_AT, KNOWN, known_files=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", fixture_params(FIXTURES, KNOWN))
def test_fixture_gets_its_verdict(graded: dict[str, SubmissionReport], name: str) -> None:
    assert_verdict(graded[name], expected_verdict(name, FAILS_AT, KNOWN))
