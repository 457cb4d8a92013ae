"""Activities planned on deals: calls, meetings, tasks, e-mails."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Text

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import UTCDateTime

__all__ = ["Activity", "ActivityDirection", "ActivityKind", "Priority"]


class ActivityKind(StrEnum):
    """What sort of activity it is."""

    CALL = "call"
    MEETING = "meeting"
    TASK = "task"
    EMAIL = "email"


class Priority(StrEnum):
    """How urgent an activity is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ActivityDirection(StrEnum):
    """Whether the client reached us (incoming) or we reach them (outgoing)."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Activity(SQLModel, table=True):
    """Something to do on a deal by a deadline; open until completed."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("kind IN ('call', 'meeting', 'task', 'email')", name="kind"),
        CheckConstraint("priority IN ('low', 'medium', 'high')", name="priority"),
        CheckConstraint(
            "direction IS NULL OR direction IN ('incoming', 'outgoing')",
            name="direction",
        ),
        # The nearest open activity of a deal, and whether one is incoming (the
        # activities board reads only this index).
        Index("ix_activities_deal_open", "deal_id", "completed", "deadline", "direction"),
        # Overdue / calendar queries across deals.
        Index("ix_activities_deadline", "completed", "deadline"),
        Index("ix_activities_responsible", "responsible_id", "completed", "deadline"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deals.id", ondelete="CASCADE")
    kind: str = Field(default=ActivityKind.CALL, max_length=10)
    subject: str = Field(max_length=255)
    description: str | None = Field(default=None, sa_type=Text)
    deadline: datetime = Field(sa_type=UTCDateTime)
    start_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed: bool = False
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    responsible_id: int = Field(foreign_key="users.id", ondelete="RESTRICT")
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    priority: str = Field(default=Priority.MEDIUM, max_length=10)
    direction: str | None = Field(default=None, max_length=10)
    created_at: datetime = Field(sa_type=UTCDateTime)
