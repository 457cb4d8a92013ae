"""The calendar's read side: per-day counts and sums, activity deadlines, a day's items.

Per-day figures are aggregates (GROUP BY day and currency over integer cents), never a
month of loaded deals. ``close_date`` and ``begin_date`` are dates, grouped as they are.
``created_at`` and activity deadlines are UTC timestamps, put in the user's local day by
comparing them with the UTC start of each local day of the range (``Clock.start_of_day``).
That stays right across a DST change and needs no time-zone support in the database:
deals go through a small tree of CASEs, activities are counted day by day on their
(completed, deadline) index.

A day's activities are its open ones and the ones already done (Bitrix24's calendar keeps
those, struck through): the grid counts both kinds apart, so what a day says and what it
lists agree ("41 open · 1 done").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    bindparam,
    case,
    func,
    literal_column,
    type_coerce,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlalchemy.sql.selectable import CompoundSelect
from sqlmodel import Session, col

from dealterm.core.context import ctx
from dealterm.core.db import Database
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.filters import DealFilter
from dealterm.core.models import Activity, Company, Deal, Stage
from dealterm.core.queries.conditions import custom_value, deal_conditions
from dealterm.core.readmodels import DealRead
from dealterm.core.services import deals as deal_service
from dealterm.core.services import directories
from dealterm.core.types import from_fixed

__all__ = [
    "DATE_FIELDS",
    "DAY_LIMIT",
    "CalendarData",
    "DayActivity",
    "DayDeal",
    "DayItems",
    "DayTotal",
    "MonthFigures",
    "activity_totals",
    "date_fields",
    "day_items",
    "day_totals",
    "done_activity_totals",
    "month_figures",
    "overdue_days",
    "shift_date",
]

# The date a deal is shown on, and how the views name it.
DATE_FIELDS: dict[str, str] = {
    "close_date": "close date",
    "created_at": "creation date",
    "begin_date": "begin date",
}
# A day list shows at most this many deals (Bitrix24 caps its calendar at 3000 per range).
DAY_LIMIT = 500
_CENT = Decimal("0.01")
# Days counted by one UNION ALL (SQLite allows 500 parts in a compound SELECT).
_DAYS_PER_QUERY = 100


@dataclass(frozen=True)
class DayTotal:
    """How many deals fall on a day and what they are worth in the base currency."""

    count: int
    total: Decimal


@dataclass(frozen=True)
class DayDeal:
    """A deal in a day list."""

    id: int
    version: int
    title: str
    amount: Decimal
    currency: str
    stage_name: str
    stage_color: str
    closed: bool
    client: str
    day: date


@dataclass(frozen=True)
class DayActivity:
    """An activity in a day list; ``at`` is its deadline in the user's zone."""

    id: int
    deal_id: int
    deal_title: str
    kind: str
    subject: str
    at: datetime
    completed: bool
    overdue: bool


@dataclass(frozen=True)
class DayItems:
    """What one day holds: deals by the chosen date field, activities by deadline."""

    day: date
    deals: list[DayDeal] = field(default_factory=list)
    activities: list[DayActivity] = field(default_factory=list)


@dataclass(frozen=True)
class MonthFigures:
    """Everything a month grid draws for the days ``start .. end``.

    Attributes:
        activities: open activities due on each day.
        done: activities done whose deadline is on each day (listed struck through).
    """

    start: date
    end: date
    today: date
    deals: dict[date, DayTotal]
    activities: dict[date, int]
    overdue: frozenset[date]
    done: dict[date, int] = field(default_factory=dict)


# --- helpers ------------------------------------------------------------------------------
CUSTOM = "cf:"  # a custom date field: "cf:UF_CRM_SIGNED"


def date_fields(session: Session) -> dict[str, str]:
    """Every field the calendar can show deals by: the built-in dates and the custom
    date fields that hold one value."""
    from dealterm.core.services.custom_fields import list_fields

    custom = {
        CUSTOM + f.code: f.label
        for f in list_fields(session)
        if f.type == "date" and not f.multiple
    }
    return {**DATE_FIELDS, **custom}


