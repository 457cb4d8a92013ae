"""Recurring deals.

Templates of recurring deals live in their own table (never among the deals, so the
board and the list need not leave them out), and every occurrence that produced a deal
is kept in ``recurring_runs``, unique per template and date, which is what makes a run
safe to repeat or to run from two processes at once. No existing row changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dealterm.core.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recurring_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("amount", dealterm.core.types.Fixed(2), nullable=False),
        sa.Column("is_manual_amount", sa.Boolean(), nullable=False),
        sa.Column("currency_code", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("contact_ids", sa.JSON(), nullable=False),
        sa.Column("type_code", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("source_code", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("source_description", sa.Text(), nullable=True),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("custom_fields", sa.JSON(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("based_on_deal_id", sa.Integer(), nullable=True),
        sa.Column("pipeline_id", sa.Integer(), nullable=True),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("limit_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("limit_date", sa.Date(), nullable=True),
        sa.Column("limit_times", sa.Integer(), nullable=True),
        sa.Column("begin_offset", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("close_offset", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("last_run", sa.Date(), nullable=True),
        sa.Column("next_run", sa.Date(), nullable=True),
        sa.Column("created_at", dealterm.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", dealterm.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "limit_kind IN ('none', 'date', 'times')",
            name=op.f("ck_recurring_templates_limit_kind"),
        ),
        sa.CheckConstraint("mode IN ('once', 'every')", name=op.f("ck_recurring_templates_mode")),
        sa.CheckConstraint(
            "unit IN ('day', 'week', 'month', 'year')", name=op.f("ck_recurring_templates_unit")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_recurring_templates_amount")),
        sa.CheckConstraint("step >= 0", name=op.f("ck_recurring_templates_step")),
        sa.ForeignKeyConstraint(
            ["based_on_deal_id"],
            ["deals.id"],
            name=op.f("fk_recurring_templates_based_on_deal_id_deals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_recurring_templates_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["currency_code"],
            ["currencies.code"],
            name=op.f("fk_recurring_templates_currency_code_currencies"),
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name=op.f("fk_recurring_templates_pipeline_id_pipelines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["users.id"],
            name=op.f("fk_recurring_templates_responsible_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_code"],
            ["sources.code"],
            name=op.f("fk_recurring_templates_source_code_sources"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["deal_types.code"],
            name=op.f("fk_recurring_templates_type_code_deal_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_templates")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("recurring_templates", schema=None) as batch_op:
        batch_op.create_index("ix_recurring_templates_due", ["active", "next_run"], unique=False)

    op.create_table(
        "recurring_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dealterm.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_recurring_runs_deal_id_deals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["recurring_templates.id"],
            name=op.f("fk_recurring_runs_template_id_recurring_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_runs")),
        sa.UniqueConstraint("template_id", "occurrence", name="uq_recurring_runs_occurrence"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("recurring_runs")
    with op.batch_alter_table("recurring_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_recurring_templates_due")
    op.drop_table("recurring_templates")
