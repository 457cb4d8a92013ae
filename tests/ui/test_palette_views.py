"""The command palette offers the actions of the screen in sight, with their keys and ids.

In the list: its own actions (sort, columns, select, bulk actions one by one, the filter
form, the search), none of the board's ("New deal" in a column), and "Filter deals…" is the
form (`f`), not the search (`/`). "Clear the filter" is offered while a filter is in force.
"""

from __future__ import annotations

from typing import Any

from textual.command import CommandList, CommandPalette

from dealterm.screens.board import BoardScreen
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.filter_form import FilterModal
from dealterm.widgets.deal_table import DealTable
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, until, wait_for_screen


def offered(palette: Any) -> dict[str, str]:
    """Each offered command's title and its help line."""
    options = palette.query_one(CommandList)
    found: dict[str, str] = {}
    for index in range(options.option_count):
        lines = str(options.get_option_at_index(index).prompt).splitlines()
        found[lines[0]] = lines[1] if len(lines) > 1 else ""
    return found


async def open_palette(pilot: Any, query: str = "") -> Any:
    await pilot.press("ctrl+p")
    palette = await wait_for_screen(pilot, CommandPalette)
    if query:
        await pilot.press(*query)
    await until(pilot, lambda: palette.query_one(CommandList).option_count > 0, timeout=3)
    await pilot.pause(0.2)
    return palette


async def to_the_list(pilot: Any) -> ListScreen:
    await board_ready(pilot)
    await pilot.press("2")
    screen = await wait_for_screen(pilot, ListScreen)
    await until(pilot, lambda: screen.totals is not None)
    return screen


async def test_the_list_palette_offers_the_list_actions_by_name_and_key(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await to_the_list(pilot)
        commands = offered(await open_palette(pilot))
        for title, help_line in {
            "Order by the column under the cursor (again: reverse)": "o · list.sort",
            "Choose the columns…": "c · list.columns",
            "Bulk action on the selection…": "b · list.bulk",
            "Select the deal (or unselect it)": "space · list.toggle",
            "Select every deal the filter matches": "^a · list.select_all",
            "Filter deals…": "f · list.filter",
            "Search deals (as you type)": "/ · list.search",
            "New deal": "n · list.new_deal",
            "Open the deal card": "⏎ · list.open",
        }.items():
            assert commands.get(title) == help_line, (title, commands.get(title))
        for action in ("Move to stage…", "Mark won", "Mark lost…", "Delete…"):
            assert f"Bulk: {action}" in commands
        shown = "\n".join(f"{title}\n{line}" for title, line in commands.items())
        assert "selected column" not in shown and "board." not in shown
        assert "Mark the deal won" not in commands  # the board's, not the list's
        assert "Clear the filter" not in commands  # no filter in force
        assert "Switch view: Board" in commands and "Switch view: List" not in commands


async def test_filter_deals_is_the_form_and_bulk_won_asks_first(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await to_the_list(pilot)
        palette = await open_palette(pilot, "Filter deals")
        await until(pilot, lambda: next(iter(offered(palette)), None) == "Filter deals…")
        await pilot.press("enter")
        await wait_for_screen(pilot, FilterModal)
        await pilot.press("escape")
        await wait_for_screen(pilot, ListScreen)
        await until(pilot, lambda: isinstance(app.focused, DealTable))

        palette = await open_palette(pilot, "Bulk: Mark won")
        await until(pilot, lambda: next(iter(offered(palette)), None) == "Bulk: Mark won")
        await pilot.press("enter")
        confirm = await wait_for_screen(pilot, ConfirmModal)
        assert "Mark 1 deal as won?" in str(confirm.query_one("Label").render())
        await pilot.press("n")
        await wait_for_screen(pilot, ListScreen)


async def test_clear_the_filter_is_offered_while_one_is_in_force(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await to_the_list(pilot)
        await pilot.press("slash", *"steel", "enter")
        await until(pilot, lambda: app.deal_filter is not None and screen.totals.count < 60)
        palette = await open_palette(pilot, "Clear the filter")
        await until(pilot, lambda: next(iter(offered(palette)), None) == "Clear the filter")
        assert offered(palette)["Clear the filter"].startswith("^l · app.clear_filter")
        await pilot.press("enter")
        await until(pilot, lambda: app.deal_filter is None and screen.totals.count == 60)


async def test_the_board_palette_offers_the_board_actions_only(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        assert isinstance(app.screen, BoardScreen)
        commands = offered(await open_palette(pilot))
        assert commands["New deal"] == "n · board.new_deal"
        assert commands["Mark the deal won"] == "w · board.won"
        assert commands["Next stage"] == "shift+→ · board.move_next"
        assert commands["Filter deals…"] == "f · board.filter_form"
        assert commands["Search deals (as you type)"] == "/ · board.filter"
        shown = "\n".join(f"{title}\n{line}" for title, line in commands.items())
        assert "list." not in shown and "Bulk:" not in shown
