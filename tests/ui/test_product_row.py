"""The product row form: the amount limit, the layout at 80x24 and 160x45, numbers shown.

Deals of the seeded demo used here: #22 (amount follows its three product rows), #39
(manual amount).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, Select

from dealterm.core.services.products import ProductRowInput
from dealterm.screens.deal_card import DealCardScreen
from dealterm.screens.product_row import ProductRowModal
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    label_text,
    open_card,
    read_deal,
    read_detail,
    screen_text,
    settle,
    until,
    wait_for_screen,
)

SMALL = (80, 24)


async def new_row(pilot: Any, deal_id: int) -> ProductRowModal:
    """Open the deal's card, its Products tab, and the form for a new row."""
    await open_card(pilot, deal_id)
    await pilot.press("f4")
    await settle(pilot)
    await pilot.press("n")
    return await wait_for_screen(pilot, ProductRowModal)  # type: ignore[no-any-return]


@pytest.mark.parametrize("deal_id", [22, 39], ids=["amount-follows-rows", "manual-amount"])
async def test_a_row_worth_more_than_a_deal_may_hold_is_refused_in_the_form(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of, deal_id: int
) -> None:
    db = db_of(demo_db)
    before = read_detail(db, deal_id)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await board_ready(pilot)
        row = await new_row(pilot, deal_id)
        typed = {"name": "Huge", "price": "99999999999999", "quantity": "99999999"}
        for field, value in typed.items():
            row.query_one(f"#row-{field}", Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert app.screen is row  # still open, with what was typed
        assert {f: row.query_one(f"#row-{f}", Input).value for f in typed} == typed
        assert label_text(row, "#row-total-error") == (
            "The row's total is too large: a deal's amount is at most 999,999,999,999,999.99"
        )
        assert "too large" in screen_text(app)
        assert not [n.message for n in app._notifications if n.severity == "error"]

        row.query_one("#row-quantity", Input).value = "2"  # a row that fits is saved
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, DealCardScreen)
        await settle(pilot)

    after = read_detail(db, deal_id)
    assert len(after.products) == len(before.products) + 1
    assert after.products[-1].total == Decimal("199999999999998.00")
    assert read_deal(db, deal_id).version == before.version + 1


async def test_the_form_counts_the_other_rows_against_the_limit(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        results: list[ProductRowInput | None] = []
        row = ProductRowModal(others=Decimal("999999999999000.00"))
        app.push_screen(row, results.append)
        await wait_for_screen(pilot, ProductRowModal)
        for field, value in {"name": "Extra", "price": "1000.01"}.items():
            row.query_one(f"#row-{field}", Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is row and not results
        assert label_text(row, "#row-total-error").startswith("The rows' total is too large")


async def test_every_field_shows_and_the_discount_type_is_chosen_by_keyboard_at_80x24(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of
) -> None:
    size = SMALL
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await board_ready(pilot)
        row = await new_row(pilot, 22)
        shown = screen_text(app)
        for text in ("Name", "Price per unit", "Quantity", "Discount", "Tax rate, %"):
            assert text in shown
        assert "included in the price" in shown and "Save (ctrl+s)" in shown
        width, height = size
        for selector in ("#row-name", "#row-tax", "#row-discount-type", "#save", "#cancel"):
            region = row.query_one(selector).region
            assert region.height and region.bottom <= height and region.right <= width, selector

        row.query_one("#row-name", Input).value = "Bolts"
        row.query_one("#row-price", Input).value = "10"
        row.query_one("#row-quantity", Input).value = "4"
        row.query_one("#row-discount", Input).value = "1"
        choice = row.query_one("#row-discount-type", Select)
        choice.focus()
        await pilot.press("enter")  # the list opens with both choices in sight
        await pilot.pause()
        overlay = choice.query_one("SelectOverlay")
        assert overlay.display and overlay.region.height >= 2
        assert overlay.region.bottom <= height
        lines = screen_text(app).splitlines()
        assert any("per unit" in line for line in lines[overlay.region.y : overlay.region.bottom])
        await pilot.press("down", "enter")
        await pilot.pause()
        assert choice.value == "amount"
        row.query_one("#row-tax-included", Checkbox).focus()
        await pilot.press("space")
        assert row.query_one("#row-tax-included", Checkbox).value
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, DealCardScreen)
        await settle(pilot)

    added = read_detail(db, 22).products[-1]
    assert (added.name, added.discount_type, added.discount_sum) == (
        "Bolts",
        "amount",
        Decimal("1.00"),
    )
    assert added.total == Decimal("36.00") and added.tax_included


async def test_a_price_is_shown_as_the_locale_writes_numbers(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        results: list[ProductRowInput | None] = []
        typed = ProductRowInput(name="Server", price=Decimal("1000.50"), quantity=Decimal("2.0000"))
        row = ProductRowModal(typed, currency="USD")
        app.push_screen(row, results.append)
        await wait_for_screen(pilot, ProductRowModal)
        assert row.query_one("#row-price", Input).value == "1,000.50"
        assert row.query_one("#row-quantity", Input).value == "2"
        assert label_text(row, "#row-total") == "Row total: $2,001.00 (tax $0.00)"
        await pilot.press("ctrl+s")  # saved unchanged: what is shown reads back the same
        await until(pilot, lambda: results)
    assert results and results[0] is not None
    assert (results[0].price, results[0].quantity) == (Decimal("1000.50"), Decimal("2"))
