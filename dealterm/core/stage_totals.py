"""Each stage's deals counted and summed per currency, kept by SQLite itself (migration 0008).

A board column's header shows how many deals the stage holds, their sum and their weighted
sum. Grouping the deals for it reads every deal of the pipeline: 25 ms at 100,000 deals,
200 ms at 1,000,000. On SQLite that read stood between launching the app and its first
frame (:func:`dealterm.core.quickread.quick_board`), and in every read of an unfiltered
board (:func:`dealterm.core.queries.board.board_summary`). The table ``stage_totals``
holds the sums instead, one row per stage and currency, and triggers on ``deals`` keep it
right whoever writes: the services, bulk edits, imports, other programs. Recurring
templates are not counted, as on the board.

A deal's weighted amount is its amount times its own probability, else the stage's. So
that changing a stage's probability needs no upkeep, a row keeps two parts:
``own_weighted`` (amount × probability of the deals with their own) and ``plain_amount``
(the amounts of the others); the weighted sum is ``own_weighted + plain_amount × the
stage's probability``. A won stage counts every deal at 100% and a lost one at 0%
(:func:`dealterm.core.cards.deal_probability`), whatever probability a deal kept from
when it was open: the summary reads so, and the table (and its triggers) stay as they are.

Bulk loads set the triggers aside and rebuild the table once, in the same transaction
(:func:`dealterm.core.bulk.deferred_indexes`).

What the triggers do not see, and so must be followed by :data:`REBUILD`:

- ``INSERT OR REPLACE`` into ``deals`` by another program: SQLite removes the old row
  without a delete trigger (recursive triggers are off), so it would be counted twice;
- a migration that recreates ``stages`` (a batch "move and copy") with foreign keys on:
  the cascade empties this table.

A header counts the deals whose *stage* is in the pipeline (as the cards are read); the
app always moves a deal's pipeline and stage together.

PostgreSQL has no such table: on a shared server every writer moving deals in a stage
would queue on its row (or deadlock, two bulk edits in opposite orders), and there the
board is read through the ORM anyway.
"""

from __future__ import annotations

__all__ = ["REBUILD", "SUMMARY", "SUMMARY_JSON", "TABLE", "TRIGGERS"]

TABLE = "stage_totals"
TRIGGERS = "deal_totals_%"  # the triggers' names (LIKE)

# The table's rows worked out from the deals (what the triggers keep). The sums are read
# from the board summary index alone: left to itself the planner walks ``ix_deals_board``
# for the GROUP BY and looks up every row (193 ms against 41 ms at 100,000 deals).
REBUILD = [
    "DELETE FROM stage_totals",
    """INSERT INTO stage_totals (stage_id, currency_code, deals, amount, own_weighted,
                                 plain_amount)
    SELECT stage_id, currency_code, count(*), coalesce(sum(amount), 0),
           coalesce(sum(amount * probability), 0),
           coalesce(sum(CASE WHEN probability IS NULL THEN amount END), 0)
    FROM deals INDEXED BY ix_deals_board_summary WHERE is_recurring = 0
    GROUP BY stage_id, currency_code""",
]

# A pipeline's column headers: stage, currency, count, amount, weighted amount (cents
# times percent).
SUMMARY = """
SELECT t.stage_id AS stage_id, t.currency_code AS currency_code, t.deals AS deals,
       t.amount AS amount,
       CASE s.semantics WHEN 'success' THEN t.amount * 100 WHEN 'failure' THEN 0
            ELSE t.own_weighted + coalesce(t.plain_amount * s.probability, 0) END AS weighted
FROM stage_totals AS t JOIN stages AS s ON s.id = t.stage_id
WHERE s.pipeline_id = ? AND t.deals > 0
ORDER BY t.stage_id, t.currency_code
"""
# The same as one JSON array (one fetch: see quickread on why rows are few).
SUMMARY_JSON = f"""
SELECT json_group_array(json_array(stage_id, currency_code, deals, amount, weighted))
FROM ({SUMMARY})
"""
