"""Bulk actions: one transaction, a history event per deal, refusals that write nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.filters import DealFilter, Status
from dealterm.core.queries import count_deals, get_deal, list_deals
from dealterm.core.services import flow, mass_edit, pipelines, users
from dealterm.core.services.deals import DealCreate, create_deal


@pytest.fixture
def six(db: Database) -> list[int]:
    with db.session() as session:
        ids = [
            create_deal(
                session, DealCreate(title=f"Deal {i}", amount="100", close_date="2026-04-01")
            ).id
            for i in range(6)
        ]
        flow.move_deal(session, ids[5], "EXECUTING")
    return ids


def _events(db: Database, kind: str) -> dict[int, list[tuple[str | None, str | None, str | None]]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT deal_id, old_value, new_value, text FROM history "
                "WHERE kind = :k ORDER BY id"
            ),
            {"k": kind},
        ).all()
    result: dict[int, list[tuple[str | None, str | None, str | None]]] = {}
    for deal_id, old, new, words in rows:
        result.setdefault(deal_id, []).append((old, new, words))
    return result


def _stage_id(db: Database, code: str, pipeline: str = "Sales") -> int:
    with db.session(write=False) as session:
        found = pipelines.resolve_stage(
            session, pipelines.resolve_pipeline(session, pipeline), code
        )
        assert found.id is not None
        return found.id


def test_move_writes_one_event_per_deal_and_skips_those_already_there(
    db: Database, six: list[int]
) -> None:
    with db.session() as session:
        moved = mass_edit.mass_move(session, six, _stage_id(db, "EXECUTING"))
    assert moved == 5
    events = _events(db, "stage_changed")
    assert all(events[i][-1] == ("New", "In progress", "NEW → EXECUTING") for i in six[:5])
    assert len(events[six[5]]) == 1  # only its earlier single move
    with db.session(write=False) as session:
        fresh = [get_deal(session, i) for i in six]
    assert {d.stage for d in fresh} == {"EXECUTING"}
    assert [d.version for d in fresh[:5]] == [2] * 5


def test_won_and_lost_close_with_today_and_a_reason(db: Database, six: list[int]) -> None:
    with db.session() as session:
        assert mass_edit.mass_won(session, six[:2]) == 2
        assert mass_edit.mass_lost(session, six[2:4], reason="No budget") == 2
    with db.session(write=False) as session:
        won = get_deal(session, six[0])
        lost = get_deal(session, six[2])
    assert won.closed and won.stage == "WON" and won.close_date == date(2026, 3, 10)
    assert lost.closed and lost.stage == "LOSE" and lost.lost_reason == "No budget"
    assert _events(db, "won").keys() == set(six[:2])
    assert _events(db, "lost")[six[2]] == [(None, None, "Deal lost: No budget")]
    closes = _events(db, "field_changed")
    assert closes[six[0]] == [("2026-04-01", "2026-03-10", None)]
    with db.session() as session:
        mass_edit.mass_move(session, six[:4], _stage_id(db, "PREPARATION"))
    assert _events(db, "reopened").keys() == set(six[:4])
    with db.session(write=False) as session:
        assert count_deals(session, DealFilter(status=Status.OPEN)) == 6


def test_responsible_and_pipeline(db: Database, six: list[int]) -> None:
    with db.session() as session:
        users.ensure_user(session, login="anna", name="Anna Petrova")
        pipelines.create_pipeline(session, "Projects")
        flow.mark_won(session, six[4])
    with db.session() as session:
        assert mass_edit.mass_responsible(session, six, "anna") == 6
        assert mass_edit.mass_pipeline(session, six[3:], "Projects") == 3
    with db.session(write=False) as session:
        deals = {d.id: d for d in list_deals(session, limit=None)}
    assert {d.responsible for d in deals.values()} == {"Anna Petrova"}
    assert (deals[six[4]].pipeline, deals[six[4]].stage) == ("Projects", "WON")
    assert (deals[six[5]].pipeline, deals[six[5]].stage) == ("Projects", "NEW")
    assert _events(db, "field_changed")[six[0]][-1] == ("Test User", "Anna Petrova", None)
    assert _events(db, "pipeline_changed")[six[5]] == [
        ("Sales / In progress", "Projects / New", "EXECUTING → NEW")
    ]


def test_a_refused_bulk_move_writes_nothing(db: Database, six: list[int]) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
        flow.change_pipeline(session, six[0], "Projects")
    before = _events(db, "stage_changed")
    with pytest.raises(ValidationError, match="not in pipeline 'Sales'"), db.session() as session:
        mass_edit.mass_move(session, six, _stage_id(db, "FINAL_INVOICE"))
    assert _events(db, "stage_changed") == before
    with db.session(write=False) as session:
        assert count_deals(session, DealFilter(stage="FINAL_INVOICE")) == 0


def test_delete_and_many_chunks(db: Database) -> None:
    with db.session() as session:
        ids = [
            create_deal(session, DealCreate(title=f"Bulk {i}")).id
            for i in range(mass_edit.CHUNK + 7)
        ]
    with db.session() as session:
        assert mass_edit.mass_move(session, ids, _stage_id(db, "PREPARATION")) == len(ids)
    assert len(_events(db, "stage_changed")) == len(ids)
    with db.session() as session:
        assert mass_edit.mass_delete(session, ids[:10]) == 10
    with db.session(write=False) as session:
        assert count_deals(session) == len(ids) - 10
