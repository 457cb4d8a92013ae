"""Frames come as soon as one is due, and typing or a new header costs no layout pass.

A key often shows something at once (the typed letter, "loading…") and the answer of a
read 10-30 ms later. The views draw on :class:`~dealterm.screens.frames.FrameTimer`, which
draws that answer one frame interval after the last frame at most, where Textual's timer
could wait up to two. The search box and the header line repaint without laying out the
screen; what they show must still be right.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.screen import UPDATE_PERIOD
from textual.widgets._header import HeaderTitle

from dealterm.app import DealtermApp
from dealterm.screens.activities import ActivitiesScreen
from dealterm.screens.board import BoardScreen
from dealterm.screens.calendar import CalendarScreen
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.frames import FrameTimer
from dealterm.widgets.filter_bar import SearchInput
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, screen_text, until


class _Target:
    """Anything a timer can point at (it keeps a weak reference)."""


def test_a_frame_waits_only_for_what_is_left_of_one_interval() -> None:
    timer = FrameTimer(_Target(), UPDATE_PERIOD, pause=True)  # type: ignore[arg-type]
    assert timer.delay(100.0) == 0  # nothing drawn yet: at once
    timer._last_tick = 100.0
    assert timer.delay(100.005) == pytest.approx(UPDATE_PERIOD - 0.005)
    assert timer.delay(100.0 + UPDATE_PERIOD) == 0
    # Textual's grid timer would wait for the grid point after next here (up to 2 frames).
    assert timer.delay(100.0 + 1.5 * UPDATE_PERIOD) == 0


@pytest.mark.parametrize(
    ("view", "screen"),
    [("1", BoardScreen), ("2", ListScreen), ("3", ActivitiesScreen), ("4", CalendarScreen)],
)
async def test_every_view_draws_on_the_frame_timer(
    demo_db: Path, make_app: Callable[..., DealtermApp], view: str, screen: type
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await _show(pilot, view, screen)
        await pilot.press("slash", "a")
        await until(pilot, lambda: _search_box(app).value == "a")
        current = app.screen
        assert isinstance(current._frame_timer, FrameTimer)  # it drew the frames
        # Textual's own update timer (a private name of the pinned version) was never made:
        # if Textual renames it, this fails rather than the override going unused.
        assert current._Screen__update_timer is None


def _search_box(app: DealtermApp) -> SearchInput:
    return app.screen.query_one(SearchInput)


async def _show(pilot: Any, key: str, kind: type) -> None:
    """Switch to a view with its key and wait until it is on top with its database."""
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen.ready)


def _header_line(app: DealtermApp) -> str:
    return screen_text(app).splitlines()[0]


async def test_a_search_longer_than_its_box_scrolls_to_the_typed_end(
    demo_db: Path, make_app: Callable[..., DealtermApp]
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await _show(pilot, "2", ListScreen)
        await pilot.press("slash")
        text = "x" * 150 + "TAILEND"
        for char in text:
            app.post_message(events.Key(char, char))
        box = _search_box(app)
        await until(pilot, lambda: box.value == text)
        assert box.virtual_size.width == len(text) + 1  # the text and the cursor after it
        assert box.scroll_x > 0
        assert "TAILEND" in screen_text(app)


async def test_the_header_line_shows_the_search_as_it_changes(
    demo_db: Path, make_app: Callable[..., DealtermApp]
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await _show(pilot, "2", ListScreen)
        header = app.screen.query_one(HeaderTitle)

        def first_line() -> str:
            return _header_line(app)

        assert "filter" not in first_line()
        await pilot.press("slash", *"ooo")
        await until(pilot, lambda: "ooo" in first_line())
        assert "filter" in first_line()
        await pilot.press("escape")
        await until(pilot, lambda: "ooo" not in first_line())
        assert header.size.height == 1  # still one line, drawn in place


async def test_the_header_names_the_pipeline_again_back_on_the_board(
    demo_db: Path, make_app: Callable[..., DealtermApp]
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)

        def first_line() -> str:
            return _header_line(app)

        await until(pilot, lambda: "Sales" in first_line())
        await _show(pilot, "2", ListScreen)  # the list shows every pipeline
        await until(pilot, lambda: "all pipelines" in first_line())
        await _show(pilot, "1", BoardScreen)
        await until(pilot, lambda: "Sales" in first_line())
        assert "all pipelines" not in first_line()
