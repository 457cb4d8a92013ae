"""The deal list: a virtual table over SQL. No widget or row object per deal.

The table holds the ordered ids of the filter (8 bytes a deal) and draws only the
visible lines, from pages of rows read by id. A page that is not loaded yet is asked for
with :class:`DealTable.PageWanted`. The selection is a set of ids, so "select all" covers
deals that were never drawn.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dealterm.core.deal_columns import COLUMNS, ListColumn
from dealterm.core.formatting import format_money, show_date, show_datetime

__all__ = ["PAGE", "DealTable"]

PAGE = 50  # rows read at a time: a screenful of a tall terminal (the first page comes with
# the first ids, so a smaller page is a quicker first read of a sort or a search keystroke)
LINES_KEPT = 400  # drawn lines kept for redraws (per deal, as long as its row is the same)
GAP = 1


def cell_text(column: ListColumn, row: dict[str, Any], *, locale: str, zone: Any) -> Text:
    """How one cell looks."""
    value = row.get(column.key)
    if column.key == "stage":
        return Text(str(value or ""), style=row.get("stage_color") or "")
    if column.key == "amount" and isinstance(value, Decimal):
        return Text(format_money(value, str(row.get("currency") or "USD"), locale))
    if column.key == "probability" and value is not None:
        return Text(f"{value}%")
    if column.key == "repeat":
        return Text("yes" if value else "", style="cyan")
    if isinstance(value, datetime):
        local = value.astimezone(zone) if zone else value
        if column.key == "next_activity":
            return Text(show_datetime(local, locale))
        return Text(show_date(local, locale))
    if isinstance(value, date):
        return Text(show_date(value, locale))
    if value is None:
        return Text("")
    return Text(str(value))


class DealTable(ScrollView, can_focus=True):
    """Rows of deals with a cursor, a column cursor and a selection.

    Keys: arrows/j/k move, PgUp/PgDn/Home/End page, left/right pick a column (for
    sorting), space selects, shift+up/down extends the selection, ctrl+a selects every
    deal the filter matches.
    """

    DEFAULT_CSS = """
    DealTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("home", "edge(0)", "First", show=False, id="list.first"),
        Binding("end", "edge(1)", "Last", show=False, id="list.last"),
        Binding("left,h", "column(-1)", "Column", show=False, id="list.column_left"),
        Binding("right,l", "column(1)", "Column", show=False, id="list.column_right"),
        Binding("space", "toggle", "Select", id="list.toggle"),
        Binding("shift+up", "extend(-1)", "Extend up", show=False, id="list.extend_up"),
        Binding("shift+down", "extend(1)", "Extend down", show=False, id="list.extend_down"),
        Binding("ctrl+a", "select_all", "Select all", id="list.select_all"),
        Binding(
            "escape", "clear_selection", "Clear selection", show=False, id="list.clear_selection"
        ),
    ]

    class PageWanted(Message):
        """Rows of these ids are about to be drawn and are not loaded."""

        def __init__(self, page: int, ids: list[int]) -> None:
            super().__init__()
            self.page = page
            self.ids = ids

    class Changed(Message):
        """The cursor, the column cursor or the selection changed."""

    def __init__(self, *, locale: str = "en_US", zone: Any = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.locale = locale
        self.zone = zone
        self.available: dict[str, ListColumn] = dict(COLUMNS)  # plus custom fields' columns
        self.columns: list[ListColumn] = [
            COLUMNS[key] for key in ("id", "title", "stage", "amount")
        ]
        self.ids: array[int] = array("q")
        self.total: int | None = None  # known count while only the first page of ids is here
        self.rows: dict[int, dict[str, Any]] = {}
        self.loaded_pages: set[int] = set()
        self.wanted: set[int] = set()
        self.cursor = 0
        self.column_cursor = 0
        self.selected: set[int] = set()
        self._anchor: int | None = None
        # Drawn lines by deal id: (the row drawn, how it was drawn, the line). A repaint
        # (a new order, a scroll, a cursor move) redraws only the lines whose row or look
        # changed; formatting a line's cells (money through Babel) is most of a frame.
        self._lines: dict[int, tuple[dict[str, Any], tuple[Any, ...], Strip]] = {}
        self._base_style: Style | None = None  # rich_style walks the ancestors: once per look
        self._header: tuple[tuple[Any, ...], Text] | None = None  # the last header, its look

    def notify_style_update(self) -> None:
        self._base_style = None
        super().notify_style_update()

    # --- data -------------------------------------------------------------------------
    def set_available(self, columns: Sequence[ListColumn]) -> None:
        """The columns that can be shown: the built-in ones and the custom fields'."""
        self.available = dict(COLUMNS) | {c.key: c for c in columns}

    def set_columns(self, keys: Sequence[str]) -> None:
        """Show these columns, in this order (unknown keys are left out)."""
        self.columns = [self.available[key] for key in keys if key in self.available] or [
            COLUMNS["id"],
            COLUMNS["title"],
        ]
        self.column_cursor = min(self.column_cursor, len(self.columns) - 1)
        self._resize()

    def set_ids(
        self, ids: array[int], *, total: int | None = None, keep_rows: bool = False
    ) -> None:
        """A new order or filter: the ids of every matching deal (or the first of them)."""
        old = self.ids
        self.ids = ids
        self.total = total
        if not keep_rows:
            self.rows.clear()
            self.loaded_pages.clear()
        else:
            # The full order after its first page: pages that hold the same deals stay loaded.
            self.loaded_pages = {
                page
                for page in self.loaded_pages
                if ids[page * PAGE : (page + 1) * PAGE] == old[page * PAGE : (page + 1) * PAGE]
            }
        self.wanted.clear()
        self.selected &= set(ids) if total is None else self.selected
        anchor = self._anchor
        if anchor is not None and (anchor >= min(len(ids), len(old)) or ids[anchor] != old[anchor]):
            self._anchor = None  # another order or filter: that row holds another deal now
        self.cursor = min(self.cursor, max(0, self.row_count - 1))
        self._resize()
        self.post_message(self.Changed())

    def set_rows(self, page: int, rows: dict[int, dict[str, Any]]) -> None:
        """Rows of a page arrived."""
        self.rows.update(rows)
        self.loaded_pages.add(page)
        self.wanted.discard(page)
        self.refresh()
        self.post_message(self.Changed())

    def invalidate(self) -> None:
        """The data changed: draw what we have, but read every page again."""
        self.loaded_pages.clear()
        self.wanted.clear()
        self.refresh()

    @property
    def row_count(self) -> int:
        """How many deals the list holds."""
        return self.total if self.total is not None else len(self.ids)

    @property
    def width_needed(self) -> int:
        """The width of all columns."""
        return sum(c.width + GAP for c in self.columns) + 2

    def _resize(self) -> None:
        size = Size(self.width_needed, self.row_count)
        if size != self.virtual_size:
            # Set without the reactive's layout of the whole screen (20-25 ms at 160x45 on
            # every search keystroke that changes the count): only the scrollbars follow
            # the rows, and a layout happens when one of them appears or goes.
            self.set_reactive(DealTable.virtual_size, size)
            if self.is_mounted and self.container_size:
                self._scroll_update(size)
                self.scroll_y = self.validate_scroll_y(self.scroll_y)
        self.refresh()

    @property
    def current_id(self) -> int | None:
        """The deal under the cursor."""
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    @property
    def current_row(self) -> dict[str, Any] | None:
        """The loaded row under the cursor."""
        deal_id = self.current_id
        return self.rows.get(deal_id) if deal_id is not None else None

    @property
    def sort_column(self) -> ListColumn:
        """The column under the column cursor."""
        return self.columns[self.column_cursor]

    def header(self, sort: str, descending: bool) -> Text:
        """The header line: column names, the sorted one with an arrow, the column cursor
        marked; scrolled sideways as the rows are (it is drawn above the table).

        Asked for on every cursor move and search result: the same look is not drawn again.
        """
        scroll_x = int(self.scroll_x)
        look = (sort, descending, self.column_cursor, self.has_focus, self.columns, scroll_x)
        if self._header is not None and self._header[0] == look:
            return self._header[1]
        text = self._header_line(sort, descending)
        if scroll_x:
            # Cut by cells, as the rows are (Strip.crop), not by characters.
            line = Strip(list(text.render(self.app.console)), text.cell_len)
            cut = line.crop(scroll_x, line.cell_length)
            text = Text.assemble(*((segment.text, segment.style or "") for segment in cut))
        self._header = (look, text)
        return text

    def _header_line(self, sort: str, descending: bool) -> Text:
        """The whole header line, unscrolled."""
        text = Text("  ")
        for index, column in enumerate(self.columns):
            label = column.label + (
                " ▼" if column.key == sort and descending else " ▲" if column.key == sort else ""
            )
            cell = Text(
                label[: column.width].ljust(column.width)
                if column.align == "left"
                else label[: column.width].rjust(column.width)
            )
            cell.stylize("bold")
            if index == self.column_cursor and self.has_focus:
                cell.stylize("reverse")
            text.append_text(cell)
            text.append(" " * GAP)
        return text

    # --- drawing ----------------------------------------------------------------------
    def _want(self, page: int) -> None:
        if page in self.loaded_pages or page in self.wanted:
            return
        start = page * PAGE
        ids = list(self.ids[start : start + PAGE])
        if not ids:
            return
        self.wanted.add(page)
        self.post_message(self.PageWanted(page, ids))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        base = self._base_style
        if base is None:
            base = self._base_style = self.rich_style
        if index >= self.row_count:
            return Strip.blank(width, base)
        if index >= len(self.ids):
            return Strip([], 0).crop_extend(0, width, base)
        self._want(index // PAGE)
        deal_id = self.ids[index]
        row = self.rows.get(deal_id)
        selected = deal_id in self.selected
        if row is None:
            return self._draw(deal_id, row, selected, index).crop_extend(
                scroll_x, scroll_x + width, base
            )
        look = (
            selected,
            index == self.cursor and (2 if self.has_focus else 1),
            self.columns,
            self.locale,
            self.zone,
        )
        cached = self._lines.get(deal_id)
        if cached is not None and cached[1] == look and (cached[0] is row or cached[0] == row):
            strip = cached[2]
        else:
            if len(self._lines) > LINES_KEPT:
                self._lines.clear()
            strip = self._draw(deal_id, row, selected, index)
            self._lines[deal_id] = (row, look, strip)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _draw(self, deal_id: int, row: dict[str, Any] | None, selected: bool, index: int) -> Strip:
        """One deal's line, every column, unscrolled."""
        line = Text("● " if selected else "  ", style="bold bright_cyan" if selected else "")
        if row is None:
            line.append(f"{deal_id:>7}  …", style="grey50")
        else:
            for column in self.columns:
                cell = cell_text(column, row, locale=self.locale, zone=self.zone)
                cell.truncate(column.width, overflow="ellipsis")
                if column.align == "right":
                    cell.pad_left(column.width - cell.cell_len)
                else:
                    cell.pad_right(column.width - cell.cell_len)
                if row.get("closed"):
                    cell.stylize("dim")
                line.append_text(cell)
                line.append(" " * GAP)
        if index == self.cursor:
            line.stylize(
                Style(bgcolor="grey30", bold=True) if self.has_focus else Style(bgcolor="grey19")
            )
        elif selected:
            line.stylize(Style(bgcolor="grey15"))
        return Strip(list(line.render(self.app.console)), line.cell_len)

    def on_focus(self) -> None:
        self._base_style = None
        self.refresh()

    def on_blur(self) -> None:
        self._base_style = None
        self.refresh()

    # --- cursor and selection ------------------------------------------------------------
    def _move_to(self, index: int, *, extend: bool = False) -> None:
        # The anchor of shift+up/down is where the extending began: any other move (or a
        # new selection state) starts the next range from the cursor row again.
        if not extend:
            self._anchor = None
        if not self.row_count:
            return
        self.cursor = max(0, min(self.row_count - 1, index))
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= self.scroll_y + self.size.height:
            self.scroll_to(y=self.cursor - self.size.height + 1, animate=False)
        self.refresh()
        self.post_message(self.Changed())

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor + step * max(1, self.size.height - 1))

    def action_edge(self, end: int) -> None:
        self._move_to(self.row_count - 1 if end else 0)

    def action_column(self, step: int) -> None:
        self.column_cursor = max(0, min(len(self.columns) - 1, self.column_cursor + step))
        left = sum(c.width + GAP for c in self.columns[: self.column_cursor]) + 2
        right = left + self.columns[self.column_cursor].width
        if left < self.scroll_x:
            self.scroll_to(x=left, animate=False)
        elif right > self.scroll_x + self.size.width:
            self.scroll_to(x=right - self.size.width, animate=False)
        self.post_message(self.Changed())

    def action_toggle(self) -> None:
        deal_id = self.current_id
        if deal_id is None:
            return
        self.selected.symmetric_difference_update({deal_id})
        self._move_to(self.cursor + 1)

    def action_extend(self, step: int) -> None:
        if self.current_id is None:
            return
        if self._anchor is None:
            self._anchor = self.cursor
        self._move_to(self.cursor + step, extend=True)
        low, high = sorted((self._anchor, self.cursor))
        self.selected.update(self.ids[low : high + 1])
        self.refresh()

    def action_select_all(self) -> None:
        """Select every deal the filter matches (loaded or not)."""
        self._anchor = None
        self.selected = set(self.ids)
        self.refresh()
        self.post_message(self.Changed())

    def action_clear_selection(self) -> None:
        self._anchor = None
        if self.selected:
            self.selected.clear()
            self.refresh()
            self.post_message(self.Changed())
