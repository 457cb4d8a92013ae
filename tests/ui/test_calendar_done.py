"""Activities already done stay on the calendar, struck through, and are counted apart:
what a day says ("2 open · 1 done") is what it lists, in the week view and the day list.

Frozen today: Tuesday 10 March 2026 (Moscow); en_US weeks start on Sunday 8 March.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dealterm.core.queries.calendar import day_items
from dealterm.core.services import activities
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.screens.calendar import CalendarScreen
from dealterm.screens.day_list import DayListModal
from tests.ui.conftest import SIZE
from tests.ui.helpers import screen_text, until, wait_for_screen
from tests.ui.test_calendar import THURSDAY, open_calendar, press, title

SATURDAY = date(2026, 3, 14)


def finish_one_on(db: Any, day: date) -> tuple[int, int]:
    """Mark the first open activity of ``day`` done; returns (open, done) left on the day."""
    with db.session(write=False) as session:
        _, listed = day_items(session, day)
    assert len(listed) >= 2 and not any(a.completed for a in listed)
    with db.session() as session:
        activities.complete_activity(session, listed[0].id)
    return len(listed) - 1, 1


def done_alone_on(db: Any, day: date) -> str:
    """A day with nothing open but one activity done; returns its subject."""
    with db.session(write=False) as session:
        assert day_items(session, day) == ([], [])
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="Saturday visit"))
        planned = activities.plan_activity(
            session, deal.id, kind="meeting", subject="Fair stand", deadline=f"{day} 14:00"
        )
        activities.complete_activity(session, planned.id)
    return "Fair stand"


async def test_done_activities_are_counted_apart_and_listed(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    still_open, done = finish_one_on(db, THURSDAY)
    subject = done_alone_on(db, SATURDAY)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_calendar(pilot)
        await press(pilot, "g", "v")
        state = screen.grid.state
        assert state.view == "week" and state.mode == "activities"
        assert state.figures is not None and state.week is not None
        assert state.figures.activities.get(THURSDAY) == still_open
        assert state.figures.done.get(THURSDAY) == done
        assert state.figures.done.get(SATURDAY) == 1 and SATURDAY not in state.figures.activities
        # Each day lists what it counts: the open ones, then the done one.
        listed = state.week[THURSDAY].activities
        assert [a.completed for a in listed] == [False] * still_open + [True]
        assert [a.subject for a in state.week[SATURDAY].activities] == [subject]

        text = screen_text(app)
        assert f"{still_open} open · 1 done" in text
        assert "1 done" in text.split("14 Mar", 1)[1]  # Saturday's column, not a "—"
        assert "· 2 done this week" in title(app)

        # The day list of Thursday says the same and lists all three.
        await pilot.press("right", "right")
        await until(pilot, lambda: state.selected == THURSDAY)
        await pilot.press("enter")
        modal = await wait_for_screen(pilot, DayListModal)
        await pilot.pause()
        assert len(modal.items.activities) == still_open + done
        assert f"activities: {still_open} open · 1 done" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CalendarScreen))
