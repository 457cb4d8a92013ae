"""The kanban board, driven with the keyboard: what the screen shows and what the database keeps.

Deals of the seeded demo used here (pipeline "Sales"): #39 and #34 in New, #29 in Document
preparation, #58, #52 and #24 in In progress, #56 in Deal successful.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from textual.widgets import Input, OptionList, Select

from dealterm.core.queries import DealFilter, count_deals, list_deals
from dealterm.core.services import flow
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.screens.board import BoardScreen
from dealterm.screens.confirm import ConfirmModal
from dealterm.screens.help import HelpScreen
from dealterm.screens.lost_reason import LostReasonModal
from dealterm.screens.new_deal import NewDealModal
from dealterm.screens.picker import PickerModal
from dealterm.widgets.board import Board
from dealterm.widgets.card_view import CARD_HEIGHT
from dealterm.widgets.filter_bar import FilterBar
from dealterm.widgets.stage_column import LINES_KEPT
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    FINAL_INVOICE,
    IN_PROGRESS,
    LOST,
    NEW,
    PREPARATION,
    SALES_STAGES,
    STAGE_NAMES,
    WON,
    back_on_board,
    board,
    column_ids,
    counts,
    event_count,
    events,
    header_text,
    read_deal,
    screen_text,
    select_deal,
    settle,
    until,
    wait_for_screen,
)


def assert_selected(app, deal_id: int, stage_id: int) -> None:  # type: ignore[no-untyped-def]
    """The cursor is on this deal, in this stage's column."""
    the_board = board(app)
    assert the_board.active_lane is not None
    assert the_board.active_lane.summary.stage.id == stage_id
    current = the_board.current_card
    assert current is not None and current.card.id == deal_id


