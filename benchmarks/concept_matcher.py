"""How fairly the concept key points judge free-text answers, on answers held out from tuning.

Every concept question of the packaged decks carries ``examples``: answers written without
seeing the key points (correct ones in other words, confident misconceptions, bare keyword
lists). A fixed, hash-chosen third of them is held out: the key points and the matcher are
never tuned on it. This prints, for the held-out third (and, for comparison, the rest):

- correct: the share of the key points each correct answer should hit that it does hit;
- misconception and keywords: the share of key points such answers should miss that they hit;
- the time to judge one answer.

Goal: correct >= 90%, misconception and keywords <= 10% on the held-out third.

Since ``quiz check-deck`` proves every example, a failing held-out example gets fixed like any
other, so the third stays out of tuning only until check-deck is run on it: its figure is a
measure of generalisation for examples newly added, not for the old ones. For an honest figure,
write new answers without looking at the patterns and pass them with ``--examples DIR``.

Run: ``.venv/bin/python benchmarks/concept_matcher.py [--examples DIR] [--all] [--show]``.
``--examples DIR`` reads ``DIR/<deck-id>.yaml`` files (question id -> list of examples) instead
of the decks' own examples; ``--show`` prints each tuning answer (never a held-out one) that is
judged wrongly, with the spans that made or failed to make each key point.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import time
from collections import defaultdict
from pathlib import Path

import yaml

from questions import ConceptQuestion, Deck, Example, load_deck

DECKS = Path(__file__).resolve().parents[1] / "questions" / "decks"
TUNED_DECKS = (
    "attention",
    "conv-arithmetic",
    "efficient-architectures",
    "inception-1x1",
    "inception-family",
    "losses",
    "normalisation",
    "resnet-blocks",
)


def held_out(deck_id: str, question_id: str, answer: str) -> bool:
    """Whether an example belongs to the held-out third: fixed by a hash of its text."""
    words = " ".join(answer.split())  # the same answer however its lines are wrapped
    digest = hashlib.sha256(f"{deck_id}/{question_id}\n{words}".encode()).digest()
    return digest[0] % 3 == 0


def examples_of(deck: Deck, directory: Path | None) -> dict[str, list[Example]]:
    if directory is None:
        return {q.id: list(q.examples) for q in deck.questions if isinstance(q, ConceptQuestion)}
    path = directory / f"{deck.id}.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {qid: [Example.model_validate(e) for e in items] for qid, items in data.items()}


def judge(question: ConceptQuestion, answer: str, *, baseline: bool) -> set[int]:
    """The key point numbers ``answer`` hits."""
    if baseline:
        return {
            n
            for n, point in enumerate(question.key_points, 1)
            if any(re.search(p, answer, re.IGNORECASE) for p in point.patterns)
        }
    return {n for n, (_, hit) in enumerate(question.rubric(answer), 1) if hit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=None)
    parser.add_argument("--all", action="store_true", help="every deck, not only the tuned ones")
    parser.add_argument("--decks", type=Path, default=DECKS, help="where the deck files are")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="judge as plain case-insensitive regex search over the raw answer (no claims)",
    )
    parser.add_argument("--show", action="store_true", help="print tuning answers judged wrong")
    args = parser.parse_args()

    names = sorted(p.stem for p in DECKS.glob("*.yaml")) if args.all else list(TUNED_DECKS)
    # split -> kind -> [points judged as expected, points expected]
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    seconds = 0.0
    judged = 0
    for name in names:
        deck = load_deck(args.decks / f"{name}.yaml")
        for qid, examples in examples_of(deck, args.examples).items():
            question = deck.get(qid)
            if not isinstance(question, ConceptQuestion):
                continue
            count = len(question.key_points)
            for example in examples:
                split = "held-out" if held_out(deck.id, qid, example.answer) else "tuning"
                start = time.perf_counter()
                hits = judge(question, example.answer, baseline=args.baseline)
                seconds += time.perf_counter() - start
                judged += 1
                must_hit, must_miss = example.expected(count)
                cell = tally[split][example.kind]
                if example.kind == "correct":
                    cell[0] += len(must_hit & hits)
                    cell[1] += len(must_hit)
                    wrong = bool(must_hit - hits)
                else:
                    cell[0] += len(must_miss & hits)
                    cell[1] += len(must_miss)
                    wrong = bool(must_miss & hits)
                if wrong and args.show and split == "tuning":
                    print(f"--- {deck.id}/{qid} [{example.kind}] hits {sorted(hits)}")
                    print(f"    expected hits {sorted(must_hit)} misses {sorted(must_miss)}")
                    print("    " + example.answer.strip().replace("\n", "\n    "))
                    for n, verdict in enumerate(question.judge(example.answer).verdicts, 1):
                        made = [s.text for s in verdict.claims]
                        void = [s.text for s in verdict.void]
                        print(f"    {n}. {verdict.key_point.point[:60]!r} made={made} void={void}")
    for split in ("held-out", "tuning"):
        parts = []
        for kind, label in (
            ("correct", "correct hit"),
            ("misconception", "misconception hit"),
            ("keywords", "keywords hit"),
        ):
            got, total = tally[split][kind]
            share = f"{100 * got / total:.1f}%" if total else "n/a"
            parts.append(f"{label} {share} ({got}/{total} points)")
        print(f"{split:9}: " + "; ".join(parts))
    if judged:
        print(f"speed    : {1e3 * seconds / judged:.2f} ms per answer ({judged} answers)")


if __name__ == "__main__":
    main()
