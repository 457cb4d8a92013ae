"""The activities board: open deals by the deadline of their nearest activity (Bitrix24)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from dealterm.messages import DatabaseReady, DataChanged, FilterChanged
from dealterm.screens.base import CrmScreen, in_thread
from dealterm.widgets.app_header import AppHeader
from dealterm.widgets.board import Board
from dealterm.widgets.card_view import CardView, card_view
from dealterm.widgets.filter_bar import FilterBar
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.stage_column import PAGE_SIZE, StageColumn

if TYPE_CHECKING:
    from dealterm.core.cards import StageSummary
    from dealterm.core.filters import DealFilter

__all__ = ["ActivitiesScreen"]

NOT_DROPPABLE = {"overdue": "Overdue", "idle": "Without activities"}


class ActivitiesScreen(CrmScreen):
    """Overdue · Today · This week · Next week · Without activities · Later (of one pipeline)."""

    HEADER_WITH_ANSWER = True  # names the filter in the header when its read is shown

    PIPELINE_VIEW = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+right", "move(1)", "Next column", id="activities.move_next"),
        Binding("shift+left", "move(-1)", "Prev column", id="activities.move_prev"),
        Binding("greater_than_sign", "move(1)", show=False, id="activities.move_next_alt"),
        Binding("less_than_sign", "move(-1)", show=False, id="activities.move_prev_alt"),
        Binding("a", "plan", "Plan", id="activities.plan"),
        Binding("d", "done", "Done", id="activities.done"),
        Binding("enter", "open_card", "Open", id="activities.open"),
        Binding(
            "slash", "search", "Search", key_display="/", priority=True, id="activities.search"
        ),
        Binding("f", "filter_form", "Filter", id="activities.filter"),
        Binding("r", "reload", "Reload", show=False, id="activities.reload"),
    ]

    class Loaded(Message):
        """The column headers and first pages arrived (and where the deal to select is)."""

        def __init__(
            self,
            summary: list[StageSummary],
            pages: dict[int, list[CardView]],
            place: tuple[str, int] | None,
            flt: DealFilter,
            generation: int,
        ) -> None:
            super().__init__()
            self.summary = summary
            self.pages = pages
            self.place = place
            self.flt = flt
            self.generation = generation

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
        self.generation = 0
        self.flt: DealFilter | None = None  # the filter of the read on screen (pages use it)
        self.codes: dict[int, str] = {}  # column stage id -> bucket code
        self._built = False
        self.shown_generation = 0  # the last load on screen (== generation: up to date)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield FilterBar()
        yield Static("Opening the database…", id="activities-status")
        yield Board(id="activities-board")
        yield KeyFooter()

    async def on_mount(self) -> None:
        from dealterm.core.queries.activity_board import empty_summary

        board = self.query_one(Board)
        board.focus()
        if self.ready:
            self.reload()
        # The six columns are always the same: built while the first read runs, shown
        # when it arrives (not built after it, which cost another full layout).
        board.display = False
        await board.set_stages(empty_summary())

    def on_database_ready(self, _: DatabaseReady) -> None:
        if self.ready:
            self.reload()

    def on_data_changed(self, event: DataChanged) -> None:
        if self.ready:
            self.reload(select=event.deal_id)

    def on_filter_changed(self, _: FilterChanged) -> None:
        if self.ready:
            self.reload()

    def on_screen_resume(self) -> None:
        if self.ready and self._built and self.stale():
            self.reload()

    def start_loading(self) -> None:
        # Called on the key press that first shows a view built ahead of time: the read
        # starts now, not after Textual's work of the switch (about 40 ms later).
        self.reload()

    def reload(self, *, select: int | None = None) -> None:
        """Place every open deal again (in a thread)."""
        self.generation += 1
        self.note_shown()
        if not self._built:  # the database is open: what the first read is doing
            self.query_one("#activities-status", Static).update(
                "Reading the open deals…", layout=False
            )
        self._load(select, self.generation)

    def _views(self, cards: list[Any]) -> list[CardView]:
        clock = self.crm.db.clock
        return [card_view(card, clock=clock, locale=self.dt_app.locale) for card in cards]

    @work(thread=True, exclusive=True, group="activities-load", exit_on_error=False)
    def _load(self, select: int | None, generation: int) -> None:
        from dataclasses import replace

        from dealterm.core.filters import DealFilter

        crm = self.crm
        flt = self.dt_app.deal_filter or DealFilter()
        pipeline = self.dt_app.pipeline
        if flt.pipeline is None and pipeline is not None:
            flt = replace(flt, pipeline=pipeline.id)
        top = crm.activity_board_top(flt, PAGE_SIZE, select=select)
        pages: dict[int, list[CardView]] = {
            column.stage.id: self._views(top.pages[column.stage.code]) for column in top.summary
        }
        self.post_message(self.Loaded(top.summary, pages, top.place, flt, generation))

    async def on_activities_screen_loaded(self, event: Loaded) -> None:
        if event.generation != self.generation:
            return
        board = self.query_one(Board)
        self.flt = event.flt
        self.codes = {s.stage.id: s.stage.code for s in event.summary}
        if not self._built:
            if not board.lanes:
                await board.set_stages(event.summary)
            board.display = True
            self._built = True
        for column in board.columns():
            column.clear()
            if column.stage_id in event.pages:
                column.set_page(0, event.pages[column.stage_id])
        board.update_summaries(
            event.summary, base_currency=self.dt_app.base_currency, locale=self.dt_app.locale
        )
        if event.place is not None:
            code, position = event.place
            stage_of = {c: stage_id for stage_id, c in self.codes.items()}
            board.select(stage_of[code], position)
        total = sum(s.count for s in event.summary)
        flt = self.dt_app.deal_filter
        note = f" · filter: {flt.describe()}" if flt is not None and not flt.is_empty else ""
        self.query_one("#activities-status", Static).update(f"{total:,} open deals{note}")
        self.shown_generation = event.generation
        self.dt_app.update_header()

    def on_stage_column_page_wanted(self, event: StageColumn.PageWanted) -> None:
        code = self.codes.get(event.stage_id)
        if code is None or self.flt is None:
            return
        self._load_page(event.stage_id, event.page, code, self.flt, self.generation)

    @work(thread=True, group="activities-pages", exit_on_error=False)
    def _load_page(
        self, stage_id: int, page: int, code: str, flt: DealFilter, generation: int
    ) -> None:
        cards = self.crm.activity_page(flt, code, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        self.post_message(self.PageLoaded(stage_id, page, self._views(cards), generation))

    def on_activities_screen_page_loaded(self, event: PageLoaded) -> None:
        lane = self.query_one(Board).lane(event.stage_id)
        if lane is not None and event.generation == self.generation:
            lane.column.set_page(event.page, event.cards)

    def on_board_cursor_moved(self, _: Board.CursorMoved) -> None:
        board = self.query_one(Board)
        for index, lane in enumerate(board.lanes):
            lane.header.show(
                lane.summary,
                base_currency=self.dt_app.base_currency,
                locale=self.dt_app.locale,
                active=index == board.column,
            )

    # --- actions -----------------------------------------------------------------------
    def _card(self) -> CardView | None:
        card = self.query_one(Board).current_card
        if card is None:
            self.notify("No deal selected", severity="warning", timeout=2)
        return card

    @work(exclusive=True, group="activities-write", exit_on_error=False)
    async def action_move(self, step: int) -> None:
        """Move the deal to the next/previous column by rescheduling its nearest activity."""
        board = self.query_one(Board)
        card = self._card()
        if card is None:
            return
        code = self._move_target(board, step)
        if code is None:
            return
        try:
            planned = await in_thread(self.crm.move_to_bucket, card.card.id, code)
        except Exception as error:
            self.report(error)
            return
        when = self.crm.db.clock.to_local(planned.deadline).strftime("%a %d %b %H:%M")
        self.notify(f"“{card.card.title}”: {planned.subject} moved to {when}", timeout=3)
        self.dt_app.note_own_change()
        self.reload(select=card.card.id)

    def _move_target(self, board: Board, step: int) -> str | None:
        """The code of the next column ``step`` leads to that takes moves: the ones that
        follow the deadlines (Overdue, Without activities) are passed over, so "Next week"
        and "Later" are one move apart. None (said when a column was passed over) if
        there is none that way."""
        target = board.column + step
        passed = None
        while 0 <= target < len(board.lanes):
            code = board.lanes[target].summary.stage.code
            if code not in NOT_DROPPABLE:
                return code
            passed = passed or code
            target += step
        if passed is not None:
            self.notify(
                f"Deals cannot be moved into “{NOT_DROPPABLE[passed]}”: it follows the deadlines",
                severity="warning",
                timeout=4,
            )
        return None

    @work(exclusive=True, group="activities-write", exit_on_error=False)
    async def action_plan(self) -> None:
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
        self.dt_app.note_own_change()
        self.reload(select=card.card.id)

    @work(exclusive=True, group="activities-write", exit_on_error=False)
    async def action_done(self) -> None:
        """Complete the deal's nearest activity; offer the next one when none is left."""
        from dealterm.screens.activity_form import NextActivityModal, NextStep

        card = self._card()
        if card is None:
            return
        if card.card.next_activity_id is None:
            self.notify("This deal has nothing planned", severity="warning", timeout=2)
            return
        try:
            done, _lonely = await in_thread(self.crm.complete, card.card.next_activity_id)
            self.notify(f"Done: {done.subject}", timeout=2)
            if await in_thread(self.crm.should_prompt, card.card.id):
                answer = await self.app.push_screen_wait(
                    NextActivityModal(card.card.title, clock=self.crm.db.clock)
                )
                if isinstance(answer, NextStep):
                    if answer.plan is not None:
                        await in_thread(
                            self.crm.plan,
                            card.card.id,
                            kind=answer.plan.kind,
                            subject=answer.plan.subject,
                            deadline=answer.plan.deadline,
                        )
                    elif answer.skip is not None:
                        await in_thread(self.crm.skip_prompt, answer.skip)
        except Exception as error:
            self.report(error)
        self.dt_app.note_own_change()
        self.reload(select=card.card.id)

    def action_open_card(self) -> None:
        card = self._card()
        if card is not None:
            self._open(card.card.id)

    @work(exclusive=True, group="activities-card", exit_on_error=False)
    async def _open(self, deal_id: int) -> None:
        from dealterm.screens.deal_card import DealCardScreen

        await self.app.push_screen_wait(DealCardScreen(deal_id))
        self.reload(select=deal_id)

    def action_search(self) -> None:
        self.query_one(FilterBar).open()

    def action_filter_form(self) -> None:
        self.dt_app.edit_filter()

    def action_reload(self) -> None:
        self.reload()

    @on(FilterBar.Changed)
    def _search_changed(self, event: FilterBar.Changed) -> None:
        self.dt_app.set_search(event.text)

    @on(FilterBar.Done)
    def _search_done(self, _: FilterBar.Done) -> None:
        self.query_one(Board).focus()
