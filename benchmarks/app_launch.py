"""Launch-to-first-screen time of the app, next to ``python -c "import textual.app"``.

Both are whole new processes, measured in this one run: the first only imports
Textual; the second builds the app as ``quiz`` does (decks, progress store,
grading service that starts its workers in the background) and exits as soon
as the deck list is on screen. The app's own process never imports torch; this
also prints whether it did.

Run: ``.venv/bin/python benchmarks/app_launch.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PROBE = r"""
import sys, time
from quiz.app import QuizApp
from quiz.app.grading import PoolGradingService
from quiz.app.screens.home import HomeScreen

class Probe(QuizApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self._shown)

    def _shown(self):
        if isinstance(self.screen, HomeScreen) and self.screen.query("#decks"):
            self.exit("torch" in sys.modules)
        else:
            self.call_after_refresh(self._shown)

print(Probe(grader=PoolGradingService()).run(headless=True, size=(80, 24)))
"""


def wall(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    textual_import = statistics.median(
        wall([sys.executable, "-c", "import textual.app"])[0] for _ in range(args.repeat)
    )
    runs = [wall([sys.executable, "-c", PROBE]) for _ in range(args.repeat)]
    launch = statistics.median(seconds for seconds, _ in runs)
    torch_seen = {out for _, out in runs}
    rows = [
        ('python -c "import textual.app"', textual_import),
        ("quiz app: launch to deck list on screen", launch),
    ]
    print(f"{'measurement':<46} {'seconds':>8} {'÷ import textual.app':>21}")
    for name, seconds in rows:
        print(f"{name:<46} {seconds:>8.3f} {seconds / textual_import:>21.2f}")
    print(f"\ntorch imported in the app process: {', '.join(sorted(torch_seen))}")


if __name__ == "__main__":
    main()
