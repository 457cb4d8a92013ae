"""The filter form fits an 80x24 terminal: every button, Cancel too, is in sight in full."""

from __future__ import annotations

from textual.widgets import Button

from dealterm.screens.filter_form import FilterModal
from tests.ui.conftest import board_ready
from tests.ui.helpers import screen_text, wait_for_screen


async def test_every_button_of_the_form_is_in_sight_at_80x24(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await board_ready(pilot)
        await pilot.press("f")
        form = await wait_for_screen(pilot, FilterModal)
        await pilot.pause()
        screen = form.region
        dialog = form.query_one(".dialog").region
        assert dialog.right <= screen.right
        for button in form.query(Button):
            assert screen.contains_region(button.region), button.id
            assert dialog.contains_region(button.region), button.id
            label = str(button.label)
            assert button.region.width >= len(label) + 2, button.id  # the label is not cut
        shown = screen_text(app)
        for label in ("Apply (ctrl+s)", "Save as…", "Delete saved", "Clear", "Cancel"):
            assert label in shown
