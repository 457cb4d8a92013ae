"""One kanban column: a header and a virtual list of cards read a page at a time.

No widget per deal: the column is a Line-API ``ScrollView`` whose height is the number of
deals times the card height. Only visible lines are drawn, and a page of cards that is
not loaded yet is asked for with a :class:`StageColumn.PageWanted` message.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from dealterm.core.cards import StageSummary
from dealterm.core.formatting import format_money
from dealterm.widgets.card_view import CARD_HEIGHT, CardView, card_line

__all__ = ["PAGE_SIZE", "StageColumn", "StageHeader", "StageLane"]

PAGE_SIZE = 40


class StageColumn(ScrollView, can_focus=False):
    """The cards of one stage, drawn line by line from pages of data."""

    DEFAULT_CSS = """
    StageColumn {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    class PageWanted(Message):
        """A page of this column is about to be drawn and is not loaded."""

        def __init__(self, stage_id: int, page: int) -> None:
            super().__init__()
            self.stage_id = stage_id
            self.page = page

    def __init__(self, stage_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stage_id = stage_id
        self.count = 0
        self._base_style: Style | None = None  # set while a frame's lines are drawn
        # Drawn lines by (card, line, width, selected, style): a repaint of an unchanged
        # card reuses its strips (the card objects are immutable and replaced on reload).
        self._lines: dict[tuple[Any, ...], tuple[CardView, Strip]] = {}
        self.cursor: int | None = None
        self.pages: dict[int, list[CardView]] = {}
        self.wanted: set[int] = set()
        self.stale: set[int] = set()

    # --- data -------------------------------------------------------------------------
    def set_count(self, count: int) -> None:
        """How many deals the column holds (sets the scrollable height)."""
        self.count = count
        self.virtual_size = Size(self.size.width, count * CARD_HEIGHT)
        if self.cursor is not None and self.cursor >= count:
            self.cursor = count - 1 if count else None
        self.refresh()

    def set_page(self, page: int, cards: list[CardView]) -> None:
        """Cards of page ``page`` arrived."""
        self.pages[page] = cards
        self.wanted.discard(page)
        self.stale.discard(page)
        self.refresh()

    def invalidate(self) -> None:
        """The data changed: keep drawing what we have, but load every page again."""
        self.stale = set(self.pages)
        self.wanted.clear()
        self.refresh()

    def clear(self) -> None:
        """Forget every page (a new filter)."""
        self.pages.clear()
        self.wanted.clear()
        self.stale.clear()
        self.refresh()

    def card_at(self, row: int) -> CardView | None:
        """The card in row ``row``, if its page is loaded."""
        cards = self.pages.get(row // PAGE_SIZE)
        if cards is None:
            return None
        index = row % PAGE_SIZE
        return cards[index] if index < len(cards) else None

    def row_of(self, deal_id: int) -> int | None:
        """The row of a loaded card by deal id."""
        for page, cards in self.pages.items():
            for index, view in enumerate(cards):
                if view.card.id == deal_id:
                    return page * PAGE_SIZE + index
        return None

    @property
    def visible_cards(self) -> int:
        """How many whole cards fit in the column."""
        return max(1, self.size.height // CARD_HEIGHT)

    # --- cursor -----------------------------------------------------------------------
    def set_cursor(self, row: int | None) -> None:
        """Highlight ``row`` (None: this column is not active) and keep it in view."""
        self.cursor = row
        if row is not None:
            top = row * CARD_HEIGHT
            bottom = top + CARD_HEIGHT
            if top < self.scroll_y:
                self.scroll_to(y=top, animate=False)
            elif bottom > self.scroll_y + self.size.height:
                self.scroll_to(y=bottom - self.size.height, animate=False)
        self.refresh()

    # --- drawing ----------------------------------------------------------------------
    def _want(self, page: int) -> None:
        if page in self.wanted:
            return
        if page in self.pages and page not in self.stale:
            return
        self.wanted.add(page)
        self.post_message(self.PageWanted(self.stage_id, page))

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style is the same for every line of a frame: work it out once (it was
        # 40% of a repaint when asked per line).
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        absolute = int(self.scroll_y) + y
        row, line = divmod(absolute, CARD_HEIGHT)
        base = self._base_style if self._base_style is not None else self.rich_style
        if row >= self.count:
            return Strip.blank(width, base)
        page = row // PAGE_SIZE
        if page not in self.pages or page in self.stale:
            self._want(page)
        view = self.card_at(row)
        selected = row == self.cursor and line < CARD_HEIGHT - 1
        key = (id(view), line, width, selected, base)
        cached = self._lines.get(key)
        if cached is not None and cached[0] is view:
            return cached[1]
        strip = self._draw_line(view, line, width, selected, base)
        if view is not None:
            if len(self._lines) > 4000:  # a few screens of every column: plenty
                self._lines.clear()
            self._lines[key] = (view, strip)
        return strip

    def _draw_line(
        self, view: CardView | None, line: int, width: int, selected: bool, base: Style
    ) -> Strip:
        if view is None:
            text = Text(" …" if line == 0 else "", style="grey50")
            text.pad_right(width - text.cell_len)
        else:
            text = card_line(view, line, width)
        if selected:
            text.stylize(Style(bgcolor="grey30"))
            if line == 0:
                text = Text("▌", style="bold bright_cyan") + text[1:]
        elif line < CARD_HEIGHT - 1:
            text.stylize(Style(bgcolor="grey15"))
        segments = list(text.render(self.app.console))
        return (
            Strip(segments, width).crop_extend(0, width, base).simplify()
            if segments
            else Strip([Segment(" " * width, base)], width)
        )


class StageHeader(Static):
    """Stage name in its colour, deal count, sum and weighted sum in the base currency."""

    DEFAULT_CSS = """
    StageHeader {
        height: 3;
        padding: 0 1;
    }
    """

    def show(self, summary: StageSummary, *, base_currency: str, locale: str, active: bool) -> None:
        """Draw the header for ``summary``."""
        stage = summary.stage
        title = Text()
        title.append("█ ", style=stage.color)
        title.append(stage.name, style=f"bold {stage.color}" + (" underline" if active else ""))
        line2 = Text(f"{summary.count:,} · ", style="bold")
        line2.append(format_money(summary.total, base_currency, locale))
        if stage.pipeline_id:
            weighted = format_money(summary.weighted, base_currency, locale)
            line3 = Text(f"weighted {weighted} ({stage.probability}%)", style="grey62")
        else:  # a column that is not a stage (the activities board): no probability
            line3 = Text("")
        title.truncate(self.size.width - 2 if self.size.width > 4 else 40, overflow="ellipsis")
        # Three lines in a fixed-size header: no layout pass needed (it costs a whole-screen
        # layout per stage move otherwise).
        self.update(Text("\n").join([title, line2, line3]), layout=False)


class StageLane(Vertical):
    """A column of the board: header above cards."""

    DEFAULT_CSS = """
    StageLane {
        width: 30;
        height: 1fr;
        margin-right: 1;
    }
    StageLane.-closed {
        width: 24;
    }
    """

    def __init__(self, summary: StageSummary) -> None:
        super().__init__(classes="-closed" if summary.stage.semantics != "process" else "")
        self.summary = summary
        self.header = StageHeader()
        self.column = StageColumn(summary.stage.id)

    def compose(self):  # type: ignore[no-untyped-def]
        yield self.header
        yield self.column
