"""The kanban board: one lane per stage, and a cursor the keyboard moves."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import HorizontalScroll
from textual.message import Message
from textual.reactive import reactive

from dealterm.core.cards import StageSummary
from dealterm.widgets.card_view import CardView
from dealterm.widgets.stage_column import StageColumn, StageLane

__all__ = ["Board"]


class Board(HorizontalScroll, can_focus=True):
    """Columns of cards. Arrows and h/j/k/l move the cursor; the screen acts on the card.

    Attributes:
        column: index of the active column.
    """

    DEFAULT_CSS = """
    Board {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-horizontal: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "cursor_left", "Column", show=False, id="board.left"),
        Binding("right", "cursor_right", "Column", show=False, id="board.right"),
        Binding("up", "cursor_up", "Card", show=False, id="board.up"),
        Binding("down", "cursor_down", "Card", show=False, id="board.down"),
        Binding("h", "cursor_left", show=False, id="board.vim_left"),
        Binding("l", "cursor_right", show=False, id="board.vim_right"),
        Binding("k", "cursor_up", show=False, id="board.vim_up"),
        Binding("j", "cursor_down", show=False, id="board.vim_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="board.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="board.page_down"),
        Binding("home", "first", "First card", show=False, id="board.first"),
        Binding("end", "last", "Last card", show=False, id="board.last"),
    ]

    column: reactive[int] = reactive(0, init=False, repaint=False)

    class CursorMoved(Message):
        """The cursor is on another card (or column)."""

    def __init__(
        self, *, id: str | None = None, summaries: list[StageSummary] | None = None
    ) -> None:
        """A board, with the columns of ``summaries`` if given (else :meth:`set_stages`)."""
        super().__init__(id=id)
        self.lanes: list[StageLane] = [StageLane(summary) for summary in summaries or ()]
        self.rows: dict[int, int] = {}  # stage id -> remembered row

    def compose(self):  # type: ignore[no-untyped-def]
        yield from self.lanes

    # --- building -----------------------------------------------------------------------
    async def set_stages(self, summaries: list[StageSummary]) -> None:
        """Show the columns of a pipeline (replacing any others)."""
        await self.remove_children()
        self.lanes = [StageLane(summary) for summary in summaries]
        await self.mount_all(self.lanes)
        self.rows = {}
        self.column = 0

    def update_summaries(
        self,
        summaries: list[StageSummary],
        *,
        base_currency: str,
        locale: str,
        place_cursor: bool = True,
    ) -> None:
        """New counts and sums for the headers.

        Args:
            place_cursor: keep the cursor within the new counts (False: the caller
                places it next).
        """
        by_id = {s.stage.id: s for s in summaries}
        for index, lane in enumerate(self.lanes):
            summary = by_id.get(lane.summary.stage.id)
            if summary is None:
                continue
            lane.summary = summary
            lane.column.set_count(summary.count)
            lane.header.show(
                summary, base_currency=base_currency, locale=locale, active=index == self.column
            )
        if place_cursor:
            self._place_cursor()

    @property
    def stage_ids(self) -> list[int]:
        """The stages in column order."""
        return [lane.summary.stage.id for lane in self.lanes]

    def lane(self, stage_id: int) -> StageLane | None:
        """The lane of a stage."""
        return next((lane for lane in self.lanes if lane.summary.stage.id == stage_id), None)

    def lane_of(self, deal_id: int) -> StageLane | None:
        """The lane whose loaded cards hold a deal (the active one first)."""
        active = self.active_lane
        lanes = self.lanes if active is None else [active, *self.lanes]
        return next((lane for lane in lanes if lane.column.row_of(deal_id) is not None), None)

    @property
    def active_lane(self) -> StageLane | None:
        """The lane the cursor is in."""
        return self.lanes[self.column] if 0 <= self.column < len(self.lanes) else None

    @property
    def current_row(self) -> int | None:
        """The cursor's row in the active column (None in an empty column)."""
        lane = self.active_lane
        if lane is None or lane.column.count == 0:
            return None
        row = self.rows.get(lane.summary.stage.id, 0)
        return min(row, lane.column.count - 1)

    @property
    def current_card(self) -> CardView | None:
        """The card under the cursor, if loaded."""
        lane = self.active_lane
        row = self.current_row
        if lane is None or row is None:
            return None
        return lane.column.card_at(row)

    def select(self, stage_id: int, row: int) -> None:
        """Put the cursor on ``row`` of a stage's column."""
        for index, lane in enumerate(self.lanes):
            if lane.summary.stage.id == stage_id:
                self.rows[stage_id] = row
                if self.column != index:
                    self.column = index  # the watcher places the cursor
                else:
                    self._place_cursor()
                return

    # --- cursor -------------------------------------------------------------------------
    def watch_column(self, old: int, new: int) -> None:
        self._place_cursor()

    def _place_cursor(self) -> None:
        for index, lane in enumerate(self.lanes):
            if index == self.column:
                lane.column.set_cursor(self.current_row)
                _set_active(lane, True)
            elif lane.column.cursor is not None or lane.has_class("-active"):
                lane.column.set_cursor(None)
                _set_active(lane, False)
        lane = self.active_lane
        if lane is not None:
            self.scroll_to_widget(lane, animate=False)
        self.post_message(self.CursorMoved())

    def _move_row(self, delta: int | None = None, *, to: int | None = None) -> None:
        lane = self.active_lane
        if lane is None or lane.column.count == 0:
            return
        current = self.current_row or 0
        target = to if to is not None else current + (delta or 0)
        target = max(0, min(lane.column.count - 1, target))
        self.rows[lane.summary.stage.id] = target
        self._place_cursor()

    def action_cursor_left(self) -> None:
        if self.column > 0:
            self.column -= 1

    def action_cursor_right(self) -> None:
        if self.column < len(self.lanes) - 1:
            self.column += 1

    def action_cursor_up(self) -> None:
        self._move_row(-1)

    def action_cursor_down(self) -> None:
        self._move_row(1)

    def action_page_up(self) -> None:
        lane = self.active_lane
        if lane is not None:
            self._move_row(-lane.column.visible_cards)

    def action_page_down(self) -> None:
        lane = self.active_lane
        if lane is not None:
            self._move_row(lane.column.visible_cards)

    def action_first(self) -> None:
        self._move_row(to=0)

    def action_last(self) -> None:
        lane = self.active_lane
        if lane is not None:
            self._move_row(to=lane.column.count - 1)

    def columns(self) -> list[StageColumn]:
        """Every column widget."""
        return [lane.column for lane in self.lanes]


def _set_active(lane: StageLane, active: bool) -> None:
    if lane.has_class("-active") == active:
        return
    # Only the header's style depends on the class (app.tcss): restyle the header alone, not
    # the lane's whole subtree (column, scrollbars), which was a fifth of a stage move.
    lane.set_class(active, "-active", update=False)
    lane.header.update_node_styles()
