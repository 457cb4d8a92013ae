"""The filter bar (`/`): search as you type, shared by every view.

Every view has its own bar, and all of them show the words of the one shared filter: a bar
follows the filter when its view comes into sight (:meth:`FilterBar.follow`, on Textual's
screen-change signal), when it opens, and when the filter changes while its view is in
sight (the app calls :meth:`FilterBar.follow` on :class:`~dealterm.messages.FilterChanged`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, Label

if TYPE_CHECKING:
    from textual.screen import Screen

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


def shared_words(app: object) -> str:
    """The words of the filter in force (the app's ``deal_filter``), "" without any."""
    flt = getattr(app, "deal_filter", None)
    return (getattr(flt, "search", None) or "") if flt is not None else ""


class FilterBar(Horizontal):
    """A one-line search box: open while it is typed into or the shared filter has words."""

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
        self._words = ""  # the filter's words as this bar last set or saw them (stripped)
        # Words this bar sent that it has not seen in force yet, oldest first: a keystroke's
        # search is applied a message later, and the next keys are typed meanwhile.
        self._unseen: list[str] = []

    def on_mount(self) -> None:
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def _screen_changed(self, screen: Screen[object]) -> None:
        # Back in sight (another view, a dialog or the card closed): nothing is being typed
        # here, so the shared words are the ones to show.
        if screen is self.screen:
            self.follow(typed=False)

    def compose(self) -> ComposeResult:
        yield Label("Filter")
        yield SearchInput(placeholder="title, client, contact or comment…", id="filter-input")

    @property
    def text(self) -> str:
        """What is typed."""
        return self.query_one(Input).value

    def open(self) -> None:
        """Show the bar with the shared filter's words and put the cursor in it (the words
        are selected: a letter starts a new search, → or End goes on from them)."""
        box = self.query_one(Input)
        if not box.has_focus:
            self.follow(typed=False)
        self.add_class("-open")
        # At once, not after the keys already waiting: they are the search's.
        self.screen.set_focus(box)

    def follow(self, *, typed: bool = True) -> None:
        """Show the words of the shared filter, if they changed elsewhere.

        Args:
            typed: the bar may have been typed into just now: words it sent and has not
                seen in force yet are its own, still on their way, and leave it as it is.
                False (the view comes back into sight, the bar opens): nothing is on its
                way, the shared words are the ones to show.
        """
        words = shared_words(self.app)
        if typed and words in self._unseen:
            del self._unseen[: self._unseen.index(words) + 1]
            return
        self._unseen.clear()
        box = self.query_one(Input)
        if words != self._words or box.value.strip() != words:
            self._words = words
            self._pending = False
            # Its Input.Changed sends nothing: these words are in force already.
            box.value = words
            box.cursor_position = len(words)
        if not box.has_focus:
            self.set_class(bool(words), "-open")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if not self._pending:
            self._pending = True
            self.call_later(self._send)

    def _send(self) -> None:
        if self._pending:
            self._pending = False
            text = self.text
            if text.strip() != self._words:  # spaces around the words search nothing new
                self._words = text.strip()
                self._unseen.append(self._words)
                self.post_message(self.Changed(text))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._send()
        if not self.text.strip():
            self.remove_class("-open")
        self.post_message(self.Done())

    def action_clear(self) -> None:
        """Clear the filter's words and hide the bar."""
        self._pending = False
        self.query_one(Input).value = ""
        self.remove_class("-open")
        if self._words or shared_words(self.app):  # the words in force, wherever typed
            self._words = ""
            self._unseen.append("")
            self.post_message(self.Changed(""))
        self.post_message(self.Done())
