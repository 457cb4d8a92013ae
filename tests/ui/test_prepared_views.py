"""Views built ahead of time (dealterm.screens.base_views): once the board is loaded and the
app is quiet, the list, activities and calendar screens are built without their data, and
the first switch to one reads it then, fresh.

Today is frozen at Tuesday 2026-03-10 in Moscow; in the seeded demo #51 is the first card
of the activities board's "Overdue" column, with one open activity.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dealterm.core.crm import Crm
from dealterm.core.models import Activity
from dealterm.screens.activities import ActivitiesScreen
from dealterm.screens.base_views import PREPARED_VIEWS
from dealterm.screens.calendar import CalendarScreen
from dealterm.screens.deal_list import ListScreen
from dealterm.screens.help import HelpScreen
from dealterm.widgets.board import Board
from dealterm.widgets.deal_table import DealTable
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, busy, screen_text, select_deal, settle, until

OVERDUE_DEAL = 51


async def prepared(pilot: Any) -> None:
    """Wait until every view has been built ahead of time and nothing runs."""
    app = pilot.app
    await until(pilot, lambda: not app.views_to_prepare and not busy(app))


def lanes(screen: ActivitiesScreen) -> dict[str, list[int]]:
    """The deal ids each column of the activities board holds (its loaded cards)."""
    the_board = screen.query_one(Board)
    return {
        lane.summary.stage.code: [
            view.card.id for page in sorted(lane.column.pages) for view in lane.column.pages[page]
        ]
        for lane in the_board.lanes
    }


def activities_shown(app: Any) -> bool:
    screen = app.screen
    return (
        isinstance(screen, ActivitiesScreen)
        and screen._built
        and screen.shown_generation == screen.generation
        and not busy(app, {"activities-load", "activities-pages"})
    )


def list_shown(app: Any) -> bool:
    screen = app.screen
    return (
        isinstance(screen, ListScreen)
        and len(screen.query_one(DealTable).ids) > 0
        and not busy(app, {"list-ids", "list-rows", "list-prefs"})
    )


def open_activity(db: Any, deal_id: int) -> int:
    with db.session(write=False) as session:
        return int(
            session.execute(
                select(Activity.id).where(
                    Activity.deal_id == deal_id,
                    Activity.completed.is_(False),  # type: ignore[attr-defined]
                )
            ).scalar_one()
        )


async def test_a_view_built_ahead_reads_nothing_until_shown_then_shows_fresh_data(
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await prepared(pilot)
        activities = app.prepared_view("activities")
        deals = app.prepared_view("list")
        assert isinstance(activities, ActivitiesScreen)
        assert isinstance(deals, ListScreen)
        assert isinstance(app.prepared_view("calendar"), CalendarScreen)
        assert activities.flt is None and not deals.query_one(DealTable).ids  # nothing read yet
        assert isinstance(app.screen.focused, Board)  # the board keeps the keys

        # Another process changes the data; the app does not poll, so it is told nothing.
        crm = Crm(db)
        crm.complete(open_activity(db, OVERDUE_DEAL))
        crm.delete(60, None)

        await pilot.press("3")
        await until(pilot, lambda: activities_shown(app))
        assert app.screen is activities  # the screen built ahead, not a new one
        columns = lanes(activities)
        assert OVERDUE_DEAL not in columns["overdue"]
        assert OVERDUE_DEAL in columns["idle"]  # its only activity is done
        assert isinstance(app.focused, Board)
        assert "Overdue" in screen_text(app)

        await pilot.press("2")
        await until(pilot, lambda: list_shown(app))
        assert app.screen is deals
        table = deals.query_one(DealTable)
        assert len(table.ids) == 59 and 60 not in table.ids
        assert isinstance(app.focused, DealTable)


async def test_building_the_views_leaves_the_board_as_it_was(make_app, demo_db) -> None:
    plain = make_app(demo_db, prepare=False)
    async with plain.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(plain, OVERDUE_DEAL)
        await settle(pilot)
        assert plain.views_to_prepare == list(PREPARED_VIEWS)
        expected = screen_text(plain)

    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        select_deal(app, OVERDUE_DEAL)
        await prepared(pilot)
        assert app.prepared_view("calendar") is not None
        board = app.screen.query_one(Board)
        assert app.focused is board
        assert board.current_card is not None and board.current_card.card.id == OVERDUE_DEAL
        assert screen_text(app) == expected
        await pilot.press("down")  # the board still has the keys
        assert board.current_card is not None and board.current_card.card.id != OVERDUE_DEAL


async def test_nothing_is_built_behind_a_dialog(make_app, demo_db) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await pilot.press("question_mark")  # help, before the database is even open
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await until(pilot, lambda: app.crm is not None)
        await settle(pilot)
        assert app.views_to_prepare == list(PREPARED_VIEWS)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await prepared(pilot)
        await pilot.press("3")
        await until(pilot, lambda: activities_shown(app))
        assert OVERDUE_DEAL in lanes(app.screen)["overdue"]


async def test_a_view_half_built_when_the_key_comes_still_loads(make_app, demo_db) -> None:
    """The key arrives after the screen was built but before Textual styled it mounted."""
    app = make_app(demo_db, prepare=False)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await app._visit("activities", dormant=True)
        screen = app.prepared_view("activities")
        assert screen is not None and screen.dormant
        await pilot.press("3")
        await until(pilot, lambda: activities_shown(app))
        assert app.screen is screen and not screen.dormant
        assert OVERDUE_DEAL in lanes(screen)["overdue"]
        assert app.prepared_view("activities") is None
        assert isinstance(app.focused, Board)
