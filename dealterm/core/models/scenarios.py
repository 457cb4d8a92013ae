"""Sales scenarios (the sales generator) and repeat-sale dismissals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Index, Text, UniqueConstraint

from dealterm.core.models._base import AUTOINCREMENT, Field, SQLModel
from dealterm.core.types import UTCDateTime

__all__ = ["RepeatDismissal", "Scenario", "ScenarioRun"]

CLIENT_KINDS = "client_kind IN ('company', 'contact')"


class Scenario(SQLModel, table=True):
    """A saved segment of clients and the deal to create for each of them.

    ``responsible_ids`` holds one user, or the queue a round-robin scenario deals out;
    ``next_responsible`` is the queue position the next deal goes to. ``activity`` is
    written as ``kind:subject:Nd`` (a planned activity N days after the run).
    """

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("name", name="uq_scenarios_name"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    segment: str = Field(max_length=30)
    days: int | None = None
    title_template: str = Field(max_length=255)
    pipeline_id: int | None = Field(default=None, foreign_key="pipelines.id", ondelete="SET NULL")
    stage_id: int | None = Field(default=None, foreign_key="stages.id", ondelete="SET NULL")
    responsible_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    round_robin: bool = False
    next_responsible: int = 0
    comment: str | None = Field(default=None, sa_type=Text)
    activity: str | None = Field(default=None, max_length=255)
    skip_open: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_run_count: int | None = None


class ScenarioRun(SQLModel, table=True):
    """One client a scenario created a deal for, in one period (never twice)."""

    __tablename__ = "scenario_runs"
    __table_args__ = (
        UniqueConstraint(
            "scenario_id",
            "client_kind",
            "client_id",
            "period_key",
            name="uq_scenario_runs_client_period",
        ),
        CheckConstraint(CLIENT_KINDS, name="client_kind"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenarios.id", ondelete="CASCADE")
    client_kind: str = Field(max_length=10)
    client_id: int
    period_key: str = Field(max_length=20)
    deal_id: int | None = Field(default=None, foreign_key="deals.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)


class RepeatDismissal(SQLModel, table=True):
    """A repeat-sale suggestion the user dismissed: that client, that expected date.

    A later purchase moves the expected date, so the client can be suggested again.
    """

    __tablename__ = "repeat_dismissals"
    __table_args__ = (
        UniqueConstraint(
            "client_kind", "client_id", "expected_date", name="uq_repeat_dismissals_client_date"
        ),
        CheckConstraint(CLIENT_KINDS, name="client_kind"),
        Index("ix_repeat_dismissals_client", "client_kind", "client_id"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    client_kind: str = Field(max_length=10)
    client_id: int
    expected_date: date
    dismissed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    dismissed_at: datetime = Field(sa_type=UTCDateTime)
