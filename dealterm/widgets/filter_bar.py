"""The filter bar (`/`): search as you type, shared by every view."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, Label

__all__ = ["FilterBar", "SearchInput"]


class SearchInput(Input):
    """Textual's input, whose typing costs no layout pass of the screen.

    Textual's input sets its virtual width to its text's on every key, and a new virtual
    size asks for a layout pass of the whole screen (~5 ms of the list's, before the
    search the key starts). The box is of fixed size (``1fr`` by 3) and scrolls its text
    itself; the new width is set quietly first, so Textual's own update finds it in place.
    """

    def _watch_value(self, value: str) -> None:
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)


class FilterBar(Horizontal):
    """A one-line search box; hidden until opened."""

    DEFAULT_CSS = """
    FilterBar {
        height: 3;
        display: none;
        padding: 0 1;
    }
    FilterBar.-open {
        display: block;
    }
    FilterBar Label {
        width: auto;
        padding: 1 1 0 0;
    }
    FilterBar Input {
        width: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", id="filter.clear"),
    ]

    class Changed(Message):
        """The filter text changed.

        A typed key searches at once; keys that arrive together (a paste, a burst) make
        one search. Stale searches cost little: the views' workers are exclusive and drop
        results of an older filter.
        """

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Done(Message):
        """The user left the filter bar (enter keeps the filter, escape clears it)."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = False  # a change is queued to be sent

    def compose(self) -> ComposeResult:
        yield Label("Filter")
        yield SearchInput(placeholder="title, client, contact or comment…", id="filter-input")

    @property
    def text(self) -> str:
        """What is typed."""
        return self.query_one(Input).value

    def open(self) -> None:
        """Show the bar and put the cursor in it."""
        self.add_class("-open")
        # At once, not after the keys already waiting: they are the search's.
        self.screen.set_focus(self.query_one(Input))

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if not self._pending:
            self._pending = True
            self.call_later(self._send)

    def _send(self) -> None:
        if self._pending:
            self._pending = False
            self.post_message(self.Changed(self.text))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._send()
        if not self.text.strip():
            self.remove_class("-open")
        self.post_message(self.Done())

    def action_clear(self) -> None:
        """Clear the filter and hide the bar."""
        self._pending = False
        had_text = bool(self.text)
        self.query_one(Input).value = ""
        self.remove_class("-open")
        if had_text:
            self.post_message(self.Changed(""))
        self.post_message(self.Done())
