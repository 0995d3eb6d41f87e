"""The shipped ``metrics`` deck: its data for ``DeckSuite``, and tests of its own numbers.

``DeckSuite`` checks the structure and the rubric patterns. The tests here recompute the deck's
numeric answers from first principles (counts, boxes, a ranked list of detections), pin its
choice questions, check how its code questions are set up, check that the sample answers in the
deck hit and miss the key points they say, and (marked slow) grade correct solutions in other
styles under ``fixtures/metrics`` with the real grader. The wrong solutions are graded by
``quiz check-deck``.
"""

from __future__ import annotations

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

OTHER_STYLES = fixture_files("metrics", "correct_*.py")
"""Correct solutions in styles other than the reference's, as ``question-id/file.py``."""


def _iou(a: tuple[float, ...], b: tuple[float, ...], *, plus_one: bool = False) -> float:
    """IoU of two (x1, y1, x2, y2) boxes; ``plus_one``: the inclusive pixel convention."""
    extra = 1 if plus_one else 0
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]) + extra)
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]) + extra)
    inter = width * height
    area_a = (a[2] - a[0] + extra) * (a[3] - a[1] + extra)
    area_b = (b[2] - b[0] + extra) * (b[3] - b[1] + extra)
    return inter / (area_a + area_b - inter)


def _precision_recall(judged: list[bool], objects: int) -> list[tuple[float, float]]:
    """(recall, precision) after each detection of a ranked list judged TP (True) or FP."""
    points, hits = [], 0
    for rank, hit in enumerate(judged, 1):
        hits += hit
        points.append((hits / objects, hits / rank))
    return points


def _interpolated(points: list[tuple[float, float]], recall: float) -> float:
    """The largest precision at any recall at or above ``recall`` (0 when there is none)."""
    return max((p for r, p in points if r >= recall - 1e-12), default=0.0)


def _all_point_ap(points: list[tuple[float, float]]) -> float:
    """Area under the interpolated PR curve, summed over the recall steps."""
    area, previous = 0.0, 0.0
    for recall in sorted({r for r, _ in points}):
        area += (recall - previous) * _interpolated(points, recall)
        previous = recall
    return area


