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
| `ctrl+s` | any answer | submit the answer |
| `ctrl+n` / `ctrl+b` | practice | next / previous question |
| `ctrl+k` | practice | skip this question |
| `ctrl+l` | practice | list of questions: jump to any |
| `ctrl+t` | practice | show a hint |
| `1` `2` `3` `4` | after a concept answer | rate yourself: Again, Hard, Good, Easy |
| `1`–`9`, arrows, space | choice question | pick options |
| `ctrl+g` | code question | grade the code (runs in the background) |
| `ctrl+x` | code question | cancel grading |
| `ctrl+e` | code question | open the draft in `$EDITOR`, grade on return |
| `Enter` | a failed check | jump to the line it points at |
| `escape` | practice | leave the text field; press again to go back to the decks |
| `ctrl+p` | anywhere | command palette: open a deck, go to a question, change theme |
| `?` or `F1` | anywhere | this help |
| `ctrl+q` | anywhere | quit (drafts are saved as you type) |

Numbers are read the way you write them: `73,728`, `7.37e4`, `11.9%`, `~8.4x`,
`1/8.4`, `3*3*64*128`.
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
