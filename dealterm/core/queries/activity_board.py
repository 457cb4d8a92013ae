"""The activities board: open deals grouped by the deadline of their nearest open activity.

The six columns and their rules are Bitrix24's (ViewMode::ACTIVITIES):

- Overdue: the nearest activity was due before today;
- Today: due today, or the deal has an incoming activity (the client is waiting);
- This week: tomorrow to the end of the week (the week starts as the user's locale says);
- Next week: the week after;
- Without activities: nothing planned;
- Later: after next week.

Priority: overdue first, then incoming, then the planned date. The column of a deal is
computed in SQL from UTC boundaries of the user's local days, so counts are one
aggregate query and cards come a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, func, or_, select, type_coerce
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from dealterm.core.cards import Card, Marker, StageSummary, aware_utc
from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.filters import DealFilter
from dealterm.core.models import Activity, Company, Deal
from dealterm.core.queries.conditions import deal_conditions, primary_contact_name
from dealterm.core.readmodels import ActivityRead, StageRead
from dealterm.core.services import activities, directories
from dealterm.core.sql import plain_rows
from dealterm.core.types import from_fixed

__all__ = [
    "BUCKETS",
    "BoardIndex",
    "BoardTop",
    "Bounds",
    "Bucket",
    "Scope",
    "board_index",
    "board_top",
    "bounds_for",
    "bucket_cards",
    "bucket_ids",
    "bucket_summary",
    "cards_for",
    "empty_summary",
    "first_week_day",
    "move_to_bucket",
    "place_of",
    "scope_of",
    "target_deadline",
]


@dataclass(frozen=True)
class Bucket:
    """One column of the activities board."""

    code: str
    name: str
    color: str
    droppable: bool


BUCKETS: tuple[Bucket, ...] = (
    Bucket("overdue", "Overdue", "#FF5752", False),
    Bucket("today", "Today", "#7BD500", True),
    Bucket("this_week", "This week", "#2FC6F6", True),
    Bucket("next_week", "Next week", "#39A8EF", True),
    Bucket("idle", "Without activities", "#FFA900", False),
    Bucket("later", "Later", "#A0A0A0", True),
)
_INDEX = {bucket.code: index for index, bucket in enumerate(BUCKETS)}


def first_week_day(locale: str) -> int:
    """0 = Monday … 6 = Sunday: the user's preference, else as the locale's calendar."""
    from dealterm.core.formatting import first_week_day as preferred

    return preferred(locale)


@dataclass(frozen=True)
class Bounds:
    """The local days that separate the columns, and their UTC starts."""

    today: date
    tomorrow: date
    next_week: date  # first day of next week
    week_after: date  # first day of the week after next
    utc: dict[str, datetime]


def bounds_for(session: Session) -> Bounds:
    """Column boundaries for the acting user's today, zone and locale."""
    context = ctx(session)
    clock = context.clock
    today = clock.today()
    start = first_week_day(context.locale)
    days_into_week = (today.weekday() - start) % 7
    next_week = today + timedelta(days=7 - days_into_week)
    week_after = next_week + timedelta(days=7)
    tomorrow = today + timedelta(days=1)
    utc = {
        "today": clock.start_of_day(today),
        "tomorrow": clock.start_of_day(tomorrow),
        "next_week": clock.start_of_day(next_week),
        "week_after": clock.start_of_day(week_after),
    }
    return Bounds(today, tomorrow, next_week, week_after, utc)


def _stage(index: int, bucket: Bucket) -> StageRead:
    return StageRead(
        id=-(index + 1),
        pipeline_id=0,
        code=bucket.code,
        name=bucket.name,
        color=bucket.color,
        semantics="process",
        sort=index,
        probability=0,
        rotting_days=None,
    )


def empty_summary() -> list[StageSummary]:
    """The six columns with nothing counted yet (to build them before the first read)."""
    zero = Decimal("0.00")
    return [
        StageSummary(stage=_stage(index, b), count=0, total=zero, weighted=zero)
        for index, b in enumerate(BUCKETS)
    ]


@dataclass(frozen=True)
class BoardIndex:
    """Every open deal's column, in column order (nearest deadline first), and the headers."""

    ids: dict[str, list[int]]
    summary: list[StageSummary]


