"""Every view's search box shows the words of the one shared filter.

Words typed in one view's box, in the filter form's "Words", or cleared anywhere are what
every other view's box shows when it comes back into sight or opens; `esc` in any box
clears the words in force, wherever they were typed. The seeded demo has 60 deals.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from dealterm.screens.board import BoardScreen
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.filter_form import FilterModal
from dealterm.widgets.deal_table import DealTable
from dealterm.widgets.filter_bar import FilterBar
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, until, wait_for_screen

ALL = 60


def bar(screen: Any) -> FilterBar:
    return screen.query_one(FilterBar)


def words(app: Any) -> str | None:
    return app.deal_filter.search if app.deal_filter is not None else None


def list_of(app: Any) -> ListScreen:
    return next(s for s in app._screen_stacks["list"] if isinstance(s, ListScreen))


async def search_in_the_list(pilot: Any, text: str) -> ListScreen:
    """From the board: `2`, then `/ text enter` (the box stays open, the table has the keys)."""
    app = pilot.app
    await pilot.press("2")
    screen = await wait_for_screen(pilot, ListScreen)
    await until(pilot, lambda: screen.totals is not None and screen.totals.count == ALL)
    await pilot.press("slash", *text, "enter")
    await until(pilot, lambda: words(app) == text and isinstance(app.focused, DealTable))
    await until(pilot, lambda: screen.totals is not None and screen.totals.count < ALL)
    return screen


async def test_words_cleared_on_the_board_are_gone_from_the_list_box(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        deals = await search_in_the_list(pilot, "steel")
        await pilot.press("escape", "1")
        board = await wait_for_screen(pilot, BoardScreen)
        # The board's box, never typed into, shows the words in force.
        await until(pilot, lambda: bar(board).text == "steel" and bar(board).has_class("-open"))

        await pilot.press("slash")
        field = bar(board).query_one(Input)
        await until(pilot, lambda: app.focused is field)
        assert field.value == "steel"
        await pilot.press("x")  # the words are selected as the box opens: "x" replaces them
        await until(pilot, lambda: words(app) == "x")
        await pilot.press("backspace", "escape")
        await until(pilot, lambda: app.deal_filter is None and not bar(board).has_class("-open"))

        await pilot.press("2")
        await wait_for_screen(pilot, ListScreen)
        await until(pilot, lambda: deals.totals is not None and deals.totals.count == ALL)
        assert bar(deals).text == "" and not bar(deals).has_class("-open")


async def test_escape_clears_words_typed_in_another_view(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await search_in_the_list(pilot, "northwind")
        await pilot.press("1")
        board = await wait_for_screen(pilot, BoardScreen)
        await pilot.press("slash")
        field = bar(board).query_one(Input)
        await until(pilot, lambda: app.focused is field)
        assert field.value == "northwind"
        await pilot.press("escape")
        await until(pilot, lambda: app.deal_filter is None)
        assert field.value == "" and not bar(board).has_class("-open")


async def test_words_from_the_filter_form_show_in_the_open_box(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        deals = await search_in_the_list(pilot, "steel")
        await pilot.press("f")
        form = await wait_for_screen(pilot, FilterModal)
        assert form.query_one("#f-search", Input).value == "steel"
        form.query_one("#f-search", Input).value = "northwind"
        await pilot.press("enter")  # enter in "Words" applies the form
        await wait_for_screen(pilot, ListScreen)
        await until(pilot, lambda: words(app) == "northwind")
        await until(pilot, lambda: bar(deals).text == "northwind")
        assert bar(deals).has_class("-open")
        # The list's own box goes on from there: one more letter searches "northwinds".
        await pilot.press("slash", "end", "s")
        await until(pilot, lambda: words(app) == "northwinds")


async def test_ctrl_l_clears_the_whole_filter_and_every_box(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        deals = await search_in_the_list(pilot, "steel")
        await pilot.press("ctrl+l")
        await until(pilot, lambda: app.deal_filter is None)
        await until(pilot, lambda: deals.totals is not None and deals.totals.count == ALL)
        assert bar(deals).text == "" and not bar(deals).has_class("-open")
        assert "filter" not in app.sub_title
        await pilot.press("1")
        board = await wait_for_screen(pilot, BoardScreen)
        await pilot.pause()
        assert bar(board).text == "" and not bar(board).has_class("-open")