def _check_field(name: str, session: Session | None = None) -> str:
    if name in DATE_FIELDS:
        return name
    if name.startswith(CUSTOM) and session is not None and name in date_fields(session):
        return name
    raise ValidationError(
        f"unknown calendar date field {name!r} (use {', '.join(DATE_FIELDS)} or a custom "
        "date field)",
        field="field",
    )


def _date_column(session: Session, field: str) -> Any:
    """The SQL value a date field is read from (custom dates are ISO text, which sorts)."""
    if field.startswith(CUSTOM):
        return custom_value(session, field.removeprefix(CUSTOM))
    return col(getattr(Deal, field))


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationError("the calendar range ends before it starts", field="range")


def _where(session: Session, flt: DealFilter | None) -> list[ColumnElement[bool]]:
    # Templates of recurring deals never show; the filter (pipeline included) adds the rest.
    if flt is None:
        return [col(Deal.is_recurring).is_(False)]
    return deal_conditions(session, flt)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _bounds(session: Session, days: list[date]) -> list[datetime]:
    """The UTC start of each local day, and of the day after the last."""
    clock = ctx(session).clock
    return [clock.start_of_day(day) for day in [*days, days[-1] + timedelta(days=1)]]


def _day_index(column: Any, bounds: list[datetime], lo: int = 0, hi: int | None = None) -> Any:
    """Which local day (0, 1, ...) a UTC moment falls in; rows must already be in range.

    A balanced tree of CASEs: about log2(days) comparisons per row instead of one per day
    (42 comparisons per row made a six-week grid several times slower).
    """
    hi = len(bounds) - 1 if hi is None else hi
    if hi - lo == 1:
        return literal_column(str(lo))
    mid = (lo + hi) // 2
    return case(
        (column < bounds[mid], _day_index(column, bounds, lo, mid)),
        else_=_day_index(column, bounds, mid, hi),
    )


def _in_range(column: Any, bounds: list[datetime]) -> list[ColumnElement[bool]]:
    return [column >= bounds[0], column < bounds[-1]]


# --- per-day figures ----------------------------------------------------------------------
def day_totals(
    session: Session,
    *,
    start: date,
    end: date,
    field: str = "close_date",
    flt: DealFilter | None = None,
) -> dict[date, DayTotal]:
    """Count and base-currency sum of the deals on each day of ``start .. end``.

    Args:
        field: "close_date", "begin_date" or "created_at" (the local day of creation).

    Raises:
        ValidationError: an unknown field, a reversed range or a bad filter.
    """
    _check_field(field, session)
    _check_range(start, end)
    cents = type_coerce(Deal.amount, BigInteger)
    if field == "created_at":
        days = _days(start, end)
        bounds = _bounds(session, days)
        inner = (
            sa_select(
                _day_index(col(Deal.created_at), bounds).label("day"),
                col(Deal.currency_code).label("currency"),
                cents.label("cents"),
            )
            .where(*_in_range(col(Deal.created_at), bounds), *_where(session, flt))
            .subquery()
        )
        rows = session.execute(
            sa_select(
                inner.c.day, inner.c.currency, func.count(), func.sum(inner.c.cents)
            ).group_by(inner.c.day, inner.c.currency)
        ).all()
        keyed = [
            (days[int(index)], currency, count, total) for index, currency, count, total in rows
        ]
    elif field.startswith(CUSTOM):
        column = _date_column(session, field)
        rows = session.execute(
            sa_select(column, col(Deal.currency_code), func.count(), func.sum(cents))
            .where(column >= start.isoformat(), column <= end.isoformat(), *_where(session, flt))
            .group_by(column, col(Deal.currency_code))
        ).all()
        keyed = [(date.fromisoformat(day), *rest) for day, *rest in rows]
    else:
        column = col(getattr(Deal, field))
        rows = session.execute(
            sa_select(column, col(Deal.currency_code), func.count(), func.sum(cents))
            .where(column >= start, column <= end, *_where(session, flt))
            .group_by(column, col(Deal.currency_code))
        ).all()
        keyed = [tuple(row) for row in rows]
    return _sum_days(session, keyed)


