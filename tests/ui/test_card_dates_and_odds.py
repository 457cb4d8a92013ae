"""The deal card: a close date before the begin date is said beside the field and nothing is
saved; a closed deal's probability is its outcome (100% won, 0% lost), not editable.

Deal of the seeded demo used here: #58 (In progress, begun 18 Feb 2026, closing 3 May 2026).
"""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from dealterm.core.services import deals, flow
from dealterm.screens.deal_card import DealCardScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    busy,
    event_count,
    label_text,
    open_card,
    read_deal,
    screen_text,
    settle,
    until,
)

BEFORE_BEGIN = "close date is before the begin date"
AFTER_CLOSE = "begin date is after the close date"


async def type_into(pilot, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(f"#f-{field}", Input).value = value
    await pilot.pause()


async def save(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+s")
    await until(pilot, lambda: not busy(pilot.app, ["card-write"]))
    await settle(pilot)


async def test_a_close_date_before_the_begin_date_is_said_and_not_saved(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    saved = read_deal(db, 58)
    written = event_count(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 58)

        # The reviewer's case: both dates typed, the close date first.
        await type_into(pilot, "begin_date", "31.12.2026")
        assert label_text(card, "#e-close_date") == ""  # 31 Dec is after 3 May: said once...
        assert label_text(card, "#e-begin_date") == AFTER_CLOSE  # ...beside the date typed
        await type_into(pilot, "close_date", "2026-12-01")
        assert label_text(card, "#e-close_date") == BEFORE_BEGIN  # as it is typed
        assert label_text(card, "#e-begin_date") == ""
        app.clear_notifications()
        await save(pilot)
        assert [n.message for n in app._notifications] == [
            "Fix the fields marked in red; nothing was saved"
        ]
        assert isinstance(app.screen, DealCardScreen)
        assert BEFORE_BEGIN in screen_text(app)
        assert read_deal(db, 58).version == saved.version
        assert event_count(db) == written

        await type_into(pilot, "close_date", "2027-01-21")  # right again: the message goes
        assert label_text(card, "#e-close_date") == label_text(card, "#e-begin_date") == ""
        await save(pilot)
    after = read_deal(db, 58)
    assert (after.begin_date, after.close_date) == (date(2026, 12, 31), date(2027, 1, 21))


async def test_a_lost_deal_shows_0_percent_and_keeps_its_own_for_a_reopen(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    with db.session() as session:
        deals.update_deal(session, 58, deals.DealUpdate(probability=60))
        flow.mark_lost(session, 58, reason="No budget")
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 58)
        field = card.query_one("#f-probability", Input)
        assert (field.value, field.placeholder, field.disabled) == ("", "0 (lost)", True)
        await type_into(pilot, "title", "Lost, renamed")
        await save(pilot)  # the rest of the card saves as before; the 60% is kept
    after = read_deal(db, 58)
    assert (after.title, after.probability, after.own_probability) == ("Lost, renamed", 0, 60)
