"""Snapshots of the main screens (SVG text compared with tests/ui/__snapshots__/).

Everything on screen is fixed: the clock is frozen, the demo data is seeded, cursors do not
blink, and each screenshot is taken only once its data has loaded. After a deliberate change
of a screen, look at the new picture and update with ``--snapshot-update``.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from dealterm.core.services import history
from dealterm.screens.activity_form import NextActivityModal
from dealterm.screens.help import HelpScreen
from dealterm.screens.lost_reason import LostReasonModal
from dealterm.screens.new_deal import NewDealModal
from tests.ui.conftest import SIZE, board_ready
from tests.ui.helpers import open_card, select_deal, settle, until, wait_for_screen

# The deal whose card is pictured: open, three product rows, a planned and a done call.
CARD_DEAL = 22


async def steady(pilot: Any) -> None:
    """Stop cursors blinking (a blink would make the picture depend on timing), repaint."""
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False
    await pilot.pause()


def test_board(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await settle(pilot)
        await steady(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def card_snapshot(snap_compare, make_app, demo_db, db_of, key: str) -> bool:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    with db.session() as session:  # a comment, so the timeline has more than one entry
        history.add_comment(session, CARD_DEAL, "Wants the beams delivered in two lots")

    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await open_card(pilot, CARD_DEAL)
        if key != "f2":
            await pilot.press(key)
        await settle(pilot)
        await steady(pilot)

    return bool(snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before))


def test_card_about(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert card_snapshot(snap_compare, make_app, demo_db, db_of, "f2")


def test_card_client(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert card_snapshot(snap_compare, make_app, demo_db, db_of, "f3")


def test_card_products(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert card_snapshot(snap_compare, make_app, demo_db, db_of, "f4")


def test_card_activities(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert card_snapshot(snap_compare, make_app, demo_db, db_of, "f5")


def test_card_history(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    assert card_snapshot(snap_compare, make_app, demo_db, db_of, "f6")


def test_new_deal_form(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await settle(pilot)
        await pilot.press("n")
        modal = await wait_for_screen(pilot, NewDealModal)
        await until(pilot, lambda: modal.query_one("#title", Input).has_focus)
        await steady(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_next_activity_prompt(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await open_card(pilot, 60)
        await pilot.press("escape")
        await wait_for_screen(pilot, NextActivityModal)
        await steady(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_lost_reason_modal(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await settle(pilot)
        select_deal(pilot.app, 29)
        await pilot.press("x")
        await wait_for_screen(pilot, LostReasonModal)
        await steady(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Any) -> None:
        await board_ready(pilot)
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        await steady(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)
