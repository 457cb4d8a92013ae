"""Saved filters: name the current filter, pick it again later (per user, in the database)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from dealterm.core.context import ctx
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.filters import DealFilter
from dealterm.core.models import SavedFilter

__all__ = ["delete_filter", "get_filter", "list_filters", "save_filter"]


def _clean(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ValidationError("a saved filter needs a name", field="name")
    if len(text) > 100:
        raise ValidationError("a filter name is limited to 100 characters", field="name")
    return text


def save_filter(session: Session, name: str, flt: DealFilter) -> DealFilter:
    """Save ``flt`` under ``name`` for the acting user (replacing a filter of that name).

    Raises:
        ValidationError: an empty or too long name, or a filter with no conditions.
    """
    text = _clean(name)
    if flt.is_empty:
        raise ValidationError("the filter has no conditions to save", field="filter")
    context = ctx(session)
    found = session.exec(
        select(SavedFilter).where(SavedFilter.user_id == context.user_id, SavedFilter.name == text)
    ).first()
    if found is None:
        found = SavedFilter(user_id=context.user_id, name=text, created_at=context.clock.utcnow())
    found.definition = flt.to_json()
    session.add(found)
    session.flush()
    return DealFilter.from_json(found.definition, name=text)


def list_filters(session: Session) -> list[DealFilter]:
    """The acting user's saved filters, by name."""
    rows = session.exec(
        select(SavedFilter)
        .where(SavedFilter.user_id == ctx(session).user_id)
        .order_by(col(SavedFilter.name))
    ).all()
    return [DealFilter.from_json(row.definition, name=row.name) for row in rows]


def get_filter(session: Session, name: str) -> DealFilter:
    """One saved filter by name (case-insensitive).

    Raises:
        NotFoundError: the user has no filter of that name.
    """
    wanted = _clean(name).lower()
    for flt in list_filters(session):
        if (flt.name or "").lower() == wanted:
            return flt
    raise NotFoundError(f"no saved filter called {name!r}")


def delete_filter(session: Session, name: str) -> None:
    """Delete one of the acting user's saved filters.

    Raises:
        NotFoundError: no filter of that name.
    """
    wanted = _clean(name)
    found = session.exec(
        select(SavedFilter).where(
            SavedFilter.user_id == ctx(session).user_id, SavedFilter.name == wanted
        )
    ).first()
    if found is None:
        raise NotFoundError(f"no saved filter called {name!r}")
    session.delete(found)
    session.flush()