@dataclass(frozen=True)
class Scope:
    """What one read of the board places deals by: the column boundaries of the acting
    user's today, and the conditions of the open deals it shows (worked out once)."""

    bounds: Bounds
    where: tuple[ColumnElement[bool], ...]


def scope_of(session: Session, flt: DealFilter | None = None) -> Scope:
    """The board's scope for ``flt`` (templates and the filter's exclusions out).

    Raises:
        ValidationError: the filter names something unknown.
    """
    where = (col(Deal.closed).is_(False), *deal_conditions(session, flt or DealFilter()))
    return Scope(bounds_for(session), where)


def _column_of(bounds: Bounds) -> ColumnElement[int]:
    """The column of a deal as its index in :data:`BUCKETS`, computed by the database.

    Each deal carries the deadline of its nearest open activity and whether one is
    incoming (kept by the database, migration 0007); ``ix_deals_next_activity`` holds
    both for a pipeline, nearest deadline first.
    """
    due, utc = col(Deal.next_deadline), bounds.utc
    return case(
        (due.is_(None), _INDEX["idle"]),
        (due < utc["today"], _INDEX["overdue"]),
        (or_(col(Deal.next_incoming).is_(True), due < utc["tomorrow"]), _INDEX["today"]),
        (due < utc["next_week"], _INDEX["this_week"]),
        (due < utc["week_after"], _INDEX["next_week"]),
        else_=_INDEX["later"],
    )


def _in_column(code: str, bounds: Bounds) -> list[ColumnElement[bool]]:
    """The deals of column ``code`` (as :func:`_column_of` places them), as ranges of
    ``ix_deals_next_activity`` so a page is read without placing every deal."""
    due, utc = col(Deal.next_deadline), bounds.utc
    incoming = col(Deal.next_incoming)
    if code == "idle":
        return [due.is_(None)]
    if code == "overdue":
        return [due < utc["today"]]
    if code == "today":
        return [due >= utc["today"], or_(due < utc["tomorrow"], incoming.is_(True))]
    if code == "this_week":
        return [due >= utc["tomorrow"], due < utc["next_week"], incoming.is_(False)]
    if code == "next_week":
        return [due >= utc["next_week"], due < utc["week_after"], incoming.is_(False)]
    if code == "later":
        return [due >= utc["week_after"], incoming.is_(False)]
    raise ValidationError(f"the activities board has no column {code!r}")


def _column_order(code: str) -> tuple[Any, ...]:
    """A column's order: nearest deadline first (then the oldest deal); the deals without
    activities oldest first."""
    if code == "idle":
        return (col(Deal.id),)
    return (col(Deal.next_deadline), col(Deal.id))


def bucket_summary(session: Session, scope: Scope) -> list[StageSummary]:
    """The six column headers: deal count and sum in the base currency.

    One aggregate over ``ix_deals_next_activity``: no deal is read into Python (reading
    the 25,000 open deals of a 100k database to place them took 100-200 ms).
    """
    column = _column_of(scope.bounds).label("board_column")
    rows = plain_rows(
        session,
        select(  # type: ignore[call-overload]
            column,
            Deal.currency_code,
            func.count(),
            func.sum(type_coerce(Deal.amount, BigInteger)),
        )
        .where(*scope.where)
        .group_by(column, col(Deal.currency_code)),
    )
    rates = directories.currency_rates(session)
    counts = [0] * len(BUCKETS)
    sums: list[Decimal] = [Decimal(0)] * len(BUCKETS)
    for index, currency, count, cents in rows:
        counts[index] += count
        sums[index] += from_fixed(int(cents or 0)) * rates.get(currency, Decimal(1))
    cent = Decimal("0.01")
    return [
        StageSummary(
            stage=_stage(index, b),
            count=counts[index],
            total=sums[index].quantize(cent),
            weighted=Decimal("0.00"),
        )
        for index, b in enumerate(BUCKETS)
    ]


