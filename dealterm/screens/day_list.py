"""The day list: the deals and activities of one calendar day.

`enter` dismisses with the chosen deal's id (the calendar opens its card);
`shift+left` / `shift+right` move the highlighted deal's date by a day. The move is done
by the function the calendar hands in (the caller saves; this modal only asks), and the
deal stays in the list marked with its new day, so pressing again moves it further.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import ClassVar

from babel.dates import format_date
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from dealterm.core.formatting import format_money, safe_locale
from dealterm.core.queries.calendar import DATE_FIELDS, DayActivity, DayDeal, DayItems, DayTotal
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.month_grid import activity_count

__all__ = ["DayListModal", "ShiftDeal"]

# Moves a deal's date by N days; returns the deal as it is now, or None if refused.
ShiftDeal = Callable[[DayDeal, int], Awaitable[DayDeal | None]]

# Rows are cut to the width of a wide dialog's list (an option must not wrap).
ROW_WIDTH = 72
_DEAL = "deal-"
_ACTIVITY = "activity-"


class DayListModal(ModalScreen[int | None]):
    """A day's deals and activities; dismisses with a deal id to open, or None."""

    DEFAULT_CSS = """
    DayListModal .day-section {
        text-style: bold;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="day_list.close"),
        Binding("shift+right", "shift(1)", "A day later", id="day_list.later"),
        Binding("shift+left", "shift(-1)", "A day earlier", id="day_list.earlier"),
        Binding(
            "greater_than_sign", "shift(1)", show=False, key_display=">", id="day_list.later_alt"
        ),
        Binding(
            "less_than_sign", "shift(-1)", show=False, key_display="<", id="day_list.earlier_alt"
        ),
    ]

    def __init__(
        self,
        items: DayItems,
        *,
        field: str,
        locale: str,
        base_currency: str,
        total: DayTotal | None = None,
        shift: ShiftDeal | None = None,
        selected: int | None = None,
    ) -> None:
        super().__init__()
        self.items = items
        self.deals = list(items.deals)
        self.field = field
        self.locale = locale
        self.base_currency = base_currency
        self.total = total
        self.shift_deal = shift
        self.selected = selected
        self._moving = asyncio.Lock()

    # --- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        day = format_date(self.items.day, "full", locale=safe_locale(self.locale))
        with Vertical(classes="dialog wide"):
            yield Label(day, classes="dialog-title")
            yield Label(self._summary(), classes="dialog-subtitle", id="day-summary")
            yield Label(
                f"Deals by {DATE_FIELDS.get(self.field, self.field)}", classes="day-section"
            )
            yield OptionList(*self._deal_options(), id="day-deals")
            yield Label("Activities due", classes="day-section")
            yield OptionList(*self._activity_options(), id="day-activities")
            yield Label(
                "enter: card · shift+←/→: move a day · tab: other list · esc: close",
                classes="hint",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        deals = self.query_one("#day-deals", OptionList)
        index = next((i for i, d in enumerate(self.deals) if d.id == self.selected), 0)
        if self.deals:
            deals.highlighted = index
            deals.focus()
        else:
            self.query_one("#day-activities", OptionList).focus()

    def _summary(self) -> str:
        parts: list[str] = []
        count = self.total.count if self.total else len(self.deals)
        parts.append(f"{count:,} deal{'' if count == 1 else 's'}")
        if self.total is not None:
            parts.append(format_money(self.total.total, self.base_currency, self.locale))
        if count > len(self.deals):
            parts.append(f"the first {len(self.deals):,} shown")
        done = sum(1 for a in self.items.activities if a.completed)
        counted = activity_count(len(self.items.activities) - done, done)
        parts.append(f"activities: {counted}" if done else counted)
        moved = sum(1 for d in self.deals if d.day != self.items.day)
        if moved:
            parts.append(f"{moved:,} moved to another day")
        return " · ".join(parts)

    # --- rows ---------------------------------------------------------------------------
    def _deal_prompt(self, deal: DayDeal) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("▍", style=Style(color=deal.stage_color or "grey50"))
        line.append_text(_cell(deal.title, 28, Style(dim=deal.closed)))
        line.append(" ")
        line.append_text(_cell(deal.stage_name, 16, Style(color="grey62")))
        amount = format_money(deal.amount, deal.currency, self.locale)
        line.append(f"{amount:>14}", style="cyan")
        if deal.day != self.items.day:
            moved = format_date(deal.day, "d MMM", locale=safe_locale(self.locale))
            line.append(f"  → {moved}", style="bold yellow")
        elif deal.client:
            line.append(f"  {deal.client}", style="grey62")
        line.truncate(ROW_WIDTH, overflow="ellipsis")
        return line

    def _deal_options(self) -> list[Option]:
        if not self.deals:
            return [Option(Text("no deals on this day", style="grey50"), disabled=True)]
        return [Option(self._deal_prompt(d), id=f"{_DEAL}{d.id}") for d in self.deals]

    def _activity_options(self) -> list[Option]:
        if not self.items.activities:
            return [Option(Text("no activities due", style="grey50"), disabled=True)]
        return [Option(_activity_prompt(a), id=f"{_ACTIVITY}{a.id}") for a in self.items.activities]

    # --- choosing -----------------------------------------------------------------------
    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith(_DEAL):
            self.dismiss(int(option_id.removeprefix(_DEAL)))
        elif option_id.startswith(_ACTIVITY):
            wanted = int(option_id.removeprefix(_ACTIVITY))
            activity = next(a for a in self.items.activities if a.id == wanted)
            self.dismiss(activity.deal_id)

    def action_close(self) -> None:
        self.dismiss(None)

    @property
    def current_deal(self) -> DayDeal | None:
        """The highlighted deal, when the deal list has the focus."""
        deals = self.query_one("#day-deals", OptionList)
        index = deals.highlighted
        if not deals.has_focus or index is None or not 0 <= index < len(self.deals):
            return None
        return self.deals[index]

    # --- moving -------------------------------------------------------------------------
    def action_shift(self, days: int) -> None:
        deal = self.current_deal
        if deal is None:
            self.notify("Pick a deal in the list first", severity="warning", timeout=3)
            return
        if self.shift_deal is None:
            self.notify("Dates cannot be moved here", severity="warning", timeout=3)
            return
        self._shift(deal.id, days)

    @work(group="day-list-shift", exit_on_error=False)
    async def _shift(self, deal_id: int, days: int) -> None:
        # One move at a time, each with the version the last one left: quick repeated
        # presses move the deal further instead of failing as conflicts.
        assert self.shift_deal is not None
        async with self._moving:
            index = next((i for i, d in enumerate(self.deals) if d.id == deal_id), None)
            if index is None:
                return
            moved = await self.shift_deal(self.deals[index], days)
            if moved is None:
                return
            self.deals[index] = moved
            self.query_one("#day-deals", OptionList).replace_option_prompt(
                f"{_DEAL}{deal_id}", self._deal_prompt(self.deals[index])
            )
            self.query_one("#day-summary", Label).update(self._summary())


def _cell(text: str, width: int, style: Style) -> Text:
    cell = Text(text, style=style)
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


def _activity_prompt(activity: DayActivity) -> Text:
    style = "bold red" if activity.overdue else ("grey50 strike" if activity.completed else "")
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"{activity.at:%H:%M}  ", style="yellow")
    line.append(f"{activity.kind:<8}", style="grey62")
    line.append(activity.subject, style=style)
    if activity.completed:  # before the deal's title, which a long row loses first
        line.append("  done", style="green")
    line.append(f"  — {activity.deal_title}", style="grey62")
    if activity.overdue:
        line.append("  overdue", style="bold red")
    line.truncate(ROW_WIDTH, overflow="ellipsis")
    return line
