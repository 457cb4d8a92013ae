"""The board's status line counts in words that agree with the number."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static

from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.widgets.filter_bar import FilterBar
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, screen_text, until


def status(app: Any) -> str:
    return str(app.screen.query_one("#board-status", Static).render())


async def test_one_deal_matches_two_deals_match(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    with db.session() as session:
        create_deal(session, DealCreate(title="Quokka farm"))
        create_deal(session, DealCreate(title="Quokkas abroad"))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("slash")
        field = app.screen.query_one(FilterBar).query_one(Input)
        field.value = "quokka farm"
        await until(pilot, lambda: status(app).startswith("1 deal matches the filter"))
        assert "1 deal matches the filter" in screen_text(app)
        field.value = "quokka"
        await until(pilot, lambda: status(app).startswith("2 deals match the filter"))
