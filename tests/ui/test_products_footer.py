"""The Products tab's footer: the rows' count, total and tax are what the rows give.

Deal #39 of the seeded demo has a manual amount and no product rows.
"""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from dealterm.screens.deal_card import DealCardScreen
from dealterm.screens.product_row import ProductRowModal
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, busy, label_text, open_card, settle, until, wait_for_screen


async def saved(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+s")
    await wait_for_screen(pilot, DealCardScreen)
    await until(pilot, lambda: not busy(pilot.app, ["card-write"]))
    await settle(pilot)


async def test_a_manual_amount_deal_shows_the_tax_of_its_rows(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        card = await open_card(pilot, 39)
        assert card.deal.manual_amount and not card.deal.products
        await pilot.press("f4")
        await settle(pilot)

        await pilot.press("n")
        row = await wait_for_screen(pilot, ProductRowModal)
        for field, value in {
            "name": "Widget",
            "price": "100",
            "quantity": "3",
            "discount": "10",
            "tax": "20",
        }.items():
            row.query_one(f"#row-{field}", Input).value = value
        await saved(pilot)
        footer = label_text(card, "#products-total")
        assert footer.startswith("1 row · total $324.00 · tax $54.00 · deal amount")

        await pilot.press("enter")  # the same row, its tax now included in the price
        row = await wait_for_screen(pilot, ProductRowModal)
        row.query_one("#row-tax-included", Checkbox).value = True
        await saved(pilot)
        footer = label_text(card, "#products-total")
        assert footer.startswith("1 row · total $270.00 · tax $45.00 · deal amount")
        assert "manual amount" in footer
