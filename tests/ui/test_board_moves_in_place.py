"""A stage move is shown from what the move wrote, without reading the board again.

The two columns and their headers are changed in place (the card leaves one column and
enters the other where its page puts it; counts and sums are worked out from the deal's
amount), and a check against the database follows in the background. These tests hold
the check back and compare what the move showed with what a full reload shows.

Deals of the seeded demo used here (pipeline "Sales"): #4 (EUR) and #34 in New, #29 in
Document preparation, #60 (RUB) in Prepayment invoice, #58 in In progress; Final invoice
is empty.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col
from textual.widgets import Static

from dealterm.core.filters import PRESETS
from dealterm.core.models import Deal
from dealterm.core.queries.board import board_summary
from dealterm.core.queries.conditions import deal_conditions
from dealterm.core.services import deals, flow
from dealterm.screens.board import BoardScreen
from dealterm.screens.confirm import ConfirmModal
from tests.ui.conftest import board_ready
from tests.ui.helpers import (
    FAST,
    FINAL_INVOICE,
    IN_PROGRESS,
    NEW,
    PREPARATION,
    PREPAYMENT,
    WON,
    board,
    column_ids,
    counts,
    event_count,
    events,
    header_text,
    read_deal,
    select_deal,
    settle,
    until,
    wait_for_screen,
)


def shown(app: Any) -> dict[str, Any]:
    """What the board shows: every header, the loaded cards of every column, the cursor."""
    the_board = board(app)
    lanes = the_board.lanes
    current = the_board.current_card
    return {
        "headers": {
            lane.summary.stage.id: header_text(app, lane.summary.stage.id) for lane in lanes
        },
        "cards": {lane.summary.stage.id: column_ids(app, lane.summary.stage.id) for lane in lanes},
        "counts": counts(app),
        "cursor": (
            the_board.active_lane.summary.stage.id if the_board.active_lane else None,
            current.card.id if current else None,
        ),
    }


def hold_back_checks(monkeypatch: Any) -> list[dict[str, Any]]:
    """Keep the background check after a move from running; returns the checks asked for."""
    asked: list[dict[str, Any]] = []
    original = BoardScreen.reload

    def reload(self: BoardScreen, **kwargs: Any) -> None:
        if kwargs.get("scope") is not None:
            asked.append(kwargs)
            return
        original(self, **kwargs)

    monkeypatch.setattr(BoardScreen, "reload", reload)
    return asked


async def move(pilot: Any, db: Any, key: str, deal_id: int, target: int) -> None:
    app = pilot.app
    await pilot.press(key)
    await until(pilot, lambda: read_deal(db, deal_id).stage_id == target)
    await settle(pilot)
    assert deal_id in column_ids(app, target)


async def same_after_reload(pilot: Any, db: Any) -> None:
    """The board as the move left it is the board a full reload reads."""
    app = pilot.app
    before = shown(app)
    with db.session(write=False) as session:
        assert {s.stage.id: s.count for s in board_summary(session, 1)} == before["counts"]
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    screen.reload()
    await settle(pilot)
    assert shown(app) == before


async def test_moves_show_what_a_reload_shows(make_app, demo_db, db_of, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    with db.session() as session:  # weighted by its own probability, not its stage's
        deals.update_deal(session, 4, deals.DealUpdate(probability=35))
    asked = hold_back_checks(monkeypatch)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)

        select_deal(app, 29)
        await move(pilot, db, "shift+right", 29, PREPAYMENT)  # USD into a RUB-only column
        await same_after_reload(pilot, db)

        select_deal(app, 4)
        await move(pilot, db, "shift+right", 4, PREPARATION)  # EUR, own probability
        await same_after_reload(pilot, db)
        # "Now" is frozen: #4 and #29 entered at the same moment, and #29 (the higher id)
        # stays on top.
        await move(pilot, db, "shift+right", 4, PREPAYMENT)
        assert column_ids(app, PREPAYMENT)[:2] == [29, 4]
        await same_after_reload(pilot, db)

        select_deal(app, 60)  # RUB into a USD-only column
        await move(pilot, db, "shift+left", 60, PREPARATION)
        await same_after_reload(pilot, db)

        select_deal(app, 58)
        await move(pilot, db, "shift+right", 58, FINAL_INVOICE)  # into an empty column
        await same_after_reload(pilot, db)
        await pilot.press("shift+right")  # into "Deal successful": asks first
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await until(pilot, lambda: read_deal(db, 58).stage_id == WON)
        await settle(pilot)
        await same_after_reload(pilot, db)  # the last deal out: an empty column again
        assert read_deal(db, 58).closed
        await move(pilot, db, "shift+left", 58, FINAL_INVOICE)  # reopened
        await same_after_reload(pilot, db)
    assert len(asked) == 7  # every move was shown in place, none by a full reload
    assert all(a["keep_cursor"] for a in asked)
    moved = events(db, 58, "stage_changed")[0]
    assert (moved.old_value, moved.new_value) == ("Deal successful", "Final invoice")


async def test_the_check_after_a_move_leaves_the_cursor_where_the_user_took_it(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, 34)
        await move(pilot, db, "shift+right", 34, PREPARATION)
        the_board = board(app)
        assert the_board.current_card is not None and the_board.current_card.card.id == 34
        await pilot.press("down")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        # A late check (the user moved on): the cursor stays where the user put it.
        screen.reload(select_deal=34, scope=frozenset({NEW, PREPARATION}), keep_cursor=True)
        await settle(pilot)
        assert the_board.current_card is not None and the_board.current_card.card.id != 34
        assert the_board.active_lane is not None
        assert the_board.active_lane.summary.stage.id == PREPARATION


async def test_a_move_of_a_deal_changed_meanwhile_is_refused(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, 34)
        with db.session() as session:  # another user moves it first
            flow.move_deal(session, 34, IN_PROGRESS)
        written = event_count(db)
        await pilot.press("shift+right")  # the board still shows the old version
        await until(pilot, lambda: 34 in column_ids(app, IN_PROGRESS))
        await settle(pilot)
        assert read_deal(db, 34).stage_id == IN_PROGRESS
        assert event_count(db) == written  # the move wrote nothing
        assert 34 not in column_ids(app, NEW) and 34 not in column_ids(app, PREPARATION)
        with db.session(write=False) as session:
            assert {s.stage.id: s.count for s in board_summary(session, 1)} == counts(app)


async def test_the_status_line_says_what_the_move_did_until_it_is_undone(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, 34)
        title = read_deal(db, 34).title
        await move(pilot, db, "shift+right", 34, PREPARATION)
        status = str(app.screen.query_one("#board-status", Static).render())
        assert f"“{title}” → Document preparation (u undoes)" in status
        await pilot.press("u")
        await until(pilot, lambda: read_deal(db, 34).stage_id == NEW)
        await settle(pilot)
        status = str(app.screen.query_one("#board-status", Static).render())
        assert "→" not in status and "u undoes" not in status


async def test_the_board_shows_only_what_the_filter_takes_and_a_close_can_drop_a_deal(
    make_app, demo_db, db_of
) -> None:  # type: ignore[no-untyped-def]
    """Under the Overdue preset the board holds the overdue deals alone, headers and cards
    as the database counts them; winning one takes it off the board (closed deals are not
    overdue), where an in-place move would have kept it."""
    overdue = PRESETS["Overdue"]
    db = db_of(demo_db)

    def expected() -> dict[int, int]:
        with db.session(write=False) as session:
            return {s.stage.id: s.count for s in board_summary(session, 1, overdue)}

    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        everything = counts(app)
        app.set_filter(overdue)
        await until(pilot, lambda: counts(app) == expected())
        await settle(pilot)
        assert sum(counts(app).values()) < sum(everything.values())
        shown_ids = {i for lane in board(app).lanes for i in column_ids(app, lane.summary.stage.id)}
        assert shown_ids
        with db.session(write=False) as session:
            taken = session.execute(
                select(col(Deal.id)).where(*deal_conditions(session, overdue))
            ).scalars()
            assert shown_ids <= set(taken)
        lane = next(la for la in board(app).lanes if column_ids(app, la.summary.stage.id))
        deal_id = column_ids(app, lane.summary.stage.id)[0]
        select_deal(app, deal_id)
        await pilot.press("w")
        await wait_for_screen(pilot, ConfirmModal)
        await pilot.press("y")
        await until(pilot, lambda: read_deal(db, deal_id).closed)
        await until(pilot, lambda: counts(app) == expected())
        await settle(pilot)
        assert all(deal_id not in column_ids(app, la.summary.stage.id) for la in board(app).lanes)
