"""Planned activities as an iCalendar file (RFC 5545) that calendar apps open.

One VEVENT per open activity, with a UID that stays the same for the activity across
exports (a calendar that imports the file again updates the event instead of doubling
it). Times carry the user's time zone (a VTIMEZONE is included); a zone without an IANA
name is written in UTC. Activities are read a page at a time and each event is written
as soon as it is made.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import IO

from icalendar import Calendar, Event, Timezone
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from dealterm.core.context import ctx
from dealterm.core.export import PAGE_SIZE, write_atomically
from dealterm.core.formatting import format_money
from dealterm.core.models import Activity, Deal, Priority
from dealterm.core.queries.deal_read import read_deals
from dealterm.core.readmodels import DealRead
from dealterm.core.services.activities import activity_label
from dealterm.core.services.users import user_names

__all__ = ["PRODID", "activity_uid", "write_activities_ics", "write_activities_ics_file"]

PRODID = "-//dealterm//dealterm activities//EN"
# A call or meeting has its own start and end; a task or e-mail is due at one moment and is
# shown as a short slot starting at its deadline.
_SLOT = timedelta(minutes=15)
_PRIORITY = {Priority.HIGH: 1, Priority.MEDIUM: 5, Priority.LOW: 9}


def activity_uid(activity_id: int) -> str:
    """The UID of an activity's event: the same in every export."""
    return f"activity-{activity_id}@dealterm"


def _conditions(session: Session, everyone: bool) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        col(Activity.completed).is_(False),
        col(Deal.is_recurring).is_(False),
    ]
    if not everyone:
        where.append(col(Activity.responsible_id) == ctx(session).user_id)
    return where


def _pages(
    session: Session, where: list[ColumnElement[bool]], page_size: int
) -> Iterator[list[Activity]]:
    """Open activities in id order, a page at a time (keyset paging on the id)."""
    last = 0
    while True:
        page = list(
            session.exec(
                select(Activity)
                .join(Deal, col(Deal.id) == col(Activity.deal_id))
                .where(*where, col(Activity.id) > last)
                .order_by(col(Activity.id))
                .limit(page_size)
            ).all()
        )
        if not page:
            return
        yield page
        if len(page) < page_size:
            return
        last = page[-1].id or 0


def _zone_name(zone: tzinfo) -> str | None:
    """The IANA name of a zone (ZoneInfo has one; a bare local zone may not)."""
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) and key else None


def _header(session: Session, where: list[ColumnElement[bool]], zone_name: str | None) -> bytes:
    """The calendar's opening lines and its VTIMEZONE, without the closing line."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "dealterm activities")
    if zone_name is not None:
        calendar.add("x-wr-timezone", zone_name)
        first, last = session.execute(
            select(func.min(Activity.deadline), func.max(Activity.end_at))
            .join(Deal, col(Deal.id) == col(Activity.deal_id))
            .where(*where)
        ).one()
        if first is not None:
            zone = ctx(session).clock.zone
            until = max(last or first, first) + timedelta(days=366)
            calendar.add_component(
                Timezone.from_tzinfo(
                    zone,
                    tzid=zone_name,
                    first_date=(first - timedelta(days=366)).date(),
                    last_date=until.date(),
                )
            )
    text: bytes = calendar.to_ical()
    closing = b"END:VCALENDAR\r\n"
    return text[: -len(closing)] if text.endswith(closing) else text


def _description(session: Session, activity: Activity, deal: DealRead | None, who: str) -> str:
    lines = []
    if deal is not None:
        lines.append(f"Deal: {deal.title} (#{deal.id})")
        if deal.client:
            lines.append(f"Client: {deal.client}")
        lines.append(f"Amount: {format_money(deal.amount, deal.currency, ctx(session).locale)}")
        lines.append(f"Stage: {deal.stage_name}")
    if who:
        lines.append(f"Responsible: {who}")
    if activity.description:
        lines += ["", activity.description]
    return "\n".join(lines)


def _event(
    session: Session,
    activity: Activity,
    deal: DealRead | None,
    who: str,
    zone: tzinfo,
    stamp: datetime,
) -> Event:
    start = activity.start_at or activity.deadline
    end = activity.end_at if activity.end_at is not None and activity.end_at > start else None
    event = Event()
    event.add("uid", activity_uid(activity.id or 0))
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", (end or start + _SLOT).astimezone(zone))
    event.add("summary", f"{activity_label(activity.kind)}: {activity.subject}")
    event.add("description", _description(session, activity, deal, who))
    event.add("categories", [activity.kind])
    event.add("priority", _PRIORITY.get(Priority(activity.priority), 5))
    event.add("created", activity.created_at.astimezone(UTC))
    return event


def write_activities_ics(
    session: Session, stream: IO[bytes], *, everyone: bool = False, page_size: int = PAGE_SIZE
) -> int:
    """Write the open activities as an iCalendar file; returns how many events were written.

    Args:
        everyone: every user's activities; by default only the acting user's.
    """
    where = _conditions(session, everyone)
    clock = ctx(session).clock
    zone_name = _zone_name(clock.zone)
    zone: tzinfo = clock.zone if zone_name is not None else UTC
    stamp = clock.utcnow()
    names = user_names(session)
    stream.write(_header(session, where, zone_name))
    written = 0
    for page in _pages(session, where, page_size):
        deal_ids: Sequence[int] = sorted({a.deal_id for a in page})
        deals: dict[int, DealRead] = {d.id: d for d in read_deals(session, deal_ids)}
        for activity in page:
            who = names.get(activity.responsible_id, "")
            event = _event(session, activity, deals.get(activity.deal_id), who, zone, stamp)
            stream.write(event.to_ical())
            written += 1
    stream.write(b"END:VCALENDAR\r\n")
    return written


def write_activities_ics_file(session: Session, path: Path | str, *, everyone: bool = False) -> int:
    """:func:`write_activities_ics` into a file, all or nothing; returns the event count.

    Raises:
        ValidationError: the file cannot be written (``field="path"``).
    """
    return write_atomically(
        path, lambda stream: write_activities_ics(session, stream, everyone=everyone)
    )
