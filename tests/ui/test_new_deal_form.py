"""The new deal form (`n` on the board): everything in it shows and is reached by keyboard
at 160x45 and 80x24, and escape asks before throwing away what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, TextArea

from dealterm.screens.board import BoardScreen
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.new_deal import NewDealModal
from dealterm.screens.product_row import ProductRowModal
from tests.ui.conftest import SIZE, board_ready
from tests.ui.helpers import FAST, event_count, screen_text, settle, until, wait_for_screen


async def open_form(pilot: Any) -> NewDealModal:
    await board_ready(pilot)
    await settle(pilot)
    await pilot.press("n")
    modal: NewDealModal = await wait_for_screen(pilot, NewDealModal)
    return modal


async def add_product(pilot: Any, modal: NewDealModal) -> None:
    """ctrl+o, a row of 4 x 25.00, saved."""
    await pilot.press("ctrl+o")
    row = await wait_for_screen(pilot, ProductRowModal)
    row.query_one("#row-name", Input).value = "Bolts"
    row.query_one("#row-price", Input).value = "25"
    row.query_one("#row-quantity", Input).value = "4"
    await pilot.press("ctrl+s")
    await wait_for_screen(pilot, NewDealModal)
    await until(pilot, lambda: len(modal.query("#products ListItem")) == 1)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["160x45", "80x24"])
async def test_the_comment_and_the_products_show_at_any_size(make_app, demo_db, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        modal = await open_form(pilot)
        await add_product(pilot, modal)
        assert "Bolts: $25.00 x 4" in screen_text(app)

        comment = modal.query_one("#comment", TextArea)
        for _ in range(20):  # tab along the form to the comment box
            if comment.has_focus:
                break
            await pilot.press("tab")
        assert comment.has_focus
        await pilot.press(*"call Monday")
        await pilot.pause()
        width, height = size
        assert comment.region.height >= 5 and comment.region.bottom <= height
        assert comment.region.right <= width
        assert "call Monday" in screen_text(app)
        assert "Create (ctrl+s)" in screen_text(app)


@pytest.mark.parametrize("what", ["title", "comment", "product"])
async def test_escape_asks_before_discarding_what_was_typed(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of, what: str
) -> None:
    db = db_of(demo_db)
    written = event_count(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        modal = await open_form(pilot)
        await pilot.press("escape")  # nothing typed: closes at once
        await wait_for_screen(pilot, BoardScreen)

        await pilot.press("n")
        modal = await wait_for_screen(pilot, NewDealModal)
        if what == "title":
            await pilot.press(*"Server room")
        elif what == "comment":
            modal.query_one("#comment", TextArea).focus()
            await pilot.press(*"later")
        else:
            await add_product(pilot, modal)
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmModal)
        assert "Discard this new deal?" in screen_text(app)
        await pilot.press("n")  # keep editing: everything is still there
        await wait_for_screen(pilot, NewDealModal)
        assert app.screen is modal
        if what == "title":
            assert modal.query_one("#title", Input).value == "Server room"
        elif what == "comment":
            assert modal.query_one("#comment", TextArea).text == "later"
        else:
            assert len(modal.products) == 1

        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await wait_for_screen(pilot, BoardScreen)
        await settle(pilot)
    assert event_count(db) == written  # no deal was created
