"""The calendar view: deals by close (or created, or begin) date, or activity deadlines.

A month grid (or a week) of per-day counts and sums in the base currency, read by
aggregate queries in a thread whenever the month, the date field, the filter or the data
change. `enter` lists the selected day's deals and activities; from there a deal's card
opens, or its date moves by a day.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from babel.dates import format_date
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from dealterm.core.formatting import format_money, safe_locale
from dealterm.core.queries.calendar import DATE_FIELDS, CalendarData, DayItems, MonthFigures
from dealterm.messages import DatabaseReady, DataChanged, FilterChanged
from dealterm.screens.base import CrmScreen, in_thread
from dealterm.widgets.app_header import AppHeader
from dealterm.widgets.filter_bar import FilterBar
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.month_grid import CalendarGrid, week_of

if TYPE_CHECKING:
    from dealterm.core.filters import DealFilter
    from dealterm.core.queries.calendar import DayDeal

__all__ = ["WEEK_ITEMS", "CalendarScreen"]

# Items read per day for the week view (a column shows what fits, then "+N more").
WEEK_ITEMS = 40


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), kept inside the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class CalendarScreen(CrmScreen):
    """Deals (or activity deadlines) in a month or week grid."""

    HEADER_WITH_ANSWER = True  # names the filter in the header when its read is shown

    DEFAULT_CSS = """
    CalendarScreen #calendar-title {
        height: 1;
        padding: 0 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Previous day", show=False, id="calendar.prev_day"),
        Binding("right", "move(1)", "Next day", show=False, id="calendar.next_day"),
        Binding("up", "move(-7)", "Previous week", show=False, id="calendar.prev_week"),
        Binding("down", "move(7)", "Next week", show=False, id="calendar.next_week"),
        Binding("h", "move(-1)", "Previous day", show=False, id="calendar.vim_left"),
        Binding("l", "move(1)", "Next day", show=False, id="calendar.vim_right"),
        Binding("k", "move(-7)", "Previous week", show=False, id="calendar.vim_up"),
        Binding("j", "move(7)", "Next week", show=False, id="calendar.vim_down"),
        Binding("pageup", "month(-1)", "Prev month", key_display="PgUp", id="calendar.prev_month"),
        Binding("pagedown", "month(1)", "Next month", key_display="PgDn", id="calendar.next_month"),
        Binding("t", "today", "Today", id="calendar.today"),
        Binding("v", "toggle_view", "Week/Month", id="calendar.toggle_view"),
        Binding("f", "pick_field", "Date field", id="calendar.field"),
        Binding("g", "toggle_mode", "Deals/Activities", id="calendar.toggle_mode"),
        Binding("enter", "open_day", "Day list", id="calendar.open_day"),
        Binding("slash", "filter", "Search", key_display="/", priority=True, id="calendar.filter"),
        # `f` picks the date field here, so the filter form is on shift+f.
        Binding("F", "filter_form", "Filter", key_display="F", id="calendar.filter_form"),
        Binding("r", "reload", "Reload", show=False, id="calendar.reload"),
    ]

    class FiguresLoaded(Message):
        """Per-day figures arrived for the request ``key`` (range, field, filter, reload)."""

        def __init__(self, figures: MonthFigures, key: tuple[object, ...]) -> None:
            super().__init__()
            self.figures = figures
            self.key = key

    class FiguresPrefetched(Message):
        """Figures of a month next to the one shown arrived (kept for a flip to it)."""

        def __init__(self, found: list[tuple[tuple[object, ...], MonthFigures]]) -> None:
            super().__init__()
            self.found = found

    class WeekLoaded(Message):
        """The items of a week arrived (week view) for the request ``key``."""

        def __init__(self, days: list[DayItems], key: tuple[object, ...]) -> None:
            super().__init__()
            self.days = days
            self.key = key

    def __init__(self) -> None:
        super().__init__()
        self.field = "close_date"
        self.field_labels: dict[str, str] = dict(DATE_FIELDS)
        self.generation = 0
        self._figures_key: tuple[object, ...] | None = None
        self._week_key: tuple[object, ...] | None = None
        self._data: CalendarData | None = None
        # Figures read ahead for the months either side of the one shown, by request key
        # (a new generation, field or filter makes them unreachable): PgUp/PgDn show them
        # at once instead of waiting for a read.
        self._ahead: dict[tuple[object, ...], MonthFigures] = {}

    # --- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        app = self.dt_app
        today = app.crm.db.clock.today() if app.crm is not None else date.today()
        yield AppHeader()
        yield FilterBar()
        yield Static("Opening the database…", id="calendar-title")
        yield CalendarGrid(today, locale=app.locale, currency=app.base_currency, id="calendar-grid")
        yield KeyFooter()

    @property
    def grid(self) -> CalendarGrid:
        """The month/week grid."""
        return self.query_one(CalendarGrid)

    @property
    def data(self) -> CalendarData:
        """The calendar's queries on the open database."""
        if self._data is None or self._data.db is not self.crm.db:
            self._data = CalendarData(self.crm.db)
        return self._data

    @property
    def deal_filter(self) -> DealFilter | None:
        """The filter shared by every view."""
        return self.dt_app.deal_filter

    def on_mount(self) -> None:
        self.grid.focus()
        if self.ready:
            self.reload()

    # --- loading ------------------------------------------------------------------------
    def on_database_ready(self, _: DatabaseReady) -> None:
        if not self.ready:
            self.query_one("#calendar-title", Static).update(self.dt_app.problem or "No database")
            return
        self.grid.state.selected = self.crm.db.clock.today()
        self.grid.currency = self.dt_app.base_currency
        self.reload(force=True)

    def on_data_changed(self, _: DataChanged) -> None:
        if self.ready:
            self.reload(force=True)

    def on_screen_resume(self) -> None:
        # Back from another view or a card: read again if the filter or the data changed.
        if self.ready and self._figures_key is not None and self.stale():
            self.reload(force=True)

    def reload(self, *, force: bool = False) -> None:
        """Read the figures (and the week's items) again if what is shown changed."""
        if not self.ready:
            return
        if force:
            self.generation += 1
            self.note_shown()
        key = self._key_of(self.grid.month)
        loading = key != self._figures_key
        if loading:
            self._figures_key = key
            ready = self._ahead.get(key)
            if ready is not None:
                self._show_figures(ready)
                self._reload_week()
                return
            self.grid.state.loading = True
            self._load_figures(key)
        self._reload_week()
        self._show_title()
        if loading:
            # The figures usually arrive within a frame or two: the new month is drawn
            # once, with them; only a slow read shows it first without them.
            self.set_timer(0.06, self._draw_if_loading)
        else:
            self.grid.refresh_grid()

    def _key_of(self, month: date) -> tuple[object, ...]:
        """The request for ``month``'s figures: its grid's days, the date field, the
        filter and the reload generation."""
        return (*self.grid.range_of(month), self.field, self.deal_filter, self.generation)

    def _read_ahead(self) -> None:
        """Read the figures of the months either side of the one shown (in a thread)."""
        month = self.grid.month
        keys = [self._key_of(add_months(month, step)) for step in (1, -1)]
        wanted = [key for key in keys if key not in self._ahead]
        current = set(keys) | {self._figures_key}
        for key in [key for key in self._ahead if key not in current]:
            del self._ahead[key]  # only the months either side are kept
        if wanted:
            self._prefetch(wanted)

    def _draw_if_loading(self) -> None:
        if self.grid.state.loading:
            self.grid.refresh_grid()

    def _reload_week(self) -> None:
        if self.grid.state.view != "week":
            return
        days = week_of(self.grid.state.selected, self.grid.first)
        key = (days[0], self.field, self.deal_filter, self.generation)
        if key != self._week_key:
            self._week_key = key
            self.grid.state.week = None
            self._load_week(days, key)

    @work(thread=True, exclusive=True, group="calendar-load", exit_on_error=False)
    def _load_figures(self, key: tuple[Any, ...]) -> None:
        start, end, field, flt, _ = key
        figures = self.data.figures(start, end, field=field, flt=flt)
        self.post_message(self.FiguresLoaded(figures, key))

    @work(thread=True, exclusive=True, group="calendar-ahead", exit_on_error=False)
    def _prefetch(self, keys: list[tuple[Any, ...]]) -> None:
        found = []
        for key in keys:
            start, end, field, flt, _ = key
            found.append((key, self.data.figures(start, end, field=field, flt=flt)))
        self.post_message(self.FiguresPrefetched(found))

    def on_calendar_screen_figures_prefetched(self, event: FiguresPrefetched) -> None:
        for key, figures in event.found:
            if key[4] == self.generation:  # not read before a change
                self._ahead[key] = figures

    @work(thread=True, exclusive=True, group="calendar-week", exit_on_error=False)
    def _load_week(self, days: list[date], key: tuple[Any, ...]) -> None:
        _, field, flt, _ = key
        items = self.data.days(days, field=field, flt=flt, limit=WEEK_ITEMS)
        self.post_message(self.WeekLoaded(items, key))

    def on_calendar_screen_figures_loaded(self, event: FiguresLoaded) -> None:
        # A worker overtaken by a newer request (another month, field or filter) may
        # still finish: only the answer to the latest request is shown.
        if event.key != self._figures_key:
            return
        self._show_figures(event.figures)

    def _show_figures(self, figures: MonthFigures) -> None:
        if self._figures_key is not None:
            self._ahead[self._figures_key] = figures
        self.grid.state.figures = figures
        self.grid.state.loading = False
        self.grid.refresh_grid()
        self._show_title()
        self.dt_app.update_header()
        self.call_after_refresh(self._read_ahead)  # after this month is on screen

    def on_calendar_screen_week_loaded(self, event: WeekLoaded) -> None:
        if event.key != self._week_key:
            return
        self.grid.state.week = {items.day: items for items in event.days}
        self.grid.refresh_grid()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble, so the app never sees this screen's workers.
        if event.state != WorkerState.ERROR:
            return
        if event.worker.error is not None:
            self.report(event.worker.error)
        if event.worker.group == "calendar-load":
            self._figures_key = None
            self.grid.state.loading = False
            self.grid.state.figures = None  # not figures of another filter under this title
            self._show_title()
            self.grid.refresh_grid()

    # --- the title line -----------------------------------------------------------------
    def _show_title(self) -> None:
        state = self.grid.state
        locale = safe_locale(self.dt_app.locale)
        month = format_date(state.selected, "LLLL yyyy", locale=locale)
        if state.view == "week":
            week = week_of(state.selected, self.grid.first)
            month = f"week of {format_date(week[0], 'd MMMM yyyy', locale=locale)}"
        shown = (
            "activity deadlines"
            if state.mode == "activities"
            else f"deals by {self.field_labels.get(self.field, self.field)}"
        )
        parts = [f"[b]{month[:1].upper()}{month[1:]}[/b]", shown]
        summary = self._month_summary()
        if summary:
            parts.append(summary)
        flt = self.deal_filter
        if flt is not None and not flt.is_empty:
            parts.append(f"filter: {flt.describe() or 'on'}".replace("[", r"\["))
        if state.loading:
            parts.append("[dim]loading…[/]")
        elif state.figures is None:
            parts.append("[red]could not be read[/]")
        # One line of fixed height: a new title needs no layout pass of the screen.
        self.query_one("#calendar-title", Static).update("  ·  ".join(parts), layout=False)

    def _month_summary(self) -> str:
        """Totals of the month (or of the week, in the week view)."""
        state = self.grid.state
        figures = state.figures
        if figures is None or state.loading:
            return ""
        if state.view == "week":
            days, period = set(week_of(state.selected, self.grid.first)), "this week"
        else:
            month = self.grid.month
            days = {
                d
                for d in figures.deals.keys() | figures.activities.keys() | figures.done.keys()
                if d.month == month.month
            }
            period = "this month"
        if state.mode == "activities":
            count = sum(n for d, n in figures.activities.items() if d in days)
            done = sum(n for d, n in figures.done.items() if d in days)
            return f"{count:,} due · {done:,} done {period}" if done else f"{count:,} due {period}"
        totals = [t for d, t in figures.deals.items() if d in days]
        money = format_money(
            sum((t.total for t in totals), start=Decimal(0)), self.grid.currency, self.dt_app.locale
        )
        return f"{sum(t.count for t in totals):,} deals · {money} {period}"

    # --- moving around ------------------------------------------------------------------
    def select(self, day: date) -> None:
        """Put the cursor on ``day`` (another month loads its figures)."""
        self.grid.state.selected = day
        self.reload()

    def action_move(self, days: int) -> None:
        self.select(self.grid.state.selected + timedelta(days=days))

    def action_month(self, months: int) -> None:
        self.select(add_months(self.grid.state.selected, months))

    def action_today(self) -> None:
        today = self.grid.today or (self.crm.db.clock.today() if self.ready else date.today())
        self.select(today)

    def action_toggle_view(self) -> None:
        state = self.grid.state
        state.view = "month" if state.view == "week" else "week"
        self._week_key = None
        self.reload()

    def action_toggle_mode(self) -> None:
        state = self.grid.state
        state.mode = "deals" if state.mode == "activities" else "activities"
        self._show_title()
        self.grid.refresh_grid()

    def action_reload(self) -> None:
        self.reload(force=True)

    def on_calendar_grid_day_clicked(self, event: CalendarGrid.DayClicked) -> None:
        if event.day == self.grid.state.selected:
            self.action_open_day()
        else:
            self.select(event.day)

    @work(exclusive=True, group="calendar-field", exit_on_error=False)
    async def action_pick_field(self) -> None:
        from dealterm.screens.picker import PickerModal

        fields = await in_thread(self.data.date_fields)
        self.field_labels = dict(fields)
        options = [(name, label[:1].upper() + label[1:]) for name, label in fields.items()]
        picked = await self.app.push_screen_wait(
            PickerModal("Show deals by", options, selected=self.field)
        )
        if picked is None or picked == self.field:
            return
        self.field = picked
        self.grid.state.mode = "deals"
        self.reload()

    # --- the day list -------------------------------------------------------------------
    @work(exclusive=True, group="calendar-day", exit_on_error=False)
    async def action_open_day(self) -> None:
        """List the selected day; a chosen deal opens its card, then the list comes back."""
        from dealterm.screens.day_list import DayListModal
        from dealterm.screens.deal_card import DealCardScreen

        if not self.ready:
            return
        day = self.grid.state.selected
        chosen: int | None = None
        while True:
            try:
                items = await in_thread(self.data.day, day, field=self.field, flt=self.deal_filter)
            except Exception as error:
                self.report(error)
                return
            figures = self.grid.state.figures
            chosen = await self.app.push_screen_wait(
                DayListModal(
                    items,
                    field=self.field,
                    locale=self.dt_app.locale,
                    base_currency=self.dt_app.base_currency,
                    total=figures.deals.get(day) if figures else None,
                    shift=self._shift,
                    selected=chosen,
                )
            )
            if chosen is None:
                return
            await self.app.push_screen_wait(DealCardScreen(chosen))
            self.reload(force=True)

    async def _shift(self, deal: DayDeal, days: int) -> DayDeal | None:
        """Move a deal's date (for the day list); the grid reloads behind the list."""
        try:
            read = await in_thread(
                self.data.shift, deal.id, days, field=self.field, version=deal.version
            )
        except Exception as error:
            self.report(error)
            return None
        self.dt_app.note_own_change()
        self.reload(force=True)
        return replace(deal, version=read.version, day=getattr(read, self.field))

    # --- filter -------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_filter_form(self) -> None:
        self.dt_app.edit_filter()

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        self.dt_app.set_search(event.text)

    def on_filter_changed(self, _: FilterChanged) -> None:
        if self.ready:
            self.reload()

    @on(FilterBar.Done)
    def _filter_done(self, _: FilterBar.Done) -> None:
        self.grid.focus()
