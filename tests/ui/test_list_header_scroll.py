"""The list's header scrolls sideways with its rows (80 columns: the table is wider)."""

from __future__ import annotations

from dealterm.screens.deal_list import ListScreen
from dealterm.widgets.deal_table import DealTable
from tests.ui.conftest import board_ready
from tests.ui.helpers import screen_text, until, wait_for_screen

SMALL = (80, 24)


async def test_the_header_follows_the_rows_to_the_sorted_column(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await board_ready(pilot)
        await pilot.press("2")
        screen = await wait_for_screen(pilot, ListScreen)
        await until(pilot, lambda: screen.totals is not None)
        table = screen.query_one(DealTable)
        await pilot.press(*["l"] * 6)
        assert table.sort_column.key == "close" and table.scroll_x > 0
        await pilot.press("o")
        await until(pilot, lambda: screen.sort == "close" and table.total is None)
        await until(pilot, lambda: all(i in table.rows for i in table.ids[:3]))
        await pilot.pause()
        lines = screen_text(app).splitlines()
        header, first_row = lines[1], lines[2]
        assert "Title" not in header  # scrolled out of sight, as in the rows
        arrow = "Close ▼" if screen.descending else "Close ▲"
        assert arrow in header
        # The column's name stands over its values: the dates of the rows.
        at = header.index("Close")
        assert first_row[at : at + 3] == "202", (header, first_row)
