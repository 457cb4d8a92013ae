"""The deal list: filter, sort in SQL, select (one, a range, everything that matches), bulk edit."""

from __future__ import annotations

import json
import threading
from array import array
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from dealterm.core.deal_columns import DEFAULT_COLUMNS, ListColumn
from dealterm.core.formatting import format_money
from dealterm.messages import DatabaseReady, DataChanged, FilterChanged
from dealterm.screens.base import CrmScreen, in_thread
from dealterm.widgets.app_header import AppHeader
from dealterm.widgets.deal_table import PAGE, DealTable
from dealterm.widgets.filter_bar import FilterBar
from dealterm.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from collections.abc import Callable

    from dealterm.core.queries.deal_list import ListTotals

__all__ = ["ListScreen"]

FIRST_IDS = 100  # shown at once (two pages); the rest of the order follows
SHOWN_WAIT = 0.25  # seconds the count and the full order wait for the first rows' frame
COLUMNS_KEY = "list.columns"
SORT_KEY = "list.sort"
BULK_ACTIONS = (
    ("move", "Move to stage…"),
    ("responsible", "Change responsible…"),
    ("pipeline", "Move to pipeline…"),
    ("won", "Mark won"),
    ("lost", "Mark lost…"),
    ("delete", "Delete…"),
    ("export", "Export (CSV or JSON)…"),
)


