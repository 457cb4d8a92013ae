"""Leaving the deal card: "Schedule the next activity" for an open deal with nothing planned.

Deals of the seeded demo used here: #60 (Prepayment invoice) and #52 (In progress) are open
with nothing planned; #39 is open with a call planned; #56 is won; #32 is lost.
"""

from __future__ import annotations

from textual.widgets import Input, Select

from dealterm.core.crm import SKIP_KEY
from dealterm.core.services import users
from dealterm.screens.activity_form import NextActivityModal
from dealterm.screens.board import BoardScreen
from dealterm.screens.deal_card import DealCardScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    back_on_board,
    board,
    event_count,
    events,
    open_card,
    read_detail,
    screen_text,
    settle,
    until,
    wait_for_screen,
)


def planned(db, deal_id: int) -> list:  # type: ignore[no-untyped-def]
    return [a for a in read_detail(db, deal_id).activities if not a.completed]


def skip_setting(db) -> str | None:  # type: ignore[no-untyped-def]
    with db.session(write=False) as session:
        return users.get_user_setting(session, SKIP_KEY)


async def leave(pilot) -> NextActivityModal | None:  # type: ignore[no-untyped-def]
    """Press escape on the card: return the prompt, or None when the card just closed."""
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(pilot.app.screen, (NextActivityModal, BoardScreen)))
    await pilot.pause()
    screen = pilot.app.screen
    return screen if isinstance(screen, NextActivityModal) else None


async def skip(pilot, period: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#skip-period", Select).value = period
    await pilot.click("#skip")
    await back_on_board(pilot)


async def test_the_prompt_cancel_skip_this_time_and_save(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    written = event_count(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_card(pilot, 60)
        prompt = await leave(pilot)
        assert prompt is not None
        shown = screen_text(app)
        assert "Schedule the next activity" in shown
        assert "Packaging film — АО «Прогресс-Север»" in shown
        assert prompt.query_one("#subject", Input).value.startswith("Follow up: Packaging film")
        assert prompt.query_one("#deadline", Input).value == "2026-03-11 10:00"

        await pilot.click("#cancel")  # Cancel: stay on the card
        await wait_for_screen(pilot, DealCardScreen)
        await settle(pilot)
        assert isinstance(app.screen, DealCardScreen) and app.screen.deal_id == 60
        assert event_count(db) == written

        assert await leave(pilot) is not None  # asked again
        await skip(pilot, "this time")
        assert skip_setting(db) is None
        assert event_count(db) == written and planned(db, 60) == []

        await open_card(pilot, 52)  # "this time" only: the next deal asks again
        prompt = await leave(pilot)
        assert prompt is not None
        prompt.query_one("#subject", Input).value = "Confirm the delivery date"
        prompt.query_one("#deadline", Input).value = "2026-03-13 11:30"
        await pilot.press("ctrl+s")  # Save: plans it and closes the card
        await back_on_board(pilot)
        card = board(app).current_card
        assert card is not None and card.card.id == 52
        assert card.marker == "☎ Fri 13 Mar 11:30"  # no longer "no activity planned"
    [activity] = planned(db, 52)
    assert (activity.kind, activity.subject) == ("call", "Confirm the delivery date")
    assert activity.deadline.isoformat() == "2026-03-13T08:30:00+00:00"
    assert events(db, 52, "activity_planned")
    assert planned(db, 60) == []
    assert skip_setting(db) is None


async def test_no_prompt_for_won_lost_or_planned_deals(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        for deal_id, why in ((56, "won"), (32, "lost"), (39, "a call is planned")):
            await open_card(pilot, deal_id)
            assert await leave(pilot) is None, f"#{deal_id} ({why}) asked for the next activity"
            await back_on_board(pilot)
    assert len(planned(db, 39)) == 1
    assert skip_setting(db) is None


async def test_skip_for_a_day_then_forever(make_app, demo_db, db_of, clock) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    written = event_count(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_card(pilot, 60)
        assert await leave(pilot) is not None
        await skip(pilot, "for a day")
        assert skip_setting(db) == "2026-03-11T07:30:00+00:00"

        await open_card(pilot, 52)  # another such deal, the same day: not asked
        assert await leave(pilot) is None
        await back_on_board(pilot)

        clock.advance(days=2)  # the day has passed: asked again
        await open_card(pilot, 52)
        assert await leave(pilot) is not None
        await skip(pilot, "forever")
        assert skip_setting(db) == "forever"

        clock.advance(days=400)
        await open_card(pilot, 60)
        assert await leave(pilot) is None
        await back_on_board(pilot)
    assert event_count(db) == written
    assert planned(db, 60) == [] and planned(db, 52) == []
