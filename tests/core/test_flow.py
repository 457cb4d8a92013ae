"""Stage moves, won, lost, reopen and pipeline changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.models import EventKind, HistoryEvent
from dealterm.core.queries import get_deal
from dealterm.core.services import flow, pipelines
from dealterm.core.services.deals import DealCreate, create_deal


def _deal(db: Database, **fields: object):
    with db.session() as session:
        return create_deal(session, DealCreate(title="Move me", amount="100", **fields))


def _kinds(db: Database, deal_id: int) -> list[tuple[str, str | None, str | None, str | None]]:
    with db.session(write=False) as session:
        rows = session.exec(
            select(HistoryEvent).where(HistoryEvent.deal_id == deal_id).order_by(HistoryEvent.id)
        ).all()
    return [(e.kind, e.old_value, e.new_value, e.text) for e in rows]


def test_move_writes_a_stage_event_with_both_names(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        moved = flow.move_deal(session, deal.id, "EXECUTING")
    assert moved.stage == "EXECUTING" and not moved.closed
    assert moved.version == deal.version + 1
    assert ("stage_changed", "New", "In progress", "NEW → EXECUTING") in _kinds(db, deal.id)


def test_moving_to_the_same_stage_changes_nothing(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        same = flow.move_deal(session, deal.id, "NEW")
    assert same.version == deal.version
    assert [k[0] for k in _kinds(db, deal.id)] == ["created"]


def test_won_closes_and_sets_the_close_date_to_today(db: Database) -> None:
    deal = _deal(db, close_date="2026-05-01", stage="PREPARATION")
    with db.session() as session:
        won = flow.mark_won(session, deal.id)
    assert won.stage == "WON" and won.semantics == "success" and won.closed
    assert won.close_date == date(2026, 3, 10)
    kinds = [k[0] for k in _kinds(db, deal.id)]
    assert kinds[-3:] == ["stage_changed", "field_changed", "won"]


@pytest.mark.parametrize("reason", ["No budget", "Went with a cousin's firm"])
def test_lost_records_a_reason_from_the_directory_or_free_text(db: Database, reason: str) -> None:
    deal = _deal(db, stage="EXECUTING")
    with db.session() as session:
        lost = flow.mark_lost(session, deal.id, reason=reason)
    assert lost.stage == "LOSE" and lost.semantics == "failure" and lost.closed
    assert lost.lost_reason == reason
    assert ("lost", None, None, f"Deal lost: {reason}") in _kinds(db, deal.id)


def test_lost_into_a_chosen_failure_stage_only(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        assert flow.mark_lost(session, deal.id, stage="APOLOGY").stage == "APOLOGY"
    other = _deal(db)
    with pytest.raises(ValidationError, match="not a failure stage"), db.session() as session:
        flow.mark_lost(session, other.id, stage="WON")


def test_moving_back_to_a_process_stage_reopens(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        flow.mark_lost(session, deal.id, reason="No budget")
        reopened = flow.move_deal(session, deal.id, "PREPARATION")
    assert not reopened.closed and reopened.semantics == "process"
    assert reopened.lost_reason is None
    assert "reopened" in [k[0] for k in _kinds(db, deal.id)]


def test_reopen_returns_to_the_stage_before_closing(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        flow.move_deal(session, deal.id, "FINAL_INVOICE")
        flow.mark_won(session, deal.id)
        again = flow.reopen_deal(session, deal.id)
    assert again.stage == "FINAL_INVOICE" and not again.closed
    with pytest.raises(ValidationError, match="not closed"), db.session() as session:
        flow.reopen_deal(session, deal.id)


def test_a_stage_of_another_pipeline_is_refused(db: Database) -> None:
    with db.session() as session:
        other = pipelines.create_pipeline(session, "Projects")
        foreign = pipelines.first_stage(session, other.id or 0)
    deal = _deal(db)
    with (
        pytest.raises(ValidationError, match="belongs to pipeline 'Projects'"),
        db.session() as session,
    ):
        flow.move_deal(session, deal.id, foreign.id or 0)
    with db.session(write=False) as session:
        assert get_deal(session, deal.id).stage == "NEW"


def test_unknown_stage_lists_the_known_ones(db: Database) -> None:
    deal = _deal(db)
    with pytest.raises(ValidationError, match="known: NEW, PREPARATION"), db.session() as session:
        flow.move_deal(session, deal.id, "DONE")


def test_a_lost_reason_on_a_non_failure_move_is_refused(db: Database) -> None:
    deal = _deal(db)
    with pytest.raises(ValidationError, match="only for a failure stage"), db.session() as session:
        flow.move_deal(session, deal.id, "WON", lost_reason="No budget")


def test_change_pipeline_keeps_the_semantics(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
    open_deal = _deal(db, stage="EXECUTING")
    won_deal = _deal(db)
    with db.session() as session:
        flow.mark_won(session, won_deal.id)
        moved = flow.change_pipeline(session, open_deal.id, "Projects")
        moved_won = flow.change_pipeline(session, won_deal.id, "Projects")
    assert (moved.pipeline, moved.stage) == ("Projects", "NEW")
    assert (moved_won.pipeline, moved_won.stage, moved_won.closed) == ("Projects", "WON", True)
    event = next(k for k in _kinds(db, open_deal.id) if k[0] == EventKind.PIPELINE_CHANGED)
    assert event[1] == "Sales / In progress" and event[2] == "Projects / New"
