"""The deal timeline: every change, comment and activity, with author and time."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import UTCDateTime

__all__ = ["EventKind", "HistoryEvent"]


class EventKind(StrEnum):
    """What a timeline event records."""

    CREATED = "created"
    FIELD_CHANGED = "field_changed"
    STAGE_CHANGED = "stage_changed"
    PIPELINE_CHANGED = "pipeline_changed"
    COMMENT = "comment"
    ACTIVITY_PLANNED = "activity_planned"
    ACTIVITY_CHANGED = "activity_changed"
    ACTIVITY_DONE = "activity_done"
    ACTIVITY_DELETED = "activity_deleted"
    PRODUCTS_CHANGED = "products_changed"
    CONTACTS_CHANGED = "contacts_changed"
    WON = "won"
    LOST = "lost"
    REOPENED = "reopened"
    UNDONE = "undone"  # a move or close taken back (the board's undo)
    IMPORTED = "imported"


class HistoryEvent(SQLModel, table=True):
    """One entry of a deal's timeline."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_deal_at", "deal_id", "at", "id"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deals.id", ondelete="CASCADE")
    at: datetime = Field(sa_type=UTCDateTime)
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    kind: str = Field(max_length=30)
    field: str | None = Field(default=None, max_length=100)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    text: str | None = Field(default=None, sa_type=Text)
