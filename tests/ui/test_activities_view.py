"""The activities board (key 3): open deals of "Sales" by the deadline of their nearest activity.

Today is frozen at Tuesday 2026-03-10 10:30 in Moscow and the locale is en_US, so the week
runs Sunday 8 March to Saturday 14 March; next week starts on Sunday 15 March. In the seeded
demo, #51 (one activity, due 1 March) is the first card of "Overdue" and #47 (two
activities, the nearest due Sunday 15 March) is alone in "Next week".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from textual.notifications import Notify
from textual.widgets import Input

import dealterm.app
from dealterm.app import DealtermApp
from dealterm.core.db import Database
from dealterm.core.filters import DealFilter
from dealterm.core.models import Activity, Deal
from dealterm.core.queries import get_deal
from dealterm.core.queries.activity_board import board_index
from dealterm.screens.activities import ActivitiesScreen
from dealterm.screens.activity_form import NextActivityModal
from dealterm.screens.deal_card import DealCardScreen
from dealterm.widgets.board import Board
from tests.ui.conftest import until

SIZE = (160, 40)
ZONE = ZoneInfo("Europe/Moscow")
TODAY = date(2026, 3, 10)
WEEK_START = date(2026, 3, 8)  # Sunday
SALES = 1
COLUMNS = [
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("this_week", "This week"),
    ("next_week", "Next week"),
    ("idle", "Without activities"),
    ("later", "Later"),
]
CODES = [code for code, _ in COLUMNS]
OVERDUE_DEAL = 51
NEXT_WEEK_DEAL = 47


# --- helpers -------------------------------------------------------------------------------
def starting_in(app: DealtermApp, mode: str) -> DealtermApp:
    """The same app (same database, settings and clock), opening on another view.

    Mounting the board first costs a few seconds a test; only
    :func:`test_key_3_shows_six_columns_counted_as_the_database_says` goes through key 3.
    """
    css = str(Path(dealterm.app.__file__).with_name("app.tcss"))
    cls = type(f"{mode.title()}FirstApp", (type(app),), {"DEFAULT_MODE": mode, "CSS_PATH": css})
    return cls(target=app.target, settings=app.settings, clock=app.clock, poll=app.poll)


def screen_of(app: Any) -> ActivitiesScreen:
    return next(s for s in app.screen_stack if isinstance(s, ActivitiesScreen))


def board(app: Any) -> Board:
    return screen_of(app).query_one(Board)


def counts(app: Any) -> dict[str, int]:
    return {lane.summary.stage.code: lane.summary.count for lane in board(app).lanes}


def lane_ids(app: Any, code: str) -> list[int]:
    lane = next(lane for lane in board(app).lanes if lane.summary.stage.code == code)
    column = lane.column
    return [view.card.id for page in sorted(column.pages) for view in column.pages[page]]


def header_lines(app: Any, code: str) -> list[str]:
    lane = next(lane for lane in board(app).lanes if lane.summary.stage.code == code)
    return str(lane.header.render()).splitlines()


def current(app: Any) -> tuple[str, int | None]:
    """The column code and the deal under the cursor."""
    the_board = board(app)
    lane = the_board.active_lane
    assert lane is not None
    card = the_board.current_card
    return lane.summary.stage.code, card.card.id if card is not None else None


def busy(app: Any) -> bool:
    from textual.worker import WorkerState

    return any(
        w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        and w.group in ("activities-load", "activities-pages", "activities-write")
        for w in app.workers
    )


async def settled(pilot: Any) -> None:
    """The six columns are built, their cards loaded, and nothing is loading."""
    app = pilot.app

    def done() -> bool:
        screen = screen_of(app)
        the_board = board(app)
        return (
            screen._built
            and len(the_board.lanes) == 6
            and all(
                len(lane_ids(app, lane.summary.stage.code)) == lane.summary.count
                for lane in the_board.lanes
            )
            and not busy(app)
        )

    await until(pilot, done)
    await pilot.pause()


async def open_board(pilot: Any) -> None:
    app = pilot.app
    await until(pilot, lambda: app.crm is not None)
    if not isinstance(app.screen, ActivitiesScreen):
        await pilot.press("3")
        await until(pilot, lambda: isinstance(app.screen, ActivitiesScreen))
    await settled(pilot)
    assert isinstance(app.focused, Board)


def local(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZONE)


def open_activities(db: Database, deal_id: int) -> list[Activity]:
    with db.session(write=False) as session:
        return list(
            session.exec(
                select(Activity)  # type: ignore[call-overload]
                .where(Activity.deal_id == deal_id, Activity.completed.is_(False))  # type: ignore[attr-defined]
                .order_by(Activity.deadline, Activity.id)
            ).scalars()
        )


def all_activities(db: Database) -> dict[int, tuple[datetime, bool]]:
    """Every activity's deadline and done flag, by id."""
    with db.session(write=False) as session:
        rows = session.execute(select(Activity.id, Activity.deadline, Activity.completed)).all()
    return {row[0]: (local(row[1]), bool(row[2])) for row in rows}


