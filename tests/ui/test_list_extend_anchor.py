"""shift+↑/↓ in the list extends from where the extending began; escape (a cleared
selection) and every plain cursor move start the next range at the cursor row."""

from __future__ import annotations

from tests.ui.test_list_view import SIZE, ids_of, open_list, starting_in_list, status, table


async def test_after_escape_and_home_shift_down_selects_two(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    expected = ids_of(db_of(demo_db))
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        the_table = table(app)
        await pilot.press("space", "shift+down", "shift+down", "shift+down")
        assert the_table.selected == set(expected[:5])
        await pilot.press("escape", "home", "shift+down")
        assert the_table.selected == set(expected[:2])  # the cursor row and the next
        assert the_table.cursor == 1
        await pilot.pause()
        assert "2 selected" in status(app)

        # End, then shift+up: the last two, not everything from the old anchor down.
        await pilot.press("escape", "end", "shift+up")
        assert the_table.selected == set(expected[-2:])
        # A page move is a plain move too.
        await pilot.press("escape", "pageup", "shift+up")
        row = the_table.cursor
        assert the_table.selected == set(expected[row : row + 2])


async def test_a_plain_move_restarts_the_range_but_keeps_the_selection(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    expected = ids_of(db_of(demo_db))
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        the_table = table(app)
        await pilot.press("shift+down", "shift+down")  # rows 0..2
        assert the_table.selected == set(expected[:3])
        await pilot.press("down", "down", "down", "shift+down")  # rows 5..6 added
        assert the_table.selected == set(expected[:3]) | set(expected[5:7])
        await pilot.press("shift+up", "shift+up")  # back over the anchor: row 4 added too
        assert the_table.selected == set(expected[:3]) | set(expected[4:7])
        assert the_table.cursor == 4
        # ctrl+a then escape: the next range starts at the cursor as well.
        await pilot.press("ctrl+a", "escape", "shift+down")
        assert the_table.selected == set(expected[4:6])
