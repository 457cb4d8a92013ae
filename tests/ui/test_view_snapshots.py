"""Snapshots of the deal list, the activities board and the filter form.

Everything on screen is fixed: the clock is frozen, the demo data is seeded, the size is
set, cursors do not blink, and the picture is taken only once the data has loaded. After a
deliberate change of a screen, look at the new picture and update with ``--snapshot-update``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from textual.widgets import Input

from dealterm.core.filters import DealFilter, Status
from dealterm.screens.filter_form import FilterModal
from tests.ui.conftest import SIZE, until
from tests.ui.test_activities_view import open_board, starting_in
from tests.ui.test_activities_view import settled as activities_settled
from tests.ui.test_list_view import open_list, table
from tests.ui.test_list_view import settled as list_settled


async def steady(pilot: Any) -> None:
    """Stop cursors blinking (a blink would make the picture depend on timing), repaint."""
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False
    await pilot.pause()


def test_list_view(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await open_list(pilot)
        await pilot.press("down", "down", "space")  # the cursor and one selected deal
        await until(pilot, lambda: len(table(pilot.app).selected) == 1)
        await list_settled(pilot)
        await steady(pilot)

    app = starting_in(make_app(demo_db), "list")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_activities_board(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await open_board(pilot)
        await activities_settled(pilot)
        await steady(pilot)

    app = starting_in(make_app(demo_db), "activities")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_filter_form(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await open_list(pilot)
        app.set_filter(DealFilter(status=Status.WON, amount_min=Decimal(5000)))
        await until(pilot, lambda: table(app).row_count < 60)
        await list_settled(pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterModal))
        form = app.screen
        await until(pilot, lambda: form.query_one("#f-search", Input).has_focus)
        await steady(pilot)

    app = starting_in(make_app(demo_db), "list")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