def expected_columns(db: Database) -> dict[str, list[int]]:
    """Each open "Sales" deal's column, worked out here from its nearest open activity."""
    next_week = WEEK_START + timedelta(days=7)
    week_after = next_week + timedelta(days=7)
    with db.session(write=False) as session:
        deals = session.execute(
            select(Deal.id).where(Deal.pipeline_id == SALES, Deal.closed.is_(False))  # type: ignore[attr-defined]
        ).all()
        planned = session.execute(
            select(Activity.deal_id, Activity.deadline, Activity.direction).where(
                Activity.completed.is_(False)  # type: ignore[attr-defined]
            )
        ).all()
    nearest: dict[int, datetime] = {}
    incoming: set[int] = set()
    for deal_id, deadline, direction in planned:
        moment = local(deadline)
        if deal_id not in nearest or moment < nearest[deal_id]:
            nearest[deal_id] = moment
        if direction == "incoming":
            incoming.add(deal_id)
    columns: dict[str, list[tuple[datetime, int]]] = {code: [] for code in CODES}
    for (deal_id,) in deals:
        due = nearest.get(deal_id)
        if due is None:
            code = "idle"
        elif due.date() < TODAY:
            code = "overdue"
        elif deal_id in incoming or due.date() == TODAY:
            code = "today"
        elif due.date() < next_week:
            code = "this_week"
        elif due.date() < week_after:
            code = "next_week"
        else:
            code = "later"
        columns[code].append((due or datetime.max.replace(tzinfo=ZONE), deal_id))
    return {code: [deal_id for _, deal_id in sorted(found)] for code, found in columns.items()}


def counts_in(db: Database) -> dict[str, int]:
    """How many deals each column should hold."""
    return {code: len(ids) for code, ids in expected_columns(db).items()}


def notes_hook(notes: list[str]) -> Any:
    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            notes.append(message.notification.message)

    return hook


# --- the columns ---------------------------------------------------------------------------
async def test_key_3_shows_six_columns_counted_as_the_database_says(
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    expected = expected_columns(db)
    with db.session(write=False) as session:
        index = board_index(session, DealFilter(pipeline=SALES))
    assert index.ids == expected  # the query agrees with the rules worked out here
    # The demo gives most columns something to show (Today is empty).
    assert all(expected[code] for code in CODES if code != "today")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.crm is not None)
        await open_board(pilot)  # key 3
        the_board = board(app)
        assert [lane.summary.stage.code for lane in the_board.lanes] == CODES
        for code, name in COLUMNS:
            lines = header_lines(app, code)
            assert lines[0] == f"█ {name}"
            assert lines[1].startswith(f"{len(expected[code])} · $")
            assert lane_ids(app, code) == expected[code], code
        assert counts(app) == {code: len(ids) for code, ids in expected.items()}
        total = sum(len(ids) for ids in expected.values())
        status = str(screen_of(app).query_one("#activities-status").render())
        assert status == f"{total} open deals"
        assert "Sales" in app.sub_title
        assert current(app) == ("overdue", expected["overdue"][0])


