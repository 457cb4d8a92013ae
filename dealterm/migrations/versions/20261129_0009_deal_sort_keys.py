"""SQLite keeps each deal's list sort keys for title, client and responsible (``deal_sort_keys``).

Sorting the list by title, client or responsible lower-cased every deal's name with the
app's own ``lower`` (Unicode-aware) and sorted them all: 150-330 ms at 100,000 deals
before the first rows. The table holds the three keys per deal with an index on each, and
triggers keep it right for every writer (see ``dealterm.core.sort_keys``, which holds the
statements this revision runs: the table, its indexes and triggers are derived data that
the app rebuilds the same way after bulk loads).

SQLite only: PostgreSQL's ``lower`` is its own and it sorts by the expressions.

The upgrade fills the table from the deals (through the app's connection, so with its
``lower``); no row is touched otherwise. The downgrade drops the triggers and the table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dealterm.core import sort_keys

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(sort_keys.TABLE_SQL)
    op.execute(sort_keys.FILL_MISSING)
    for statement in sort_keys.INDEXES:
        op.execute(statement)
    for statement in sort_keys.TRIGGERS.values():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in sort_keys.DROP_TRIGGERS:
        op.execute(statement)
    op.execute(f"DROP TABLE IF EXISTS {sort_keys.TABLE}")
