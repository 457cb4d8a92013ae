"""The scenarios and suggestions screens, driven with Pilot on a real database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.services import clients
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.screens.scenarios import ScenarioPreviewScreen, ScenariosScreen
from dealterm.screens.suggestions import SuggestionsScreen
from tests.ui.conftest import SIZE
from tests.ui.helpers import settle, until, wait_for_screen

TODAY = date(2026, 3, 10)


def _fill(db: Database) -> None:
    with db.session() as session:
        clients.create_contact(session, name="Ann Lee", birthday=date(1980, 3, 12))
        for days_ago in (100, 60):
            close = TODAY - timedelta(days=days_ago)
            create_deal(
                session,
                DealCreate(
                    title="Boiler",
                    company="Acme",
                    stage="WON",
                    amount="500",
                    begin_date=close - timedelta(days=2),
                    close_date=close,
                ),
            )


async def test_suggestions_accept_and_dismiss(make_app: Any, empty_db: Path, db_of: Any) -> None:
    db = db_of(empty_db)
    _fill(db)
    app = make_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.crm is not None)
        await settle(pilot)
        app.push_screen(SuggestionsScreen())
        screen = await wait_for_screen(pilot, SuggestionsScreen)
        await until(pilot, lambda: screen.found)
        assert "Past purchases" in str(screen.query_one("#evidence").render())
        await pilot.press("enter")
        await until(pilot, lambda: not screen.found)
        await settle(pilot)
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT source_code, is_repeat FROM deals WHERE id = 3")).one()
    assert tuple(row) == ("REPEAT_SALE", True)


async def test_scenarios_add_preview_and_run(make_app: Any, empty_db: Path, db_of: Any) -> None:
    db = db_of(empty_db)
    _fill(db)
    app = make_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.crm is not None)
        await settle(pilot)
        app.push_screen(ScenariosScreen())
        screen = await wait_for_screen(pilot, ScenariosScreen)
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-name").value = "Birthdays"
        form.query_one("#f-segment").value = "birthday"
        form.query_one("#f-title").value = "Hi {nobody}"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "placeholder" in str(form.query_one("#e-title").render()))
        form.query_one("#f-title").value = "Birthday offer for {client}"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen and screen.found)
        await pilot.press("enter")
        preview = await wait_for_screen(pilot, ScenarioPreviewScreen)
        assert preview.preview.count == 1
        await pilot.press("escape")
        await pilot.press("r")
        await until(pilot, lambda: app.screen is not screen)
        await pilot.click("#yes") if app.screen.query("#yes") else await pilot.press("enter")
        await until(pilot, lambda: screen.found and screen.found[0].last_run_count == 1)
    with db.engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM deals WHERE source_code = 'RC_GENERATOR'")
            ).scalar()
            == 1
        )