# --- moving between columns ----------------------------------------------------------------
async def test_shift_right_moves_an_overdue_deal_to_today_and_on(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    before = counts_in(db)
    [activity] = open_activities(db, OVERDUE_DEAL)
    assert local(activity.deadline).date() < TODAY
    app = starting_in(make_app(demo_db), "activities")
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        assert current(app) == ("overdue", OVERDUE_DEAL)
        await pilot.press("shift+right")
        await until(pilot, lambda: current(app) == ("today", OVERDUE_DEAL))
        await settled(pilot)
        [moved] = open_activities(db, OVERDUE_DEAL)
        assert moved.id == activity.id
        # The next full hour of today (it is 10:30).
        assert local(moved.deadline) == datetime(2026, 3, 10, 11, 0, tzinfo=ZONE)
        assert counts(app) == {
            **before,
            "overdue": before["overdue"] - 1,
            "today": before["today"] + 1,
        }
        assert lane_ids(app, "today") == [OVERDUE_DEAL]
        assert header_lines(app, "today")[1].startswith("1 · ")

        await pilot.press("shift+right")  # on to this week: tomorrow 10:00
        await until(pilot, lambda: current(app) == ("this_week", OVERDUE_DEAL))
        await settled(pilot)
        [moved] = open_activities(db, OVERDUE_DEAL)
        assert local(moved.deadline) == datetime(2026, 3, 11, 10, 0, tzinfo=ZONE)
        assert counts(app)["today"] == before["today"]
        assert counts(app)["this_week"] == before["this_week"] + 1
        assert counts_in(db) == counts(app)


async def test_moves_pass_over_without_activities_and_stop_at_overdue(
    make_app, demo_db, db_of
) -> None:
    """ "Without activities" sits between "Next week" and "Later" and takes no moves: a move
    passes over it, both ways. "Overdue", first, has nothing beyond it: refused."""
    db = db_of(demo_db)
    before = all_activities(db)
    columns = expected_columns(db)
    later = columns["later"][0]
    assert len(open_activities(db, later)) == 1  # its column is its one activity's
    first_this_week = columns["this_week"][0]
    notes: list[str] = []
    app = starting_in(make_app(demo_db), "activities")
    async with app.run_test(size=SIZE, message_hook=notes_hook(notes)) as pilot:
        await open_board(pilot)
        await pilot.press(*["right"] * 5)
        assert current(app) == ("later", later)
        await pilot.press("shift+left")  # over "Without activities", into "Next week"
        await until(pilot, lambda: current(app) == ("next_week", later))
        await settled(pilot)
        [planned] = open_activities(db, later)
        assert local(planned.deadline) == datetime(2026, 3, 15, 10, 0, tzinfo=ZONE)
        assert counts(app) == counts_in(db)

        await pilot.press("shift+right")  # over "Without activities", back into "Later"
        await until(pilot, lambda: current(app) == ("later", later))
        await settled(pilot)
        [planned] = open_activities(db, later)
        assert local(planned.deadline) == datetime(2026, 3, 22, 10, 0, tzinfo=ZONE)
        assert counts(app) == counts_in(db)
        assert not any("cannot be moved" in note for note in notes)

        await pilot.press(*["left"] * 3)
        assert current(app) == ("this_week", first_this_week)
        await pilot.press("shift+left")  # into "Today": fine
        await until(pilot, lambda: current(app) == ("today", first_this_week))
        await settled(pilot)
        changed = all_activities(db)
        await pilot.press("shift+left")  # into "Overdue": refused
        await until(pilot, lambda: any("Overdue" in note for note in notes))
        await settled(pilot)
        assert current(app) == ("today", first_this_week)
        assert all_activities(db) == changed
    [nearest] = open_activities(db, first_this_week)
    assert local(nearest.deadline) == datetime(2026, 3, 10, 11, 0, tzinfo=ZONE)
    moved = {nearest.id, planned.id}
    assert {k: v for k, v in changed.items() if k not in moved} == {
        k: v for k, v in before.items() if k not in moved
    }


# --- done ----------------------------------------------------------------------------------
async def test_done_completes_the_nearest_activity_and_asks_for_the_next(
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    first, second = open_activities(db, NEXT_WEEK_DEAL)
    [only] = open_activities(db, OVERDUE_DEAL)
    before = counts_in(db)
    app = starting_in(make_app(demo_db), "activities")
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        # #47 has two activities: the nearest is done, the other one is left; no question.
        await pilot.press("right", "right", "right")
        assert current(app) == ("next_week", NEXT_WEEK_DEAL)
        await pilot.press("d")
        await until(
            pilot, lambda: [a.id for a in open_activities(db, NEXT_WEEK_DEAL)] == [second.id]
        )
        await settled(pilot)
        assert all_activities(db)[first.id][1] is True
        assert not isinstance(app.screen, NextActivityModal)
        assert current(app) == ("next_week", NEXT_WEEK_DEAL)  # the next one is next week too

        # #51 has one: when it is done, the next one is asked for.
        await pilot.press("left", "left", "left")
        assert current(app) == ("overdue", OVERDUE_DEAL)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, NextActivityModal))
        assert all_activities(db)[only.id][1] is True
        assert open_activities(db, OVERDUE_DEAL) == []
        modal = app.screen
        subject = modal.query_one("#subject", Input)
        await until(pilot, lambda: subject.has_focus)
        subject.value = "Send the new offer"
        await pilot.press("ctrl+s")  # deadline left at its default: tomorrow 10:00
        await until(pilot, lambda: len(open_activities(db, OVERDUE_DEAL)) == 1)
        await until(pilot, lambda: current(app) == ("this_week", OVERDUE_DEAL))
        await settled(pilot)
        [planned] = open_activities(db, OVERDUE_DEAL)
        assert planned.subject == "Send the new offer"
        assert local(planned.deadline) == datetime(2026, 3, 11, 10, 0, tzinfo=ZONE)
        assert counts(app) == {
            **before,
            "overdue": before["overdue"] - 1,
            "this_week": before["this_week"] + 1,
        }


# --- the card ------------------------------------------------------------------------------
async def test_enter_opens_the_card(make_app, demo_db, db_of) -> None:
    db = db_of(demo_db)
    with db.session(write=False) as session:
        title = get_deal(session, NEXT_WEEK_DEAL).title
    app = starting_in(make_app(demo_db), "activities")
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await pilot.press("right", "right", "right")
        assert current(app) == ("next_week", NEXT_WEEK_DEAL)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DealCardScreen))
        card = app.screen
        assert card.deal_id == NEXT_WEEK_DEAL
        await until(pilot, lambda: card.deal is not None)
        assert title in str(card.query_one("#card-title").render())
