"""The deal card's Client tab: edits are saved with ctrl+s and never lost by leaving.

Deal #39 of the seeded demo has a planned call (leaving it asks nothing else).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TabbedContent

from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.deal_card import DealCardScreen
from dealterm.widgets.client_picker import ClientPicker
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    busy,
    open_card,
    read_detail,
    settle,
    until,
    wait_for_screen,
)


async def type_into(pilot: Any, picker_id: str, text: str) -> None:
    """Focus a client picker's input and type ``text`` as keys."""
    card = pilot.app.screen
    card.query_one(f"#{picker_id} Input", Input).focus()
    await pilot.press("ctrl+u", *text)
    await settle(pilot)


async def client_tab(pilot: Any) -> DealCardScreen:
    card = await open_card(pilot, 39)
    await pilot.press("f3")
    await until(pilot, lambda: card.query_one(TabbedContent).active == "client")
    return card


async def test_leaving_with_client_edits_asks_first_and_discarding_saves_nothing(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    before = read_detail(db, 39)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await client_tab(pilot)
        await type_into(pilot, "card-company", "Brand New Holdings")
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("n")  # stay: the typed name is still there
        await until(pilot, lambda: app.screen is card)
        assert card.query_one("#card-company", ClientPicker).value == "Brand New Holdings"
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")  # discard
        await until(pilot, lambda: not isinstance(app.screen, DealCardScreen))
    after = read_detail(db, 39)
    assert (after.company, after.contacts, after.version) == (
        before.company,
        before.contacts,
        before.version,
    )


async def test_a_contact_typed_but_not_added_counts_as_an_edit(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await client_tab(pilot)
        await type_into(pilot, "card-contact", "Nina Ivanova")
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmModal)


async def test_client_edits_are_saved_with_ctrl_s(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await client_tab(pilot)
        await type_into(pilot, "card-company", "Brand New Holdings")
        await type_into(pilot, "card-contact", "Nina Ivanova")
        card.query_one("#add-contact").press()
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: read_detail(db, 39).company == "Brand New Holdings")
        await until(pilot, lambda: not busy(app, ["card-write"]))
        await settle(pilot)
        await pilot.press("escape")  # saved: nothing to ask
        await until(pilot, lambda: not isinstance(app.screen, DealCardScreen))
    assert "Nina Ivanova" in [c.name for c in read_detail(db, 39).contacts]


async def test_a_company_typed_as_a_number_is_not_taken_for_an_id(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    """The core reads "3" as company #3: a name typed as digits must not link another
    company than the one the form says it will create."""
    db = db_of(demo_db)
    before = read_detail(db, 39)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await board_ready(pilot)
        await client_tab(pilot)
        await type_into(pilot, "card-company", "3")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not busy(app, ["card-write"]))
        await settle(pilot)
        assert any("only digits" in n.message for n in app._notifications)
    after = read_detail(db, 39)
    assert (after.company_id, after.version) == (before.company_id, before.version)


async def test_ctrl_page_keys_switch_sections_from_every_tab(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 39)
        tabs = card.query_one(TabbedContent)
        for key, start, end in (
            ("ctrl+pagedown", "f4", "activities"),  # from Products
            ("ctrl+pageup", "f6", "activities"),  # from History
            ("ctrl+pagedown", "f6", "about"),  # round the end
        ):
            await pilot.press(start)
            await settle(pilot)
            await pilot.press(key)
            await until(pilot, lambda end=end: tabs.active == end)


async def test_a_new_product_row_is_weighed_with_the_deals_other_rows(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    """Deal #22's three rows and a new one worth the whole limit: the form says so and
    stays open, instead of closing and losing the row to an error from the save."""
    from dealterm.screens.product_row import ProductRowModal

    db = db_of(demo_db)
    before = read_detail(db, 22)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await board_ready(pilot)
        await open_card(pilot, 22)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("n")
        row = await wait_for_screen(pilot, ProductRowModal)
        row.query_one("#row-name", Input).value = "Everything"
        row.query_one("#row-price", Input).value = "999999999999999"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is row
        assert "too large" in str(row.query_one("#row-total-error").render())
    assert len(read_detail(db, 22).products) == len(before.products)
