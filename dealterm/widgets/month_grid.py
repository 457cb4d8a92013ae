"""The calendar grid: a month (weeks as rows) or a week (seven tall day columns).

One widget draws every day with the Line API: the lines are built from the figures the
screen hands over (counts and sums per day, a week's items), never a widget per day or
per deal. The first day of the week follows the user's locale (Babel).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_currency
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from dealterm.core.formatting import first_week_day, format_money, safe_locale

if TYPE_CHECKING:
    from dealterm.core.queries.calendar import DayActivity, DayDeal, DayItems, MonthFigures

__all__ = [
    "CalendarGrid",
    "GridState",
    "activity_count",
    "compact_money",
    "first_weekday",
    "month_weeks",
    "week_of",
    "weekday_names",
]

View = Literal["month", "week"]
Mode = Literal["deals", "activities"]

BORDER = Style(color="grey35")
DIM = Style(color="grey42")
SELECTED = Style(bgcolor="grey23")
TODAY = Style(color="black", bgcolor="yellow", bold=True)
OVERDUE = Style(color="bright_red", bold=True)
COUNT = Style(bold=True)
MONEY = Style(color="cyan")
ACTIVITY = Style(color="yellow")


# --- dates and words ----------------------------------------------------------------------
def first_weekday(locale: str) -> int:
    """The first day of the week: the user's preference, else the locale's (en_US: Sunday)."""
    return first_week_day(locale)


@lru_cache(maxsize=16)
def weekday_names(locale: str) -> tuple[str, ...]:
    """Abbreviated weekday names, Monday first ("Mon", ... or "пн", ...)."""
    names = Locale.parse(safe_locale(locale)).days["stand-alone"]["abbreviated"]
    return tuple(str(names[i]) for i in range(7))


def week_of(day: date, first: int) -> list[date]:
    """The seven days of the week holding ``day`` (weeks start on weekday ``first``)."""
    start = day - timedelta(days=(day.weekday() - first) % 7)
    return [start + timedelta(days=i) for i in range(7)]


def month_weeks(month: date, first: int) -> list[list[date]]:
    """The whole weeks that cover ``month`` (4 to 6 of them)."""
    last = month.replace(day=monthrange(month.year, month.month)[1])
    weeks = [week_of(month.replace(day=1), first)]
    while weeks[-1][-1] < last:
        weeks.append([d + timedelta(days=7) for d in weeks[-1]])
    return weeks


@lru_cache(maxsize=32)
def _sign(currency: str, locale: str) -> str:
    text = format_money(Decimal(0), currency, locale)
    return "".join(ch for ch in text if not (ch.isdigit() or ch in ".,' \u00a0\u202f-")) or currency


def compact_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """A short amount for a small cell: "$12.3K", "1,2 млн ₽"."""
    text = str(
        format_compact_currency(amount, currency, locale=safe_locale(locale), fraction_digits=1)
    )
    return text.replace(currency, _sign(currency, locale)) if currency in text else text


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def activity_count(open_: int, done: int) -> str:
    """A day's activities as the grid and the day list say it: "41 activities" when none
    is done, else "41 open · 1 done" (done ones are listed too, struck through)."""
    if not done:
        return _plural(open_, "activity", "activities")
    if not open_:
        return f"{done:,} done"
    return f"{open_:,} open · {done:,} done"


# --- state ----------------------------------------------------------------------------------
@dataclass
class GridState:
    """What the grid shows; the screen changes it and calls :meth:`CalendarGrid.refresh_grid`.

    Attributes:
        selected: the day under the cursor (its month is the month shown).
        view: "month" or "week".
        mode: "deals" (count and sum by the date field) or "activities" (deadlines: open
            ones, and those done, counted apart).
        figures: per-day figures of the visible range, None until loaded.
        week: the items of the days of the selected week (week view).
        loading: figures for the current range are on their way.
    """

    selected: date
    view: View = "month"
    mode: Mode = "deals"
    figures: MonthFigures | None = None
    week: dict[date, DayItems] | None = None
    loading: bool = True


class CalendarGrid(Widget, can_focus=True):
    """A month or week of days with their figures; the screen moves the selection."""

    DEFAULT_CSS = """
    CalendarGrid {
        height: 1fr;
        padding: 0 1;
    }
    """

    class DayClicked(Message):
        """A day was clicked."""

        def __init__(self, day: date) -> None:
            super().__init__()
            self.day = day

    def __init__(
        self,
        selected: date,
        *,
        locale: str = "en_US",
        currency: str = "USD",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.state = GridState(selected=selected)
        self.locale = locale
        self.currency = currency
        self.first = first_weekday(locale)
        self._lines: list[Strip] | None = None
        self._cells: list[tuple[int, int, int, int, date]] = []  # x0, x1, y0, y1, day

    # --- what is shown --------------------------------------------------------------------
    @property
    def month(self) -> date:
        """The first day of the month shown."""
        return self.state.selected.replace(day=1)

    @property
    def weeks(self) -> list[list[date]]:
        """The weeks drawn: the month's weeks, or the selected day's week."""
        if self.state.view == "week":
            return [week_of(self.state.selected, self.first)]
        return month_weeks(self.month, self.first)

    @property
    def visible_range(self) -> tuple[date, date]:
        """First and last day of the month's grid (figures are loaded for these)."""
        return self.range_of(self.month)

    def range_of(self, month: date) -> tuple[date, date]:
        """First and last day of ``month``'s grid (the whole weeks that cover it)."""
        weeks = month_weeks(month, self.first)
        return weeks[0][0], weeks[-1][-1]

    @property
    def today(self) -> date | None:
        """Today, as the last figures said."""
        return self.state.figures.today if self.state.figures else None

    def refresh_grid(self) -> None:
        """Draw again after the state changed."""
        self._lines = None
        self.refresh()

    def on_resize(self, _: events.Resize) -> None:
        self.refresh_grid()

    # --- drawing ----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if self._lines is None:
            self._lines = self._build()
        width = self.size.width
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, self.rich_style)

    def _to_strip(self, text: Text, base: Style) -> Strip:
        width = self.size.width
        segments = list(text.render(self.app.console))
        return Strip(segments, text.cell_len).crop_extend(0, width, base).simplify()

    def _widths(self) -> list[int]:
        inner = max(7, self.size.width - 8)
        base, extra = divmod(inner, 7)
        return [base + (1 if i < extra else 0) for i in range(7)]

    def _rule(self, widths: list[int], left: str, middle: str, right: str) -> Text:
        return Text(left + middle.join("─" * w for w in widths) + right, style=BORDER)

    def _build(self) -> list[Strip]:
        height = self.size.height
        if height < 4 or self.size.width < 22:
            return []
        widths = self._widths()
        weeks = self.weeks
        lines = [self._header(widths), self._rule(widths, "┌", "┬", "┐")]
        rows = max(1, (height - 2) // len(weeks) - 1)
        if self.state.view == "week":
            rows = max(1, height - 3)
        self._cells = []
        for index, week in enumerate(weeks):
            top = len(lines)
            cells = [self._cell(day, w, rows) for day, w in zip(week, widths, strict=True)]
            for line in range(rows):
                row = _styled("│", BORDER)
                for cell in cells:
                    row.append_text(cell[line])
                    row.append("│", style=BORDER)
                lines.append(row)
            last = index == len(weeks) - 1
            lines.append(self._rule(widths, *("└┴┘" if last else "├┼┤")))
            self._remember(week, widths, top, top + rows)
        base = self.rich_style  # walks the ancestors: once per grid, not once per line
        return [self._to_strip(text, base) for text in lines[:height]]

    def _remember(self, week: list[date], widths: list[int], y0: int, y1: int) -> None:
        x = 1 + self.styles.padding.left
        for day, w in zip(week, widths, strict=True):
            self._cells.append((x, x + w, y0, y1, day))
            x += w + 1

    def _header(self, widths: list[int]) -> Text:
        names = weekday_names(self.locale)
        header = Text(" ")
        for day, w in zip(week_of(self.state.selected, self.first), widths, strict=True):
            style = Style(bold=True) if day.weekday() < 5 else Style(bold=True, color="grey62")
            header.append_text(_fit(Text(names[day.weekday()], style=style), w))
            header.append(" ")
        return header

    # --- one day ------------------------------------------------------------------------------
    def _cell(self, day: date, width: int, rows: int) -> list[Text]:
        lines = [self._day_line(day, width)]
        if self.state.view == "week":
            lines += self._week_lines(day, width, rows - 1)
        else:
            lines += self._figure_lines(day, width)
        lines = [_fit(line, width) for line in lines[:rows]]
        lines += [Text(" " * width) for _ in range(rows - len(lines))]
        state = self.state
        outside = state.view == "month" and day.month != state.selected.month
        for line in lines:
            # Under the day's own styles, so today's mark and the figures keep their colours.
            if day == state.selected:
                line.stylize_before(SELECTED)
            if outside:
                line.stylize_before(DIM)
        return lines

    def _day_line(self, day: date, width: int) -> Text:
        number = f" {day.day} "
        if day.day == 1 or self.state.view == "week":
            number = f" {format_date(day, 'd MMM', locale=safe_locale(self.locale))} "
        line = _styled(number, TODAY if day == self.today else COUNT)
        if day == self.today:
            line.append(" today", style=Style(color="yellow"))
        figures = self.state.figures
        if figures is not None and day in figures.overdue:
            mark = " ● overdue" if width - line.cell_len >= 11 else " ●"
            line.append(mark, style=OVERDUE)
        return line

    def _figure_lines(self, day: date, width: int) -> list[Text]:
        figures = self.state.figures
        if figures is None or not figures.start <= day <= figures.end:
            return [Text(" …", style=DIM)] if self.state.loading else []
        if self.state.mode == "activities":
            count, done = figures.activities.get(day, 0), figures.done.get(day, 0)
            return (
                [Text(" " + activity_count(count, done), style=ACTIVITY)] if count or done else []
            )
        total = figures.deals.get(day)
        if total is None:
            return []
        return [
            Text(" " + _plural(total.count, "deal", "deals"), style=COUNT),
            Text(" " + compact_money(total.total, self.currency, self.locale), style=MONEY),
        ]

    def _week_lines(self, day: date, width: int, rows: int) -> list[Text]:
        lines = [line[1:] for line in self._figure_lines(day, width)]
        summary = Text(" ")
        for index, part in enumerate(lines):
            summary.append_text(_styled(" · ", DIM) if index else Text())
            summary.append_text(part)
        if not lines:
            summary = _styled(" —", DIM)
        out = [summary, Text("─" * width, style=BORDER)]
        items = (self.state.week or {}).get(day)
        if items is None:
            return (
                [*out, Text(" …", style=DIM)]
                if self.state.loading or self.state.week is None
                else out
            )
        if self.state.mode == "activities":
            entries = [_activity_line(a) for a in items.activities]
            shown_total = len(items.activities)
        else:
            entries = [self._deal_line(d, width) for d in items.deals]
            shown_total = len(items.deals)
        total = self._count_of(day, shown_total)
        room = max(0, rows - len(out))
        if len(entries) > room or total > len(entries):
            keep = max(0, room - 1)
            out += entries[:keep]
            out.append(Text(f" +{total - keep:,} more", style=DIM))
        else:
            out += entries
        return out

    def _count_of(self, day: date, loaded: int) -> int:
        figures = self.state.figures
        if figures is None:
            return loaded
        if self.state.mode == "activities":
            return max(loaded, figures.activities.get(day, 0) + figures.done.get(day, 0))
        total = figures.deals.get(day)
        return max(loaded, total.count if total else 0)

    def _deal_line(self, deal: DayDeal, width: int) -> Text:
        amount = compact_money(deal.amount, deal.currency, self.locale)
        title_room = max(1, width - len(amount) - 3)
        line = _styled("▍", Style(color=deal.stage_color or "grey50"))
        title = Text(deal.title, style=DIM if deal.closed else Style())
        title.truncate(title_room, overflow="ellipsis", pad=True)
        line.append_text(title)
        line.append(" " + amount, style=MONEY)
        return line

    # --- mouse ----------------------------------------------------------------------------------
    def day_at(self, x: int, y: int) -> date | None:
        """The day drawn at ``(x, y)`` of the widget, if any."""
        for x0, x1, y0, y1, day in self._cells:
            if x0 <= x < x1 and y0 <= y < y1:
                return day
        return None

    def on_click(self, event: events.Click) -> None:
        day = self.day_at(event.x, event.y)
        if day is not None:
            self.post_message(self.DayClicked(day))


def _activity_line(activity: DayActivity) -> Text:
    style = OVERDUE if activity.overdue else (DIM if activity.completed else Style())
    line = _styled(f" {activity.at:%H:%M} ", ACTIVITY)
    line.append(activity.subject, style=style + Style(strike=activity.completed))
    line.append(f" · {activity.deal_title}", style=DIM)
    return line


def _styled(text: str, style: Style) -> Text:
    """Text whose style covers only itself (a base style would leak into appended parts)."""
    styled = Text()
    styled.append(text, style=style)
    return styled


def _fit(text: Text, width: int) -> Text:
    fitted = text.copy()
    fitted.truncate(width, overflow="ellipsis", pad=True)
    return fitted
