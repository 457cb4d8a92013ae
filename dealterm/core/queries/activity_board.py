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
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, String, cast, select, type_coerce
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from dealterm.core.cards import Card, Marker, StageSummary
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
    "Bounds",
    "Bucket",
    "board_index",
    "bounds_for",
    "bucket_cards",
    "bucket_summary",
    "cards_for",
    "empty_summary",
    "first_week_day",
    "move_to_bucket",
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


def _as_text(moment: datetime) -> str:
    """A naive-UTC timestamp as the database's text of it (compares as the moments do)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def bucket_limits(bounds: Bounds) -> dict[str, str]:
    """The columns' UTC boundaries as :func:`bucket_of` compares them."""
    return {key: _as_text(moment) for key, moment in bounds.utc.items()}


def bucket_of(due: str | None, incoming: bool, utc: dict[str, str]) -> str:
    """The column of a deal whose nearest open activity is due at ``due``.

    ``due`` is the text of a naive-UTC timestamp (``YYYY-MM-DD HH:MM:SS[.ffffff]``, as
    SQLite stores it and PostgreSQL casts it): text compares as the moments do, and
    25,000 of them are compared without making a datetime of each. ``utc``: from
    :func:`bucket_limits`.
    """
    if due is None:
        return "idle"
    if due < utc["today"]:
        return "overdue"
    if incoming or due < utc["tomorrow"]:
        return "today"
    if due < utc["next_week"]:
        return "this_week"
    if due < utc["week_after"]:
        return "next_week"
    return "later"


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


def board_index(session: Session, flt: DealFilter | None = None) -> BoardIndex:
    """Place every open deal in its column with one query (then pages are read by id).

    Each deal carries the deadline of its nearest open activity and whether one is
    incoming (kept by the database, migration 0007), and ``ix_deals_next_activity``
    holds everything this reads for a pipeline, in column order: nearest deadline first,
    deals without activities last.
    """
    bounds = bounds_for(session)
    rows = plain_rows(
        session,
        select(  # type: ignore[call-overload]
            Deal.id,
            Deal.currency_code,
            type_coerce(Deal.amount, BigInteger),
            cast(Deal.next_deadline, String),
            Deal.next_incoming,
        )
        .where(col(Deal.closed).is_(False), *deal_conditions(session, flt or DealFilter()))
        .order_by(col(Deal.next_deadline).is_(None), col(Deal.next_deadline), col(Deal.id)),
    )
    rates = directories.currency_rates(session)
    ids: dict[str, list[int]] = {b.code: [] for b in BUCKETS}
    cents: dict[str, dict[str, int]] = {b.code: {} for b in BUCKETS}
    limits = bucket_limits(bounds)
    for deal_id, currency, amount, moment, is_incoming in rows:
        code = bucket_of(moment, bool(is_incoming), limits)
        ids[code].append(deal_id)
        cents[code][currency] = cents[code].get(currency, 0) + int(amount or 0)
    cent = Decimal("0.01")
    summary = [
        StageSummary(
            stage=_stage(index, b),
            count=len(ids[b.code]),
            total=sum(
                (from_fixed(v) * rates.get(cur, Decimal(1)) for cur, v in cents[b.code].items()),
                Decimal(0),
            ).quantize(cent),
            weighted=Decimal("0.00"),
        )
        for index, b in enumerate(BUCKETS)
    ]
    return BoardIndex(ids, summary)


def bucket_summary(session: Session, flt: DealFilter | None = None) -> list[StageSummary]:
    """The six column headers: deal count and sum in the base currency."""
    return board_index(session, flt).summary


def cards_for(session: Session, ids: list[int]) -> list[Card]:
    """Cards of the given deals, in that order, each with its nearest open activity."""
    if not ids:
        return []
    bounds = bounds_for(session)
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
    # the page's deals by deal_id (0.1 ms).
    open_activities = sorted(
        session.exec(
            sm_select(Activity).where(
                col(Activity.deal_id).in_(ids), col(Activity.completed).is_(False)
            )
        ).all(),
        key=lambda a: (a.deadline, a.id or 0),
    )
    nearest_of: dict[int, Activity] = {}
    incoming_of: set[int] = set()
    for planned in open_activities:
        nearest_of.setdefault(planned.deal_id, planned)
        if planned.direction == "incoming":
            incoming_of.add(planned.deal_id)
    clock = ctx(session).clock
    by_id = {}
    for deal_id, version, title, amount, currency, company, person, moved in rows:
        activity = nearest_of.get(deal_id)
        deadline = activity.deadline if activity is not None else None
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
            subject = ("← incoming · " if deal_id in incoming_of else "") + activity.subject
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
            next_kind=activity.kind if activity else None,
            marker=marker,
            next_subject=subject,
            next_activity_id=activity.id if activity else None,
        )
    return [by_id[i] for i in ids if i in by_id]


def bucket_cards(
    session: Session, code: str, *, offset: int, limit: int, flt: DealFilter | None = None
) -> list[Card]:
    """A page of one column's cards, nearest deadline first."""
    ids = board_index(session, flt).ids.get(code, [])
    return cards_for(session, ids[offset : offset + limit])


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
