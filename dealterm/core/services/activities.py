"""Activities on deals: plan, complete, reschedule, edit, delete, list."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import (
    Activity,
    ActivityDirection,
    ActivityKind,
    Deal,
    EventKind,
    Priority,
    User,
)
from dealterm.core.readmodels import ActivityRead
from dealterm.core.services import history, users
from dealterm.core.validation import clean_text, parse_datetime, parse_title

__all__ = [
    "PLANNABLE_KINDS",
    "activity_label",
    "complete_activity",
    "delete_activity",
    "get_activity",
    "list_activities",
    "needs_next_activity",
    "open_activity_count",
    "plan_activity",
    "reschedule_activity",
    "update_activity",
]

PLANNABLE_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.TASK, ActivityKind.EMAIL)
_DURATION = {ActivityKind.CALL: 15, ActivityKind.MEETING: 60}


def activity_label(kind: str) -> str:
    """A readable name of an activity kind."""
    return {"call": "Call", "meeting": "Meeting", "task": "Task", "email": "E-mail"}.get(kind, kind)


def _kind(value: str) -> str:
    text = (value or "").strip().lower()
    if text not in {k.value for k in PLANNABLE_KINDS}:
        raise ValidationError(
            f"unknown activity kind {value!r} (use call, meeting, task or email)", field="kind"
        )
    return text


def _deadline(session: Session, value: datetime | str) -> datetime:
    """A deadline as UTC; naive values and text are the user's local time."""
    wall = parse_datetime(value, field="deadline", label="Deadline")
    if wall.tzinfo is not None:
        return wall
    return ctx(session).clock.local_to_utc(wall)


def _read(
    session: Session,
    activity: Activity,
    names: dict[int, str] | None = None,
    deal_title: str | None = None,
) -> ActivityRead:
    assert activity.id is not None
    if names is None:
        user = session.get(User, activity.responsible_id)
        responsible = user.name if user else ""
    else:
        responsible = names.get(activity.responsible_id, "")
    if deal_title is None:
        deal = session.get(Deal, activity.deal_id)
        deal_title = deal.title if deal else None
    return ActivityRead(
        id=activity.id,
        deal_id=activity.deal_id,
        deal_title=deal_title,
        kind=activity.kind,
        subject=activity.subject,
        description=activity.description,
        deadline=activity.deadline,
        completed=activity.completed,
        completed_at=activity.completed_at,
        responsible_id=activity.responsible_id,
        responsible=responsible,
        priority=activity.priority,
        direction=activity.direction,
        created_at=activity.created_at,
    )


def _local_text(session: Session, moment: datetime) -> str:
    return ctx(session).clock.to_local(moment).strftime("%Y-%m-%d %H:%M")


def plan_activity(
    session: Session,
    deal_id: int,
    *,
    kind: str,
    subject: str,
    deadline: datetime | str,
    description: str | None = None,
    responsible: int | str | None = None,
    priority: str = Priority.MEDIUM,
    direction: str | None = None,
) -> ActivityRead:
    """Plan an activity on a deal.

    Args:
        deadline: an aware datetime, or the user's local time (naive or "YYYY-MM-DD HH:MM").
        responsible: user id, login or name; the deal's responsible person by default.

    Raises:
        NotFoundError: no such deal.
        ValidationError: bad kind, subject, deadline, priority or direction.
    """
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFoundError(f"deal #{deal_id} not found")
    kind_code = _kind(kind)
    text = parse_title(subject, field="subject", label="Subject")
    if not text:
        raise ValidationError("an activity needs a subject", field="subject")
    due = _deadline(session, deadline)
    if priority not in {p.value for p in Priority}:
        raise ValidationError(
            f"priority must be low, medium or high, not {priority!r}", field="priority"
        )
    if direction is not None and direction not in {d.value for d in ActivityDirection}:
        raise ValidationError("direction must be incoming or outgoing", field="direction")
    responsible_id = (
        users.resolve_user(session, responsible).id
        if responsible not in (None, "")
        else deal.responsible_id
    )
    context = ctx(session)
    minutes = _DURATION.get(ActivityKind(kind_code))
    activity = Activity(
        deal_id=deal_id,
        kind=kind_code,
        subject=text,
        description=clean_text(description or "").strip() or None,
        deadline=due,
        start_at=due if minutes else None,
        end_at=due + timedelta(minutes=minutes) if minutes else due,
        responsible_id=responsible_id or deal.responsible_id,
        author_id=context.user_id or None,
        priority=priority,
        direction=direction,
        created_at=context.clock.utcnow(),
    )
    session.add(activity)
    session.flush()
    history.record(
        session,
        deal_id,
        EventKind.ACTIVITY_PLANNED,
        text=f"{activity_label(kind_code)} planned: {text}, due {_local_text(session, due)}",
    )
    session.flush()
    return _read(session, activity)


