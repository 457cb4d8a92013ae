"""Activities already done on the calendar: counted apart from the open ones, on the local
day of their deadline, so a day's figures and its list agree.

Frozen today: Tuesday 2026-03-10, 10:30 in Moscow (UTC+3).
"""

from __future__ import annotations

from datetime import date, timedelta

from dealterm.core.db import Database
from dealterm.core.filters import DealFilter
from dealterm.core.models import Deal
from dealterm.core.queries.calendar import (
    CalendarData,
    done_activity_totals,
    month_figures,
)
from dealterm.core.services import activities
from tests.core.test_calendar import MARCH, _deal, _plan


def _done(db: Database, deal_id: int, deadline: str, subject: str = "Called") -> int:
    activity = _plan(db, deal_id, deadline, subject)
    with db.session() as session:
        activities.complete_activity(session, activity)
    return activity


def test_done_activities_count_apart_on_their_local_day(db: Database) -> None:
    deal = _deal(db, "Busy", amount="100")
    other = _deal(db, "Quiet", amount="5")
    _plan(db, deal, "2026-03-12 09:00")
    _done(db, deal, "2026-03-12 12:00")
    _done(db, deal, "2026-03-13 00:30")  # 21:30 UTC on the 12th: the 13th here
    _done(db, other, "2026-03-13 10:00")
    with db.session(write=False) as session:
        figures = month_figures(session, **MARCH)
        big = done_activity_totals(session, **MARCH, flt=DealFilter(amount_min=50))
    assert figures.activities == {date(2026, 3, 12): 1}
    assert figures.done == {date(2026, 3, 12): 1, date(2026, 3, 13): 2}
    assert big == {date(2026, 3, 12): 1, date(2026, 3, 13): 1}
    assert not figures.overdue  # a done activity is never overdue


def test_done_activities_of_templates_are_left_out(db: Database) -> None:
    template = _deal(db, "Monthly check")
    _done(db, template, "2026-03-12 10:00")
    with db.session() as session:
        flagged = session.get(Deal, template)
        assert flagged is not None
        flagged.is_recurring = True
        session.add(flagged)
    with db.session(write=False) as session:
        assert month_figures(session, **MARCH).done == {}


def test_each_day_counts_what_it_lists(db: Database) -> None:
    """For every day of a month, with and without a filter: the open count is the open
    activities listed, the done count the done ones listed."""
    deals = [_deal(db, f"Deal {i}", amount=str(10 * i + 1)) for i in range(4)]
    for i in range(24):
        deadline = f"2026-03-{1 + i % 12:02d} {(i * 5) % 24:02d}:{(i * 7) % 60:02d}"
        if i % 3:
            _plan(db, deals[i % 4], deadline)
        else:
            _done(db, deals[i % 4], deadline)
    data = CalendarData(db)
    days = [MARCH["start"] + timedelta(days=i) for i in range(31)]
    for flt in (None, DealFilter(amount_min=15)):
        figures = data.figures(MARCH["start"], MARCH["end"], field="close_date", flt=flt)
        for items in data.days(days, field="close_date", flt=flt):
            listed_open = sum(1 for a in items.activities if not a.completed)
            listed_done = sum(1 for a in items.activities if a.completed)
            assert figures.activities.get(items.day, 0) == listed_open, (flt, items.day)
            assert figures.done.get(items.day, 0) == listed_done, (flt, items.day)
        assert sum(figures.done.values()) == (8 if flt is None else 4)
