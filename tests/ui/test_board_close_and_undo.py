"""Closing a deal on the board and taking it back with `u`, as the user sees it.

A won deal counts 100% in its column's weighted sum and a lost one 0%, whatever
probability it was given while open; `u` puts back everything the move or close changed
(stage, close date, lost reason, days in the stage) and the history says it was undone.

Deal of the seeded demo used here (pipeline "Sales"): #58 in In progress since 24 Feb
(14 days), close date 3 May 2026.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dealterm.core.cards import ColumnSummary
from dealterm.core.services import deals
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.lost_reason import LostReasonModal
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    FINAL_INVOICE,
    IN_PROGRESS,
    LOST,
    WON,
    board,
    events,
    header_text,
    read_deal,
    select_deal,
    settle,
    until,
    wait_for_screen,
)


def summary(app: Any, stage_id: int) -> ColumnSummary:
    lane = board(app).lane(stage_id)
    assert lane is not None and isinstance(lane.summary, ColumnSummary)
    return lane.summary


def days_shown(app: Any, stage_id: int, deal_id: int) -> str:
    """The "days in the stage" a column's card of the deal shows (e.g. "14d")."""
    lane = board(app).lane(stage_id)
    assert lane is not None
    for page in lane.column.pages.values():
        for view in page:
            if view.card.id == deal_id:
                return f"{view.card.days_in_stage}d"
    raise AssertionError(f"deal #{deal_id} is not in column {stage_id}")


async def test_a_won_deal_counts_in_full_whatever_its_own_probability(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    with db.session() as session:
        deals.update_deal(session, 58, deals.DealUpdate(probability=60))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        won_before = summary(app, WON)
        assert won_before.weighted == won_before.total
        select_deal(app, 58)
        await pilot.press("w")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await until(pilot, lambda: read_deal(db, 58).stage_id == WON)
        await settle(pilot)
        won = summary(app, WON)  # shown in place, then checked against the database
        assert won.count == won_before.count + 1
        assert won.weighted == won.total > won_before.total
        total_line, weighted_line = header_text(app, WON).splitlines()[1:3]
        assert total_line.split(" · ")[1] in weighted_line  # the same sum, at 100%
        assert read_deal(db, 58).probability == 100

        await pilot.press("x")  # lost instead: 0% in the lost column
        await wait_for_screen(pilot, LostReasonModal)
        await pilot.press("enter")
        await until(pilot, lambda: read_deal(db, 58).stage_id == LOST)
        await settle(pilot)
        assert summary(app, LOST).weighted == Decimal(0) < summary(app, LOST).total
        assert summary(app, WON) == won_before


async def test_u_after_lost_puts_back_the_close_date_and_says_so(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, 58)
        await pilot.press("x")
        await wait_for_screen(pilot, LostReasonModal)
        await pilot.press("enter")
        await until(pilot, lambda: read_deal(db, 58).stage_id == LOST)
        await settle(pilot)
        lost = read_deal(db, 58)
        assert lost.close_date == date(2026, 3, 10) and lost.lost_reason is not None

        await pilot.press("u")
        await until(pilot, lambda: read_deal(db, 58).stage_id == IN_PROGRESS)
        await settle(pilot)
        back = read_deal(db, 58)
        assert back.close_date == date(2026, 5, 3)
        assert (back.closed, back.lost_reason) == (False, None)
        assert days_shown(app, IN_PROGRESS, 58) == "14d"
    timeline = [e.description for e in events(db, 58)]
    assert timeline[:4] == [
        "Undone: in stage In progress (reopened)",
        f"lost reason: {lost.lost_reason} → —",
        "close date: 2026-03-10 → 2026-05-03",
        "stage: Deal failed → In progress",
    ]


async def test_u_after_a_move_gives_back_the_days_in_the_stage(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    moved_at = read_deal(db, 58).moved_at
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, 58)
        assert days_shown(app, IN_PROGRESS, 58) == "14d"
        await pilot.press(">")
        await until(pilot, lambda: read_deal(db, 58).stage_id == FINAL_INVOICE)
        await settle(pilot)
        assert days_shown(app, FINAL_INVOICE, 58) == "0d"

        await pilot.press("u")
        await until(pilot, lambda: read_deal(db, 58).stage_id == IN_PROGRESS)
        await settle(pilot)
        assert days_shown(app, IN_PROGRESS, 58) == "14d"
    assert read_deal(db, 58).moved_at == moved_at
    assert events(db, 58)[0].description == "Undone: in stage In progress"
