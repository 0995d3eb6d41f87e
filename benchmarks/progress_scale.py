"""How the progress store scales: a year of daily practice against an empty store.

Builds, in a temporary QUIZ_HOME, a store holding a synthetic year of use: every packaged
question reviewed by FSRS whenever it fell due (90 % recalled), plus extra practice answers up
to ``--per-day`` answers a day. Then measures, each as a new process and in this one run:

- ``python -c "import textual.app"`` (the floor any Textual app pays),
- the app from launch until the deck list (with its "Due today" line) is on screen,
  with an empty store and with the year-old store,
- ``quiz review --list`` and ``quiz stats --json`` on the year-old store.

Run: ``.venv/bin/python benchmarks/progress_scale.py [--per-day N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Card, Rating
from fsrs import Scheduler as FsrsScheduler

from questions import DeckLibrary
from quiz.progress.store import STORE_FILENAME, Store

PROBE = r"""
from quiz.app import QuizApp
from quiz.app.screens.home import HomeScreen
from textual.widgets import Static

class Probe(QuizApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self._shown)

    def _shown(self):
        screen = self.screen
        if isinstance(screen, HomeScreen) and "Due today" in str(
            screen.query_one("#due-line", Static).content
        ):
            self.exit(str(screen.query_one("#due-line", Static).content))
        else:
            self.call_after_refresh(self._shown)

print(Probe().run(headless=True, size=(80, 24)))
"""


def fill(store_path: Path, per_day: int, seed: int = 0) -> tuple[int, int, int]:
    """A year of reviews and practice; returns (attempts, reviews, cards)."""
    rng = random.Random(seed)
    library = DeckLibrary.discover([], include_user=False)
    questions = [(f"{d.id}/{q.id}", q.kind) for d in library.decks for q in d.deck.questions]
    scheduler = FsrsScheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=True)
    now = datetime.now(UTC)
    start = now - timedelta(days=365)
    attempts: list[tuple[object, ...]] = []
    reviews: list[tuple[object, ...]] = []
    cards: list[tuple[object, ...]] = []
    for question, kind in questions:
        card = Card(due=start)
        at = start + timedelta(minutes=rng.randrange(24 * 60))
        introduced = at
        while at < now:
            rating = Rating.Good if rng.random() < 0.9 else Rating.Again
            before = card.to_json()
            card, _ = scheduler.review_card(card, rating, at)
            verdict = {"concept": "rated", "code": "pass" if rating == 3 else "fail"}.get(
                kind, "correct" if rating == 3 else "wrong"
            )
            attempts.append(
                (
                    question,
                    kind,
                    "answer",
                    verdict,
                    1.0 if rating == 3 else 0.0,
                    int(rating) if kind == "concept" else None,
                    60.0,
                    0,
                    at.isoformat(),
                    "review",
                )
            )
            reviews.append((f"s{at:%Y%m%d}", question, int(rating), at.isoformat(), before))
            at = card.due + timedelta(minutes=rng.randrange(600))
        cards.append((question, card.to_json(), card.due.isoformat(), introduced.isoformat()))
    extra = max(0, per_day * 365 - len(attempts))
    for _ in range(extra):
        question, kind = rng.choice(questions)
        at = start + timedelta(seconds=rng.randrange(365 * 86400))
        verdict = {"concept": "rated", "code": "pass"}.get(kind, "correct")
        attempts.append(
            (
                question,
                kind,
                "answer",
                verdict,
                1.0,
                3 if kind == "concept" else None,
                45.0,
                0,
                at.isoformat(),
                "practice",
            )
        )
    with Store(store_path):
        pass  # creates the schema
    with sqlite3.connect(store_path) as db:
        db.executemany(
            "INSERT INTO attempts (question, kind, answer, verdict, score, rating, seconds, "
            "hints, at, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            attempts,
        )
        db.executemany(
            "INSERT INTO reviews (session, question, rating, at, card_before) "
            "VALUES (?, ?, ?, ?, ?)",
            reviews,
        )
        db.executemany(
            "INSERT INTO cards (question, card, due, introduced) VALUES (?, ?, ?, ?)", cards
        )
    return len(attempts), len(reviews), len(cards)


def wall(command: list[str], home: Path) -> float:
    env = {**os.environ, "QUIZ_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=50, help="answers a day (default 50)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty_dir, tempfile.TemporaryDirectory() as year_dir:
        empty, year = Path(empty_dir), Path(year_dir)
        counts = fill(year / STORE_FILENAME, args.per_day)
        size = (year / STORE_FILENAME).stat().st_size

        def median(command: list[str], home: Path) -> float:
            return statistics.median(wall(command, home) for _ in range(args.repeat))

        quiz = [sys.executable, "-m", "quiz"]
        floor = median([sys.executable, "-c", "import textual.app"], empty)
        rows = [
            ('python -c "import textual.app"', floor),
            ("app to deck list, empty store", median([sys.executable, "-c", PROBE], empty)),
            ("app to deck list, a year of progress", median([sys.executable, "-c", PROBE], year)),
            ("quiz review --list, a year of progress", median([*quiz, "review", "--list"], year)),
            ("quiz stats --json, a year of progress", median([*quiz, "stats", "--json"], year)),
        ]
    attempts, reviews, cards = counts
    print(
        f"a year of progress: {attempts:,} answers, {reviews:,} reviews, {cards} scheduled "
        f"questions, {size / 1e6:.1f} MB\n"
    )
    print(f"{'measurement':<42} {'seconds':>8} {'÷ import textual.app':>21}")
    for name, seconds in rows:
        print(f"{name:<42} {seconds:>8.3f} {seconds / floor:>21.2f}")


if __name__ == "__main__":
    main()
