"""Recurring deal templates and the occurrences they have run.

A template is not a deal: it lives in its own table, so no board or list query has to
leave it out. It holds the fields every new deal copies (contacts, custom fields and
product rows as JSON) and its schedule. ``recurring_runs`` has one row per occurrence
that produced a deal, unique per template and date: it is written in the same
transaction as the deal, so an occurrence can never produce two deals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text, UniqueConstraint

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import Money, UTCDateTime

__all__ = ["LimitKind", "RecurringRun", "RecurringTemplate", "ScheduleMode", "TimeUnit"]


class ScheduleMode(StrEnum):
    """One deal some time before the start date, or a deal every N units from it."""

    ONCE = "once"
    EVERY = "every"


class TimeUnit(StrEnum):
    """Units of an interval or an offset."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class LimitKind(StrEnum):
    """When an ``every`` schedule stops."""

    NONE = "none"
    DATE = "date"
    TIMES = "times"


class RecurringTemplate(SQLModel, table=True):
    """A deal to create again and again on a schedule.

    ``next_run`` is None once the schedule is over; ``active`` is False when paused or
    finished (``finished`` says which).
    """

    __tablename__ = "recurring_templates"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("mode IN ('once', 'every')", name="mode"),
        CheckConstraint("unit IN ('day', 'week', 'month', 'year')", name="unit"),
        CheckConstraint("limit_kind IN ('none', 'date', 'times')", name="limit_kind"),
        CheckConstraint("step >= 0", name="step"),
        Index("ix_recurring_templates_due", "active", "next_run"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    # the deal's fields
    title: str = Field(max_length=255)
    amount: Decimal = Field(default=Decimal(0), sa_type=Money())
    is_manual_amount: bool = True
    currency_code: str = Field(foreign_key="currencies.code", max_length=3)
    company_id: int | None = Field(default=None, foreign_key="companies.id", ondelete="SET NULL")
    contact_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    type_code: str | None = Field(default=None, foreign_key="deal_types.code", max_length=50)
    source_code: str | None = Field(default=None, foreign_key="sources.code", max_length=50)
    source_description: str | None = Field(default=None, sa_type=Text)
    responsible_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    probability: int | None = None
    comments: str | None = Field(default=None, sa_type=Text)
    custom_fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    products: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    based_on_deal_id: int | None = Field(default=None, foreign_key="deals.id", ondelete="SET NULL")
    # the schedule
    pipeline_id: int | None = Field(default=None, foreign_key="pipelines.id", ondelete="SET NULL")
    mode: str = Field(default=ScheduleMode.EVERY, max_length=10)
    step: int = 1
    unit: str = Field(default=TimeUnit.MONTH, max_length=10)
    start_date: date
    limit_kind: str = Field(default=LimitKind.NONE, max_length=10)
    limit_date: date | None = None
    limit_times: int | None = None
    begin_offset: str = Field(default="0d", max_length=10)
    close_offset: str = Field(default="7d", max_length=10)
    # the state
    active: bool = True
    finished: bool = False
    counter: int = 0
    last_run: date | None = None
    next_run: date | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class RecurringRun(SQLModel, table=True):
    """One occurrence of a template that created a deal (never two for one date)."""

    __tablename__ = "recurring_runs"
    __table_args__ = (
        UniqueConstraint("template_id", "occurrence", name="uq_recurring_runs_occurrence"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="recurring_templates.id", ondelete="CASCADE")
    occurrence: date
    deal_id: int | None = Field(default=None, foreign_key="deals.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
