"""Undoing a move or close puts back every field it changed, and says so in the history.

The board's `u`: :func:`flow.change_stage` makes the move and keeps the deal's stage state
before and after it; :func:`flow.undo_stage_change` puts back each field the move changed
(stage, closed, close date, moved at and by, lost reason, probability) unless someone
changed it since.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.models import Deal, EventKind, HistoryEvent
from dealterm.core.queries import get_deal
from dealterm.core.readmodels import DealRead
from dealterm.core.services import flow, pipelines
from dealterm.core.services.deals import DealCreate, DealUpdate, create_deal, update_deal


def _deal_a_day_old(db: Database, clock: FixedClock, **fields: object) -> int:
    """A deal created (and so moved into its stage) a day before "now"."""
    clock.advance(days=-1)
    try:
        with db.session() as session:
            deal = create_deal(
                session,
                DealCreate(title="Undo me", amount="100", close_date="2026-06-30", **fields),
            )
    finally:
        clock.advance(days=1)
    return deal.id


def _row(db: Database, deal_id: int) -> flow.StageState:
    with db.session(write=False) as session:
        deal = session.get(Deal, deal_id)
        assert deal is not None
        return flow.StageState.of(deal)


def _read(db: Database, deal_id: int) -> DealRead:
    with db.session(write=False) as session:
        return get_deal(session, deal_id)


def _stage_id(db: Database, code: str) -> int:
    with db.session(write=False) as session:
        sales = pipelines.resolve_pipeline(session, "Sales")
        return pipelines.resolve_stage(session, sales, code).id or 0


def _events(db: Database, deal_id: int) -> list[HistoryEvent]:
    with db.session(write=False) as session:
        return list(
            session.exec(
                select(HistoryEvent)
                .where(HistoryEvent.deal_id == deal_id)
                .order_by(HistoryEvent.id)  # type: ignore[arg-type]
            ).all()
        )


def _change(db: Database, deal_id: int, code: str, reason: str | None = None) -> flow.StageChange:
    with db.session() as session:
        return flow.change_stage(session, deal_id, _stage_id(db, code), lost_reason=reason)


def _undo(db: Database, change: flow.StageChange) -> None:
    with db.session() as session:
        flow.undo_stage_change(session, change.deal.id, change)


def test_undoing_a_lost_puts_back_the_stage_close_date_reason_and_moved_at(
    db: Database, clock: FixedClock
) -> None:
    deal_id = _deal_a_day_old(db, clock, stage="PREPARATION")
    before = _row(db, deal_id)
    lost = _change(db, deal_id, "LOSE", "No budget")
    assert lost.deal.closed and lost.deal.close_date == date(2026, 3, 10)
    assert lost.before == before and lost.after == _row(db, deal_id)
    written = len(_events(db, deal_id))

    _undo(db, lost)
    assert _row(db, deal_id) == before  # every field, moved_at and its author too
    back = _read(db, deal_id)
    assert (back.stage, back.closed, back.lost_reason) == ("PREPARATION", False, None)
    assert back.close_date == date(2026, 6, 30)
    assert back.version == lost.deal.version + 1
    undo = [(e.kind, e.field, e.old_value, e.new_value, e.text) for e in _events(db, deal_id)]
    assert undo[written:] == [
        ("stage_changed", "stage", "Deal failed", "Document preparation", "LOSE → PREPARATION"),
        ("field_changed", "close_date", "2026-03-10", "2026-06-30", None),
        ("field_changed", "lost_reason", "No budget", None, None),
        (EventKind.UNDONE, None, None, None, "Undone: in stage Document preparation (reopened)"),
    ]


def test_undoing_a_move_gives_back_the_days_in_the_stage(db: Database, clock: FixedClock) -> None:
    deal_id = _deal_a_day_old(db, clock)
    before = _row(db, deal_id)
    moved = _change(db, deal_id, "PREPARATION")
    assert moved.after.moved_at > before.moved_at
    _undo(db, moved)
    assert _row(db, deal_id) == before
    kinds = [e.kind for e in _events(db, deal_id)]
    assert kinds[-2:] == ["stage_changed", "undone"]


def test_undoing_a_won_reopens_where_it_was(db: Database, clock: FixedClock) -> None:
    deal_id = _deal_a_day_old(db, clock, stage="FINAL_INVOICE", probability=60)
    before = _row(db, deal_id)
    won = _change(db, deal_id, "WON")
    assert won.deal.probability == 100
    _undo(db, won)
    assert _row(db, deal_id) == before
    assert _read(db, deal_id).probability == 60


def test_undoing_a_new_reason_of_a_lost_deal_puts_the_old_one_back(
    db: Database, clock: FixedClock
) -> None:
    deal_id = _deal_a_day_old(db, clock)
    _change(db, deal_id, "LOSE", "No budget")
    before = _row(db, deal_id)
    again = _change(db, deal_id, "LOSE", "Went with a cousin's firm")
    _undo(db, again)
    assert _row(db, deal_id) == before
    assert _read(db, deal_id).lost_reason == "No budget"
    last = _events(db, deal_id)[-2]
    assert (last.field, last.old_value, last.new_value) == (
        "lost_reason",
        "Went with a cousin's firm",
        "No budget",
    )


def test_a_field_changed_since_the_move_keeps_its_new_value(
    db: Database, clock: FixedClock
) -> None:
    deal_id = _deal_a_day_old(db, clock)
    lost = _change(db, deal_id, "LOSE")
    with db.session() as session:
        update_deal(session, deal_id, DealUpdate(close_date="2026-03-31"))
    _undo(db, lost)
    back = _read(db, deal_id)
    assert (back.stage, back.closed) == ("NEW", False)
    assert back.close_date == date(2026, 3, 31)  # the later edit, not the one before the loss


def test_a_deal_moved_since_is_not_undone(db: Database, clock: FixedClock) -> None:
    deal_id = _deal_a_day_old(db, clock)
    moved = _change(db, deal_id, "PREPARATION")
    _change(db, deal_id, "EXECUTING")
    after = _row(db, deal_id)
    written = len(_events(db, deal_id))
    with pytest.raises(ValidationError, match="was moved since; nothing was undone"):
        _undo(db, moved)
    assert _row(db, deal_id) == after
    assert len(_events(db, deal_id)) == written
