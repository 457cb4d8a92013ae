"""Migration 0006: covering indexes for the views' aggregates, and not one row lost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.demo import generate_demo
from dealterm.core.queries.board import board_summary
from tests.core.migration_helpers import migrate

TABLES = ("deals", "companies", "contacts", "activities", "history", "deal_products")


def counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES
        }


def indexes(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        return {row[0] for row in rows}


def test_down_to_0005_and_up_again_keeps_every_row_and_the_board_reads_the_index(
    tmp_path: Path, clock: object
) -> None:
    path = tmp_path / "crm.db"
    db = Database.open(path, clock=clock)  # type: ignore[arg-type]
    with db.session(bulk=True) as session:
        generate_demo(session, deals=300, seed=3)
    before = counts(db)
    with db.session(write=False) as session:
        headers = board_summary(session, 1)
    migrate(db, "0005")
    assert "ix_deals_board_summary" not in indexes(db)
    db.close()

    db = Database.open(path, clock=clock)  # type: ignore[arg-type]  # upgrades to the head
    assert {"ix_deals_board_summary", "ix_deals_totals", "ix_deals_close_date"} <= indexes(db)
    assert counts(db) == before
    with db.session(write=False) as session:
        assert board_summary(session, 1) == headers
    with db.engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT stage_id, currency_code, count(*), sum(amount) "
                    "FROM deals WHERE pipeline_id = 1 AND is_recurring = 0 "
                    "GROUP BY stage_id, currency_code"
                )
            )
        )
    assert "COVERING INDEX ix_deals_board_summary" in plan
    db.close()
