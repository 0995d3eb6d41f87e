"""Crash safety of a review: kill -9 in the middle of a session loses nothing already answered.

A real child process reviews the packaged decks through the real Store, Scheduler and
ReviewSession, answering one question after another for ever, and says which attempt each
answer became once the call that gave it has returned. The test kills it with SIGKILL while it
is still answering, then checks that every answer it reported is in the store, with its review
and its card.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from quiz.progress.store import STORE_FILENAME, Store

pytestmark = pytest.mark.slow  # starts grader workers or real processes

REPO = Path(__file__).resolve().parents[2]
ANSWERS_BEFORE_KILL = 12
DEADLINE_SECONDS = 120.0

CHILD = textwrap.dedent(
    """
    from questions import ChoiceQuestion, ConceptQuestion, DeckLibrary, NumericQuestion
    from quiz.progress.review import ReviewSession
    from quiz.progress.scheduling import Scheduler
    from quiz.progress.store import Store

    library = DeckLibrary.discover(include_user=False)
    store = Store()  # in $QUIZ_HOME
    scheduler = Scheduler(store)
    answerable = [
        f"{loaded.id}/{question.id}"
        for loaded in library.decks
        for question in loaded.deck.questions
        if question.kind != "code"  # code is graded in a worker, not here
    ]
    print("ready", flush=True)
    while True:
        # Today's queue first; once it is done, the same questions again in a new session.
        queue = scheduler.queue(library, new_limit=1000)
        wanted = [question for question in queue.questions if question in answerable]
        session = ReviewSession(
            library, store, scheduler, wanted or answerable, new=queue.new
        )
        for index, question in enumerate(session.questions):
            session.go(index)
            if isinstance(question, NumericQuestion):
                outcome = session.submit_numeric(["1"] * len(question.parts))
            elif isinstance(question, ChoiceQuestion):
                outcome = session.submit_choice([index % len(question.options)])
            elif isinstance(question, ConceptQuestion):
                outcome = session.submit_concept("It reduces the number of channels.")
                session.rate(1 + index % 4)
            else:
                continue
            print("answered", session.question_id(), outcome.attempt_id, session.session_id,
                  flush=True)
    """
)


def read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)  # end of output


def next_line(lines: queue.Queue[str | None], deadline: float, stderr: Path) -> str:
    try:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        pytest.fail(f"the child said nothing for too long; stderr:\n{stderr.read_text()}")
    if line is None:
        pytest.fail(f"the child stopped by itself; stderr:\n{stderr.read_text()}")
    return line


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_in_the_middle_of_a_review_loses_nothing_answered(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stderr_path = tmp_path / "stderr.txt"
    env = {**os.environ, "QUIZ_HOME": str(home), "PYTHONPATH": str(REPO)}
    with stderr_path.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
            cwd=tmp_path,
        )
    assert child.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=read_lines, args=(child.stdout, lines), daemon=True)
    reader.start()
    reported: list[tuple[str, int, str]] = []
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        assert next_line(lines, deadline, stderr_path) == "ready"
        while len(reported) < ANSWERS_BEFORE_KILL:
            word, question, number, session = next_line(lines, deadline, stderr_path).split()
            assert word == "answered"
            reported.append((question, int(number), session))
        # The child goes on answering; kill it wherever it has got to.
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
    reader.join(timeout=30)
    assert not reader.is_alive()
    # Answers reported between the last read and the kill count too.
    while (line := lines.get_nowait()) is not None:
        word, question, number, session = line.split()
        assert word == "answered"
        reported.append((question, int(number), session))

    assert child.returncode == -signal.SIGKILL, stderr_path.read_text()
    assert len({question for question, _, _ in reported}) >= ANSWERS_BEFORE_KILL
    kinds_seen = set()
    with Store(home / STORE_FILENAME) as store:  # opens: not corrupt, and it checks integrity
        attempts = {attempt.id: attempt for attempt in store.attempts()}
        reviews = {(review.session, review.question): review for review in store.reviews()}
        cards = store.cards()
    for question, attempt_id, session in reported:
        attempt = attempts.get(attempt_id)
        assert attempt is not None, f"attempt {attempt_id} at {question} was lost"
        assert (attempt.question, attempt.mode) == (question, "review")
        kinds_seen.add(attempt.kind)
        review = reviews.get((session, question))
        assert review is not None, f"the review of {question} (attempt {attempt_id}) was lost"
        assert review.attempt == attempt_id
        if attempt.kind == "concept":
            assert attempt.rating == review.rating
        assert question in cards, f"the card of {question} was lost"
        assert cards[question].introduced <= review.at
    assert {"concept", "numeric"} <= kinds_seen
    # Beyond what was reported: an answer is never stored without its review, nor a
    # self-rating without its review, wherever the kill fell (one transaction each).
    reviewed_attempts = {review.attempt for review in reviews.values()}
    for attempt in attempts.values():
        if attempt.kind != "concept" or attempt.rating is not None:
            assert attempt.id in reviewed_attempts, f"attempt {attempt.id} has no review"
