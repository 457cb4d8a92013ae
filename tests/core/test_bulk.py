"""Bulk inserts store exactly what the ORM stores (the demo and imports rely on it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from dealterm.core import bulk
from dealterm.core.bulk import bulk_insert, bulk_insert_columns, deferred_indexes, insert_rows
from dealterm.core.db import Database
from dealterm.core.models import Activity, Deal, HistoryEvent
from dealterm.core.services.deals import DealCreate, create_deal

COLUMNS = (
    "amount, tax_value, created_at, moved_at, begin_date, close_date, closed, is_repeat, "
    "custom_fields"
)


def _raw(db: Database, deal_id: int) -> tuple[object, ...]:
    with db.engine.connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT {COLUMNS} FROM deals WHERE id = :i"), {"i": deal_id}).one()
        )


def test_bulk_rows_are_stored_like_orm_rows(db: Database) -> None:
    when = datetime(2026, 3, 1, 9, 15, 30, tzinfo=UTC)
    with db.session() as session:
        model = create_deal(
            session,
            DealCreate(
                title="ORM", amount="1234.50", begin_date="2026-03-01", close_date="2026-03-08"
            ),
        )
    with db.session() as session:
        deal = session.get(Deal, model.id)
        assert deal is not None
        deal.created_at = deal.moved_at = when
        deal.closed, deal.is_repeat, deal.custom_fields = True, True, {"UF_CRM_X": "1"}
        session.add(deal)
    template = {c.name: getattr(deal, c.name) for c in Deal.__table__.columns if c.name != "id"}  # type: ignore[attr-defined]
    rows = []
    for variant in range(3):  # naive UTC, aware UTC and aware +03:00 timestamps
        moment = {
            0: when.replace(tzinfo=None),
            1: when,
            2: when.astimezone(timezone(timedelta(hours=3))),
        }[variant]
        rows.append(
            template
            | {
                "id": 100 + variant,
                "title": f"bulk {variant}",
                "created_at": moment,
                "moved_at": moment,
                "amount": Decimal("1234.50"),
            }
        )
    with db.session(bulk=True) as session:
        conn = session.connection()
        bulk_insert(conn, Deal, rows[:1])
        bulk_insert(conn, Deal, rows[1:])
    stored = _raw(db, model.id)
    for variant in range(3):
        assert _raw(db, 100 + variant) == stored


def test_rows_given_as_columns_are_stored_like_rows_given_as_dicts(db: Database) -> None:
    with db.session() as session:
        model = create_deal(session, DealCreate(title="ORM", amount="10.25"))
    with db.session() as session:
        deal = session.get(Deal, model.id)
        assert deal is not None
        template = {c.name: getattr(deal, c.name) for c in Deal.__table__.columns if c.name != "id"}  # type: ignore[attr-defined]
    when = datetime(2026, 3, 1, 9, 15, 30, tzinfo=timezone(timedelta(hours=3)))
    rows = [
        template
        | {
            "id": 200 + n,
            "title": f"row {n}",
            "amount": Decimal(f"{n}.505"),
            "created_at": when,
            "close_date": date(2026, 4, n + 1),
            "custom_fields": {"UF_CRM_X": str(n)} if n else {},
        }
        for n in range(3)
    ]
    same = ("created_at", "moved_at", "currency_code")
    columns = {name: [row[name] for row in rows] for name in template if name not in same} | {
        "id": [300 + n for n in range(3)]
    }
    with db.session(bulk=True) as session:
        conn = session.connection()
        bulk_insert(conn, Deal, rows)
        bulk_insert_columns(conn, Deal, columns, {name: rows[0][name] for name in same})
        with pytest.raises(ValueError, match="different lengths"):
            bulk_insert_columns(conn, Deal, {"title": ["a"], "amount": []})
        bulk_insert_columns(conn, Deal, {"title": []})  # nothing to write
    listed = "id, title, " + COLUMNS
    with db.engine.connect() as conn:
        stored = conn.execute(text(f"SELECT {listed} FROM deals WHERE id >= 200 ORDER BY id"))
        found = [tuple(row) for row in stored]
    assert len(found) == 6
    assert [row[1:] for row in found[:3]] == [row[1:] for row in found[3:]]


def _comments(deal_id: int | None, texts: list[str]) -> list[dict[str, Any]]:
    """History rows: one comment on the deal per text."""
    return [
        {
            "deal_id": deal_id,
            "at": datetime(2026, 3, 1, tzinfo=UTC),
            "author_id": None,
            "kind": "comment",
            "field": None,
            "old_value": None,
            "new_value": None,
            "text": note,
        }
        for note in texts
    ]


def _history_indexes(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                text(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'history'"
                    if db.url.get_backend_name() == "postgresql"
                    else "SELECT name FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = 'history'"
                )
            )
        }


def test_amounts_with_more_places_than_stored_are_rounded_like_the_orm(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Host"))
    rows = _comments(deal.id, [str(i) for i in range(3)])
    with db.session(bulk=True) as session:
        conn = session.connection()
        with deferred_indexes(conn, HistoryEvent):
            bulk_insert(conn, HistoryEvent, rows)
    with db.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM history WHERE kind = 'comment'")).scalar() == 3
        )
    assert "ix_history_deal_at" in _history_indexes(db)
    from dealterm.core.bulk import _converter
    from dealterm.core.types import Fixed

    convert = _converter(Fixed(2), db.engine.dialect)
    assert convert is not None
    assert convert((Decimal("1.005"), Decimal("2.5"))) == (101, 250)
    assert convert((Decimal("1.00"), None)) == (100, None)
    assert Activity.__table__ is not None  # type: ignore[attr-defined]
    assert date(2026, 1, 1).isoformat() == "2026-01-01"


def test_a_load_rebuilds_the_indexes_only_when_it_outweighs_the_table(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rebuilding sorts the rows already there too: a load smaller than the table goes row
    by row (the indexes stay), a bigger one sets them aside. Either way every row is in."""
    monkeypatch.setattr(bulk, "INDEX_DEFERRAL_ROWS", 10)
    set_aside: list[int] = []
    defer = bulk.deferred_indexes

    def noted(conn: Any, *models: Any) -> Any:
        set_aside.append(len(models))
        return defer(conn, *models)

    monkeypatch.setattr(bulk, "deferred_indexes", noted)
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Host"))

    def load(count: int, note: str) -> None:
        with db.session(bulk=True) as session:
            insert_rows(session.connection(), HistoryEvent, _comments(deal.id, [note] * count))

    held = _count_history(db)
    load(9, "too few to bother")  # under the threshold
    assert set_aside == []
    load(held + 9 + 30, "more than the table holds")
    assert set_aside == [1]
    load(20, "fewer than the table holds")  # the table now has 40+ rows
    assert set_aside == [1]
    with db.session(write=False) as session:
        conn = session.connection()
        assert bulk.outweighs(conn, HistoryEvent, _count_history(db))
        assert not bulk.outweighs(conn, HistoryEvent, _count_history(db) - 1)
    assert _count_history(db) == held + 9 + (held + 39) + 20
    assert "ix_history_deal_at" in _history_indexes(db)


def _count_history(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM history")).scalar_one())
