"""Sales scenarios and repeat-sale suggestions.

Adds saved scenarios (a client segment and the deal to create for each client), the
runs that keep a scenario from creating two deals for one client in one period, and
the repeat-sale suggestions a user dismissed. Only new tables: existing rows are
untouched.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dealterm.core.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("segment", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("title_template", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("responsible_ids", sa.JSON(), nullable=False),
        sa.Column("round_robin", sa.Boolean(), nullable=False),
        sa.Column("next_responsible", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("activity", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("skip_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", dealterm.core.types.UTCDateTime(), nullable=False),
        sa.Column("last_run_at", dealterm.core.types.UTCDateTime(), nullable=True),
        sa.Column("last_run_count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name=op.f("fk_scenarios_pipeline_id_pipelines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["stages.id"],
            name=op.f("fk_scenarios_stage_id_stages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
        sa.UniqueConstraint("name", name="uq_scenarios_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "scenario_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("client_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dealterm.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "client_kind IN ('company', 'contact')", name=op.f("ck_scenario_runs_client_kind")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_scenario_runs_deal_id_deals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.id"],
            name=op.f("fk_scenario_runs_scenario_id_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_runs")),
        sa.UniqueConstraint(
            "scenario_id",
            "client_kind",
            "client_id",
            "period_key",
            name="uq_scenario_runs_client_period",
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "repeat_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_at", dealterm.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "client_kind IN ('company', 'contact')", name=op.f("ck_repeat_dismissals_client_kind")
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"],
            ["users.id"],
            name=op.f("fk_repeat_dismissals_dismissed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repeat_dismissals")),
        sa.UniqueConstraint(
            "client_kind",
            "client_id",
            "expected_date",
            name="uq_repeat_dismissals_client_date",
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("repeat_dismissals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_repeat_dismissals_client", ["client_kind", "client_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("repeat_dismissals", schema=None) as batch_op:
        batch_op.drop_index("ix_repeat_dismissals_client")
    op.drop_table("repeat_dismissals")
    op.drop_table("scenario_runs")
    op.drop_table("scenarios")
