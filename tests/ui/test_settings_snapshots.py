"""Snapshots of the settings screen and of a deal card with custom fields (SVG text compared
with tests/ui/__snapshots__/test_settings_snapshots/).

The clock is frozen, the demo data is seeded, cursors do not blink, and each picture is taken
once its data has loaded. After a deliberate change of a screen, look at the new picture and
update with ``--snapshot-update``.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input

from dealterm.core.services import deals
from dealterm.core.setup import Setup
from dealterm.screens.form import FormModal
from dealterm.widgets.card_about import AboutForm
from tests.ui.conftest import SIZE, board_ready
from tests.ui.helpers import busy, open_card, screen_text, settle, until, wait_for_screen
from tests.ui.test_settings import choose_section, define_fields, highlight, open_settings

# The deal whose card is pictured (as in test_snapshots.py).
CARD_DEAL = 22


async def steady(pilot: Any) -> None:
    """Stop cursors blinking, let tables size their columns, repaint.

    A table measures its columns when it is next idle, after its rows arrive; on a busy
    machine a picture taken before that shows every column as narrow as its heading.
    """
    app = pilot.app
    for screen in app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False

    def measured() -> bool:
        tables = [t for screen in app.screen_stack for t in screen.query(DataTable)]
        return not any(t._require_update_dimensions or t._new_rows for t in tables)

    await until(pilot, measured)
    await pilot.pause()


def arrange_card(db: Any) -> None:
    """Custom fields in a "Contract" section, Budget kept out of sight, values on the deal."""
    define_fields(db)
    setup = Setup(db)
    setup.add_section("Contract")
    contract = setup.layout()[-1]
    setup.place_field("UF_CRM_CONTRACT_NUMBER", contract.id)
    setup.place_field("UF_CRM_BUDGET", contract.id)
    setup.set_visibility("UF_CRM_BUDGET", "hidden")
    with db.session() as session:
        deals.update_deal(
            session,
            CARD_DEAL,
            deals.DealUpdate(
                custom_fields={
                    "UF_CRM_SEGMENT": "Wholesale",
                    "UF_CRM_CONTRACT_NUMBER": "C-2026-17",
                    "UF_CRM_BUDGET": "15000 EUR",
                }
            ),
            expected_version=None,
        )


def settings_snapshot(snap_compare, make_app, demo_db, section: str | None) -> bool:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await open_settings(pilot)
        if section is None:
            await pilot.press("right")  # into the pipelines table: its keys in the footer
            # The stages table sizes its columns to the rows when it is next idle: wait for
            # the widest name to be drawn whole (under load one pause was not always enough).
            await until(pilot, lambda: "Failure reason analysis" in screen_text(pilot.app))
        else:
            await choose_section(pilot, section)
        await settle(pilot)
        await steady(pilot)

    return bool(snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before))


def test_settings_pipelines_and_stages(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    assert settings_snapshot(snap_compare, make_app, demo_db, None)


def test_settings_custom_fields(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    define_fields(db_of(demo_db))
    assert settings_snapshot(snap_compare, make_app, demo_db, "Custom fields")


def test_settings_card_layout(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    arrange_card(db_of(demo_db))
    assert settings_snapshot(snap_compare, make_app, demo_db, "Deal card layout")


def test_settings_stage_dialog_with_an_error(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await open_settings(pilot)
        await pilot.press("right", "right")
        highlight(pilot.app, "#stages-table", 1, "Document preparation")
        await pilot.press("enter")
        modal = await wait_for_screen(pilot, FormModal)
        modal.query_one("#f-probability", Input).value = "150"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not busy(pilot.app, ["form-save"]))
        await until(pilot, lambda: bool(str(modal.query_one("#e-probability").render())))
        await steady(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def card_snapshot(snap_compare, make_app, demo_db, db_of, *, more: bool) -> bool:  # type: ignore[no-untyped-def]
    arrange_card(db_of(demo_db))

    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        card = await open_card(pilot, CARD_DEAL)
        if more:
            await pilot.press("ctrl+o")
        # the custom fields are in the last sections, below the built-in ones
        card.query_one(AboutForm).scroll_end(animate=False, immediate=True)
        await settle(pilot)
        await steady(pilot)

    return bool(snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before))


def test_card_with_custom_fields(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert card_snapshot(snap_compare, make_app, demo_db, db_of, more=False)


def test_card_with_every_field_after_ctrl_o(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert card_snapshot(snap_compare, make_app, demo_db, db_of, more=True)
