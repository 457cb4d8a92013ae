"""When a recurring deal runs: schedules, their dates and their description in words.

Dates come from python-dateutil, never from arithmetic of our own. A monthly schedule
from the 29th-31st runs on the last day of shorter months (31 Jan, 28 Feb, 31 Mar...),
and a yearly one from 29 February runs on 28 February in common years: the rule takes
the first of "that day" and "the last day" in each period (``bysetpos=1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule

from dealterm.core.errors import ValidationError
from dealterm.core.models.recurring import LimitKind, ScheduleMode, TimeUnit

__all__ = [
    "Schedule",
    "add_offset",
    "describe",
    "first_run",
    "next_after",
    "occurrences",
    "parse_offset",
    "resume_at",
]

_FREQ = {TimeUnit.DAY: DAILY, TimeUnit.WEEK: WEEKLY, TimeUnit.MONTH: MONTHLY, TimeUnit.YEAR: YEARLY}
_UNIT_ALIASES = {
    "d": TimeUnit.DAY,
    "day": TimeUnit.DAY,
    "days": TimeUnit.DAY,
    "w": TimeUnit.WEEK,
    "week": TimeUnit.WEEK,
    "weeks": TimeUnit.WEEK,
    "m": TimeUnit.MONTH,
    "month": TimeUnit.MONTH,
    "months": TimeUnit.MONTH,
    "y": TimeUnit.YEAR,
    "year": TimeUnit.YEAR,
    "years": TimeUnit.YEAR,
}
_OFFSET = re.compile(r"^\s*([+-]?\d{1,4})\s*([a-z]*)\s*$")
MAX_STEP = 1000


def parse_unit(value: str, *, field: str = "unit") -> TimeUnit:
    """``day``, ``week``, ``month`` or ``year`` (also plurals and d/w/m/y).

    Raises:
        ValidationError: anything else.
    """
    found = _UNIT_ALIASES.get((value or "").strip().lower())
    if found is None:
        raise ValidationError(f"unknown unit {value!r}: use day, week, month or year", field=field)
    return found


def parse_offset(value: str, *, field: str = "offset") -> tuple[int, TimeUnit]:
    """An offset such as ``0d``, ``14d``, ``2w``, ``1m``, ``-3d`` (a bare number is days).

    Raises:
        ValidationError: not a number of days, weeks, months or years.
    """
    match = _OFFSET.match((value or "").lower())
    if match is None:
        raise ValidationError(
            f"{value!r} is not an offset: use a number and d, w, m or y (14d, 2w, 1m)",
            field=field,
        )
    number, unit = match.groups()
    return int(number), parse_unit(unit or "d", field=field)


def _delta(amount: int, unit: str) -> relativedelta:
    return {
        TimeUnit.DAY: relativedelta(days=amount),
        TimeUnit.WEEK: relativedelta(weeks=amount),
        TimeUnit.MONTH: relativedelta(months=amount),
        TimeUnit.YEAR: relativedelta(years=amount),
    }[TimeUnit(unit)]


def add_offset(day: date, offset: str) -> date:
    """``day`` moved by an offset (``14d``, ``1m``...); a month from 31 Jan is 28/29 Feb."""
    amount, unit = parse_offset(offset)
    moved: date = day + _delta(amount, unit)
    return moved


@dataclass(frozen=True)
class Schedule:
    """When a template runs.

    Attributes:
        mode: "once" (one deal ``step`` ``unit``s before ``start``) or "every" (a deal every
            ``step`` ``unit``s from ``start``).
        limit_kind: "none", "date" (no run after ``limit_date``) or "times" (``limit_times``
            deals in all); "once" ignores it.
        begin_offset, close_offset: the new deal's begin and close date, from the run date.
    """

    start: date
    mode: str = ScheduleMode.EVERY
    step: int = 1
    unit: str = TimeUnit.MONTH
    limit_kind: str = LimitKind.NONE
    limit_date: date | None = None
    limit_times: int | None = None
    begin_offset: str = "0d"
    close_offset: str = "7d"

    def validate(self) -> None:
        """Refuse a schedule that makes no sense.

        Raises:
            ValidationError: with the field at fault.
        """
        if self.mode not in (ScheduleMode.ONCE, ScheduleMode.EVERY):
            raise ValidationError(f"unknown mode {self.mode!r}: once or every", field="mode")
        parse_unit(self.unit)
        low = 0 if self.mode == ScheduleMode.ONCE else 1
        if not low <= self.step <= MAX_STEP:
            what = "Before" if self.mode == ScheduleMode.ONCE else "Every"
            raise ValidationError(
                f"{what} must be a whole number from {low} to {MAX_STEP} ({self.step})",
                field="step",
            )
        if self.limit_kind not in (LimitKind.NONE, LimitKind.DATE, LimitKind.TIMES):
            raise ValidationError(f"unknown limit {self.limit_kind!r}", field="limit")
        if self.mode == ScheduleMode.EVERY and self.limit_kind == LimitKind.DATE:
            if self.limit_date is None:
                raise ValidationError("give the date to repeat until", field="limit_date")
            if self.limit_date < self.start:
                raise ValidationError(
                    f"the end date {self.limit_date} is before the start {self.start}",
                    field="limit_date",
                )
        times = self.limit_times
        if (
            self.mode == ScheduleMode.EVERY
            and self.limit_kind == LimitKind.TIMES
            and (times is None or times < 1)
        ):
            raise ValidationError(
                "the number of times must be a whole number of at least 1", field="limit_times"
            )
        parse_offset(self.begin_offset, field="begin_offset")
        parse_offset(self.close_offset, field="close_offset")

    def rule(self) -> rrule:
        """The dateutil rule of an "every" schedule (the date limit included, not the count)."""
        unit = TimeUnit(self.unit)
        start = datetime.combine(self.start, time.min)
        until = (
            datetime.combine(self.limit_date, time.min)
            if self.limit_kind == LimitKind.DATE and self.limit_date is not None
            else None
        )
        if unit == TimeUnit.MONTH and self.start.day > 28:
            # the 29th-31st, or the last day of a month that has fewer days
            return rrule(
                MONTHLY,
                interval=self.step,
                dtstart=start,
                until=until,
                bymonthday=(self.start.day, -1),
                bysetpos=1,
            )
        if unit == TimeUnit.YEAR and (self.start.month, self.start.day) == (2, 29):
            return rrule(
                YEARLY,
                interval=self.step,
                dtstart=start,
                until=until,
                bymonth=2,
                bymonthday=(29, -1),
                bysetpos=1,
            )
        return rrule(_FREQ[unit], interval=self.step, dtstart=start, until=until)

    def once_date(self) -> date:
        """The run date of a "once" schedule."""
        moved: date = self.start - _delta(self.step, self.unit)
        return moved


def first_run(schedule: Schedule, today: date) -> date | None:
    """The first run of a new (or resumed) template.

    "once" runs on its date even if that is already past (the run catches it up); "every"
    runs from the start, or from today when the start is past (a new template does not
    create the deals of dates before it existed).
    """
    if schedule.mode == ScheduleMode.ONCE:
        return schedule.once_date()
    since = max(schedule.start, today)
    found = schedule.rule().after(datetime.combine(since, time.min), inc=True)
    return found.date() if found is not None else None


def next_after(schedule: Schedule, last: date, counter: int) -> date | None:
    """The run after ``last``, or None when the schedule is over.

    Args:
        counter: how many deals the template has created, ``last``'s included.
    """
    if schedule.mode == ScheduleMode.ONCE:
        return None
    if schedule.limit_kind == LimitKind.TIMES and counter >= (schedule.limit_times or 0):
        return None
    found = schedule.rule().after(datetime.combine(last, time.min), inc=False)
    return found.date() if found is not None else None


def resume_at(schedule: Schedule, since: date, last: date | None, counter: int) -> date | None:
    """The first run on or after ``since`` and after ``last``, or None when none is left.

    Where an edited schedule picks up. Unlike :func:`first_run` the date may be past:
    the next run catches it up.

    Args:
        last: the template's last run (None when it never ran).
        counter: how many deals the template has created.
    """
    if schedule.mode == ScheduleMode.ONCE:
        return None if counter else schedule.once_date()
    if schedule.limit_kind == LimitKind.TIMES and counter >= (schedule.limit_times or 0):
        return None
    floor = since if last is None else max(since, last + timedelta(days=1))
    found = schedule.rule().after(datetime.combine(floor, time.min), inc=True)
    return found.date() if found is not None else None


def occurrences(schedule: Schedule, since: date, until: date, counter: int = 0) -> list[date]:
    """Every run date from ``since`` to ``until`` (both included), limits applied."""
    result: list[date] = []
    current = first_run(schedule, since)
    done = counter
    while current is not None and current <= until:
        if current >= since:
            result.append(current)
            done += 1
        current = next_after(schedule, current, done)
    return result


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def describe(schedule: Schedule, counter: int | None = None) -> str:
    """The schedule in words: "every month from 31 Jan 2027, 3 of 6 done"."""
    start = f"{schedule.start.day} {schedule.start:%b %Y}"
    if schedule.mode == ScheduleMode.ONCE:
        if schedule.step == 0:
            return f"once, on {start}"
        return f"once, {_plural(schedule.step, schedule.unit)} before {start}"
    every = schedule.unit if schedule.step == 1 else _plural(schedule.step, schedule.unit)
    text = f"every {every} from {start}"
    if schedule.limit_kind == LimitKind.DATE and schedule.limit_date is not None:
        text += f" until {schedule.limit_date.day} {schedule.limit_date:%b %Y}"
    if schedule.limit_kind == LimitKind.TIMES and schedule.limit_times:
        if counter is None:
            text += f", {_plural(schedule.limit_times, 'time')}"
        else:
            text += f", {counter} of {schedule.limit_times} done"
    elif counter:
        text += f", {counter} done"
    return text
