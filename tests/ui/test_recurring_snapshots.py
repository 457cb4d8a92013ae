"""Snapshots of the recurring deals screen and its edit form (SVG text compared with
tests/ui/__snapshots__/test_recurring_snapshots/).

The clock is frozen and both templates start after "today", so the start-up run creates
nothing and no notification covers the picture. After a deliberate change of the screen,
look at the new picture and update with ``--snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from dealterm.core.crm import Crm
from dealterm.core.db import Database
from dealterm.core.services.products import ProductRowInput
from dealterm.core.services.recurring import TemplateInput
from dealterm.screens.form import FormModal
from dealterm.screens.recurring import RecurringScreen
from tests.ui.conftest import SIZE
from tests.ui.helpers import busy, settle, until, wait_for_screen
from tests.ui.test_settings_snapshots import steady


def two_templates(db: Database) -> None:
    """A monthly one with a client, contacts and product rows; a weekly one paused."""
    crm = Crm(db)
    crm.add_recurring(
        TemplateInput(
            title="Office supplies",
            company="Acme Ltd",
            contacts=["John Smith", "Mary Jones"],
            products=[
                ProductRowInput(name="Paper", price="5", quantity="10"),
                ProductRowInput(name="Toner", price="42.50"),
            ],
            start="2026-03-31",
            limit_kind="times",
            limit_times=6,
        )
    )
    weekly = crm.add_recurring(
        TemplateInput(
            title="Site check", amount="1200", company="Beta LLC", unit="week", step=2,
            start="2026-03-16",
        )
    )  # fmt: skip
    crm.pause_recurring(weekly.id)


def recurring_snapshot(snap_compare, make_app, empty_db: Path, db_of, *, edit: bool) -> bool:  # type: ignore[no-untyped-def]
    two_templates(db_of(empty_db))

    async def run_before(pilot: Any) -> None:
        await until(pilot, lambda: pilot.app.crm is not None)  # the start-up run is over
        await settle(pilot)
        await until(pilot, lambda: pilot.app.crm is not None)
        pilot.app.action_open_screen("recurring")
        screen = await wait_for_screen(pilot, RecurringScreen)
        await until(pilot, lambda: len(screen.templates) == 2)
        await settle(pilot)
        # the columns are measured when the table is next idle: wait for the widest cell
        table = screen.query_one(DataTable)
        longest = max(len(t.schedule) for t in screen.templates)
        await until(pilot, lambda: max(c.content_width for c in table.columns.values()) >= longest)
        if edit:
            await pilot.press("enter")
            await wait_for_screen(pilot, FormModal)
            # the edit worker waits on the form until it closes: wait for the others only
            await until(pilot, lambda: all(w.group == "recurring-write" for w in busy(pilot.app)))
        await steady(pilot)

    return bool(snap_compare(make_app(empty_db), terminal_size=SIZE, run_before=run_before))


def test_recurring_screen_with_two_templates(snap_compare, make_app, empty_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert recurring_snapshot(snap_compare, make_app, empty_db, db_of, edit=False)


def test_recurring_edit_form(snap_compare, make_app, empty_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert recurring_snapshot(snap_compare, make_app, empty_db, db_of, edit=True)
