"""Saved filters: a named set of deal conditions a user can pick again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import UTCDateTime

__all__ = ["SavedFilter"]


class SavedFilter(SQLModel, table=True):
    """A filter saved under a name by one user (``definition`` holds the conditions)."""

    __tablename__ = "saved_filters"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_saved_filters_user_name"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=100)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