def _sum_days(session: Session, rows: list[tuple[Any, ...]]) -> dict[date, DayTotal]:
    """Fold ``(day, currency, count, cents)`` rows into one total per day."""
    rates = directories.currency_rates(session)
    counts: dict[date, int] = {}
    totals: dict[date, Decimal] = {}
    for day, currency, count, cents in rows:
        counts[day] = counts.get(day, 0) + int(count)
        amount = from_fixed(cents) * rates.get(currency, Decimal(1))
        totals[day] = totals.get(day, Decimal(0)) + amount
    return {day: DayTotal(counts[day], totals[day].quantize(_CENT)) for day in sorted(counts)}


def _templates(session: Session) -> list[int]:
    """The recurring-deal templates, whose activities are left out (few; an index scan)."""
    return list(
        session.execute(sa_select(col(Deal.id)).where(col(Deal.is_recurring).is_(True))).scalars()
    )


# The day-by-day count query per (number of days, templates left out, done ones): built
# once. Making the 42 SELECTs of a month's grid with SQLAlchemy took most of the time the
# count took.
_DAY_COUNTS: dict[tuple[int, bool, bool], CompoundSelect[Any]] = {}


def _day_counts(days: int, scoped: bool, completed: bool = False) -> CompoundSelect[Any]:
    """Open (or done) activities due in each of ``days`` consecutive ranges ``b0..b1``,
    ``b1..b2``... (bound when run), the day's index (0, 1, ...) with each count."""
    found = _DAY_COUNTS.get((days, scoped, completed))
    if found is None:
        deadline = col(Activity.deadline)
        kind = Activity.__table__.c.deadline.type  # type: ignore[attr-defined]
        scope = [col(Activity.deal_id).not_in(bindparam("templates", expanding=True))]
        found = _DAY_COUNTS[(days, scoped, completed)] = union_all(
            *(
                sa_select(literal_column(str(i)).label("day"), func.count().label("n"))
                .select_from(Activity)
                .where(
                    col(Activity.completed).is_(completed),
                    deadline >= bindparam(f"b{i}", type_=kind),
                    deadline < bindparam(f"b{i + 1}", type_=kind),
                    *(scope if scoped else ()),
                )
                for i in range(days)
            )
        )
    return found


def _count_day_by_day(
    session: Session, days: list[date], completed: bool = False
) -> dict[date, int]:
    """Open (or done) activities per local day, one index range count per day.

    Without a filter only the (completed, deadline) index is read: many times faster
    than putting each of tens of thousands of deadlines in its day.
    """
    bounds = _bounds(session, days)
    templates = _templates(session)
    found: dict[date, int] = {}
    for first in range(0, len(days), _DAYS_PER_QUERY):
        count = min(_DAYS_PER_QUERY, len(days) - first)
        params: dict[str, Any] = {f"b{i}": bounds[first + i] for i in range(count + 1)}
        if templates:
            params["templates"] = templates
        query = _day_counts(count, bool(templates), completed)
        for index, n in session.execute(query, params).all():
            if n:
                found[days[first + int(index)]] = int(n)
    return found


def _count_filtered(
    session: Session, days: list[date], flt: DealFilter, completed: bool = False
) -> dict[date, int]:
    """Open (or done) activities per local day of the deals the filter shows (one query)."""
    bounds = _bounds(session, days)
    deadline = col(Activity.deadline)
    inner = (
        sa_select(_day_index(deadline, bounds).label("day"))
        .select_from(Activity)
        .join(Deal, col(Deal.id) == col(Activity.deal_id))
        .where(
            col(Activity.completed).is_(completed),
            *_in_range(deadline, bounds),
            *deal_conditions(session, flt),
        )
        .subquery()
    )
    rows = session.execute(sa_select(inner.c.day, func.count()).group_by(inner.c.day)).all()
    return {days[int(index)]: int(count) for index, count in rows}


def _activities_by_day(
    session: Session, days: list[date], flt: DealFilter | None, completed: bool = False
) -> dict[date, int]:
    if not days:
        return {}
    if flt is None or flt.is_empty:
        return _count_day_by_day(session, days, completed)
    return _count_filtered(session, days, flt, completed)