def bucket_ids(
    session: Session, scope: Scope, code: str, *, offset: int = 0, limit: int | None = None
) -> list[int]:
    """The deals of column ``code`` in its order, from ``offset`` (all, or ``limit``)."""
    statement = (
        select(Deal.id)  # type: ignore[call-overload]
        .where(*scope.where, *_in_column(code, scope.bounds))
        .order_by(*_column_order(code))
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [deal_id for (deal_id,) in plain_rows(session, statement)]


def board_index(session: Session, flt: DealFilter | None = None) -> BoardIndex:
    """Every open deal in its column, in column order, and the headers (for checks; the
    board reads a page at a time)."""
    scope = scope_of(session, flt)
    ids = {b.code: bucket_ids(session, scope, b.code) for b in BUCKETS}
    return BoardIndex(ids, bucket_summary(session, scope))


def place_of(session: Session, scope: Scope, deal_id: int) -> tuple[str, int] | None:
    """The column a deal is in and its position there (None: not on the board)."""
    found = session.execute(
        select(_column_of(scope.bounds), Deal.next_deadline).where(  # type: ignore[call-overload]
            col(Deal.id) == deal_id, *scope.where
        )
    ).first()
    if found is None:
        return None
    index, due = found
    code = BUCKETS[index].code
    before: ColumnElement[bool] = col(Deal.id) < deal_id
    if code != "idle":
        before = or_(col(Deal.next_deadline) < due, and_(col(Deal.next_deadline) == due, before))
    ahead = session.execute(
        select(func.count())
        .select_from(Deal)
        .where(*scope.where, *_in_column(code, scope.bounds), before)
    ).scalar_one()
    return code, int(ahead)


@dataclass(frozen=True)
class BoardTop:
    """What the board shows first: the headers, each column's first page of cards, and
    where the deal to select is (its column and position; None: not on the board)."""

    summary: list[StageSummary]
    pages: dict[str, list[Card]]
    place: tuple[str, int] | None


def board_top(
    session: Session, flt: DealFilter | None, page_size: int, select_id: int | None = None
) -> BoardTop:
    """The headers, the first page of every column that has deals, and ``select_id``'s place."""
    scope = scope_of(session, flt)
    summary = bucket_summary(session, scope)
    first = {
        b.code: bucket_ids(session, scope, b.code, limit=page_size) if column.count else []
        for b, column in zip(BUCKETS, summary, strict=True)
    }
    wanted = [deal_id for ids in first.values() for deal_id in ids]
    cards = {card.id: card for card in cards_for(session, wanted, scope.bounds)}
    pages = {code: [cards[i] for i in ids if i in cards] for code, ids in first.items()}
    place = place_of(session, scope, select_id) if select_id is not None else None
    return BoardTop(summary, pages, place)


def cards_for(session: Session, ids: list[int], bounds: Bounds | None = None) -> list[Card]:
    """Cards of the given deals, in that order, each with its nearest open activity.

    ``bounds``: today's column boundaries, when the caller has worked them out.
    """
    if not ids:
        return []
    bounds = bounds or bounds_for(session)
    contact = primary_contact_name()
    rows = session.execute(
        select(  # type: ignore[call-overload]
            Deal.id,
            Deal.version,
            Deal.title,
            Deal.amount,
            Deal.currency_code,
            Company.title,
            contact,
            Deal.moved_at,
        )
        .select_from(Deal)
        .outerjoin(Company, col(Company.id) == col(Deal.company_id))
        .where(col(Deal.id).in_(ids))
    ).all()
    # Sorted here, not in SQL: an ORDER BY deadline makes SQLite walk the deadline index
    # over every open activity of the database (60 ms at 100k deals) instead of looking up
    # the page's deals by deal_id (0.1 ms). Plain rows: a first read of six columns' pages
    # makes no ORM object of the 500 open activities of their 240 deals (25 ms less).
    open_activities = plain_rows(
        session,
        select(  # type: ignore[call-overload]
            Activity.deal_id,
            Activity.deadline,
            Activity.id,
            Activity.direction,
            Activity.subject,
            Activity.kind,
        ).where(col(Activity.deal_id).in_(ids), col(Activity.completed).is_(False)),
    )
    open_activities.sort(key=lambda a: (a[1], a[2]))  # raw UTC: text or datetime, in order
    nearest_of: dict[int, tuple[Any, ...]] = {}
    incoming_of: set[int] = set()
    for planned in open_activities:
        nearest_of.setdefault(planned[0], planned)
        if planned[3] == "incoming":
            incoming_of.add(planned[0])
    clock = ctx(session).clock
    by_id = {}
    for deal_id, version, title, amount, currency, company, person, moved in rows:
        activity = nearest_of.get(deal_id)
        deadline = aware_utc(activity[1]) if activity is not None else None
        marker = Marker.NONE
        if deadline is not None:
            day = clock.to_local(deadline).date()
            marker = (
                Marker.OVERDUE
                if day < bounds.today
                else Marker.TODAY
                if day == bounds.today
                else Marker.PLANNED
            )
        subject = None
        if activity is not None:
            subject = ("← incoming · " if deal_id in incoming_of else "") + activity[4]
        by_id[deal_id] = Card(
            id=deal_id,
            version=version,
            title=title,
            amount=amount,
            currency=currency,
            client=company or person or "",
            moved_at=moved,
            days_in_stage=max(0, (bounds.today - clock.to_local(moved).date()).days),
            rotting=False,
            closed=False,
            next_deadline=deadline,
            next_kind=activity[5] if activity else None,
            marker=marker,
            next_subject=subject,
            next_activity_id=activity[2] if activity else None,
        )
    return [by_id[i] for i in ids if i in by_id]


def bucket_cards(
    session: Session, code: str, *, offset: int, limit: int, flt: DealFilter | None = None
) -> list[Card]:
    """A page of one column's cards, nearest deadline first."""
    scope = scope_of(session, flt)
    ids = bucket_ids(session, scope, code, offset=offset, limit=limit)
    return cards_for(session, ids, scope.bounds)


def target_deadline(code: str, bounds: Bounds, now: datetime) -> datetime:
    """The local deadline that puts an activity in column ``code``.

    Today: the next full hour (at the latest 23:00); this week: tomorrow 10:00; next week:
    its first day 10:00; later: the first day after next week, 10:00.

    Raises:
        ValidationError: nothing can be scheduled into that column.
    """
    if code == "today":
        nxt = now.replace(minute=0, second=0, microsecond=0, tzinfo=None) + timedelta(hours=1)
        return nxt if nxt.date() == bounds.today else datetime.combine(bounds.today, time(23, 0))
    if code == "this_week":
        if bounds.tomorrow >= bounds.next_week:
            raise ValidationError(
                "today is the last day of the week: nothing is left of “This week”"
            )
        return datetime.combine(bounds.tomorrow, time(10, 0))
    if code == "next_week":
        return datetime.combine(bounds.next_week, time(10, 0))
    if code == "later":
        return datetime.combine(bounds.week_after, time(10, 0))
    names = {b.code: b.name for b in BUCKETS}
    raise ValidationError(f"deals cannot be moved into “{names.get(code, code)}”")


def move_to_bucket(session: Session, deal_id: int, code: str) -> ActivityRead:
    """Move a deal to a column by rescheduling its nearest activity (or planning one).

    Raises:
        ValidationError: the column takes no moves (Overdue, Without activities) or the
            deal is closed.
        NotFoundError: no such deal.
    """
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFoundError(f"deal #{deal_id} not found")
    if deal.closed:
        raise ValidationError("a closed deal has no place on the activities board")
    bounds = bounds_for(session)
    wall = target_deadline(code, bounds, ctx(session).clock.now())
    nearest = min(
        session.exec(
            sm_select(Activity).where(
                col(Activity.deal_id) == deal_id, col(Activity.completed).is_(False)
            )
        ).all(),
        key=lambda a: (a.deadline, a.id or 0),
        default=None,
    )
    if nearest is None:
        return activities.plan_activity(
            session, deal_id, kind="call", subject=f"Follow up: {deal.title}"[:255], deadline=wall
        )
    if nearest.direction == "incoming" and code != "today":
        nearest.direction = None  # it is answered by rescheduling; otherwise it stays "today"
        session.add(nearest)
    assert nearest.id is not None
    return activities.reschedule_activity(session, nearest.id, wall)
