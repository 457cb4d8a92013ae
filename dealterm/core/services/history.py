"""Writing and reading the deal timeline."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.models import Deal, EventKind, HistoryEvent
from dealterm.core.validation import clean_text

__all__ = ["add_comment", "events_for", "record"]

COMMENT_MAX = 10_000


def record(
    session: Session,
    deal_id: int,
    kind: EventKind | str,
    *,
    field: str | None = None,
    old: object = None,
    new: object = None,
    text: str | None = None,
) -> HistoryEvent:
    """Add an event to a deal's timeline, authored by the acting user, stamped now."""
    context = ctx(session)
    event = HistoryEvent(
        deal_id=deal_id,
        at=context.clock.utcnow(),
        author_id=context.user_id or None,
        kind=str(kind),
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        text=text,
    )
    session.add(event)
    return event


def add_comment(session: Session, deal_id: int, text: str) -> HistoryEvent:
    """Add a comment to a deal's timeline.

    Raises:
        ValidationError: the comment is empty or too long.
        NotFoundError: no such deal.
    """
    body = clean_text(text or "").strip()
    if not body:
        raise ValidationError("a comment cannot be empty", field="comment")
    if len(body) > COMMENT_MAX:
        raise ValidationError(f"a comment is limited to {COMMENT_MAX} characters", field="comment")
    if session.get(Deal, deal_id) is None:
        raise NotFoundError(f"deal #{deal_id} not found")
    event = record(session, deal_id, EventKind.COMMENT, text=body)
    session.flush()
    return event


def events_for(session: Session, deal_id: int) -> list[HistoryEvent]:
    """A deal's timeline, newest first."""
    return list(
        session.exec(
            select(HistoryEvent)
            .where(HistoryEvent.deal_id == deal_id)
            .order_by(col(HistoryEvent.at).desc(), col(HistoryEvent.id).desc())
        ).all()
    )
