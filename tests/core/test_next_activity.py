"""Each deal's nearest open activity, kept by the database (migration 0007).

The activities board and the list's "next activity" read ``deals.next_deadline`` and
``deals.next_incoming``; triggers on activities keep them right whoever writes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.demo import generate_demo
from dealterm.core.filters import DealFilter
from dealterm.core.models import Deal
from dealterm.core.queries.activity_board import board_index
from dealterm.core.services import activities
from dealterm.core.services.deals import DealCreate, create_deal, delete_deal
from tests.core.migration_helpers import migrate

# What the columns must hold, worked out from the activities themselves.
EXPECTED = """
SELECT d.id,
       (SELECT min(a.deadline) FROM activities a WHERE a.deal_id = d.id AND a.completed = false),
       EXISTS (SELECT 1 FROM activities a WHERE a.deal_id = d.id AND a.completed = false
               AND a.direction = 'incoming')
FROM deals d ORDER BY d.id
"""


def _deal(db: Database, title: str = "Call me") -> int:
    with db.session() as session:
        deal_id = create_deal(session, DealCreate(title=title)).id
        assert deal_id is not None
        return deal_id


def _next(db: Database, deal_id: int) -> tuple[datetime | None, bool]:
    with db.session(write=False) as session:
        deal = session.get(Deal, deal_id)
        assert deal is not None
        return deal.next_deadline, deal.next_incoming


def _all_right(db: Database) -> bool:
    with db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT id, next_deadline, next_incoming FROM deals ORDER BY id")
        ).all()
        expected = conn.execute(text(EXPECTED)).all()
    return [(i, d, bool(n)) for i, d, n in stored] == [(i, d, bool(n)) for i, d, n in expected]


def test_planning_completing_rescheduling_and_deleting_keep_the_nearest(db: Database) -> None:
    deal = _deal(db)
    assert _next(db, deal) == (None, False)
    with db.session() as session:
        later = activities.plan_activity(
            session, deal, kind="call", subject="Later", deadline="2026-03-20 10:00"
        )
    assert _next(db, deal) == (datetime(2026, 3, 20, 7, 0, tzinfo=UTC), False)
    with db.session() as session:
        sooner = activities.plan_activity(
            session,
            deal,
            kind="call",
            subject="They called",
            deadline="2026-03-12 10:00",
            direction="incoming",
        )
    assert _next(db, deal) == (datetime(2026, 3, 12, 7, 0, tzinfo=UTC), True)
    with db.session() as session:
        activities.reschedule_activity(session, later.id, "2026-03-11 09:00")
    assert _next(db, deal) == (datetime(2026, 3, 11, 6, 0, tzinfo=UTC), True)
    with db.session() as session:
        activities.complete_activity(session, sooner.id)
    assert _next(db, deal) == (datetime(2026, 3, 11, 6, 0, tzinfo=UTC), False)
    with db.session() as session:
        activities.delete_activity(session, later.id)
    assert _next(db, deal) == (None, False)
    assert _all_right(db)


def test_an_activity_moved_to_another_deal_by_another_program(db: Database) -> None:
    first, second = _deal(db, "First"), _deal(db, "Second")
    with db.session() as session:
        planned = activities.plan_activity(
            session, first, kind="task", subject="Send the offer", deadline="2026-03-12 10:00"
        )
    # Written straight to the database, as another program or a script would.
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE activities SET deal_id = :deal WHERE id = :id"),
            {"deal": second, "id": planned.id},
        )
    assert _next(db, first) == (None, False)
    assert _next(db, second)[0] == datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    assert _all_right(db)


def test_deleting_a_deal_with_activities(db: Database) -> None:
    keep, drop = _deal(db, "Keep"), _deal(db, "Drop")
    with db.session() as session:
        for deal in (keep, drop):
            activities.plan_activity(
                session, deal, kind="call", subject="Call", deadline="2026-03-12 10:00"
            )
    with db.session() as session:
        delete_deal(session, drop)
    assert _next(db, keep)[0] == datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    assert _all_right(db)


def test_demo_data_loaded_in_bulk_is_placed_right(db: Database) -> None:
    with db.session(bulk=True) as session:
        generate_demo(session, deals=400, seed=7)
    assert _all_right(db)
    with db.session(write=False) as session:
        index = board_index(session, DealFilter())
    with db.engine.connect() as conn:
        open_deals = conn.execute(
            text("SELECT count(*) FROM deals WHERE NOT closed AND NOT is_recurring")
        ).scalar_one()
    assert sum(len(ids) for ids in index.ids.values()) == open_deals
    assert index.ids["idle"] and index.ids["overdue"]


def test_down_to_0006_and_up_again_fills_the_columns_and_keeps_every_row(
    tmp_path: Path, clock: object
) -> None:
    path = tmp_path / "crm.db"
    db = Database.open(path, clock=clock)  # type: ignore[arg-type]
    with db.session(bulk=True) as session:
        generate_demo(session, deals=300, seed=3)
    with db.session(write=False) as session:
        before = board_index(session, DealFilter())
    with db.engine.connect() as conn:
        rows = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("deals", "activities", "history", "deal_fts")
        }
    migrate(db, "0006")
    with db.engine.connect() as conn:
        columns = {row[1] for row in conn.execute(text("PRAGMA table_info(deals)"))}
        triggers = {
            row[0]
            for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        }
    assert "next_deadline" not in columns
    assert not any(name.startswith("deal_next_activity") for name in triggers)
    assert "deal_fts_deal_update" in triggers  # the search index is still kept
    db.close()

    db = Database.open(path, clock=clock)  # type: ignore[arg-type]  # upgrades to the head
    assert _all_right(db)
    with db.engine.connect() as conn:
        assert {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in rows
        } == rows
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id, currency_code, amount, next_deadline, "
                    "next_incoming FROM deals WHERE pipeline_id = 1 AND closed = 0 "
                    "AND is_recurring = 0 ORDER BY next_deadline"
                )
            )
        )
    assert "COVERING INDEX ix_deals_next_activity" in plan
    with db.session(write=False) as session:
        assert board_index(session, DealFilter()) == before
    db.close()
