"""`?` lists every key with its binding id; Textual's own keys, which have none, come
last and say "built in" in the id column."""

from __future__ import annotations

from textual.widgets import DataTable

from dealterm.screens.deal_list import ListScreen
from dealterm.screens.help import BUILT_IN, HelpScreen
from tests.ui.helpers import screen_text, wait_for_screen
from tests.ui.test_list_view import SIZE, open_list, starting_in_list


async def test_keys_without_an_id_are_marked_built_in_and_listed_last(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=(SIZE[0], 45)) as pilot:
        await open_list(pilot)
        await pilot.press("question_mark")
        help_screen = await wait_for_screen(pilot, HelpScreen)
        rows = help_screen.rows
        ids = [row[2] for row in rows]
        first_built_in = ids.index("")
        assert all(ids[:first_built_in]) and not any(ids[first_built_in:])  # ours, then Textual's
        assert "list.toggle" in ids and "app.help" in ids
        built_in = {description: key for key, description, binding_id in rows if not binding_id}
        assert built_in["Page Left"] == "^pgup" and built_in["Page Right"] == "^pgdn"
        assert built_in["Copy selected text"] == "^c / super+c"  # one row per action

        table = help_screen.query_one(DataTable)
        shown = [
            [str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)
        ]
        assert all(row[2] for row in shown)  # no key without something in the id column
        assert ["^pgup", "Page Left", BUILT_IN] in shown
        table.move_cursor(row=table.row_count - 1, animate=False)  # the last rows in sight
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert "Copy selected text" in text and BUILT_IN in text
        assert "built in: Textual's own keys" in text
        await pilot.press("escape")
        await wait_for_screen(pilot, ListScreen)
