"""The grading service the app uses: a protocol, and the real one over the worker pool.

The app takes the service as an injected dependency, so its tests run with a
fake and the app works (without grading) where the workers cannot start. The
real service starts the warm workers in the background when the app starts;
``grade`` blocks and is called from a worker thread, never the UI thread.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Protocol

from grader import GradeRequest, GraderError, GraderPool, SubmissionReport


class GradingCancelled(Exception):
    """``cancel()`` was called while a grade was running."""


class GradingService(Protocol):
    def start(self) -> None:
        """Begin warming up; must return at once."""

    def grade(
        self, deck_path: str, question_id: str, source: str, *, display: str
    ) -> SubmissionReport:
        """Grade ``source``; blocks. Raises ``GradingCancelled`` or ``GraderError``."""

    def cancel(self) -> None:
        """Stop the running grade, if any."""

    def close(self) -> None:
        """Release the workers."""


class PoolGradingService:
    """Grades with ``grader.GraderPool``, started in the background."""

    def __init__(self, *, timeout: float = 20.0) -> None:
        self.timeout = timeout
        self._pool = GraderPool(jobs=1)
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._folder = Path(tempfile.mkdtemp(prefix="mlquiz-app-"))

    def start(self) -> None:
        self._pool.launch()

    def grade(
        self, deck_path: str, question_id: str, source: str, *, display: str
    ) -> SubmissionReport:
        with self._lock:
            self._cancelled.clear()
            path = self._folder / display
            path.write_text(source, encoding="utf-8")
            request = GradeRequest(
                submission=str(path),
                deck_path=deck_path,
                question_id=question_id,
                display=display,
                timeout=self.timeout,
            )
            try:
                reports = self._pool.grade_all([request])
            except GraderError:
                if self._cancelled.is_set():
                    raise GradingCancelled from None
                raise
            if self._cancelled.is_set():
                raise GradingCancelled
            return reports[0]

    def cancel(self) -> None:
        self._cancelled.set()
        self._pool.terminate()  # a fresh pool starts on the next grade

    def close(self) -> None:
        self._pool.terminate()
        for path in self._folder.iterdir():
            path.unlink(missing_ok=True)
        self._folder.rmdir()
