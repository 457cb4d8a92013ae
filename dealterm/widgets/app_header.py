"""The header line: Textual's Header, whose title changes at once and costs no layout pass."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Header
from textual.widgets._header import HeaderTitle

if TYPE_CHECKING:
    from textual import events
    from textual.app import ComposeResult

__all__ = ["AppHeader"]


class _TitleLine(HeaderTitle):
    """The header's title: one line of fixed size, so new text needs only a repaint, and
    the same text none."""

    _shown: Any = None

    def update(self, content: Any = "", *, layout: bool = False) -> None:
        last = self._shown
        if (
            isinstance(content, Content)
            and isinstance(last, Content)
            and (content.plain, content.spans) == (last.plain, last.spans)
        ) or (isinstance(content, str) and content == last):
            return
        self._shown = content
        super().update(content, layout=False)


class AppHeader(Header):
    """Textual's header with a title that is set at once and repaints without laying out
    the screen.

    The header follows the app's sub-title (database, pipeline, filter), and every
    screen's header updates it. Textual's title asks for a layout pass of the screen each
    time (~5 ms of the list's, while a search keystroke's read runs), and it is set by
    asynchronous watchers, after the frame the change came with: its own frame then came
    one frame interval later and held up the next (a search's rows waited ~10 ms for it).
    """

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield _TitleLine() if type(widget) is HeaderTitle else widget

    def _on_mount(self, _event: events.Mount) -> None:
        # Besides Textual's own watchers (Header._on_mount runs too; they then find the
        # title in place and draw nothing).
        for owner in (self.app, self.screen):
            for name in ("title", "sub_title"):
                self.watch(owner, name, self._show_title, init=False)

    def _show_title(self) -> None:
        with contextlib.suppress(NoMatches):  # not composed yet
            self.query_one(HeaderTitle).update(self.format_title())
