"""The help screen: what each key does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# mlquiz — keys

| key | where | what |
|---|---|---|
| `Enter` | deck list | open the deck |
| `r` / `m` / `s` | deck list | review what is due / mock interview / stats |
| `ctrl+s` | any answer | submit the answer |
| `ctrl+n` / `ctrl+b` | practice | next / previous question |
| `ctrl+k` | practice | skip this question |
| `ctrl+l` | practice | list of questions: jump to any |
| `ctrl+t` | practice | show a hint |
| `1` `2` `3` `4` | after a concept answer | rate yourself: Again, Hard, Good, Easy |
| `1`–`9`, arrows, space | choice question | pick options |
| `Enter` | numeric part | the next part; from the last one, submit |
| `ctrl+g` | code question | grade the code in the background; the result shows in the frame |
| `Enter` | code editor | a new line, indented as the line above (one level more after a `:`) |
| `ctrl+o` | code question | the list of checks of the last grade |
| `ctrl+x` | code question | cancel grading |
| `ctrl+e` | code question | open the draft in `$EDITOR`, grade on return |
| `Enter` | a failed check | jump to the line it points at |
| `escape` | practice | leave the text field; press again to go back to the decks |
| `ctrl+t` | mock interview | a hint: costs a quarter of the question's points |
| `ctrl+f` or `escape` | mock interview | finish now (unanswered questions score 0) |
| `ctrl+r` | mock, interviewer mode | score the answer 0–4 by hand |
| `e` | scorecard | export it (`.md` or `.json`) |
| `r` | stats | reload |
| `ctrl+p` | anywhere | command palette: open a deck, go to a question, review, mock, stats, theme |
| `?` or `F1` | anywhere | this help |
| `ctrl+q` | anywhere | quit (drafts are saved as you type) |

Numbers are read the way you write them: `73,728`, `7.37e4`, `11.9%`, `~8.4x`,
`1/8.4`, `3*3*64*128`. A part that cannot be read (`1,5`, letters, nothing) is not
submitted: the field says why, and you fix it.

In a review, numeric, choice and code results are rated for you (right at the first try:
Good, or Easy within the expected time; after hints or another try: Hard; wrong: Again) and
the progress line says when the question comes back. In a mock interview nothing is marked
right or wrong until the scorecard; answers can be changed until you finish.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close")
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
