"""SQLite keeps each stage's deals counted and summed per currency (``stage_totals``).

The board's column headers (count, sum, weighted sum per stage) were worked out by
grouping every deal of the pipeline: 200 ms at 1,000,000 deals, before the app's first
frame. ``stage_totals`` holds one row per stage and currency: the number of deals that
are not recurring templates, their amount, ``own_weighted`` (amount × probability of the
deals with their own probability) and ``plain_amount`` (the amounts of the others, which
take the stage's probability when read). Triggers on ``deals`` (insert, delete, and
updates of stage, currency, amount, probability or template flag) keep it right for every
writer. See ``dealterm.core.stage_totals``.

SQLite only: on a shared PostgreSQL server every writer in a stage would queue on its row.

The upgrade fills the table from the deals; no row is touched otherwise. The downgrade
drops the triggers and the table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 17:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = """
CREATE TABLE stage_totals (
    stage_id INTEGER NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
    currency_code VARCHAR(3) NOT NULL,
    deals INTEGER NOT NULL,
    amount BIGINT NOT NULL,
    own_weighted BIGINT NOT NULL,
    plain_amount BIGINT NOT NULL,
    PRIMARY KEY (stage_id, currency_code)
) WITHOUT ROWID
"""

FILL = """
INSERT INTO stage_totals (stage_id, currency_code, deals, amount, own_weighted, plain_amount)
SELECT stage_id, currency_code, count(*), coalesce(sum(amount), 0),
       coalesce(sum(amount * probability), 0),
       coalesce(sum(CASE WHEN probability IS NULL THEN amount END), 0)
FROM deals WHERE is_recurring = 0
GROUP BY stage_id, currency_code
"""


def _add(row: str) -> str:
    """Count the deal ``row`` (``new`` or ``old``) in its stage and currency."""
    return f"""INSERT INTO stage_totals
        (stage_id, currency_code, deals, amount, own_weighted, plain_amount)
    SELECT {row}.stage_id, {row}.currency_code, 1, coalesce({row}.amount, 0),
           coalesce({row}.amount * {row}.probability, 0),
           CASE WHEN {row}.probability IS NULL THEN coalesce({row}.amount, 0) ELSE 0 END
    WHERE {row}.is_recurring = 0
    ON CONFLICT (stage_id, currency_code) DO UPDATE SET
        deals = deals + 1,
        amount = amount + excluded.amount,
        own_weighted = own_weighted + excluded.own_weighted,
        plain_amount = plain_amount + excluded.plain_amount;"""


def _remove(row: str) -> str:
    """Take the deal ``row`` out of its stage and currency."""
    return f"""UPDATE stage_totals SET
        deals = deals - 1,
        amount = amount - coalesce({row}.amount, 0),
        own_weighted = own_weighted - coalesce({row}.amount * {row}.probability, 0),
        plain_amount = plain_amount
            - CASE WHEN {row}.probability IS NULL THEN coalesce({row}.amount, 0) ELSE 0 END
    WHERE {row}.is_recurring = 0
      AND stage_id = {row}.stage_id AND currency_code = {row}.currency_code;"""


TRIGGERS = [
    f"CREATE TRIGGER deal_totals_insert AFTER INSERT ON deals BEGIN {_add('new')} END",
    f"CREATE TRIGGER deal_totals_delete AFTER DELETE ON deals BEGIN {_remove('old')} END",
    f"""CREATE TRIGGER deal_totals_update
    AFTER UPDATE OF stage_id, currency_code, amount, probability, is_recurring ON deals BEGIN
        {_remove("old")}
        {_add("new")}
    END""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(TABLE)
    op.execute(FILL)
    for trigger in TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS deal_totals_{name}")
    op.execute("DROP TABLE IF EXISTS stage_totals")
