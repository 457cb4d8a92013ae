"""Each stage's deals counted and summed per currency, kept by SQLite (migration 0008).

The first board's column headers are read from ``stage_totals``; triggers on ``deals``
keep it right whoever writes, and bulk loads rebuild it once. Every test here compares the
table with the same figures worked out from the deals themselves.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from dealterm.core import bulk
from dealterm.core.cards import ColumnSummary
from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.demo import generate_demo
from dealterm.core.queries.board import board_summary
from dealterm.core.services import (
    flow,
    mass_edit,
    pipeline_admin,
    pipelines,
    recurring,
    stage_admin,
)
from dealterm.core.services.deals import DealCreate, DealUpdate, create_deal, delete_deal
from dealterm.core.services.deals import update_deal as edit
from tests.core.migration_helpers import migrate, row_counts

STORED = """
SELECT stage_id, currency_code, deals, amount, own_weighted, plain_amount
FROM stage_totals WHERE deals > 0 ORDER BY stage_id, currency_code
"""
# What the table must hold, from the deals (the board's old aggregate, split in two parts).
EXPECTED = """
SELECT stage_id, currency_code, count(*), coalesce(sum(amount), 0),
       coalesce(sum(amount * probability), 0),
       coalesce(sum(CASE WHEN probability IS NULL THEN amount END), 0)
FROM deals WHERE NOT is_recurring
GROUP BY stage_id, currency_code ORDER BY stage_id, currency_code
"""


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Database]:
    """A set-up SQLite file with 300 demo deals (written with the triggers on)."""
    path = tmp_path / "crm.db"
    shutil.copy2(sqlite_template, path)
    database = Database.open(path, clock=clock)
    with database.session(bulk=True) as session:
        generate_demo(session, deals=300, seed=11)
    yield database
    database.close()


def _stored(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(STORED))]


def _expected(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(EXPECTED))]


def _right(db: Database) -> bool:
    expected = _expected(db)
    assert expected, "no deals to count proves nothing"
    return _stored(db) == expected


def _ids(db: Database, where: str, limit: int) -> list[int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT id FROM deals WHERE {where} ORDER BY id LIMIT {limit}")
        ).scalars()
        return list(rows)


def _stage(db: Database, pipeline: str, code: str) -> int:
    with db.session(write=False) as session:
        found = pipelines.resolve_pipeline(session, pipeline)
        return next(s.id for s in pipelines.stages_of(session, found.id) if s.code == code)


def test_deals_written_one_by_one_are_counted(db: Database) -> None:
    assert _right(db)
    with db.session() as session:
        first = create_deal(session, DealCreate(title="Own odds", amount="1000", probability=35))
        second = create_deal(session, DealCreate(title="Stage odds", amount="250.50"))
        create_deal(session, DealCreate(title="Euro", amount="99.99", currency="EUR"))
    assert _right(db)

    assert first.id is not None and second.id is not None
    with db.session() as session:
        edit(session, first.id, DealUpdate(amount="1200"), expected_version=None)
        edit(session, second.id, DealUpdate(probability=80), expected_version=None)
        edit(session, first.id, DealUpdate(currency="RUB"), expected_version=None)
    assert _right(db)
    with db.session() as session:
        edit(session, second.id, DealUpdate(probability=""), expected_version=None)
        flow.move_deal(session, first.id, "PREPARATION")
        flow.mark_won(session, second.id)
    assert _right(db)
    with db.session() as session:
        flow.mark_lost(session, first.id)
        flow.reopen_deal(session, first.id)
        delete_deal(session, second.id)
    assert _right(db)


# The board's headers as the aggregate over the deals works them out.
HEADERS = """
SELECT d.stage_id, d.currency_code, count(*), sum(d.amount),
       sum(d.amount * coalesce(d.probability, s.probability))
