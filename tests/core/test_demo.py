"""Demo data: deterministic, realistic, and never poured over real data."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.demo import generate_demo
from dealterm.core.errors import ValidationError
from dealterm.core.queries import DealFilter, Status, count_deals, list_deals
from dealterm.core.services.deals import DealCreate, create_deal


def _snapshot(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT id, title, stage_id, amount, currency_code, company_id, created_at, "
                    "close_date "
                    "FROM deals ORDER BY id"
                )
            )
        ]


def test_demo_data_covers_every_stage_and_both_pipelines(db: Database) -> None:
    with db.session() as session:
        summary = generate_demo(session, deals=400, seed=5)
    assert summary.deals == 400 and summary.companies > 10 and summary.activities > 200
    with db.engine.connect() as conn:
        per_stage = dict(
            conn.execute(
                text(
                    "SELECT s.code || '@' || p.name, count(d.id) FROM stages s "
                    "JOIN pipelines p ON p.id = s.pipeline_id "
                    "LEFT JOIN deals d ON d.stage_id = s.id GROUP BY s.code, p.name"
                )
            ).all()
        )
        currencies = {r[0] for r in conn.execute(text("SELECT DISTINCT currency_code FROM deals"))}
        names = [r[0] for r in conn.execute(text("SELECT name FROM contacts"))]
        overdue = conn.execute(
            text("SELECT count(*) FROM activities WHERE NOT completed AND deadline < :now"),
            {"now": db.clock.utcnow().replace(tzinfo=None)},
        ).scalar()
        future = conn.execute(
            text("SELECT count(*) FROM activities WHERE NOT completed AND deadline > :now"),
            {"now": db.clock.utcnow().replace(tzinfo=None)},
        ).scalar()
        history = conn.execute(text("SELECT count(DISTINCT deal_id) FROM history")).scalar()
    assert len(per_stage) == 16 and all(count > 0 for count in per_stage.values()), per_stage
    assert {"USD", "EUR", "RUB"} <= currencies
    assert any(any("а" <= ch <= "я" for ch in name) for name in names)
    assert any(name.isascii() for name in names)
    assert overdue and future
    assert history == 400
    with db.session(write=False) as session:
        assert count_deals(session, DealFilter(status=Status.WON)) > 0
        assert count_deals(session, DealFilter(status=Status.LOST)) > 0
        deals = list_deals(session, limit=400)
    assert Counter(d.repeat for d in deals)[True] > 0
    assert all(d.created_at <= db.clock.utcnow() for d in deals)


def test_the_same_seed_gives_the_same_data(tmp_path: object, clock: object) -> None:
    first = Database.open(tmp_path / "a.db", clock=clock, login="tester")  # type: ignore[operator]
    second = Database.open(tmp_path / "b.db", clock=clock, login="tester")  # type: ignore[operator]
    for db in (first, second):
        with db.session() as session:
            generate_demo(session, deals=150, seed=11)
    assert _snapshot(first) == _snapshot(second)
    third = Database.open(tmp_path / "c.db", clock=clock, login="tester")  # type: ignore[operator]
    with third.session() as session:
        generate_demo(session, deals=150, seed=12)
    assert _snapshot(third) != _snapshot(first)


def test_demo_refuses_a_database_with_deals_unless_appending(db: Database) -> None:
    with db.session() as session:
        create_deal(session, DealCreate(title="Real customer"))
    with pytest.raises(ValidationError, match="already holds 1 deals"), db.session() as session:
        generate_demo(session, deals=10)
    with db.session() as session:
        generate_demo(session, deals=10, append=True)
    with db.session(write=False) as session:
        assert count_deals(session) == 11


def test_demo_rows_work_with_the_services(db: Database) -> None:
    """Rows written in bulk must read back exactly as rows written by the ORM."""
    from dealterm.core.services import flow

    with db.session() as session:
        generate_demo(session, deals=30, seed=2)
        deal = list_deals(session, DealFilter(status=Status.OPEN), limit=1)[0]
        moved = flow.mark_won(session, deal.id)
    assert moved.closed and moved.version == deal.version + 1
    with db.session() as session:
        fresh = create_deal(session, DealCreate(title="After demo"))
    assert fresh.id == 31