def _load(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFoundError(f"activity #{activity_id} not found")
    return activity


def get_activity(session: Session, activity_id: int) -> ActivityRead:
    """One activity.

    Raises:
        NotFoundError: no such activity.
    """
    return _read(session, _load(session, activity_id))


def complete_activity(session: Session, activity_id: int) -> ActivityRead:
    """Mark an activity done (doing it twice changes nothing).

    Raises:
        NotFoundError: no such activity.
    """
    activity = _load(session, activity_id)
    if activity.completed:
        return _read(session, activity)
    activity.completed = True
    activity.completed_at = ctx(session).clock.utcnow()
    session.add(activity)
    history.record(
        session,
        activity.deal_id,
        EventKind.ACTIVITY_DONE,
        text=f"{activity_label(activity.kind)} done: {activity.subject}",
    )
    session.flush()
    return _read(session, activity)


def reschedule_activity(
    session: Session, activity_id: int, deadline: datetime | str
) -> ActivityRead:
    """Give an open activity a new deadline.

    Raises:
        NotFoundError: no such activity.
        ValidationError: a bad deadline, or the activity is already done.
    """
    activity = _load(session, activity_id)
    if activity.completed:
        raise ValidationError("a completed activity cannot be rescheduled", field="deadline")
    due = _deadline(session, deadline)
    if due == activity.deadline:
        return _read(session, activity)
    old = _local_text(session, activity.deadline)
    shift = due - activity.deadline
    activity.deadline = due
    if activity.start_at is not None:
        activity.start_at = activity.start_at + shift
    if activity.end_at is not None:
        activity.end_at = activity.end_at + shift
    session.add(activity)
    history.record(
        session,
        activity.deal_id,
        EventKind.ACTIVITY_CHANGED,
        field="deadline",
        old=old,
        new=_local_text(session, due),
        text=f"{activity_label(activity.kind)} rescheduled: {activity.subject}",
    )
    session.flush()
    return _read(session, activity)


def update_activity(
    session: Session,
    activity_id: int,
    *,
    subject: str | None = None,
    description: str | None = None,
    kind: str | None = None,
    priority: str | None = None,
) -> ActivityRead:
    """Edit an activity's subject, description, kind or priority."""
    activity = _load(session, activity_id)
    changes = []
    if subject is not None:
        text = parse_title(subject, field="subject", label="Subject")
        if not text:
            raise ValidationError("an activity needs a subject", field="subject")
        if text != activity.subject:
            changes.append(f"subject {activity.subject!r} → {text!r}")
            activity.subject = text
    if description is not None:
        activity.description = clean_text(description).strip() or None
    if kind is not None:
        code = _kind(kind)
        if code != activity.kind:
            changes.append(f"kind {activity.kind} → {code}")
            activity.kind = code
    if priority is not None:
        if priority not in {p.value for p in Priority}:
            raise ValidationError("priority must be low, medium or high", field="priority")
        activity.priority = priority
    session.add(activity)
    if changes:
        history.record(
            session,
            activity.deal_id,
            EventKind.ACTIVITY_CHANGED,
            text=f"{activity_label(activity.kind)} changed: " + "; ".join(changes),
        )
    session.flush()
    return _read(session, activity)


def delete_activity(session: Session, activity_id: int) -> None:
    """Delete an activity (the deal's timeline keeps a note of it)."""
    activity = _load(session, activity_id)
    history.record(
        session,
        activity.deal_id,
        EventKind.ACTIVITY_DELETED,
        text=f"{activity_label(activity.kind)} deleted: {activity.subject}",
    )
    session.delete(activity)
    session.flush()


def open_activity_count(session: Session, deal_id: int) -> int:
    """How many planned (not completed) activities a deal has."""
    return len(
        session.exec(
            select(Activity.id).where(
                Activity.deal_id == deal_id, col(Activity.completed).is_(False)
            )
        ).all()
    )


def needs_next_activity(session: Session, deal_id: int) -> bool:
    """True when a deal is open (in progress) and has no planned activity."""
    deal = session.get(Deal, deal_id)
    if deal is None or deal.closed or deal.is_recurring:
        return False
    return open_activity_count(session, deal_id) == 0


def list_activities(
    session: Session,
    *,
    deal_id: int | None = None,
    overdue: bool = False,
    open_only: bool = False,
    responsible_id: int | None = None,
    limit: int | None = None,
) -> list[ActivityRead]:
    """Activities, soonest deadline first.

    Args:
        overdue: only open activities due before today (the user's local day), as the
            board's red marker and the activities view count them.
        open_only: only activities not yet completed.
    """
    query = select(Activity, Deal.title).join(Deal, col(Deal.id) == col(Activity.deal_id))
    if deal_id is not None:
        if session.get(Deal, deal_id) is None:
            raise NotFoundError(f"deal #{deal_id} not found")
        query = query.where(Activity.deal_id == deal_id)
    if overdue or open_only:
        query = query.where(col(Activity.completed).is_(False))
    if overdue:
        clock = ctx(session).clock
        query = query.where(col(Activity.deadline) < clock.start_of_day(clock.today()))
    if responsible_id is not None:
        query = query.where(Activity.responsible_id == responsible_id)
    query = query.order_by(col(Activity.completed), col(Activity.deadline), col(Activity.id))
    if limit is not None:
        query = query.limit(limit)
    rows = session.exec(query).all()
    names = users.user_names(session)
    return [_read(session, activity, names, deal_title=title) for activity, title in rows]