def assert_headers(app, expected: dict[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The column headers show exactly these counts."""
    assert counts(app) == expected
    for stage_id, count in expected.items():
        assert header_text(app, stage_id).splitlines()[1].startswith(f"{count} · ")


def shifted(before: dict[int, int], source: int, target: int) -> dict[int, int]:
    after = dict(before)
    after[source] -= 1
    after[target] += 1
    return after


async def move_and_check(pilot, db, key: str, deal_id: int, source: int, target: int) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    before = counts(app)
    await pilot.press(key)
    await until(pilot, lambda: read_deal(db, deal_id).stage_id == target)
    await settle(pilot)
    assert_selected(app, deal_id, target)
    assert deal_id in column_ids(app, target)
    assert deal_id not in column_ids(app, source)
    assert_headers(app, shifted(before, source, target))
    moved = events(db, deal_id, "stage_changed")[0]
    assert (moved.old_value, moved.new_value) == (STAGE_NAMES[source], STAGE_NAMES[target])


# --- moving with the keyboard ---------------------------------------------------------------


async def test_moving_a_deal_with_the_keyboard(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        start = counts(app)
        await pilot.press("right", "down", "l", "k", "h", "h", "j")  # arrows and h/j/k/l
        await settle(pilot)
        assert_selected(app, 34, NEW)

        await move_and_check(pilot, db, "shift+right", 34, NEW, PREPARATION)
        await move_and_check(pilot, db, "shift+left", 34, PREPARATION, NEW)
        await move_and_check(pilot, db, ">", 34, NEW, PREPARATION)
        await move_and_check(pilot, db, "<", 34, PREPARATION, NEW)

        written = event_count(db)
        await pilot.press("shift+left")  # there is no stage before New: nothing happens
        await settle(pilot)
        assert_selected(app, 34, NEW)
        assert event_count(db) == written

        await pilot.press("u")  # undo the last move (<): back in Document preparation
        await until(pilot, lambda: read_deal(db, 34).stage_id == PREPARATION)
        await settle(pilot)
        assert_selected(app, 34, PREPARATION)
        assert_headers(app, shifted(start, NEW, PREPARATION))
        undone = events(db, 34, "stage_changed")[0]
        assert (undone.old_value, undone.new_value) == ("New", "Document preparation")

        await pilot.press("m")  # the stage picker: any stage of the pipeline
        picker = await wait_for_screen(pilot, PickerModal)
        shown = screen_text(app)
        assert "Move to stage" in shown
        assert all(STAGE_NAMES[s] in shown for s in SALES_STAGES)
        await pilot.press(*"final")  # typing narrows the list; enter takes the first
        await until(pilot, lambda: picker.query_one(OptionList).option_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: read_deal(db, 34).stage_id == FINAL_INVOICE)
        await back_on_board(pilot)
        assert_selected(app, 34, FINAL_INVOICE)
        assert_headers(app, shifted(start, NEW, FINAL_INVOICE))
    assert not read_deal(db, 34).closed
    moved = events(db, 34, "stage_changed")[0]
    assert (moved.old_value, moved.new_value) == ("Document preparation", "Final invoice")


async def test_won_asks_first_and_moving_back_reopens(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, 58)
        await move_and_check(pilot, db, "shift+right", 58, IN_PROGRESS, FINAL_INVOICE)
        before = counts(app)
        written = event_count(db)

        await pilot.press("shift+right")  # into "Deal successful": asks first
        await wait_for_screen(pilot, ConfirmModal)
        assert "Mark “Implementation services — ООО «Орион-Юг»” as won?" in screen_text(app)
        await pilot.press("n")
        await back_on_board(pilot)
        assert read_deal(db, 58).stage_id == FINAL_INVOICE
        assert event_count(db) == written
        assert counts(app) == before
        assert_selected(app, 58, FINAL_INVOICE)

        await pilot.press("shift+right")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await until(pilot, lambda: read_deal(db, 58).stage_id == WON)
        await back_on_board(pilot)
        assert_selected(app, 58, WON)
        assert_headers(app, shifted(before, FINAL_INVOICE, WON))
        won = read_deal(db, 58)
        assert won.closed and won.semantics == "success"
        assert won.close_date.isoformat() == "2026-03-10"
        assert events(db, 58)[0].kind == "won"

        # A won deal moved back to an in-progress stage is open again...
        await move_and_check(pilot, db, "shift+left", 58, WON, FINAL_INVOICE)
        reopened = read_deal(db, 58)
        assert not reopened.closed and reopened.semantics == "process"
        assert events(db, 58)[0].description == "Deal reopened in stage Final invoice"

        # ...and `w` closes it as won from any column.
        await pilot.press("w")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await until(pilot, lambda: read_deal(db, 58).stage_id == WON)
        await back_on_board(pilot)
        assert_selected(app, 58, WON)
    assert read_deal(db, 58).closed
    stage = events(db, 58, "stage_changed")[0]
    assert (stage.old_value, stage.new_value) == ("Final invoice", "Deal successful")


# --- lost ---------------------------------------------------------------------------------------


async def test_x_marks_lost_with_a_reason_and_u_puts_it_back(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    written = event_count(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        before = counts(app)
        select_deal(app, 29)
        await pilot.press("x")
        await wait_for_screen(pilot, LostReasonModal)
        await pilot.press("escape")  # changed my mind: nothing happens
        await back_on_board(pilot)
        assert_selected(app, 29, PREPARATION)
        assert event_count(db) == written

        await pilot.press("x")
        await wait_for_screen(pilot, LostReasonModal)
        shown = screen_text(app)
        assert "Mark “Laptop for Woodgrove Ltd” as lost" in shown
        assert "Price too high" in shown and "No budget" in shown
        await pilot.press("down", "down", "enter")  # the third reason of the directory
        await until(pilot, lambda: read_deal(db, 29).stage_id == LOST)
        await back_on_board(pilot)
        assert_selected(app, 29, LOST)
        assert_headers(app, shifted(before, PREPARATION, LOST))
        lost = read_deal(db, 29)
        assert lost.closed and lost.lost_reason == "No budget"
        assert events(db, 29, "lost")[0].description == "Deal lost: No budget"

        await pilot.press("u")  # undo the lost: back where it was, open
        await until(pilot, lambda: read_deal(db, 29).stage_id == PREPARATION)
        await settle(pilot)
        assert_selected(app, 29, PREPARATION)
        assert_headers(app, before)
        back = read_deal(db, 29)
        assert not back.closed and back.lost_reason is None
        moved = events(db, 29, "stage_changed")[0]
        assert (moved.old_value, moved.new_value) == ("Deal failed", "Document preparation")

        select_deal(app, 52)  # a reason typed in instead of picked
        await pilot.press("x")
        modal = await wait_for_screen(pilot, LostReasonModal)
        await pilot.click("#other")
        modal.query_one("#other", Input).value = "Went with an in-house team"
        await pilot.press("enter")
        await until(pilot, lambda: read_deal(db, 52).stage_id == LOST)
        await back_on_board(pilot)
        assert_selected(app, 52, LOST)
    typed = read_deal(db, 52)
    assert typed.closed and typed.lost_reason == "Went with an in-house team"
    assert events(db, 52, "lost")[0].description == "Deal lost: Went with an in-house team"


async def test_x_on_a_lost_deal_records_the_new_reason(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    with db.session() as session:
        flow.mark_lost(session, 52, reason="Price too high")
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, 52)
        await pilot.press("x")  # the deal is lost already: give another reason
        await wait_for_screen(pilot, LostReasonModal)
        await pilot.press("down", "down", "enter")  # No budget
        await back_on_board(pilot)
        assert read_deal(db, 52).lost_reason == "No budget"


# --- new deal ----------------------------------------------------------------------------------


def deals_titled(db, title: str) -> list:  # type: ignore[no-untyped-def]
    with db.session(write=False) as session:
        return [d for d in list_deals(session, DealFilter(search=title)) if d.title == title]


async def test_n_creates_a_deal_in_the_focused_column(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        before = counts(app)
        await pilot.press("right", "n")  # in Document preparation
        modal = await wait_for_screen(pilot, NewDealModal)
        assert "New deal in Sales / Document preparation" in screen_text(app)
        modal.query_one("#title", Input).value = "Rack servers for Fabrikam"
        modal.query_one("#amount", Input).value = "12,5x"
        modal.query_one("#source", Select).value = "WEB"
        await pilot.press("ctrl+s")  # a bad amount: the form stays, with the reason
        await pilot.pause()
        assert app.screen is modal
        assert "Amount must be a number" in str(modal.query_one("#amount-error").render())
        assert deals_titled(db, "Rack servers for Fabrikam") == []

        modal.query_one("#amount", Input).value = "12 500,50"
        await pilot.press("ctrl+s")
        await back_on_board(pilot)

        found = deals_titled(db, "Rack servers for Fabrikam")
        assert len(found) == 1
        deal = found[0]
        assert_selected(app, deal.id, PREPARATION)
        expected = dict(before)
        expected[PREPARATION] += 1
        assert_headers(app, expected)
    assert (deal.pipeline, deal.stage_id) == ("Sales", PREPARATION)
    assert deal.amount == Decimal("12500.50") and deal.currency == "USD"
    assert [e.kind for e in events(db, deal.id)] == ["created"]


async def test_n_creates_a_deal_without_a_source(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        modal = await wait_for_screen(pilot, NewDealModal)
        modal.query_one("#title", Input).value = "Cable trays for Fabrikam"
        modal.query_one("#amount", Input).value = "800"
        await pilot.press("ctrl+s")
        await back_on_board(pilot)
        found = deals_titled(db, "Cable trays for Fabrikam")
        assert len(found) == 1 and found[0].stage_id == NEW and found[0].source is None


# --- filter, pipeline, help, palette, keymap ----------------------------------------------------


async def test_filter_narrows_the_board_and_p_switches_pipeline(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    wanted = DealFilter(search="northwind", pipeline="Sales")
    with db.session(write=False) as session:
        matching = {d.id for d in list_deals(session, wanted, limit=None)}
        total = count_deals(session, DealFilter(pipeline="Sales"))
        projects = count_deals(session, DealFilter(pipeline="Projects"))
    assert 0 < len(matching) < total
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("slash")
        bar = app.screen.query_one(FilterBar)
        field = bar.query_one(Input)
        assert bar.has_class("-open") and app.focused is field
        field.value = "northwind"
        await until(pilot, lambda: sum(counts(app).values()) == len(matching))
        await settle(pilot)
        shown = {deal_id for stage in SALES_STAGES for deal_id in column_ids(app, stage)}
        assert shown == matching
        assert "filter" in app.sub_title and "northwind" in app.sub_title
        header_line = screen_text(app).splitlines()[0]
        assert "filter" in header_line and "northwind" in header_line  # drawn, not only set
        status = app.screen.query_one("#board-status")
        assert str(status.render()).startswith(f"{len(matching)} deals match")
        assert f"{len(matching)} deals match" in screen_text(app)

        await pilot.press("escape")
        await until(pilot, lambda: sum(counts(app).values()) == total)
        await settle(pilot)
        assert not bar.has_class("-open") and field.value == ""
        assert app.focused is board(app)
        assert app.deal_filter is None and app.sub_title == "demo.db · Sales"

        await pilot.press("p")
        await wait_for_screen(pilot, PickerModal)
        shown_text = screen_text(app)
        assert "Switch pipeline" in shown_text and "Projects" in shown_text
        await pilot.press("down", "enter")
        await until(pilot, lambda: board(app).lanes[0].summary.stage.pipeline_id == 2)
        await board_ready(pilot)
        await settle(pilot)
        assert app.sub_title == "demo.db · Projects"
        assert "demo.db · Projects" in screen_text(app).splitlines()[0]
        assert sum(counts(app).values()) == projects
        first = board(app).stage_ids[0]
        assert header_text(app, first).startswith("█ New\n2 · ")
        assert_selected(app, 57, first)


async def test_the_palette_finds_and_runs_new_deal(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    from textual.command import CommandList, CommandPalette

    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("ctrl+p")
        palette = await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"New deal")

        def offered() -> list[str]:
            options = palette.query_one(CommandList)
            prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
            return [str(prompt).splitlines()[0] for prompt in prompts]

        await until(pilot, lambda: offered()[:1] == ["New deal"], timeout=1.5)
        await pilot.press("enter")
        await wait_for_screen(pilot, NewDealModal)


async def test_help_lists_keys_with_ids_and_a_remapped_key_works(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db, keymap={"board.won": "W"})
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        help_screen = await wait_for_screen(pilot, HelpScreen)
        rows = {row[2]: row[:2] for row in help_screen.rows}
        assert rows["board.won"] == ("W", "Won")  # the key from the keymap
        assert rows["board.move_next"] == ("shift+→", "Next stage")
        assert rows["board.lost"] == ("x", "Lost")
        assert rows["board.filter"][0] == "/"
        assert rows["app.help"] == ("?", "Help")
        for binding_id in ("board.pick_stage", "board.new_deal", "board.undo", "board.pipeline"):
            assert binding_id in rows
        shown = screen_text(app)
        assert "Keys — Board" in shown
        assert "board.move_next" in shown and "Next stage" in shown
        await pilot.press("escape")
        await wait_for_screen(pilot, BoardScreen)

        await pilot.press("w")  # no longer bound to anything
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("W")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await until(pilot, lambda: read_deal(db, 39).stage_id == WON)
        await back_on_board(pilot)
        assert_selected(app, 39, WON)


# --- changes made elsewhere -----------------------------------------------------------------


def move_elsewhere(db, deal_id: int, stage_id: int) -> None:  # type: ignore[no-untyped-def]
    """What `dealterm deal move` in another terminal does."""
    with db.session() as session:
        flow.move_deal(session, deal_id, stage_id)


async def test_an_outside_change_appears_on_the_board(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db, poll=True)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        # The app has been open for a moment: its once-a-second check has run once.
        await until(pilot, lambda: app._signature is not None, timeout=3)
        before = counts(app)
        move_elsewhere(db_of(demo_db), 39, PREPARATION)
        await until(pilot, lambda: counts(app) == shifted(before, NEW, PREPARATION), timeout=3)
        await settle(pilot)
        assert 39 in column_ids(app, PREPARATION)
        assert 39 not in column_ids(app, NEW)


async def test_an_outside_change_right_after_start_appears(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db, poll=True)
    async with app.run_test(size=FAST) as pilot:
        # As soon as the board has read the data (its columns arrive; they are still being
        # drawn, and the once-a-second check has not run yet), someone moves a deal elsewhere.
        def board_has_read() -> bool:
            boards = app.screen.query(Board)
            return bool(boards) and bool(boards.first().lanes) and 39 in column_ids(app, NEW)

        while not board_has_read():
            await asyncio.sleep(0.005)
        before = counts(app)
        move_elsewhere(db_of(demo_db), 39, PREPARATION)
        await board_ready(pilot)
        await until(pilot, lambda: counts(app) == shifted(before, NEW, PREPARATION), timeout=3)


async def test_columns_keep_a_few_screens_of_drawn_lines_not_the_whole_session(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of
) -> None:
    """Lines drawn for cards no longer in sight are let go: kept, they made every full
    garbage collection of a long session slower (each strip holds caches of its own)."""
    with db_of(demo_db).session() as session:
        for number in range(LINES_KEPT // CARD_HEIGHT + 10):
            create_deal(session, DealCreate(title=f"Lead {number}", amount="100"))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        lane = board(app).lanes[0]
        assert lane.summary.count * CARD_HEIGHT > LINES_KEPT  # more cards than it keeps
        for _ in range(lane.summary.count + 5):  # down the whole column, and past its end
            await pilot.press("j")
        await pilot.pause()
        assert lane.column.cursor == lane.summary.count - 1
        drawn = lane.column.card_at(lane.column.cursor)
        assert drawn is not None and drawn.card.title[:20] in screen_text(app)
        assert all(len(lane.column._lines) <= LINES_KEPT for lane in board(app).lanes)
