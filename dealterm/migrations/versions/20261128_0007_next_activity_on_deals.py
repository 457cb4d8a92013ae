"""Each deal keeps the deadline of its nearest open activity, and whether one is incoming.

The activities board places every open deal by its nearest open activity (Bitrix24's
Overdue / Today / This week / Next week / Without activities / Later), and the list sorts
by it. Working that out per view read grouped every open activity of the database: 0.4 s
at 100,000 deals, 11 s at 1,000,000. Now two columns of ``deals`` hold it:

- ``next_deadline``: the earliest deadline of the deal's open activities (NULL: none);
- ``next_incoming``: one of the open activities is incoming (the client is waiting).

The database keeps them right itself, with triggers on ``activities`` (insert, delete, and
updates of deal, completion, deadline or direction), so every writer is covered: the
services, bulk loads, other programs. ``ix_deals_next_activity`` holds what the board
reads (pipeline, open, template, the two columns, currency, amount), and the open-activity
index of a deal gains the direction, so the triggers read an index alone.

The upgrade fills the columns for every deal; no row is lost or changed otherwise. The
downgrade drops the triggers, the index and the columns.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 12:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dealterm.core.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Both dialects understand this (SQLite reads `false` as 0 since 3.23).
REFRESH = """UPDATE deals SET
    next_deadline = (SELECT min(a.deadline) FROM activities a
                     WHERE a.deal_id = deals.id AND a.completed = false),
    next_incoming = EXISTS (SELECT 1 FROM activities a
                            WHERE a.deal_id = deals.id AND a.completed = false
                              AND a.direction = 'incoming')"""

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER deal_next_activity_insert AFTER INSERT ON activities BEGIN
        {REFRESH} WHERE deals.id = new.deal_id;
    END""",
    f"""CREATE TRIGGER deal_next_activity_update
    AFTER UPDATE OF deal_id, completed, deadline, direction ON activities BEGIN
        {REFRESH} WHERE deals.id IN (old.deal_id, new.deal_id);
    END""",
    f"""CREATE TRIGGER deal_next_activity_delete AFTER DELETE ON activities BEGIN
        {REFRESH} WHERE deals.id = old.deal_id;
    END""",
]

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dealterm_next_activity_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {REFRESH} WHERE deals.id = OLD.deal_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.deal_id <> OLD.deal_id) THEN
        {REFRESH} WHERE deals.id = NEW.deal_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

PG_TRIGGER = (
    "CREATE TRIGGER deal_next_activity AFTER INSERT OR DELETE "
    "OR UPDATE OF deal_id, completed, deadline, direction ON activities "
    "FOR EACH ROW EXECUTE FUNCTION dealterm_next_activity_trigger()"
)

BOARD_INDEX = [
    "pipeline_id",
    "closed",
    "is_recurring",
    "next_deadline",
    "next_incoming",
    "currency_code",
    "amount",
]


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: a batch "move and copy" would drop the search
    # triggers of deals on SQLite.
    op.add_column("deals", sa.Column("next_deadline", dealterm.core.types.UTCDateTime()))
    op.add_column(
        "deals",
        sa.Column("next_incoming", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.drop_index("ix_activities_deal_open", table_name="activities")
    op.create_index(
        "ix_activities_deal_open", "activities", ["deal_id", "completed", "deadline", "direction"]
    )
    op.execute(REFRESH)
    op.create_index("ix_deals_next_activity", "deals", BOARD_INDEX)
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS deal_next_activity_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS deal_next_activity ON activities")
        op.execute("DROP FUNCTION IF EXISTS dealterm_next_activity_trigger()")
    op.drop_index("ix_deals_next_activity", table_name="deals")
    op.drop_index("ix_activities_deal_open", table_name="activities")
    op.create_index("ix_activities_deal_open", "activities", ["deal_id", "completed", "deadline"])
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): the table and its triggers stay.
    op.execute("ALTER TABLE deals DROP COLUMN next_incoming")
    op.execute("ALTER TABLE deals DROP COLUMN next_deadline")
