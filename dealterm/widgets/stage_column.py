"""One kanban column: a header and a virtual list of cards read a page at a time.

No widget per deal: the column is a Line-API ``ScrollView`` whose height is the number of
deals times the card height. Only visible lines are drawn, and a page of cards that is
not loaded yet is asked for with a :class:`StageColumn.PageWanted` message.
"""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from typing import Any

from rich.style import Style
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from dealterm.core.cards import PAGE_SIZE, StageSummary
from dealterm.widgets.card_view import CARD_HEIGHT, CardView, card_strip
from dealterm.widgets.stage_header import StageHeader

# Drawn card lines a column keeps for its next repaints: about four screens of it. It
# kept up to 4,000: every move leaves the old card's lines behind and each strip holds
# caches of its own, so the objects every full garbage collection walks grew all session
# long (~50,000 more after 200 moves at 100k deals).
LINES_KEPT = 160

__all__ = ["LINES_KEPT", "PAGE_SIZE", "StageColumn", "StageHeader", "StageLane"]


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
        self._width = 0  # the same while a frame's lines are drawn
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
        if count == self.count and self.virtual_size.height == count * CARD_HEIGHT:
            return
        old, self.count = self.count, count
        if self.cursor is not None and self.cursor >= count:
            self.cursor = count - 1 if count else None
            if self.cursor is not None:
                self.refresh_lines(self.cursor * CARD_HEIGHT, CARD_HEIGHT)
        size = Size(self.size.width, count * CARD_HEIGHT)
        height = self.size.height
        if height and (self.virtual_size.height > height) == (size.height > height):
            # The scrollbar stays (or stays away): only its thumb changes. A new virtual size
            # is otherwise a layout pass of the whole screen, for every move.
            self.set_reactive(ScrollView.virtual_size, size)
            bar = self.vertical_scrollbar
            if self.show_vertical_scrollbar and _thumb(bar, size.height) == _thumb(
                bar, bar.window_virtual_size
            ):
                # The thumb is drawn in the same cells (a deal more or less in thousands):
                # no repaint of the scrollbar's every line.
                bar.set_reactive(ScrollBar.window_virtual_size, size.height)
                self.scroll_y = self.validate_scroll_y(self.scroll_y)
            else:
                self._scroll_update(size)
            # The rows that appeared or went at the end (a move repaints its own rows).
            low, high = sorted((old, count))
            self.refresh_lines(low * CARD_HEIGHT, (high - low) * CARD_HEIGHT)
        else:
            self.virtual_size = size
            self.refresh()

    def set_page(self, page: int, cards: list[CardView]) -> None:
        """Cards of page ``page`` arrived."""
        # A card read again unchanged keeps its object, and with it its drawn lines.
        known = {view.card.id: view for loaded in self.pages.values() for view in loaded}
        cards = [
            kept if (kept := known.get(view.card.id)) is not None and kept == view else view
            for view in cards
        ]
        old = self.pages.get(page)
        self.pages[page] = cards
        self.wanted.discard(page)
        self.stale.discard(page)
        if old is None:
            self._refresh_from(page * PAGE_SIZE)
            return
        # A page read again after a move is mostly what is drawn: repaint from the first
        # card that differs (often none is visible).
        same = 0
        for before, after in zip(old, cards, strict=False):
            if before != after:
                break
            same += 1
        if same < max(len(old), len(cards)):
            self._refresh_from(page * PAGE_SIZE + same)

    def page_dropped(self, page: int) -> None:
        """A page asked for arrived out of date: ask again when it is drawn."""
        if page in self.wanted:
            self.wanted.discard(page)
            self.refresh_lines(page * PAGE_SIZE * CARD_HEIGHT, PAGE_SIZE * CARD_HEIGHT)

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

    def _loaded_run(self) -> list[list[CardView]]:
        """The pages loaded and current from page 0 on, up to the first gap."""
        run = []
        page = 0
        while page in self.pages and page not in self.stale:
            run.append(self.pages[page])
            page += 1
        return run

    def row_for(
        self, key: tuple[Any, ...], order: Callable[[CardView], tuple[Any, ...]]
    ) -> int | None:
        """Where a card whose sort key is ``key`` goes (cards are in descending ``order``),
        or None if that is past what is loaded."""
        row = 0
        for cards in self._loaded_run():
            for view in cards:
                if order(view) < key:
                    return row
                row += 1
        return row if row >= self.count else None

    def remove_row(self, row: int) -> bool:
        """A card left the column: the loaded cards below it move up a row.

        Call it before the column's new count is set.

        Returns:
            False if the row is not loaded (nothing changed).
        """
        page, index = divmod(row, PAGE_SIZE)
        if page in self.stale or index >= len(self.pages.get(page, ())):
            return False
        cards = list(self.pages[page])
        del cards[index]
        while page + 1 in self.pages and page + 1 not in self.stale and self.pages[page + 1]:
            following = self.pages[page + 1]
            cards.append(following[0])
            self.pages[page] = cards
            cards = list(following[1:])
            page += 1
        self.pages[page] = cards
        if len(cards) < min(PAGE_SIZE, self.count - 1 - page * PAGE_SIZE):
            self.stale.add(page)  # its last card is on the next page, not loaded: read again
        self._stale_after(page)
        self._refresh_from(row)
        return True

    def insert_row(self, row: int, view: CardView) -> bool:
        """A card entered the column at ``row``: the loaded cards from there move down.

        Returns:
            False if the row is not loaded (nothing changed).
        """
        page, index = divmod(row, PAGE_SIZE)
        cards = self.pages.get(page, [] if row == self.count and index == 0 else None)
        if cards is None or page in self.stale or index > len(cards):
            return False
        cards = list(cards)
        cards.insert(index, view)
        while len(cards) > PAGE_SIZE:
            carried = cards.pop()
            self.pages[page] = cards
            page += 1
            if page not in self.pages or page in self.stale:
                self._stale_after(page - 1)
                return self._refresh_from(row)  # it belongs to a page not loaded
            cards = [carried, *self.pages[page]]
        self.pages[page] = cards
        self._stale_after(page)
        return self._refresh_from(row)

    def _stale_after(self, page: int) -> None:
        """Pages loaded past a gap after ``page`` are a row off now: read them again."""
        self.stale.update(later for later in self.pages if later > page)

    def _refresh_from(self, row: int) -> bool:
        """Repaint the visible lines from ``row`` down (the rest of the column is unchanged)."""
        top = max(row * CARD_HEIGHT, int(self.scroll_y))
        bottom = int(self.scroll_y) + self.size.height
        if top < bottom:
            self.refresh_lines(top, bottom - top)
        return True

    @property
    def visible_cards(self) -> int:
        """How many whole cards fit in the column."""
        return max(1, self.size.height // CARD_HEIGHT)

    # --- cursor -----------------------------------------------------------------------
    def set_cursor(self, row: int | None) -> None:
        """Highlight ``row`` (None: this column is not active) and keep it in view."""
        old, self.cursor = self.cursor, row
        scrolled = False
        if row is not None:
            top = row * CARD_HEIGHT
            bottom = top + CARD_HEIGHT
            if top < self.scroll_y:
                self.scroll_to(y=top, animate=False)
                scrolled = True
            elif bottom > self.scroll_y + self.size.height:
                self.scroll_to(y=bottom - self.size.height, animate=False)
                scrolled = True
        if scrolled:
            self.refresh()
        elif old != row:
            # Only the two cards whose highlight changed are drawn again.
            for changed in (old, row):
                if changed is not None:
                    self.refresh_lines(changed * CARD_HEIGHT, CARD_HEIGHT)

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
        self._width = self.scrollable_content_region.width
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        if self._base_style is not None:
            base, width = self._base_style, self._width
        else:
            base, width = self.rich_style, self.scrollable_content_region.width
        absolute = int(self.scroll_y) + y
        row, line = divmod(absolute, CARD_HEIGHT)
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
        strip = card_strip(view, line, width, selected, base)
        if view is not None:
            if len(self._lines) >= LINES_KEPT:
                self._lines.clear()
            self._lines[key] = (view, strip)
        return strip


def _thumb(bar: ScrollBar, virtual_size: int) -> tuple[int, int] | None:
    """Where a vertical scrollbar draws its thumb, in eighths of a cell (the arithmetic of
    Textual's ``ScrollBarRender.render_bar``), for a content ``virtual_size`` lines high."""
    size = bar.size.height
    window_size = bar.window_size if bar.window_size < virtual_size else 0
    if not (window_size and size and virtual_size and size != virtual_size):
        return None
    thumb_size = max(1, window_size / (virtual_size / size))
    position = (size - thumb_size) * (bar.position / (virtual_size - window_size))
    start = int(position * 8)
    return start, start + ceil(thumb_size * 8)


class StageLane(Vertical):
    """A column of the board: header above cards."""

    # Its header and column cover it: what it draws itself is blank. Textual then skips
    # rendering it line by line (a tenth of the first frame's render, for nothing).
    BLANK = True

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
        # the classes that set its width, which is lane_width's
        super().__init__(classes="-closed" if summary.stage.semantics != "process" else "")
        self.summary = summary
        self.header = StageHeader()
        self.column = StageColumn(summary.stage.id)

    def compose(self):  # type: ignore[no-untyped-def]
        yield self.header
        yield self.column
