"""Keys typed right after "/" go into the search, in every view.

A fast typist, a paste, or the keys held while the app starts arrive together. "/" used
to open the search only after the keys behind it had gone to the view (the board took
"a" for a new activity and "m" for a move). Its binding now acts as soon as it is read,
and focus moves into the search at once; a "/" typed in the search is the search's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from dealterm.app import DealtermApp
from dealterm.screens.activities import ActivitiesScreen
from dealterm.screens.board import BoardScreen
from dealterm.screens.calendar import CalendarScreen
from dealterm.screens.deal_list import ListScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, until

KEYS = {"/": "slash"}


def burst(app: DealtermApp, text: str) -> None:
    """``text`` typed faster than the app reads it: every key queued at once."""
    for char in text:
        app.post_message(events.Key(KEYS.get(char, char), char))


@pytest.mark.parametrize(
    ("view", "screen"),
    [("1", BoardScreen), ("2", ListScreen), ("3", ActivitiesScreen), ("4", CalendarScreen)],
)
async def test_keys_right_after_the_slash_are_the_search(
    demo_db: Path, make_app: Callable[..., DealtermApp], view: str, screen: type
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press(view)
        await until(pilot, lambda: isinstance(app.screen, screen) and app.screen.ready)
        await pilot.pause()

        burst(app, "/acme")
        await until(pilot, lambda: isinstance(app.focused, Input) and app.focused.value == "acme")
        assert isinstance(app.screen, screen)  # nothing opened over the view

        burst(app, "/x")  # in the search, "/" is a character like any other
        await until(pilot, lambda: app.focused.value == "acme/x")
