"""Bulk "Move to stage…" from the list (all pipelines): the stages offered are those of the
pipeline the selected deals are in; a selection spanning pipelines is refused before any
stage is asked for, with the count per pipeline.

The seeded demo has pipelines "Sales" (1, the board's) and "Projects" (2).
"""

from __future__ import annotations

from typing import Any

from textual.notifications import Notify

from dealterm.core.crm import Crm
from dealterm.core.filters import DealFilter, Status
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.lost_reason import LostReasonModal
from dealterm.screens.picker import PickerModal
from tests.ui.conftest import until
from tests.ui.helpers import read_deal
from tests.ui.test_list_view import (
    SIZE,
    ids_of,
    open_list,
    pick,
    stage_of,
    starting_in_list,
    status,
    table,
    top_screen,
)

SALES, PROJECTS = 1, 2


async def select_rows(pilot: Any, rows: list[int]) -> None:
    """Tick the list rows ``rows`` with the keyboard (space ticks and moves down)."""
    the_table = table(pilot.app)
    await pilot.press("home")
    for row in sorted(rows):
        await pilot.press(*["down"] * (row - the_table.cursor))
        assert the_table.cursor == row
        await pilot.press("space")


def collect_notes(notes: list[str]) -> Any:
    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            notes.append(message.notification.message)

    return hook


async def test_deals_of_two_pipelines_are_refused_with_the_count_of_each(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    order = ids_of(db)
    sales = ids_of(db, DealFilter(pipeline=SALES))[:3]
    projects = ids_of(db, DealFilter(pipeline=PROJECTS))[:1]
    chosen = sales + projects
    before = stage_of(db, chosen)
    notes: list[str] = []
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE, message_hook=collect_notes(notes)) as pilot:
        await open_list(pilot)
        await select_rows(pilot, [order.index(deal_id) for deal_id in chosen])
        assert table(app).selected == set(chosen)
        await pilot.press("b")
        await pick(pilot, "Move to stage…")
        await until(pilot, lambda: bool(notes))
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        assert notes[-1] == (
            "The selected deals are in 2 pipelines (Sales 3, Projects 1): select the deals "
            "of one pipeline to move them to a stage"
        )
        assert not any(isinstance(s, PickerModal) for s in app.screen_stack)  # no stage asked
        assert table(app).selected == set(chosen)  # kept, to narrow and try again
        assert "4 selected" in status(app)
    assert stage_of(db, chosen) == before


async def test_deals_of_another_pipeline_than_the_boards_move_to_its_stages(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    order = ids_of(db)
    chosen = ids_of(db, DealFilter(pipeline=PROJECTS))[:2]
    stages = Crm(db).stages(PROJECTS)
    target = next(s for s in stages if s.id not in stage_of(db, chosen).values())
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot)
        assert app.pipeline is not None and app.pipeline.id == SALES
        await select_rows(pilot, [order.index(deal_id) for deal_id in chosen])
        await pilot.press("b")
        await pick(pilot, "Move to stage…")
        picker = await top_screen(pilot, PickerModal)
        assert picker.title_text == "Move 2 deals to a stage of Projects"
        await pick(pilot, target.name)
        await until(pilot, lambda: set(stage_of(db, chosen).values()) == {target.id})
        await until(pilot, lambda: isinstance(app.screen, ListScreen) and not table(app).selected)


async def test_a_bulk_move_into_a_failure_stage_asks_why_as_one_deals_move_does(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    """Moving open deals to "Deal failed" closes them as lost: the reason is asked for and
    written on each; cancelling the question leaves them as they were."""
    db = db_of(demo_db)
    order = ids_of(db)
    chosen = ids_of(db, DealFilter(pipeline=SALES, status=Status.OPEN))[:2]
    failed = next(s for s in Crm(db).stages(SALES) if s.semantics == "failure")
    before = stage_of(db, chosen)
    notes: list[str] = []
    app = starting_in_list(make_app(demo_db))
    async with app.run_test(size=SIZE, message_hook=collect_notes(notes)) as pilot:
        await open_list(pilot)
        await select_rows(pilot, [order.index(deal_id) for deal_id in chosen])
        await pilot.press("b")
        await pick(pilot, "Move to stage…")
        await pick(pilot, failed.name)
        asked = await top_screen(pilot, LostReasonModal)
        assert asked.heading == f"Move 2 deals to {failed.name}"
        await pilot.press("escape")  # cancelled: nothing moves
        await until(pilot, lambda: isinstance(app.screen, ListScreen))
        assert stage_of(db, chosen) == before
        assert table(app).selected == set(chosen)

        await pilot.press("b")
        await pick(pilot, "Move to stage…")
        await pick(pilot, failed.name)
        await top_screen(pilot, LostReasonModal)
        await pilot.press("tab", *"Went with a cheaper offer", "enter")
        await until(pilot, lambda: set(stage_of(db, chosen).values()) == {failed.id})
        await until(pilot, lambda: bool(notes))
    for deal_id in chosen:
        deal = read_deal(db, deal_id)
        assert deal.closed and deal.lost_reason == "Went with a cheaper offer"
    assert notes[-1] == "2 of 2 deals changed"
