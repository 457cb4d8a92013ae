"""The kanban board: a column per stage, keyboard moves, won/lost, undo, filter."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from dealterm.core.cards import PAGE_SIZE
from dealterm.messages import DatabaseReady, DataChanged, FilterChanged
from dealterm.screens.base import CrmScreen, in_thread
from dealterm.widgets.board_picture import BoardPicture
from dealterm.widgets.card_view import CARD_HEIGHT, CardView, card_view

if TYPE_CHECKING:
    # The board's widgets are imported when first mounted, after the first frame (its
    # picture is drawn by one widget of its own): ~7 ms of the start.
    from dealterm.core.cards import StageSummary
    from dealterm.core.filters import DealFilter
    from dealterm.core.quickread import QuickBoard
    from dealterm.core.readmodels import DealRead, StageRead
    from dealterm.core.services.flow import StageChange
    from dealterm.screens.new_deal import NewDealChoices
    from dealterm.tui import FirstBoard
    from dealterm.widgets.board import Board
    from dealterm.widgets.filter_bar import FilterBar
    from dealterm.widgets.stage_column import StageColumn, StageLane

__all__ = ["BoardScreen"]


# The filter conditions whose answer closing or reopening a deal may change: its status,
# the open deals the activity presets take, its close date (closing sets it to today).
_CLOSING_CHANGES = frozenset({"status", "without_activities", "overdue", "close_from", "close_to"})


@dataclass(frozen=True)
class _Undo:
    """How to put a deal back as it was before a move or close."""

    change: StageChange  # what the move changed, as the database made it
    stage_name: str  # the stage it goes back to


class BoardScreen(CrmScreen):
    """The pipeline as a kanban board."""

    HEADER_WITH_ANSWER = True  # names the filter in the header when its read is shown

    PIPELINE_VIEW = True  # shows one pipeline: the header names it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+right", "move(1)", "Next stage", id="board.move_next"),
        Binding("shift+left", "move(-1)", "Prev stage", id="board.move_prev"),
        Binding(
            "greater_than_sign",
            "move(1)",
            "Next stage",
            show=False,
            key_display=">",
            id="board.move_next_alt",
        ),
        Binding(
            "less_than_sign",
            "move(-1)",
            "Prev stage",
            show=False,
            key_display="<",
            id="board.move_prev_alt",
        ),
        Binding("m", "pick_stage", "Move to…", id="board.pick_stage"),
        Binding("w", "won", "Won", id="board.won"),
        Binding("x", "lost", "Lost", id="board.lost"),
        Binding("n", "new_deal", "New", id="board.new_deal"),
        Binding("enter", "open_card", "Open", id="board.open"),
        Binding("a", "plan_activity", "Activity", id="board.plan"),
        Binding("p", "switch_pipeline", "Pipeline", id="board.pipeline"),
        Binding("P", "move_pipeline", "To pipeline…", show=False, id="board.move_pipeline"),
        Binding("R", "make_recurring", "Make recurring…", show=False, id="board.recurring"),
        Binding("u", "undo", "Undo", id="board.undo"),
        Binding("slash", "filter", "Search", key_display="/", priority=True, id="board.filter"),
        Binding("f", "filter_form", "Filter", id="board.filter_form"),
        Binding("r", "reload", "Reload", show=False, id="board.reload"),
    ]

    class Loaded(Message):
        """Column headers (and first pages) arrived from the database."""

        def __init__(
            self,
            summaries: list[StageSummary],
            pages: dict[int, list[CardView]],
            select: tuple[int, int] | None,
            generation: int,
            scope: frozenset[int] | None = None,
            keep_cursor: int | None = None,
        ) -> None:
            super().__init__()
            self.summaries = summaries
            self.pages = pages
            self.select = select
            self.generation = generation
            self.scope = scope  # the columns whose pages were read (None: all)
            # a deal: move the cursor to ``select`` only if it is on that deal still
            self.keep_cursor = keep_cursor
            # read without the ORM while the database opens (its pipeline and currency)
            self.preview: QuickBoard | None = None

    class PageLoaded(Message):
        """A page of one column arrived."""

        def __init__(
            self, stage_id: int, page: int, cards: list[CardView], generation: int
        ) -> None:
            super().__init__()
            self.stage_id = stage_id
            self.page = page
            self.cards = cards
            self.generation = generation

    def __init__(self) -> None:
        super().__init__()
        self.undo_stack: list[_Undo] = []
        self.choices: NewDealChoices | None = None
        self._choices_generation = -1  # the app's settings generation the choices were read at
        self.generation = 0
        self._stage_ids: list[int] = []
        self._status_shown = ""
        self._full_load_pending = False  # a reload of every column is on its way
        self._freeze_scheduled = False
        # The last stage move, said in the status line (a toast per move piles up when
        # moving card after card, and mounting each one cost a frame its layout).
        self._move_note = ""
        self._total = 0
        self._note_timer: Timer | None = None
        self._first_board: FirstBoard | None = None  # the first board, shown in a picture
        self._waiting: FirstBoard | None = None  # the first board's read, not done at compose
        self._picture: BoardPicture | None = None  # the first frame's board (see compose)

    def compose(self) -> ComposeResult:
        # The first board, when its read is done by now, is composed as a picture of its
        # columns (one widget, widgets/board_picture.py): the first frame is the board, and
        # the real board's ~50 widgets are mounted in its place right after that frame.
        first = self._take_first_board()
        done = first is not None and first.done  # asked once: the thread may end meanwhile
        # Only the cards a first frame shows are formatted before it (the rest: _show_board).
        shown = max(self.app.size.height, 50) // CARD_HEIGHT + 1
        found = first.result(limit=shown) if first is not None and done else None
        if found is not None:
            self._first_board = first
            self._stage_ids = [s.stage.id for s in found[0].summaries]
            board, pages = found
            self._adopt_preview(board)
            self._total = sum(s.count for s in board.summaries)
            self._status_shown = self._status_text(self._total)
            self._picture = BoardPicture(
                list(board.summaries),
                pages,
                base_currency=board.base_currency,
                locale=self.dt_app.locale,
                status=self._status_shown,
            )
        elif first is not None and not done:
            self._waiting = first
        if self._picture is not None:  # the screen's widgets come with the board
            yield self._picture
            return
        from dealterm.widgets.board import Board

        yield from self._widgets(Board(id="board"))

    def _widgets(self, board: Board) -> ComposeResult:
        """The board screen's widgets, top to bottom."""
        from dealterm.widgets.app_header import AppHeader
        from dealterm.widgets.filter_bar import FilterBar
        from dealterm.widgets.footer import KeyFooter

        yield AppHeader()
        yield FilterBar()
        yield Static(self._status_shown or "Opening the database…", id="board-status")
        yield board
        yield KeyFooter()

    async def on_mount(self) -> None:
        if self._picture is not None:
            # Keys typed until the board is mounted are kept (nothing could take them).
            self.dt_app.hold_keys()
            self.dt_app.update_header()
            self.dt_app.call_after_frame(self._after_first_frame)
        else:
            self._board().focus()
        if self.ready:
            self.reload()
        elif self._first_board is None:
            self._preview(self.generation, self._waiting)
            self._waiting = None

    def _after_first_frame(self) -> None:
        # The swap runs in this screen's queue: a database read or DatabaseReady posted
        # meanwhile waits for the board, and the app goes on taking (holding) keys.
        self.call_later(self._show_board)

    async def _show_board(self) -> None:
        """Mount the screen's widgets in place of the first frame's picture (once), with
        the first read's columns and cards; then the keys typed meanwhile go to the board.
        """
        picture, self._picture = self._picture, None
        first, self._first_board = self._first_board, None
        if picture is None or first is None:
            return
        try:
            found = first.result()  # every card of the first pages, formatted now
            loaded = self._loaded(*found) if found is not None else None
            from dealterm.widgets.board import Board

            board = Board(id="board", summaries=loaded.summaries if loaded else None)
            with self.app.batch_update():
                await self.mount_all(self._widgets(board), after=picture)
                await picture.remove()
                if self.focused is None:
                    self.set_focus(board)  # now, not later: held keys come next
                if loaded is not None:
                    await self.on_board_screen_loaded(loaded)
            if loaded is None:  # a card further down could not be formatted: read again
                self._stage_ids = []
                self._status_shown = ""
                self.query_one("#board-status", Static).update("Opening the database…")
                self.dt_app.preview_done()
        finally:
            self.dt_app.release_keys()

    def _compositor_refresh(self) -> None:
        # Textual's (pinned exactly). Inside a batch (the start-up batch mounts this first
        # screen), Textual renders the current screen and drops the frame unseen
        # (App._display), and with it what was dirty: ~35 ms of the start. Not rendering
        # keeps the dirty regions and widgets, drawn by the screen's next refresh (at
        # start, the layout after the batch). A background screen is left to Textual: its
        # refresh hands its dirty regions to the screen on top.
        if self.app._batch_count and self.app.screen is self:
            return
        super()._compositor_refresh()

    def _board(self) -> Board:
        """The board widget."""
        from dealterm.widgets.board import Board

        return self.query_one(Board)

    def _take_first_board(self) -> FirstBoard | None:
        """The app's first board read, once (a screen built after it gets none)."""
        app = self.dt_app
        first, app.first_board = app.first_board, None
        if first is None or self.ready or app.deal_filter is not None:
            if first is not None:
                app.preview_done()
            return None
        return first

    def _loaded(self, board: QuickBoard, pages: dict[int, list[CardView]]) -> Loaded:
        """The first board's read as the message a read posts."""
        loaded = self.Loaded(list(board.summaries), pages, None, self.generation)
        loaded.preview = board
        return loaded

    # Actions that need the open CRM: shown but disabled until the database is open (the
    # preview board is on screen before that).
    _CRM_ACTIONS = frozenset(
        {
            "move",
            "pick_stage",
            "won",
            "lost",
            "new_deal",
            "open_card",
            "plan_activity",
            "switch_pipeline",
            "move_pipeline",
            "make_recurring",
            "undo",
            "filter_form",
            "reload",
        }
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._CRM_ACTIONS and not self.ready:
            return None
        return super().check_action(action, parameters)

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _preview(self, generation: int, first: FirstBoard | None) -> None:
        """Wait for the first board read with sqlite3 alone (the database opens after it)."""
        app = self.dt_app
        found = None
        try:
            if first is not None and first.wait():
                found = first.result()
        finally:
            if found is None:
                app.preview_done()  # nothing to show first: open the database now
        if found is None:
            return
        loaded = self._loaded(*found)
        loaded.generation = generation
        self.post_message(loaded)

    # --- loading ---------------------------------------------------------------------
    async def on_database_ready(self, _: DatabaseReady) -> None:
        if self._picture is not None:  # opened before the first frame was drawn
            await self._show_board()
        if self.ready:
            self.refresh_bindings()  # the CRM's actions are enabled now
            self.reload()
        else:
            self._status_shown = ""
            self.query_one("#board-status", Static).update(self.dt_app.problem or "No database")

    def on_data_changed(self, event: DataChanged) -> None:
        if self.ready:
            self.reload(select_deal=event.deal_id)

    def on_screen_resume(self) -> None:
        # Back from another view or a dialog: read again only if something changed.
        if self.ready and self._stage_ids and self.stale():
            self.reload()

    @property
    def deal_filter(self) -> DealFilter | None:
        """The filter the board shows (shared with the other views)."""
        return self.dt_app.deal_filter

    def reload(
        self,
        *,
        select_deal: int | None = None,
        new_pipeline: bool = False,
        scope: frozenset[int] | None = None,
        keep_cursor: bool = False,
    ) -> None:
        """Read the headers and first pages again (in a thread).

        Args:
            select_deal: put the cursor on this deal.
            new_pipeline: the columns are another pipeline's.
            scope: read the pages of these columns only (the others are unchanged).
            keep_cursor: move the cursor to ``select_deal`` only if it is on that deal now
                (a check after a move, which the user may have moved on from).
        """
        if scope is not None and self._full_load_pending:
            scope = None  # a full read still on its way is replaced by this one: read it all
        self._full_load_pending = scope is None
        self.generation += 1
        self.note_shown()
        if new_pipeline:
            self._stage_ids = []
        self._load(select_deal, self.generation, scope, select_deal if keep_cursor else None)

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _load(
        self,
        select_deal: int | None,
        generation: int,
        scope: frozenset[int] | None = None,
        keep_cursor: int | None = None,
    ) -> None:
        crm = self.crm
        pipeline = self.dt_app.pipeline
        if pipeline is None:
            return
        flt = self.deal_filter
        settings_generation = self.dt_app.settings_generation
        summaries = crm.board(pipeline.id, flt)
        if scope is not None and [s.stage.id for s in summaries] != self._stage_ids:
            scope = None  # the pipeline's stages changed: read every column
        select = crm.position(select_deal, flt) if select_deal else None
        pages: dict[int, list[CardView]] = {}
        for summary in summaries:
            if scope is not None and summary.stage.id not in scope:
                continue
            wanted = {0}
            if select and select[0] == summary.stage.id:
                wanted.add(select[1] // PAGE_SIZE)
            for page in wanted:
                if summary.count:
                    pages.setdefault(summary.stage.id, [])
                    cards = self._views(
                        crm.column_page(summary.stage.id, page * PAGE_SIZE, PAGE_SIZE, flt)
                    )
                    if page == 0:
                        pages[summary.stage.id] = cards
                    else:
                        self.post_message(
                            self.PageLoaded(summary.stage.id, page, cards, generation)
                        )
        self.post_message(self.Loaded(summaries, pages, select, generation, scope, keep_cursor))
        # After the board: the new-deal form's choices (and importing the form, ~0.1 s) are
        # not what the first board waits for.
        if self.choices is None or self._choices_generation != settings_generation:
            from dealterm.screens.new_deal import load_choices

            self.choices = load_choices(crm)
            self._choices_generation = settings_generation

    def _views(self, cards: list) -> list[CardView]:  # type: ignore[type-arg]
        app = self.dt_app
        clock = self.crm.db.clock
        return [card_view(card, clock=clock, locale=app.locale) for card in cards]

    async def on_board_screen_loaded(self, event: Loaded) -> None:
        if self._picture is not None:  # the database was quicker than the first frame
            await self._show_board()
        if event.generation != self.generation:
            if event.preview is not None:
                self.dt_app.preview_done()
            return
        self._adopt_preview(event.preview)
        self._full_load_pending = False
        board = self._board()
        stage_ids = [s.stage.id for s in event.summaries]
        same_stages = stage_ids == self._stage_ids
        if not same_stages:
            await board.set_stages(event.summaries)
            self._stage_ids = stage_ids
        if event.preview is None and not self._freeze_scheduled:
            # A second after the first board read with the ORM (its objects are start-up
            # objects too): not in the way of its first frame.
            self._freeze_scheduled = True
            self.set_timer(1.0, _freeze_startup_objects)
        unchanged: set[int] = set()
        if same_stages:
            counts = {s.stage.id: s.count for s in event.summaries}
            for column in board.columns():
                if event.scope is not None and column.stage_id not in event.scope:
                    unchanged.add(column.stage_id)  # not read: nothing says it changed
                    continue
                fresh = event.pages.get(column.stage_id)
                # A move changes two columns: the others keep their cards and are not redrawn.
                if (
                    fresh is not None
                    and set(column.pages) == {0}
                    and not column.stale
                    and column.pages[0] == fresh
                    and column.count == counts.get(column.stage_id)
                ) or (fresh is None and not column.pages and not counts.get(column.stage_id)):
                    unchanged.add(column.stage_id)
                else:
                    column.invalidate()
        for column in board.columns():
            if column.stage_id in unchanged:
                continue
            if column.stage_id in event.pages:
                column.set_page(0, event.pages[column.stage_id])
            else:
                column.clear()
        board.update_summaries(
            event.summaries, base_currency=self.dt_app.base_currency, locale=self.dt_app.locale
        )
        if event.select is not None and (
            event.keep_cursor is None or self._cursor_on(board, event.keep_cursor)
        ):
            board.select(*event.select)
        self._total = sum(s.count for s in event.summaries)
        self._show_status()
        self.dt_app.update_header()
        if event.preview is not None:
            # the database opens once this board is on screen, not while it is drawn (set
            # here, after the awaits above: a frame sent during them is not this board)
            self.dt_app.call_after_frame(self.dt_app.preview_done)

    def _adopt_preview(self, preview: QuickBoard | None) -> None:
        """A board read without the ORM: its pipeline and currency are the app's until the
        database is open."""
        app = self.dt_app
        if preview is not None and app.crm is None:
            app.pipeline = preview.pipeline
            app.base_currency = preview.base_currency

    def _show_status(self) -> None:
        status_text = self._status_text(self._total)
        if self._move_note:
            status_text += f"  ·  {self._move_note}"
        if status_text != self._status_shown:
            self._status_shown = status_text
            # One line of fixed height: no layout pass needed.
            self.query_one("#board-status", Static).update(status_text, layout=False)

    def _say_moved(self, message: str, undo: _Undo | None = None) -> None:
        """Say what the last move did in the status line, for a few seconds.

        Args:
            undo: the move's undo entry: said only while it is the last one (an undo
                that came first took it off).
        """
        if undo is not None and not (self.undo_stack and self.undo_stack[-1] is undo):
            return
        self._move_note = f"{message} (u undoes)"
        self._show_status()
        if self._note_timer is not None:
            self._note_timer.stop()
        self._note_timer = self.set_timer(6, self._forget_move)

    def _forget_move(self) -> None:
        self._move_note = ""
        self._show_status()

    @staticmethod
    def _cursor_on(board: Board, deal_id: int) -> bool:
        """Is the cursor on this deal?"""
        card = board.current_card
        return card is not None and card.card.id == deal_id

    def _status_text(self, total: int) -> str:
        flt = self.deal_filter
        shown = f"{total:,} deal" if total == 1 else f"{total:,} deals"
        if flt is not None and not flt.is_empty:
            verb = "matches" if total == 1 else "match"
            shown += f" {verb} the filter: {flt.describe()}  (f changes it)"
        return shown

    def on_stage_column_page_wanted(self, event: StageColumn.PageWanted) -> None:
        self._load_page(event.stage_id, event.page, self.generation)

    @work(thread=True, group="board-pages", exit_on_error=False)
    def _load_page(self, stage_id: int, page: int, generation: int) -> None:
        cards = self.crm.column_page(stage_id, page * PAGE_SIZE, PAGE_SIZE, self.deal_filter)
        self.post_message(self.PageLoaded(stage_id, page, self._views(cards), generation))

    def on_board_screen_page_loaded(self, event: PageLoaded) -> None:
        lane = self._board().lane(event.stage_id)
        if lane is None:
            return
        if event.generation == self.generation:
            lane.column.set_page(event.page, event.cards)
        else:
            lane.column.page_dropped(event.page)  # read before a change: ask again if shown

    def on_board_cursor_moved(self, _: Board.CursorMoved) -> None:
        board = self._board()
        for index, lane in enumerate(board.lanes):
            lane.header.show(
                lane.summary,
                base_currency=self.dt_app.base_currency,
                locale=self.dt_app.locale,
                active=index == board.column,
            )

    # --- helpers -----------------------------------------------------------------------
    def _card(self) -> CardView | None:
        card = self._board().current_card
        if card is None:
            self.notify("No deal selected", severity="warning", timeout=3)
        return card

    def _stages(self) -> list[StageRead]:
        return [lane.summary.stage for lane in self._board().lanes]

    async def _after_write(
        self, deal: DealRead, *, undo: _Undo | None = None, message: str | None = None
    ) -> None:
        if undo is not None:
            self.undo_stack.append(undo)
            del self.undo_stack[:-50]
        if message:
            self.notify(message, timeout=3)
        if self._move_note:  # a newer change (an undo, a close) says what it did itself
            self._forget_move()
        self.dt_app.note_own_change()
        self.reload(select_deal=deal.id)

    # --- moves -------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        card = self._card()
        board = self._board()
        if card is None or board.active_lane is None:
            return
        stages = self._stages()
        index = board.column + step
        if not 0 <= index < len(stages):
            self.notify("No stage that way", severity="warning", timeout=2)
            return
        self._move_to(card, stages[index])

    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def _move_to(self, card: CardView, stage: StageRead) -> None:
        """Move a deal, asking first when the move closes it."""
        from dealterm.screens.confirm import ConfirmModal
        from dealterm.screens.lost_reason import LostReasonModal

        reason: str | None = None
        lane = self._board().active_lane
        if stage.semantics == "success" and lane is not None and lane.summary.stage.id == stage.id:
            self.notify(f"“{card.card.title}” is already won", timeout=3)
            return
        if stage.semantics == "success":
            if not await self.app.push_screen_wait(
                ConfirmModal(f"Mark “{card.card.title}” as won?", confirm="Won")
            ):
                return
        elif stage.semantics == "failure":
            choices = await in_thread(self.crm.lost_reasons)
            picked = await self.app.push_screen_wait(LostReasonModal(card.card.title, choices))
            if picked is None:
                return
            reason = picked or None
        source = self._board().lane_of(card.card.id)
        try:
            # One write that also says what undo puts back (a failure stage also changes
            # the reason of a deal that is already lost there).
            change = await in_thread(
                self.crm.change_stage, card.card.id, stage.id, card.card.version, reason
            )
        except Exception as error:
            self.report(error)
            self.reload()
            return
        deal = change.deal
        back_in = next(
            (s.name for s in self._stages() if s.id == change.before.stage_id), deal.stage_name
        )
        undo = _Undo(change, back_in)
        if deal.version == card.card.version:
            self.notify(f"“{deal.title}” is unchanged", timeout=3)
            return
        message = f"“{deal.title}” → {deal.stage_name}" + (
            " (won)" if stage.semantics == "success" else ""
        )
        if source is not None and self._show_move(card, source, deal):
            self.undo_stack.append(undo)
            del self.undo_stack[:-50]
            # The note goes in the frame after the columns': in the same frame the status
            # line (the screen's width) widens the repainted rectangle from the two
            # columns to all of them (9-20 ms instead of ~5 at 100,000 deals).
            self.call_after_refresh(self._say_moved, message, undo)
            self.dt_app.note_own_change()
            # Check against the database once the move is on screen: the two columns'
            # first pages and every header (the others' cards did not change).
            scope = frozenset({source.summary.stage.id, deal.stage_id})
            self.call_after_refresh(self.reload, select_deal=deal.id, scope=scope, keep_cursor=True)
            return
        await self._after_write(deal, undo=undo, message=message)

    def _show_move(self, card: CardView, source: StageLane, deal: DealRead) -> bool:
        """Show a move the database made without reading the board again.

        The deal leaves its column and enters the new one where its page would put it;
        both headers are worked out from the deal's amount, as the aggregate would. Returns
        False (nothing changed) when that is not possible: a filter the move changes the
        answer of, a header without its parts, a card not loaded.
        """
        from dealterm.core.queries.board import (
            ColumnSummary,
            card_after_move,
            summary_after_move,
        )

        board = self._board()
        target = board.lane(deal.stage_id)
        flt = self.deal_filter
        if (
            target is None
            or target is source
            or not isinstance(source.summary, ColumnSummary)
            or not isinstance(target.summary, ColumnSummary)
        ):
            return False
        if (
            flt is not None
            and _CLOSING_CHANGES & set(flt.conditions())
            and source.summary.stage.semantics != target.summary.stage.semantics
        ):
            return False  # closed or reopened: the filter may hide the deal now
        row = source.column.row_of(card.card.id)
        clock = self.crm.db.clock
        moved = card_after_move(
            card.card,
            stage=target.summary.stage,
            version=deal.version,
            moved_at=deal.moved_at,
            closed=deal.closed,
            clock=clock,
        )
        place = target.column.row_for(
            (moved.moved_at, moved.id), lambda view: (view.card.moved_at, view.card.id)
        )
        if row is None or place is None:
            return False
        if not source.column.remove_row(row):
            return False
        view = card_view(moved, clock=clock, locale=self.dt_app.locale)
        if not target.column.insert_row(place, view):
            target.column.invalidate()  # not expected: the check reads it again
        # What any read on its way would show is older than this: it is dropped (the check
        # after the move reads it all again if it was a full read).
        self.generation += 1
        summaries = [
            summary_after_move(
                lane.summary,
                currency=deal.currency,
                amount=deal.amount,
                own_probability=deal.own_probability,
                sign=sign,
            )
            for lane, sign in ((source, -1), (target, 1))
            if isinstance(lane.summary, ColumnSummary)
        ]
        board.update_summaries(
            summaries,
            base_currency=self.dt_app.base_currency,
            locale=self.dt_app.locale,
            place_cursor=False,
        )
        board.select(deal.stage_id, place)
        return True

    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def action_move_pipeline(self) -> None:
        """Move the selected deal to another pipeline (the first stage of the same kind)."""
        from dealterm.screens.picker import PickerModal

        card = self._card()
        current = self.dt_app.pipeline
        if card is None or current is None:
            return
        others = [(str(p.id), p.name) for p in await in_thread(self.crm.pipelines)]
        others = [(key, name) for key, name in others if key != str(current.id)]
        if not others:
            self.notify("There is no other pipeline (s: settings adds one)", timeout=4)
            return
        picked = await self.app.push_screen_wait(
            PickerModal(f"Move “{card.card.title}” to pipeline", others)
        )
        if picked is None:
            return
        try:
            deal = await in_thread(
                self.crm.change_pipeline, card.card.id, int(picked), card.card.version
            )
        except Exception as error:
            self.report(error)
            return
        await self._after_write(
            deal, message=f"“{deal.title}” → {deal.pipeline} / {deal.stage_name}"
        )

    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def action_make_recurring(self) -> None:
        """Copy the selected deal into a recurring template (the schedule form)."""
        from dealterm.screens.recurring_form import make_recurring_form

        card = self._card()
        if card is None:
            return
        crm = self.crm
        pipelines = await in_thread(crm.pipelines)
        today = crm.db.clock.today().isoformat()
        made = await self.app.push_screen_wait(
            make_recurring_form(crm, card.card.id, card.card.title, pipelines, today=today)
        )
        if made:
            self.notify(f"Recurring: {made.schedule}; next run {made.next_run}", timeout=5)

    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def action_pick_stage(self) -> None:
        from dealterm.screens.picker import PickerModal

        card = self._card()
        if card is None:
            return
        stages = self._stages()
        current = self._board().active_lane
        options = [(str(s.id), s.name) for s in stages]
        picked = await self.app.push_screen_wait(
            PickerModal(
                "Move to stage",
                options,
                selected=str(current.summary.stage.id) if current else None,
            )
        )
        if picked is None:
            return
        stage = next(s for s in stages if str(s.id) == picked)
        if current is not None and stage.id == current.summary.stage.id:
            return
        self._move_to(card, stage)

    def action_won(self) -> None:
        card = self._card()
        if card is None:
            return
        success = next((s for s in self._stages() if s.semantics == "success"), None)
        if success is not None:
            self._move_to(card, success)

    def action_lost(self) -> None:
        card = self._card()
        if card is None:
            return
        failure = next((s for s in self._stages() if s.semantics == "failure"), None)
        if failure is not None:
            self._move_to(card, failure)

    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo", timeout=2)
            return
        entry = self.undo_stack.pop()
        try:
            deal = await in_thread(self.crm.undo_stage_change, entry.change)
        except Exception as error:
            self.report(error)
            return
        await self._after_write(deal, message=f"Undone: “{deal.title}” back in {entry.stage_name}")

    # --- other actions -----------------------------------------------------------------
    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def action_new_deal(self) -> None:
        from dealterm.screens.new_deal import NewDealModal, load_choices

        lane = self._board().active_lane
        pipeline = self.dt_app.pipeline
        if lane is None or pipeline is None:
            return
        # The options are read with the board, so the form opens at once: keys typed right
        # after `n` go to the form, not to the board's own bindings.
        choices = self.choices
        if choices is None or self._choices_generation != self.dt_app.settings_generation:
            choices = await in_thread(load_choices, self.crm)
        data = await self.app.push_screen_wait(
            NewDealModal(self.crm, pipeline=pipeline, stage=lane.summary.stage, choices=choices)
        )
        if data is None:
            return
        try:
            deal = await in_thread(self.crm.create, data)
        except Exception as error:
            self.report(error)
            return
        await self._after_write(deal, message=f"Created “{deal.title}”")

    def action_open_card(self) -> None:
        card = self._card()
        if card is not None:
            self.open_card(card.card.id)

    @work(exclusive=True, group="board-card", exit_on_error=False)
    async def open_card(self, deal_id: int) -> None:
        """Open the deal card; when it closes, show the board as it is now."""
        from dealterm.screens.deal_card import DealCardScreen

        await self.app.push_screen_wait(DealCardScreen(deal_id))
        self.reload(select_deal=deal_id)

    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def action_plan_activity(self) -> None:
        from dealterm.screens.activity_form import ActivityModal

        card = self._card()
        if card is None:
            return
        plan = await self.app.push_screen_wait(
            ActivityModal(card.card.title, clock=self.crm.db.clock)
        )
        if plan is None:
            return
        try:
            await in_thread(
                self.crm.plan,
                card.card.id,
                kind=plan.kind,
                subject=plan.subject,
                deadline=plan.deadline,
            )
        except Exception as error:
            self.report(error)
            return
        self.notify(f"{plan.kind.title()} planned for {plan.deadline:%d %b %H:%M}", timeout=3)
        self.dt_app.note_own_change()
        self.reload(select_deal=card.card.id)

    @work(exclusive=True, group="board-write", exit_on_error=False)
    async def action_switch_pipeline(self) -> None:
        from dealterm.screens.picker import PickerModal

        pipelines = await in_thread(self.crm.pipelines)
        current = self.dt_app.pipeline
        picked = await self.app.push_screen_wait(
            PickerModal(
                "Switch pipeline",
                [(str(p.id), p.name) for p in pipelines],
                selected=str(current.id) if current else None,
            )
        )
        if picked is None:
            return
        self.dt_app.pipeline = next(p for p in pipelines if str(p.id) == picked)
        self.undo_stack.clear()
        self.reload(new_pipeline=True)

    def action_filter(self) -> None:
        from dealterm.widgets.filter_bar import FilterBar

        self.query_one(FilterBar).open()

    def action_reload(self) -> None:
        self.reload()

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        self.dt_app.set_search(event.text)

    def on_filter_changed(self, _: FilterChanged) -> None:
        if self.ready:
            self.reload()

    def action_filter_form(self) -> None:
        self.dt_app.edit_filter()

    def on_filter_bar_done(self, _: FilterBar.Done) -> None:
        self._board().focus()

    def set_pipeline(self, pipeline_id: int) -> None:
        """Show another pipeline (used by the command palette)."""
        self.reload(new_pipeline=True)


def _freeze_startup_objects() -> None:
    """Leave what start-up built (modules, ORM mappings, styles) out of later collections.

    A full collection walks every tracked object: about 190,000 once the board is up, 150 to
    250 ms on the UI thread, and one came every few stage moves (their drawing allocates).
    Collected once, soon after the first board is drawn, then frozen, they cost the later
    collections nothing. Once per process.
    """
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
