"""The planner offers every kind the core plans (call, meeting, task, e-mail), as the CLI's
``--kind`` does, and an e-mail planned with the keyboard is saved as one."""

from __future__ import annotations

from textual.widgets import Input, RadioButton, RadioSet

from dealterm.core.services.activities import PLANNABLE_KINDS, activity_label
from dealterm.screens.activity_form import ActivityModal
from dealterm.screens.deal_card import DealCardScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    busy,
    open_card,
    read_detail,
    screen_text,
    settle,
    until,
    wait_for_screen,
)


async def test_an_e_mail_is_planned_from_the_card(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_card(pilot, 60)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("a")
        modal = await wait_for_screen(pilot, ActivityModal)
        kinds = modal.query_one("#kind", RadioSet)
        offered = [(b.name, str(b.label)) for b in kinds.query(RadioButton)]
        assert offered == [(k.value, activity_label(k.value)) for k in PLANNABLE_KINDS]
        assert ("email", "E-mail") in offered
        assert "E-mail" in screen_text(app)

        await pilot.press("shift+tab")  # from the subject to the kinds
        assert kinds.has_focus
        await pilot.press("right", "right", "right", "enter")
        assert kinds.pressed_button is not None and kinds.pressed_button.name == "email"
        modal.query_one("#subject", Input).value = "Send the offer"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, DealCardScreen)
        await until(pilot, lambda: not busy(pilot.app, ["card-write"]))
        await settle(pilot)
    planned = [a for a in read_detail(db, 60).activities if not a.completed]
    assert ("email", "Send the offer") in [(a.kind, a.subject) for a in planned]