def activity_totals(
    session: Session, *, start: date, end: date, flt: DealFilter | None = None
) -> dict[date, int]:
    """How many open activities are due on each local day of ``start .. end``.

    Raises:
        ValidationError: a reversed range or a bad filter.
    """
    _check_range(start, end)
    return _activities_by_day(session, _days(start, end), flt)


def done_activity_totals(
    session: Session, *, start: date, end: date, flt: DealFilter | None = None
) -> dict[date, int]:
    """How many activities already done have their deadline on each local day of
    ``start .. end`` (a day list shows them struck through, after the open ones).

    Raises:
        ValidationError: a reversed range or a bad filter.
    """
    _check_range(start, end)
    return _activities_by_day(session, _days(start, end), flt, completed=True)


def overdue_days(
    session: Session, *, start: date, end: date, flt: DealFilter | None = None
) -> set[date]:
    """The days of ``start .. end`` before today that still hold an open activity.

    Such an activity is overdue (its deadline's day has passed), the same rule as the
    "overdue" filter; today's activities are not overdue yet.

    Raises:
        ValidationError: a reversed range or a bad filter.
    """
    _check_range(start, end)
    yesterday = ctx(session).clock.today() - timedelta(days=1)
    days = _days(start, min(end, yesterday)) if start <= yesterday else []
    return set(_activities_by_day(session, days, flt))


def month_figures(
    session: Session,
    *,
    start: date,
    end: date,
    field: str = "close_date",
    flt: DealFilter | None = None,
) -> MonthFigures:
    """Deal totals, activity counts (open and done) and overdue days for a grid showing
    ``start .. end``.

    The overdue days are the past days with an open activity (:func:`overdue_days`), so
    they come from the same counts instead of counting those days a second time.
    """
    today = ctx(session).clock.today()
    activities = activity_totals(session, start=start, end=end, flt=flt)
    return MonthFigures(
        start=start,
        end=end,
        today=today,
        deals=day_totals(session, start=start, end=end, field=field, flt=flt),
        activities=activities,
        overdue=frozenset(day for day in activities if day < today),
        done=done_activity_totals(session, start=start, end=end, flt=flt),
    )


# --- one day ------------------------------------------------------------------------------
def _deal_day_condition(session: Session, day: date, field: str) -> list[ColumnElement[bool]]:
    if field == "created_at":
        return _in_range(col(Deal.created_at), _bounds(session, [day]))
    if field.startswith(CUSTOM):
        return [_date_column(session, field) == day.isoformat()]
    return [col(getattr(Deal, field)) == day]


def _day_deals(
    session: Session, day: date, field: str, flt: DealFilter | None, limit: int
) -> list[DayDeal]:
    rows = session.execute(
        sa_select(  # type: ignore[call-overload]
            Deal.id,
            Deal.version,
            Deal.title,
            Deal.amount,
            Deal.currency_code,
            Stage.name,
            Stage.color,
            Deal.closed,
            Company.title,
        )
        .join(Stage, col(Stage.id) == col(Deal.stage_id))
        .outerjoin(Company, col(Company.id) == col(Deal.company_id))
        .where(*_deal_day_condition(session, day, field), *_where(session, flt))
        .order_by(col(Deal.closed), col(Deal.amount).desc(), col(Deal.id))
        .limit(limit)
    ).all()
    return [
        DayDeal(
            id=deal_id,
            version=version,
            title=title,
            amount=amount,
            currency=currency,
            stage_name=stage,
            stage_color=color,
            closed=closed,
            client=company or "",
            day=day,
        )
        for deal_id, version, title, amount, currency, stage, color, closed, company in rows
    ]


