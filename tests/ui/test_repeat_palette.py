"""The command palette opens the repeat-business screens over the current view."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandPalette

from dealterm.screens.board import BoardScreen
from dealterm.screens.recurring import RecurringScreen
from dealterm.screens.scenarios import ScenariosScreen
from dealterm.screens.suggestions import SuggestionsScreen
from tests.ui.conftest import board_ready, until
from tests.ui.helpers import FAST, wait_for_screen


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("Recurring deals", RecurringScreen),
        ("Sales scenarios", ScenariosScreen),
        ("Repeat-sale suggestions", SuggestionsScreen),
    ],
)
async def test_the_palette_opens_the_screen_and_escape_returns_to_the_board(
    make_app, demo_db, command: str, kind: type[Any]
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*command)
        await pilot.pause(0.3)
        await pilot.press("enter")
        screen = await wait_for_screen(pilot, kind)
        # the view keys do not strand the screen in another view's stack
        await pilot.press("2")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen))