class TestMetricsDeck(DeckSuite):
    DECK_PATH = DECKS_DIR / "metrics.yaml"
    DECK_ID = "metrics"
    DECK_TITLE = "Evaluation metrics"

    CONCEPT_IDS = (
        "precision-recall-f1",
        "roc-vs-pr",
        "calibration-ece",
        "temperature-scaling",
        "nms-greedy",
        "map-coco",
    )
    NUMERIC_IDS = ("prf-numbers", "rare-positives", "ece-numbers", "iou-numbers", "ap-ranked")
    CHOICE_IDS = ("auc-meaning", "fraud-metric", "temperature-effect", "nms-threshold")
    CODE_IDS = ("box-iou-code", "nms-code", "ece-code")

    QUESTION_IDS = (
        "precision-recall-f1",
        "prf-numbers",
        "roc-vs-pr",
        "rare-positives",
        "auc-meaning",
        "fraud-metric",
        "calibration-ece",
        "ece-numbers",
        "temperature-scaling",
        "temperature-effect",
        "iou-numbers",
        "nms-greedy",
        "nms-threshold",
        "map-coco",
        "ap-ranked",
        "box-iou-code",
        "nms-code",
        "ece-code",
    )
    COUNTS_BY_KIND: ClassVar[dict[str, int]] = {"concept": 6, "numeric": 5, "choice": 4, "code": 3}
    # Two alternatives: 1000 false alarms (1% of every transaction, not of the negatives) and
    # COCO's 101-point AP.
    ALSO_ACCEPT_COUNT = 2

    CORRECT_INDICES: ClassVar[dict[str, frozenset[int]]] = {
        "auc-meaning": frozenset({1}),
        "fraud-metric": frozenset({2}),
        "temperature-effect": frozenset({1}),
        "nms-threshold": frozenset({0}),
    }

    # Correct answers in a person's own words, typed without markdown or LaTeX.
    OWN_WORDS: ClassVar[dict[str, str]] = {
        "precision-recall-f1": "Precision is tp/(tp+fp), i.e. of the emails predicted as spam, "
        "the share that really is spam. Recall is tp/(tp+fn): among the actual spam emails, how "
        "many we caught. F1 = 2PR/(P+R), the harmonic mean. Which one wins depends on the cost: "
        "a false positive that hides a real email is worse here, so I would favour precision.",
        "roc-vs-pr": "The FPR is FP over FP plus TN, and with 999 negatives per fraud the true "
        "negatives make that denominator huge, so the ROC curve stays high. Precision compares "
        "false positives with true positives and drops when the alarms are mostly false. "
        "I would report average precision, whose random baseline equals the prevalence.",
        "calibration-ece": "When the model says 0.9 it should be right 90% of the time: "
        "accuracy matches confidence. The reliability diagram bins predictions by confidence and "
        "ECE takes a weighted average of the gap between accuracy and confidence per bin. "
        "Modern nets are overconfident, per Guo et al.",
        "temperature-scaling": "All logits are divided by a single temperature T before the "
        "softmax. T is fitted on held-out validation data by minimising NLL, with the network "
        "frozen. Since dividing by a positive number is monotonic, the predicted class never "
        "changes, so accuracy is unchanged.",
        "nms-greedy": "The boxes are ranked by score and the best one is kept. Every box whose "
        "IoU with it is greater than the threshold is removed, and this repeats on what is "
        "left. A low threshold wipes out adjacent objects in a crowd, a high one leaves "
        "duplicates that become false positives.",
        "map-coco": "Detections are sorted by score; a detection is matched to a ground truth "
        "box if the IoU is at least the threshold, and a second detection of the same object is "
        "a duplicate, so a false positive. AP is the area under the interpolated "
        "precision-recall curve. COCO averages AP over IoU thresholds 0.5:0.95 in steps of "
        "0.05, while AP50 uses 0.5 only.",
    }

    # Plausible but wrong answers; each may hit at most one key point.
    WRONG_ANSWERS: ClassVar[dict[str, list[str]]] = {
        "precision-recall-f1": [
            "Precision is how close repeated predictions are to each other, recall is how well "
            "the model remembers its training data, and F1 is the first version of the model.",
            "Precision is the accuracy on the spam class, recall is the accuracy on the normal "
            "class, and F1 is their average; you always want both equally.",
        ],
        "roc-vs-pr": [
            "The ROC curve is computed on the training set and the PR curve on the test set, "
            "so the PR number is lower because of overfitting. Report the ROC number.",
            "PR-AUC is always lower than ROC-AUC by a constant factor, so the two numbers carry "
            "the same information and either can be reported.",
        ],
        "calibration-ece": [
            "Calibration means the model was trained long enough to converge, and ECE is the "
            "final training loss. Deep networks are usually underconfident.",
            "A calibrated model has the same accuracy on every class; ECE is the spread of "
            "per-class accuracies, which is small for modern networks.",
        ],
        "temperature-scaling": [
            "Temperature scaling adds Gaussian noise to the weights, like simulated annealing, "
            "and the noise level is lowered during training, which improves accuracy.",
            "It multiplies the learning rate by a temperature that is tuned on the training "
            "loss, so the model becomes more accurate and better calibrated.",
        ],
        "nms-greedy": [
            "NMS merges all overlapping boxes into their average box, weighting each by its "
            "area; the threshold is the minimum box size kept.",
            "NMS removes boxes with low scores below a confidence threshold, which makes the "
            "detector faster but does not change accuracy.",
        ],
        "map-coco": [
            "AP is the classification accuracy of the detector on the boxes it outputs, and "
            "AP50 is that accuracy on images with at least 50 objects.",
            "mAP is the mean of the IoU between each predicted box and its ground-truth box, and "
            "COCO reports it for the 50 most confident boxes as AP50.",
        ],
    }

    # Generic vocabulary that answers none of the questions.
    OFF_TOPIC = (
        "I don't know.",
        "A convolutional network learns filters that detect edges and textures.",
        "We evaluate the model on a held-out test set after training it on the training set.",
        "The model outputs a score for each class and we pick the largest one.",
    )

    # --------------------------------------------------------------------- examples

    @pytest.mark.parametrize("concept_id", CONCEPT_IDS)
    def test_examples_cover_every_kind(self, deck: Deck, concept_id: str) -> None:
        assert_examples_of_every_kind(concept_question(deck, concept_id))

    @pytest.mark.parametrize("concept_id", CONCEPT_IDS)
    def test_examples_hit_and_miss_what_they_say(self, deck: Deck, concept_id: str) -> None:
        assert_examples_hit_and_miss_what_they_say(concept_question(deck, concept_id))

    # --------------------------------------------------------------------- numeric

    def test_prf_numbers_from_counts(self, deck: Deck) -> None:
        precision, recall, f1 = numeric_question(deck, "prf-numbers").parts
        tp, fp, fn = 30, 40 - 30, 50 - 30
        p, r = tp / (tp + fp), tp / (tp + fn)
        assert precision.answer == pytest.approx(p)
        assert recall.answer == pytest.approx(r)
        assert f1.answer == pytest.approx(2 * p * r / (p + r), abs=1e-4)
        # The arithmetic mean of precision and recall is not accepted as the F1 score.
        assert not f1.tolerance.allows((p + r) / 2, f1.value)

    def test_rare_positives(self, deck: Deck) -> None:
        flagged, false_alarms, precision, random_ap = numeric_question(deck, "rare-positives").parts
        positives, total = 100, 100_000
        tp, fp = 0.9 * positives, 0.01 * (total - positives)
        assert flagged.answer == pytest.approx(tp)
        assert false_alarms.answer == pytest.approx(fp)
        assert precision.answer == pytest.approx(tp / (tp + fp), abs=1e-5)
        assert random_ap.answer == pytest.approx(positives / total)
        # The ROC point looks excellent while most alerts are false.
        assert precision.value < 0.1

    def test_ece_numbers_from_the_bins(self, deck: Deck) -> None:
        ece, mce, overall = numeric_question(deck, "ece-numbers").parts
        bins = [(50, 0.95, 0.80), (30, 0.75, 0.70), (20, 0.55, 0.60)]
        n = sum(count for count, _, _ in bins)
        gaps = [abs(acc - conf) for _, conf, acc in bins]
        weighted = sum(count * gap for (count, _, _), gap in zip(bins, gaps, strict=True))
        assert ece.answer == pytest.approx(weighted / n)
        assert mce.answer == pytest.approx(max(gaps))
        confidence = sum(c * conf for c, conf, _ in bins) / n
        accuracy = sum(c * acc for c, _, acc in bins) / n
        assert overall.answer == pytest.approx(confidence - accuracy)
        # Bin by bin, the gaps cannot cancel: ECE is at least the overall gap.
        assert ece.value >= overall.value

    def test_iou_numbers_from_the_boxes(self, deck: Deck) -> None:
        inter, iou, iou_plus_one = numeric_question(deck, "iou-numbers").parts
        a, b = (0, 0, 4, 4), (2, 2, 6, 6)
        assert inter.answer == (min(a[2], b[2]) - max(a[0], b[0])) ** 2
        assert iou.answer == pytest.approx(_iou(a, b), abs=1e-6)
        assert iou_plus_one.answer == pytest.approx(_iou(a, b, plus_one=True), abs=1e-6)
        assert not iou.tolerance.allows(_iou(a, b, plus_one=True), iou.value)

    def test_ap_of_the_ranked_list(self, deck: Deck) -> None:
        final_precision, ap, thresholds = numeric_question(deck, "ap-ranked").parts
        points = _precision_recall([True, True, False, True, False], objects=4)
        assert final_precision.answer == pytest.approx(points[-1][1])
        assert ap.answer == pytest.approx(_all_point_ap(points))
        [coco] = ap.also_accept
        sampled = [_interpolated(points, k / 100) for k in range(101)]
        assert coco.value == pytest.approx(sum(sampled) / 101, abs=1e-6)
        # The two interpolations are told apart, and the 101-point one is accepted as a note.
        assert not ap.tolerance.allows(coco.value, ap.value)
        coco_thresholds = [round(0.5 + 0.05 * k, 2) for k in range(10)]
        assert coco_thresholds[-1] == 0.95
        assert thresholds.answer == len(coco_thresholds)

    # --------------------------------------------------------------------- code (set-up only)

    def test_box_inputs_always_have_a_positive_size(self, deck: Deck) -> None:
        for question_id in ("box-iou-code", "nms-code"):
            checks = code_question(deck, question_id).checks
            assert checks is not None
            for name, spec in checks.inputs.items():
                if name.startswith("boxes"):
                    # (x, y, w, h): every column, widths and heights included, is at least 1.
                    assert spec.shape[-1] == 4
                    assert isinstance(spec.low, int | float)
                    assert spec.low >= 1

    def test_nms_is_graded_on_integer_boxes_without_gradients(self, deck: Deck) -> None:
        question = code_question(deck, "nms-code")
        assert question.checks is not None
        assert question.checks.inputs["boxes"].dtype == "int64"
        assert question.checks.compare == ["output_shape", "outputs"]
        assert "greater than" in question.prompt
        assert "int64" in question.prompt

    def test_wrong_solutions_name_the_mistakes_the_prompt_warns_of(self, deck: Deck) -> None:
        names = {
            question_id: " ".join(w.name for w in code_question(deck, question_id).wrong_solutions)
            for question_id in self.CODE_IDS
        }
        assert "clamped" in names["box-iou-code"]
        assert "+1 pixel" in names["box-iou-code"]
        assert ">=" in names["nms-code"]
        assert "sorted by score" in names["nms-code"]
        assert "unweighted" in names["ece-code"]

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