def _day_activities(
    session: Session, day: date, flt: DealFilter | None, limit: int
) -> list[DayActivity]:
    clock = ctx(session).clock
    today = clock.today()
    bounds = _bounds(session, [day])
    found: list[DayActivity] = []
    # Open ones first, then done ones: each query is a range of (completed, deadline).
    for completed in (False, True):
        if len(found) >= limit:
            break
        rows = session.execute(
            sa_select(  # type: ignore[call-overload]
                Activity.id,
                Activity.deal_id,
                Deal.title,
                Activity.kind,
                Activity.subject,
                Activity.deadline,
            )
            .join(Deal, col(Deal.id) == col(Activity.deal_id))
            .where(
                col(Activity.completed).is_(completed),
                *_in_range(col(Activity.deadline), bounds),
                *_where(session, flt),
            )
            .order_by(col(Activity.deadline), col(Activity.id))
            .limit(limit - len(found))
        ).all()
        found.extend(
            DayActivity(
                id=activity_id,
                deal_id=deal_id,
                deal_title=title,
                kind=kind,
                subject=subject,
                at=clock.to_local(deadline),
                completed=completed,
                overdue=not completed and day < today,
            )
            for activity_id, deal_id, title, kind, subject, deadline in rows
        )
    return found


def day_items(
    session: Session,
    day: date,
    *,
    field: str = "close_date",
    flt: DealFilter | None = None,
    limit: int = DAY_LIMIT,
) -> tuple[list[DayDeal], list[DayActivity]]:
    """The deals on ``day`` (by ``field``) and the activities due that local day.

    Open deals come first, the largest amounts first; activities by deadline, open first.

    Args:
        limit: at most this many deals, and this many activities.

    Raises:
        ValidationError: an unknown field or a bad filter.
    """
    _check_field(field, session)
    return _day_deals(session, day, field, flt, limit), _day_activities(session, day, flt, limit)


# --- moving a deal ------------------------------------------------------------------------
def shift_date(
    session: Session,
    deal_id: int,
    days: int,
    *,
    field: str = "close_date",
    expected_version: int | None = None,
) -> DealRead:
    """Move a deal's close or begin date by ``days`` (history written, versions checked).

    Raises:
        ValidationError: the field is ``created_at`` (a creation time is a fact) or unknown.
        NotFoundError: no such deal.
        ConflictError: the deal changed since ``expected_version``.
    """
    if field == "created_at":
        raise ValidationError(
            "the created date cannot be moved; show deals by close or begin date to move them",
            field="created_at",
        )
    _check_field(field, session)
    deal = deal_service.lock_deal(session, deal_id, expected_version)
    if deal.is_recurring:
        raise NotFoundError(f"deal #{deal_id} not found")
    if field.startswith(CUSTOM):
        code = field.removeprefix(CUSTOM)
        stored = (deal.custom_fields or {}).get(code)
        if not stored:
            raise ValidationError("the deal has no date in this field to move", field=code)
        moved = date.fromisoformat(str(stored)) + timedelta(days=days)
        changes = deal_service.DealUpdate(custom_fields={code: moved.isoformat()})
    else:
        current: date = getattr(deal, field)
        changes = deal_service.DealUpdate.model_validate({field: current + timedelta(days=days)})
    return deal_service.update_deal(session, deal_id, changes, expected_version=expected_version)


# --- one call, one transaction (for the TUI's thread workers) ------------------------------
class CalendarData:
    """The calendar's reads and writes, each in its own transaction.

    Args:
        db: the open database.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    def figures(
        self, start: date, end: date, *, field: str, flt: DealFilter | None
    ) -> MonthFigures:
        """Per-day figures for a grid."""
        with self.db.session(write=False) as session:
            return month_figures(session, start=start, end=end, field=field, flt=flt)

    def days(
        self, days: list[date], *, field: str, flt: DealFilter | None, limit: int = DAY_LIMIT
    ) -> list[DayItems]:
        """The items of several days (a week view), read in one transaction."""
        with self.db.session(write=False) as session:
            return [
                DayItems(day, *day_items(session, day, field=field, flt=flt, limit=limit))
                for day in days
            ]

    def date_fields(self) -> dict[str, str]:
        """The fields deals can be shown by (built-in and custom dates)."""
        with self.db.session(write=False) as session:
            return date_fields(session)

    def day(self, day: date, *, field: str, flt: DealFilter | None) -> DayItems:
        """The items of one day (the day list)."""
        return self.days([day], field=field, flt=flt)[0]

    def shift(self, deal_id: int, days: int, *, field: str, version: int | None) -> DealRead:
        """Move a deal's date by ``days``."""
        with self.db.session() as session:
            return shift_date(session, deal_id, days, field=field, expected_version=version)
