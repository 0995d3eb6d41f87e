"""The Textual app: ``quiz`` with no command opens it.

The app is a thin shell over ``quiz.progress.session.PracticeSession`` (the practice
state machine), ``quiz.progress.store.Store`` (drafts and answers in SQLite) and an
injected grading service (``quiz.app.grading``), so it is testable with fakes. The
app's own process never imports torch: grading happens in worker processes
that start in the background when the app starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from questions import DeckLibrary

from ..progress.scheduling import Queue, Scheduler
from ..progress.store import Store
from ..render import plain
from .grading import GradingService

if TYPE_CHECKING:
    from ..progress.mock import MockConfig
    from ..progress.session import PracticeSession

Start = Literal["home", "review", "mock", "stats"]


class QuizCommands(Provider):
    """Command palette: open a deck, jump to a question of the open deck."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        assert isinstance(app, QuizApp)
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (
                f"Open deck: {plain(d.deck.title)}",
                f"{len(d.deck.questions)} questions",
                partial(app.open_deck, d.id),
            )
            for d in app.library.decks
        ]
        session = app.current_session()
        if session is not None:
            for index, question in enumerate(session.questions):
                commands.append(
                    (
                        f"Go to question {index + 1}: {plain(question.heading)}",
                        f"{question.kind} · {session.status(index)}",
                        partial(app.go_to_question, index),
                    )
                )
        commands += [
            ("Review what is due", "today's spaced-repetition queue", app.action_review),
            ("Mock interview", "a timed session of mixed questions", app.action_mock),
            ("Stats", "progress, retention, history and forecast", app.action_stats),
        ]
        commands.append(
            (
                "Toggle dark / light theme",
                "switch the colour theme",
                partial(app.action_toggle_dark),
            )
        )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class QuizApp(App[None]):
    """Practise machine-learning interview questions."""

    TITLE = "mlquiz"
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses live elsewhere
    COMMANDS = App.COMMANDS | {QuizCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1,question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        *,
        library: DeckLibrary | None = None,
        store: Store | None = None,
        grader: GradingService | None = None,
        deck_paths: Sequence[Path] = (),
        scheduler: Scheduler | None = None,
        start: Start = "home",
        review_decks: Sequence[str] | None = None,
        new_limit: int | None = None,
        mock: MockConfig | None = None,
        mock_export: Path | None = None,
    ) -> None:
        """``start`` opens the app on the review, a mock interview (``mock``: a
        :class:`~quiz.progress.mock.MockConfig`, exported to ``mock_export`` when it ends) or the
        stats, over the home screen."""
        super().__init__()
        self.library = library if library is not None else DeckLibrary.discover(deck_paths)
        self.store = store if store is not None else Store()
        self.scheduler = scheduler if scheduler is not None else Scheduler(self.store)
        self.grader = grader
        self.start = start
        self.review_decks = review_decks
        self.new_limit = new_limit
        self.mock_config = mock
        self.mock_export = mock_export

    class KeysHandled(Message):
        """Sent down to the focused widget and bubbled back up, the path every key press takes,
        so that it reaches the app after every key pressed before it (see :meth:`after_keys`)."""

        def __init__(self, callback: Callable[[], object]) -> None:
            super().__init__()
            self.callback = callback

    def after_keys(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once every key pressed before now has been handled.

        A priority binding (ctrl+s, ctrl+n, …) runs as soon as the app reads its key, while the
        keys read just before it may still be queued at the focused widget: text typed or
        pasted quickly would be cut short. Actions that read or replace an answer go through
        here, so they see everything typed before their key.
        """
        focused = self.focused
        if focused is None or not focused.is_attached:
            callback()
            return
        message = self.KeysHandled(callback)
        message.set_sender(self)  # bubbles all the way up, whoever asked
        if not focused.post_message(message):  # the widget is closing
            callback()

    @on(KeysHandled)
    def _keys_handled(self, message: KeysHandled) -> None:
        message.callback()

    def on_mount(self) -> None:
        from .screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.start == "review":
            self.action_review()
        elif self.start == "mock":
            self.start_mock(self.mock_config, export=self.mock_export)
        elif self.start == "stats":
            self.action_stats()
        if self.grader is not None:
            self.grader.start()  # warm the grading workers while the person reads
        if self.library.problems:
            self.notify(
                f"{len(self.library.problems)} problem(s) in deck files; those decks were "
                "skipped (`quiz check-deck` lists them)",
                severity="warning",
                timeout=8,
            )

    def on_unmount(self) -> None:
        if self.grader is not None:
            self.grader.close()
        self.store.close()

    # ------------------------------------------------------------------ actions

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def due_queue(self) -> Queue:
        """Today's review queue over every deck."""
        return self.scheduler.queue(self.library)

    def _back_home(self) -> None:
        """Close every screen above the home screen."""
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def action_review(self) -> None:
        """Open today's review (due questions, then new ones up to the daily limit)."""
        from ..progress.review import ReviewSession
        from .screens.practice import PracticeScreen

        session = ReviewSession.due(
            self.library,
            self.store,
            self.scheduler,
            decks=self.review_decks,
            new_limit=self.new_limit,
        )
        if session is None:
            upcoming = self.scheduler.next_due(self.library, decks=self.review_decks)
            soon = "" if upcoming is None else f" Next: {upcoming[1]} due {upcoming[0]:%a %d %b}."
            self.notify(
                "Nothing is due and no new questions are left for today." + soon,
                title="Review",
                timeout=6,
            )
            return
        self._back_home()
        self.push_screen(PracticeScreen(session, deck_path=session.paths))

    def action_stats(self) -> None:
        from .screens.stats import StatsScreen

        self._back_home()
        self.push_screen(StatsScreen())

    def action_mock(self) -> None:
        """Ask how to set up a mock interview, then start it."""
        from .screens.mock import MockSetupScreen

        def chosen(config: MockConfig | None) -> None:
            if config is not None:
                self.start_mock(config)

        self._back_home()
        self.push_screen(MockSetupScreen(self.library), chosen)

    def start_mock(self, config: MockConfig | None, *, export: Path | None = None) -> None:
        from ..progress.mock import MockConfig, MockInterview
        from .screens.mock import MockScreen

        interview = MockInterview.create(
            self.library, self.store, config if config is not None else MockConfig()
        )
        self._back_home()
        self.push_screen(MockScreen(interview, export=export))

    def open_deck(self, deck_id: str) -> None:
        from ..progress.session import PracticeSession
        from .screens.practice import PracticeScreen

        loaded = self.library.deck(deck_id)
        self._back_home()
        session = PracticeSession(loaded.deck, self.store, scheduler=self.scheduler)
        self.push_screen(PracticeScreen(session, deck_path=loaded.path))

    def current_session(self) -> PracticeSession | None:
        from .screens.practice import PracticeScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, PracticeScreen):
                return screen.session
        return None

    def go_to_question(self, index: int) -> None:
        from .screens.practice import PracticeScreen

        practice = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, PracticeScreen)), None
        )
        if practice is not None:
            while self.screen is not practice:
                self.pop_screen()
            practice.show_question(index)
