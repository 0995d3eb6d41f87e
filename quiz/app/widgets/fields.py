"""Text fields that handle every key in the order it was typed.

A text field inserts a character as soon as it handles the key, but its own key bindings
(arrows, backspace, delete, home, end …) run later, at the app, once the key has bubbled up
there. When keys arrive in one burst (a paste, a fast typist, a slow link), the characters
after an arrow or a backspace would land before the arrow moved or the backspace deleted:
"ab⌫c" would read "ab". These fields run their own bindings as they handle the key, so each
key takes effect in turn.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run ``widget``'s own (not priority) binding of the key now, as the key is handled;
    whether there was one that ran."""
    # Textual keeps a node's bindings, its keymap applied, in ``_bindings``.
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class OrderedTextArea(TextArea):
    """A :class:`~textual.widgets.TextArea` whose keys take effect in the order typed."""

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)


class OrderedInput(Input):
    """An :class:`~textual.widgets.Input` whose keys take effect in the order typed."""

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)
