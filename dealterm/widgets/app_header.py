"""The header line: Textual's Header, whose title changes cost no layout pass."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Header
from textual.widgets._header import HeaderTitle

if TYPE_CHECKING:
    from textual.app import ComposeResult

__all__ = ["AppHeader"]


class _TitleLine(HeaderTitle):
    """The header's title: one line of fixed size, so new text needs only a repaint."""

    def update(self, content: Any = "", *, layout: bool = False) -> None:
        super().update(content, layout=False)


class AppHeader(Header):
    """Textual's header with a title that repaints without laying out the screen.

    The header follows the app's sub-title (database, pipeline, filter), and every
    screen's header updates it: Textual's title asks for a layout pass of the screen
    each time, ~5 ms of the list's 100,000 deals while a search keystroke's read runs.
    """

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield _TitleLine() if type(widget) is HeaderTitle else widget