FROM deals AS d JOIN stages AS s ON s.id = d.stage_id
WHERE d.pipeline_id = :pipeline AND NOT d.is_recurring
GROUP BY d.stage_id, d.currency_code
"""


def test_the_board_headers_are_the_aggregate_after_a_stage_changes_its_probability(
    db: Database,
) -> None:
    with db.session() as session:
        create_deal(session, DealCreate(title="Own odds", amount="1000", probability=35))
        create_deal(session, DealCreate(title="Stage odds", amount="333.33"))
        stage_admin.edit_stage(session, "Sales", "NEW", probability=55)
    with db.session(write=False) as session:
        sales = pipelines.resolve_pipeline(session, "Sales").id or 0
        headers = board_summary(session, sales)
        expected: dict[int, list[tuple[object, ...]]] = {}
        for stage_id, currency, count, cents, weighted in session.connection().execute(
            text(HEADERS), {"pipeline": sales}
        ):
            expected.setdefault(stage_id, []).append((currency, count, cents, int(weighted or 0)))
    shown = {h.stage.id: sorted(h.parts) for h in headers if isinstance(h, ColumnSummary)}
    assert shown == {stage: sorted(parts) for stage, parts in expected.items()} | {
        h.stage.id: [] for h in headers if h.stage.id not in expected
    }
    assert any(h.weighted for h in headers)


def test_bulk_edits_and_deletes_are_counted(db: Database) -> None:
    sales = _stage(db, "Sales", "FINAL_INVOICE")
    open_ids = _ids(
        db,
        "NOT closed AND NOT is_recurring AND pipeline_id = "
        f"(SELECT pipeline_id FROM stages WHERE id = {sales})",
        40,
    )
    assert len(open_ids) == 40
    with db.session() as session:
        mass_edit.mass_move(session, open_ids[:10], sales)
        mass_edit.mass_won(session, open_ids[10:20])
        mass_edit.mass_lost(session, open_ids[20:25])
    assert _right(db)
    with db.session() as session:
        mass_edit.mass_pipeline(session, open_ids[25:35], "Projects")
        mass_edit.mass_delete(session, open_ids[35:])
    assert _right(db)
    with db.session() as session:
        pipeline_admin.delete_pipeline(session, "Projects", move_to="Sales")
    assert _right(db)


def test_recurring_templates_are_not_counted_but_the_deals_they_make_are(
    db: Database, clock: FixedClock
) -> None:
    deal = _ids(db, "NOT is_recurring", 1)[0]
    with db.session() as session:
        made = recurring.template_from_deal(
            session, deal, recurring.ScheduleInput(mode="every", step=1, unit="month")
        )
        fresh = recurring.create_template(
            session,
            recurring.TemplateInput(title="Support", amount="500", mode="every", unit="week"),
        )
    assert _right(db)
    before = _stored(db)
    with db.session() as session:
        for template in (made.id, fresh.id):
            recurring.run_one(session, template, date(2027, 12, 31))
    assert _right(db)
    assert _stored(db) != before  # the new deals are on the board


def test_a_bulk_load_sets_the_triggers_aside_and_rebuilds_the_table(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "INDEX_DEFERRAL_ROWS", 50)  # the demo's deals go the bulk way
    deferred: list[str] = []
    defer = bulk.deferred_indexes

    def noted(conn: Any, *models: Any) -> Any:
        deferred.extend(model.__tablename__ for model in models)
        return defer(conn, *models)

    monkeypatch.setattr(bulk, "deferred_indexes", noted)
    with db.session(bulk=True) as session:
        generate_demo(session, deals=400, seed=12, append=True)  # more than the 300 there
    assert "deals" in deferred
    assert _right(db)
    with db.engine.connect() as conn:
        triggers = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'deal_tot%'")
        ).scalars()
        assert sorted(triggers) == [
            "deal_totals_delete",
            "deal_totals_insert",
            "deal_totals_update",
        ]
    with db.session() as session:  # and they are at work again
        create_deal(session, DealCreate(title="After the load", amount="10"))
    assert _right(db)


def test_down_to_0007_and_up_again_fills_the_table_and_keeps_every_row(
    db: Database, clock: FixedClock
) -> None:
    path = Path(str(db.url.database))
    rows = row_counts(db, ("deals", "stages", "activities", "history", "deal_fts"))
    expected = _expected(db)
    migrate(db, "0007")
    with db.engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    assert "stage_totals" not in names
    assert not any(name.startswith("deal_totals") for name in names)
    assert "deal_fts_deal_update" in names  # the other triggers stay
    db.close()

    db = Database.open(path, clock=clock)  # upgrades to the head
    try:
        assert _stored(db) == expected
        assert row_counts(db, rows) == rows
    finally:
        db.close()
