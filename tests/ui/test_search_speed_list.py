"""Searching the list while it is sorted by amount: each key shows the matches in the order
of their value in the base currency, with their rows, then the count and sum.

The first screenful of the amount order is read per currency (the full order follows);
the table keeps the rows it has while a search reads (a slow one here, so that frames are
drawn meanwhile), and asks for none of the order being replaced.
"""

from __future__ import annotations

import time
from typing import Any

from textual.widgets import Input

from dealterm.core.filters import DealFilter
from dealterm.core.queries.deal_list import list_totals, ordered_ids
from dealterm.screens.deal_list import ListScreen
from tests.ui.conftest import until
from tests.ui.test_list_view import (
    SIZE,
    list_screen,
    open_list,
    settled,
    shown_rows_loaded,
    sort_by_amount_largest_first,
    starting_in_list,
    status,
    table,
)


def _by_amount(db: Any, text: str) -> list[int]:
    flt = DealFilter(search=text) if text else None
    with db.session(write=False) as session:
        return list(ordered_ids(session, flt, sort="amount", descending=True))


async def test_each_key_shows_the_matches_by_value_then_their_count(
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    typed = ["s", "st", "ste", "stee", "steel", "stee", "ste", "st", "s", ""]
    expected = {text: _by_amount(db, text) for text in typed}
    with db.session(write=False) as session:
        counts = {
            text: list_totals(session, DealFilter(search=text) if text else None).count
            for text in typed
        }
    # The searches narrow and widen again: what the test types changes what is shown.
    assert len({tuple(ids) for ids in expected.values()}) >= 4
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        the_table = table(app)
        await sort_by_amount_largest_first(pilot)
        await until(pilot, lambda: list(the_table.ids) == expected[""])
        await settled(pilot)
        await pilot.press("slash")
        field = list_screen(app).query_one("#filter-input", Input)
        await until(pilot, lambda: field.has_focus)
        asked: list[list[int]] = []
        screen = list_screen(app)
        original = screen._load_rows

        def load_rows(page: int, ids: list[int], generation: int) -> Any:
            asked.append(ids)
            return original(page, ids, generation)

        screen._load_rows = load_rows  # type: ignore[method-assign]
        # A slow database: frames are drawn while each search reads.
        crm = app.crm
        read_top = crm.list_top

        def slow_top(*args: Any) -> Any:
            time.sleep(0.15)
            return read_top(*args)

        crm.list_top = slow_top  # type: ignore[method-assign]
        shown = ""
        for text in typed:
            if len(text) > len(shown):
                await pilot.press(text[-1])
            else:
                await pilot.press("backspace")
            shown = text
            await until(pilot, lambda text=text: list(the_table.ids) == expected[text])
            await settled(pilot)
            assert shown_rows_loaded(app)
            top = the_table.ids[: the_table.size.height]
            assert [the_table.rows[deal_id]["id"] for deal_id in top] == list(top)
            assert status(app).startswith(f"{counts[text]} deals · "), text
        # Every row drawn during the searches came with its order: no page of an order
        # that was being replaced was read.
        assert asked == []
        assert isinstance(app.screen, ListScreen)
