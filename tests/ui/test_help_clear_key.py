"""`?` lists the key that clears the filter, with its binding id (views only)."""

from __future__ import annotations

from dealterm.screens.board import BoardScreen
from dealterm.screens.help import HelpScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, wait_for_screen


async def test_help_lists_ctrl_l_clear_the_filter(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        help_screen = await wait_for_screen(pilot, HelpScreen)
        rows = {binding_id: (key, description) for key, description, binding_id in help_screen.rows}
        assert rows["app.clear_filter"] == ("^l", "Clear the filter")
        await pilot.press("escape")
        await wait_for_screen(pilot, BoardScreen)