class ListScreen(CrmScreen):
    """Every deal the filter matches, as a table."""

    HEADER_WITH_ANSWER = True  # names the filter in the header when its read is shown

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_card", "Open", id="list.open"),
        Binding("n", "new_deal", "New", id="list.new_deal"),
        Binding("o", "sort", "Order by column", id="list.sort"),
        Binding("c", "choose_columns", "Columns", id="list.columns"),
        Binding("b", "bulk", "Bulk action", id="list.bulk"),
        Binding("i", "app.open_screen('import')", "Import", id="list.import"),
        Binding("slash", "filter", "Search", key_display="/", priority=True, id="list.search"),
        Binding("f", "filter_form", "Filter", id="list.filter"),
        Binding("r", "reload", "Reload", show=False, id="list.reload"),
    ]

    class Ids(Message):
        """The ordered ids of the filter arrived (``complete`` False: only the first ones)."""

        def __init__(
            self,
            ids: array[int],
            total: int,
            complete: bool,
            generation: int,
            rows: dict[int, dict[str, Any]] | None = None,
            shown: threading.Event | None = None,
        ) -> None:
            super().__init__()
            self.ids = ids
            self.total = total
            self.complete = complete
            self.generation = generation
            self.rows = rows  # the first page's rows, read with the ids
            self.shown = shown  # set once a frame shows them (or they are dropped)

    class Rows(Message):
        """Rows of one page arrived."""

        def __init__(self, page: int, rows: dict[int, dict[str, Any]], generation: int) -> None:
            super().__init__()
            self.page = page
            self.rows = rows
            self.generation = generation

    class Totals(Message):
        """Count and sum of the filtered deals."""

        def __init__(self, totals: ListTotals, generation: int) -> None:
            super().__init__()
            self.totals = totals
            self.generation = generation

    def __init__(self) -> None:
        super().__init__()
        self.sort = "id"
        self.descending = True
        self.generation = 0
        self.totals: ListTotals | None = None
        self._prefs_loaded = False
        self._header_text: Any = None  # what the header and status lines show now
        self._status_text: str | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield FilterBar()
        yield Static("", id="list-header")
        yield DealTable(locale=self.dt_app.locale, id="deal-table")
        yield Static("Opening the database…", id="list-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DealTable)
        table.focus()
        # The header is above the table: it scrolls sideways with the rows.
        self.watch(table, "scroll_x", self._show_header, init=False)
        if self.ready:
            self.reload()

    # --- loading -----------------------------------------------------------------------
    def on_database_ready(self, _: DatabaseReady) -> None:
        if self.ready:
            self.reload()

    def on_data_changed(self, _: DataChanged) -> None:
        if self.ready:
            self.reload()

    def on_filter_changed(self, _: FilterChanged) -> None:
        if self.ready:
            self.reload(setup=False, rows=False)

    def on_screen_resume(self) -> None:
        # A new screen is resumed (more than once) right after its mount, which loaded it.
        if self.ready and self.stale():
            self.reload()

    def reload(self, *, totals: bool = True, setup: bool = True, rows: bool = True) -> None:
        """Read the order, the totals and the visible rows again.

        ``totals`` False: only the order changed (a sort), the count and sum stand.
        ``setup`` False: the custom fields cannot have changed (a sort, a search).
        ``rows`` False: the deals did not change, only which are shown or their order (a
        sort, a search): the rows read stay good, and the table keeps showing them until
        the new order arrives, without asking again for the pages it shows.
        """
        self.generation += 1
        self.note_shown()
        table = self.query_one(DealTable)
        if self.ready:
            table.zone = self.crm.db.clock.zone
            if self._status_text is None:  # the database is open: what the first read does
                self.query_one("#list-status", Static).update("Reading the deals…", layout=False)
        if rows:
            table.invalidate()
        known = self.totals.count if self.totals is not None and not totals else None
        self._load(self.generation, known, table.scroll_y < PAGE, setup or not self._prefs_loaded)

    @work(thread=True, exclusive=True, group="list-ids", exit_on_error=False)
    def _load(self, generation: int, known: int | None, at_top: bool, setup: bool) -> None:
        crm = self.crm
        if setup:
            # Fields may have been added in the settings; the saved columns and sort once.
            keys = () if self._prefs_loaded else (COLUMNS_KEY, SORT_KEY)
            custom, prefs = crm.list_setup(keys)
            if not self._prefs_loaded:
                self._prefs_loaded = True
                columns, sort = prefs[COLUMNS_KEY], prefs[SORT_KEY]
                self.app.call_from_thread(self._apply_prefs, columns, sort, custom)
            else:
                self.app.call_from_thread(self._apply_custom, custom)
        flt = self.dt_app.deal_filter
        # The first screenful first, with its rows (one read, one message, one frame); the
        # count, the sum and the full order (a sort of every match) follow.
        first, rows = crm.list_top(
            flt, self.sort, self.descending, FIRST_IDS, PAGE if at_top else 0
        )
        complete = len(first) < FIRST_IDS
        total = len(first) if complete else max(known or 0, len(first))
        shown = threading.Event()
        self.post_message(
            self.Ids(first, total, complete, generation, rows if at_top else None, shown)
        )
        # The count, the sum and the full order wait until the first rows are on screen: read
        # meanwhile, they would compete with that frame for the CPU (and the GIL).
        shown.wait(SHOWN_WAIT)
        # A newer load (the next key of a search) makes the rest of this one pointless.
        if generation != self.generation:
            return
        if known is None:
            totals = crm.list_totals(flt)
            self.post_message(self.Totals(totals, generation))
            known = totals.count
        if generation != self.generation:
            return
        if not complete and len(first) < known:
            everything = crm.list_ids(flt, self.sort, self.descending)
            self.post_message(self.Ids(everything, len(everything), True, generation))
        elif not complete:  # exactly one screenful matches
            self.post_message(self.Ids(first, len(first), True, generation))

    def _apply_custom(self, custom: list[ListColumn]) -> None:
        table = self.query_one(DealTable)
        before = set(table.available)
        table.set_available(custom)
        if set(table.available) != before:
            table.set_columns([c.key for c in table.columns])
            self._show_header()

    def _apply_prefs(self, columns: str | None, sort: str | None, custom: list[ListColumn]) -> None:
        table = self.query_one(DealTable)
        table.set_available(custom)
        try:
            table.set_columns(json.loads(columns) if columns else list(DEFAULT_COLUMNS))
        except (ValueError, TypeError):
            table.set_columns(list(DEFAULT_COLUMNS))
        if sort:
            key, _, direction = sort.partition(":")
            self.sort, self.descending = key, direction != "asc"
        self._show_header()

    def on_list_screen_ids(self, event: Ids) -> None:
        shown = event.shown
        if event.generation != self.generation:
            if shown is not None:
                shown.set()
            return
        table = self.query_one(DealTable)
        total = None
        if not event.complete:
            # Until the count comes, the table keeps its height if it was taller: a new
            # height lays the screen out again and redraws the scrollbar, in the very frame
            # that shows the first rows; the count's own frame corrects it.
            total = max(event.total, table.row_count)
        table.set_ids(event.ids, total=total, keep_rows=True)
        if event.rows is not None:
            table.set_rows(0, event.rows)
        self._show_header()
        self._show_status()
        self.dt_app.update_header()
        if shown is not None:
            # After the frame itself: a refresh callback may run at once, when the table's
            # repaint is not requested yet, and the count then competed with the frame.
            self.dt_app.call_after_frame(shown.set, refresh=False)

    def on_list_screen_totals(self, event: Totals) -> None:
        if event.generation != self.generation:
            return
        self.totals = event.totals
        self._show_status()

    def on_deal_table_page_wanted(self, event: DealTable.PageWanted) -> None:
        self._load_rows(event.page, event.ids, self.generation)

    @work(thread=True, group="list-rows", exit_on_error=False)
    def _load_rows(self, page: int, ids: list[int], generation: int) -> None:
        self.post_message(self.Rows(page, self.crm.list_rows(ids), generation))

    def on_list_screen_rows(self, event: Rows) -> None:
        table = self.query_one(DealTable)
        if event.generation == self.generation:
            table.set_rows(event.page, event.rows)
        else:
            table.wanted.discard(event.page)
            table.refresh()

    def on_deal_table_changed(self, _: DealTable.Changed) -> None:
        self._show_status()
        self._show_header()

    def _show_header(self) -> None:
        table = self.query_one(DealTable)
        text = table.header(self.sort, self.descending)
        if text == self._header_text:
            return  # unchanged (a search keeps the columns): nothing to draw again
        self._header_text = text
        # One line each (app.tcss): no layout pass for a new text.
        self.query_one("#list-header", Static).update(text, layout=False)

    def _show_status(self) -> None:
        table = self.query_one(DealTable)
        parts = []
        if self.totals is not None:
            money = format_money(self.totals.total, self.dt_app.base_currency, self.dt_app.locale)
            parts.append(f"{self.totals.count:,} deals · {money}")
        if table.selected:
            parts.append(f"{len(table.selected):,} selected (b: bulk action)")
        if table.row_count and table.total is not None:
            parts.append("loading the order…")
        flt = self.dt_app.deal_filter
        if flt is not None and not flt.is_empty:
            parts.append(f"filter: {flt.describe()}")
        text = "  ·  ".join(parts) or "No deals"
        if text != self._status_text:
            self._status_text = text
            self.query_one("#list-status", Static).update(text, layout=False)

    # --- actions -----------------------------------------------------------------------
    def action_reload(self) -> None:
        self.reload()

    def action_sort(self) -> None:
        """Sort by the column under the column cursor; again to reverse."""
        column = self.query_one(DealTable).sort_column
        if column.key == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = (
                column.key,
                column.key in ("id", "amount", "created", "probability") or column.align == "right",
            )
        self._save_pref(SORT_KEY, f"{self.sort}:{'desc' if self.descending else 'asc'}")
        self._show_header()
        table = self.query_one(DealTable)
        table.cursor = 0
        table.scroll_to(y=0, animate=False)  # the top of the new order is in sight
        self.reload(totals=False, setup=False, rows=False)

    @work(thread=True, group="list-prefs", exit_on_error=False)
    def _save_pref(self, key: str, value: str) -> None:
        self.crm.set_preference(key, value)

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_filter_form(self) -> None:
        self.dt_app.edit_filter()

    @on(FilterBar.Changed)
    def _search_changed(self, event: FilterBar.Changed) -> None:
        self.dt_app.set_search(event.text)

    @on(FilterBar.Done)
    def _search_done(self, _: FilterBar.Done) -> None:
        self.query_one(DealTable).focus()

    def action_open_card(self) -> None:
        deal_id = self.query_one(DealTable).current_id
        if deal_id is not None:
            self._open(deal_id)

    @work(exclusive=True, group="list-card", exit_on_error=False)
    async def _open(self, deal_id: int) -> None:
        from dealterm.screens.deal_card import DealCardScreen

        await self.app.push_screen_wait(DealCardScreen(deal_id))
        self.reload()

    @work(exclusive=True, group="list-write", exit_on_error=False)
    async def action_new_deal(self) -> None:
        from dealterm.screens.new_deal import NewDealModal, load_choices

        crm = self.crm
        pipeline = self.dt_app.pipeline or await in_thread(crm.default_pipeline)
        stages = await in_thread(crm.stages, pipeline.id)
        choices = await in_thread(load_choices, crm)
        data = await self.app.push_screen_wait(
            NewDealModal(crm, pipeline=pipeline, stage=stages[0], choices=choices)
        )
        if data is None:
            return
        try:
            deal = await in_thread(crm.create, data)
        except Exception as error:
            self.report(error)
            return
        self.notify(f"Created “{deal.title}”", timeout=3)
        self.dt_app.note_own_change()
        self.reload()

    @work(exclusive=True, group="list-write", exit_on_error=False)
    async def action_choose_columns(self) -> None:
        from dealterm.screens.columns import ColumnsModal

        table = self.query_one(DealTable)
        keys = await self.app.push_screen_wait(
            ColumnsModal([c.key for c in table.columns], table.available)
        )
        if not keys:
            return
        table.set_columns(keys)
        self._show_header()
        await in_thread(self.crm.set_preference, COLUMNS_KEY, json.dumps(keys))

    def _bulk_actions(self) -> list[tuple[str, str]]:
        """The bulk actions, as the picker (and the palette) offer them now."""
        if self.query_one(DealTable).selected:
            return list(BULK_ACTIONS)
        # Nothing ticked: export takes every deal the filter shows.
        return [
            (key, "Export every deal the filter shows (CSV or JSON)…" if key == "export" else text)
            for key, text in BULK_ACTIONS
        ]

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Each bulk action on its own, for the command palette (``b``, then the action)."""
        selected = bool(self.query_one(DealTable).selected)
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for key, text in self._bulk_actions():
            on = (
                "the selected deals"
                if selected
                else "every deal the filter shows"
                if key == "export"
                else "the deal under the cursor"
            )
            run = partial(self.run_action, f"bulk({key!r})")
            commands.append((f"Bulk: {text}", f"b, then this · on {on} · list.bulk", run))
        return commands

    @work(exclusive=True, group="list-write", exit_on_error=False)
    async def action_bulk(self, action: str = "") -> None:
        """Apply an action to the selection (or to the deal under the cursor).

        Args:
            action: one of ``BULK_ACTIONS`` (the palette's); "" asks which.
        """
        from dealterm.screens.bulk import run_bulk_action
        from dealterm.screens.picker import PickerModal

        table = self.query_one(DealTable)
        ids = sorted(table.selected) or ([table.current_id] if table.current_id is not None else [])
        if not ids:
            self.notify("Nothing selected", severity="warning", timeout=2)
            return
        label = f"{len(ids):,} deal{'s' if len(ids) != 1 else ''}"
        if not action:
            picked = await self.app.push_screen_wait(
                PickerModal(f"Bulk action on {label}", self._bulk_actions())
            )
            if picked is None:
                return
            action = picked
        done = await run_bulk_action(self, action, ids)
        if done:
            table.selected.clear()
            self.dt_app.note_own_change()
            self.reload()
