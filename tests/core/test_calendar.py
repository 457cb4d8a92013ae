"""The calendar's queries on SQLite and PostgreSQL: per-day figures, local days, moving dates.

Frozen today: Tuesday 2026-03-10, 10:30 in Moscow (UTC+3, no DST). Base currency USD;
one EUR is 1.08 USD and one RUB is 0.011 USD (the seeded starting rates).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.errors import ConflictError, ValidationError
from dealterm.core.filters import DealFilter, Status
from dealterm.core.models import Deal, EventKind
from dealterm.core.queries import deal_detail
from dealterm.core.queries.calendar import (
    CalendarData,
    DayTotal,
    activity_totals,
    day_items,
    day_totals,
    month_figures,
    overdue_days,
    shift_date,
)
from dealterm.core.services import activities, custom_fields, flow, pipelines
from dealterm.core.services.deals import DealCreate, create_deal

MOSCOW = ZoneInfo("Europe/Moscow")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def _deal(db: Database, title: str, **fields: object) -> int:
    with db.session() as session:
        return create_deal(session, DealCreate(title=title, **fields)).id


def _plan(db: Database, deal_id: int, deadline: str, subject: str = "Call back") -> int:
    with db.session() as session:
        return activities.plan_activity(
            session, deal_id, kind="call", subject=subject, deadline=deadline
        ).id


def _created_at(db: Database, clock: FixedClock, title: str, moment: datetime) -> int:
    """A deal created at ``moment`` (the clock is moved there and back)."""
    frozen = clock.moment
    clock.moment = moment
    try:
        return _deal(db, title)
    finally:
        clock.moment = frozen


# --- deals per day ------------------------------------------------------------------------
def test_each_day_counts_its_deals_and_sums_them_in_the_base_currency(db: Database) -> None:
    _deal(db, "Dollars", amount="100", currency="USD", close_date="2026-03-12")
    _deal(db, "Euros", amount="100", currency="EUR", close_date="2026-03-12")
    _deal(db, "Roubles", amount="1000", currency="RUB", close_date="2026-03-13")
    _deal(db, "Cents", amount="0.10", currency="USD", close_date="2026-03-13")
    _deal(db, "April", amount="5", currency="USD", close_date="2026-04-01")
    _deal(db, "February", amount="5", currency="USD", close_date="2026-02-28")
    with db.session(write=False) as session:
        totals = day_totals(session, **MARCH)
    assert totals == {
        date(2026, 3, 12): DayTotal(2, Decimal("208.00")),
        date(2026, 3, 13): DayTotal(2, Decimal("11.10")),
    }


def test_the_range_includes_both_ends(db: Database) -> None:
    _deal(db, "First", amount="1", close_date="2026-03-01")
    _deal(db, "Last", amount="2", close_date="2026-03-31")
    with db.session(write=False) as session:
        totals = day_totals(session, **MARCH)
    assert set(totals) == {date(2026, 3, 1), date(2026, 3, 31)}


def test_begin_date_is_another_field(db: Database) -> None:
    _deal(db, "Started", amount="10", begin_date="2026-03-02", close_date="2026-03-20")
    with db.session(write=False) as session:
        by_begin = day_totals(session, **MARCH, field="begin_date")
        by_close = day_totals(session, **MARCH, field="close_date")
    assert by_begin == {date(2026, 3, 2): DayTotal(1, Decimal("10.00"))}
    assert by_close == {date(2026, 3, 20): DayTotal(1, Decimal("10.00"))}


def test_a_custom_date_field_is_a_field_too(db: Database) -> None:
    with db.session() as session:
        custom_fields.define_field(session, "SIGNED", "Contract signed", type="date")
        custom_fields.define_field(session, "TAGS", "Tag days", type="date", multiple=True)
    signed = _deal(db, "Signed", amount="25", custom_fields={"SIGNED": "05.03.2026"})
    _deal(db, "Unsigned", amount="7", close_date="2026-03-05")
    data = CalendarData(db)
    fields = data.date_fields()
    assert fields["cf:UF_CRM_SIGNED"] == "Contract signed"
    assert "cf:UF_CRM_TAGS" not in fields  # several dates: no single day to show it on
    with db.session(write=False) as session:
        totals = day_totals(session, **MARCH, field="cf:UF_CRM_SIGNED")
        deals, _ = day_items(session, date(2026, 3, 5), field="cf:UF_CRM_SIGNED")
    assert totals == {date(2026, 3, 5): DayTotal(1, Decimal("25.00"))}
    assert [d.title for d in deals] == ["Signed"]
    moved = data.shift(signed, 2, field="cf:UF_CRM_SIGNED", version=1)
    assert moved.custom_fields == {"UF_CRM_SIGNED": "2026-03-07"}
    with db.session(write=False) as session:
        event = deal_detail(session, signed).history[0]
    assert (event.field, event.old_value, event.new_value) == (
        "Contract signed",
        "2026-03-05",
        "2026-03-07",
    )
    with pytest.raises(ValidationError, match="unknown calendar date field"):
        data.figures(date(2026, 3, 1), date(2026, 3, 31), field="cf:UF_CRM_TAGS", flt=None)


def test_created_at_counts_on_the_users_local_day(db: Database, clock: FixedClock) -> None:
    late = _created_at(db, clock, "Late on the 9th", datetime(2026, 3, 9, 23, 30, tzinfo=MOSCOW))
    early = _created_at(db, clock, "Early on the 10th", datetime(2026, 3, 10, 0, 30, tzinfo=MOSCOW))
    with db.session(write=False) as session:
        totals = day_totals(
            session, start=date(2026, 3, 9), end=date(2026, 3, 10), field="created_at"
        )
        ninth, _ = day_items(session, date(2026, 3, 9), field="created_at")
        tenth, _ = day_items(session, date(2026, 3, 10), field="created_at")
    # In UTC both are on the 9th (20:30 and 21:30).
    assert totals == {
        date(2026, 3, 9): DayTotal(1, Decimal("0.00")),
        date(2026, 3, 10): DayTotal(1, Decimal("0.00")),
    }
    assert [d.id for d in ninth] == [late]
    assert [d.id for d in tenth] == [early]


def test_created_at_days_stay_right_across_a_dst_change(db: Database, clock: FixedClock) -> None:
    clock.zone = ZoneInfo("Europe/Berlin")  # clocks go forward on 2026-03-29 at 02:00
    berlin = ZoneInfo("Europe/Berlin")
    for title, moment in [
        ("Sat late", datetime(2026, 3, 28, 23, 30, tzinfo=berlin)),  # 22:30 UTC, +1
        ("Sun early", datetime(2026, 3, 29, 0, 30, tzinfo=berlin)),  # 23:30 UTC on the 28th
        ("Sun late", datetime(2026, 3, 29, 23, 30, tzinfo=berlin)),  # 21:30 UTC, +2
        ("Mon early", datetime(2026, 3, 30, 0, 30, tzinfo=berlin)),  # 22:30 UTC on the 29th
    ]:
        _created_at(db, clock, title, moment)
    with db.session(write=False) as session:
        totals = day_totals(session, **MARCH, field="created_at")
    assert {day: t.count for day, t in totals.items()} == {
        date(2026, 3, 28): 1,
        date(2026, 3, 29): 2,
        date(2026, 3, 30): 1,
    }


def test_all_pipelines_show_unless_the_filter_picks_one(db: Database) -> None:
    with db.session() as session:
        pipelines.create_pipeline(session, "Projects")
    _deal(db, "Sales deal", amount="1", close_date="2026-03-12")
    _deal(db, "Project deal", amount="2", pipeline="Projects", close_date="2026-03-12")
    with db.session(write=False) as session:
        everything = day_totals(session, **MARCH)
        projects = day_totals(session, **MARCH, flt=DealFilter(pipeline="Projects"))
    assert everything[date(2026, 3, 12)] == DayTotal(2, Decimal("3.00"))
    assert projects[date(2026, 3, 12)] == DayTotal(1, Decimal("2.00"))


def test_the_shared_filter_applies_to_deals_and_activities(db: Database) -> None:
    won = _deal(db, "Won one", amount="7", close_date="2026-03-12")
    open_ = _deal(db, "Open one", amount="3", close_date="2026-03-12")
    _plan(db, won, "2026-03-12 10:00")
    _plan(db, open_, "2026-03-12 11:00")
    _plan(db, open_, "2026-03-05 11:00")
    with db.session() as session:
        flow.mark_won(session, won)  # also sets its close date to today
    only_open = DealFilter(status=Status.OPEN)
    with db.session(write=False) as session:
        assert day_totals(session, **MARCH) == {
            date(2026, 3, 10): DayTotal(1, Decimal("7.00")),
            date(2026, 3, 12): DayTotal(1, Decimal("3.00")),
        }
        assert day_totals(session, **MARCH, flt=only_open) == {
            date(2026, 3, 12): DayTotal(1, Decimal("3.00"))
        }
        assert activity_totals(session, **MARCH) == {date(2026, 3, 5): 1, date(2026, 3, 12): 2}
        assert activity_totals(session, **MARCH, flt=only_open) == {
            date(2026, 3, 5): 1,
            date(2026, 3, 12): 1,
        }
        searched = DealFilter(search="Won one")
        assert overdue_days(session, **MARCH, flt=searched) == set()
        assert overdue_days(session, **MARCH, flt=only_open) == {date(2026, 3, 5)}
        deals, acts = day_items(session, date(2026, 3, 12), flt=only_open)
    assert [d.title for d in deals] == ["Open one"]
    assert [a.deal_id for a in acts] == [open_]


def test_the_activity_presets_filter_the_calendar_too(db: Database) -> None:
    """The Overdue and Without activities presets test each deal's activities: the
    calendar's activity counts read activities themselves, and the two must not mix."""
    late = _deal(db, "Late", amount="5", close_date="2026-03-12")
    planned = _deal(db, "Planned", amount="7", close_date="2026-03-12")
    _deal(db, "Idle", amount="11", close_date="2026-03-12")
    _plan(db, late, "2026-03-05 11:00")  # before today (10 March): overdue
    _plan(db, late, "2026-03-12 09:00")
    _plan(db, planned, "2026-03-12 10:00")
    overdue = DealFilter(overdue=True)
    idle_only = DealFilter(without_activities=True)
    data = CalendarData(db)
    with db.session(write=False) as session:
        assert day_totals(session, **MARCH, flt=overdue) == {
            date(2026, 3, 12): DayTotal(1, Decimal("5.00"))
        }
        assert day_totals(session, **MARCH, flt=idle_only) == {
            date(2026, 3, 12): DayTotal(1, Decimal("11.00"))
        }
        assert activity_totals(session, **MARCH, flt=overdue) == {
            date(2026, 3, 5): 1,
            date(2026, 3, 12): 1,
        }
        assert activity_totals(session, **MARCH, flt=idle_only) == {}
        assert overdue_days(session, **MARCH, flt=overdue) == {date(2026, 3, 5)}
    for field in ("close_date", "begin_date", "created_at"):
        figures = data.figures(MARCH["start"], MARCH["end"], field=field, flt=overdue)
        assert figures.activities == {date(2026, 3, 5): 1, date(2026, 3, 12): 1}
    day = data.day(date(2026, 3, 12), field="close_date", flt=overdue)
    assert [d.title for d in day.deals] == ["Late"]
    assert [a.deal_id for a in day.activities] == [late]


def test_a_bad_field_or_range_is_refused(db: Database) -> None:
    with db.session(write=False) as session:
        with pytest.raises(ValidationError, match="unknown calendar date field"):
            day_totals(session, **MARCH, field="updated_at")
        with pytest.raises(ValidationError, match="ends before it starts"):
            day_totals(session, start=date(2026, 3, 31), end=date(2026, 3, 1))


# --- activities ---------------------------------------------------------------------------
def test_open_activities_count_on_the_local_day_of_their_deadline(db: Database) -> None:
    deal = _deal(db, "Busy")
    _plan(db, deal, "2026-03-11 00:30")  # 21:30 UTC on the 10th: still the 11th here
    _plan(db, deal, "2026-03-11 23:30")
    _plan(db, deal, "2026-03-12 09:00")
    done = _plan(db, deal, "2026-03-12 12:00")
    with db.session() as session:
        activities.complete_activity(session, done)
    with db.session(write=False) as session:
        totals = activity_totals(session, **MARCH)
    assert totals == {date(2026, 3, 11): 2, date(2026, 3, 12): 1}


def test_a_long_range_is_counted_in_several_queries(db: Database) -> None:
    deal = _deal(db, "All year")
    for deadline in ("2026-01-02 10:00", "2026-06-30 10:00", "2026-12-31 23:30"):
        _plan(db, deal, deadline)
    with db.session(write=False) as session:
        totals = activity_totals(session, start=date(2026, 1, 1), end=date(2026, 12, 31))
        created = day_totals(
            session, start=date(2025, 1, 1), end=date(2026, 12, 31), field="created_at"
        )
    assert totals == {date(2026, 1, 2): 1, date(2026, 6, 30): 1, date(2026, 12, 31): 1}
    assert created == {date(2026, 3, 10): DayTotal(1, Decimal("0.00"))}


def test_activities_of_deals_marked_as_templates_are_not_counted(db: Database) -> None:
    """A deal flagged ``is_recurring`` (a template of the old schema) keeps its activities
    off the calendar; the others' count as before."""
    deal = _deal(db, "Support contract")
    template = _deal(db, "Monthly check")
    _plan(db, deal, "2026-03-12 10:00")
    _plan(db, template, "2026-03-13 10:00")
    _plan(db, deal, "2026-03-13 11:00")
    with db.session(write=False) as session:
        assert activity_totals(session, **MARCH) == {date(2026, 3, 12): 1, date(2026, 3, 13): 2}
    with db.session() as session:
        flagged = session.get(Deal, template)
        assert flagged is not None
        flagged.is_recurring = True
        session.add(flagged)
    with db.session(write=False) as session:
        totals = activity_totals(session, **MARCH)
    assert totals == {date(2026, 3, 12): 1, date(2026, 3, 13): 1}


def test_days_with_overdue_activities_are_marked(db: Database) -> None:
    deal = _deal(db, "Late")
    _plan(db, deal, "2026-03-02 09:00")  # overdue
    done = _plan(db, deal, "2026-03-03 09:00")  # done: not overdue
    _plan(db, deal, "2026-03-09 23:59")  # yesterday, late evening: overdue
    _plan(db, deal, "2026-03-10 08:00")  # earlier today: due today, not an overdue day
    _plan(db, deal, "2026-03-20 08:00")  # future
    _plan(db, deal, "2026-02-27 08:00")  # overdue, but outside the range
    with db.session() as session:
        activities.complete_activity(session, done)
    with db.session(write=False) as session:
        assert overdue_days(session, **MARCH) == {date(2026, 3, 2), date(2026, 3, 9)}
        assert overdue_days(session, start=date(2026, 3, 10), end=date(2026, 3, 31)) == set()
        figures = month_figures(session, start=date(2026, 2, 23), end=date(2026, 4, 5))
    assert figures.today == date(2026, 3, 10)
    assert figures.overdue == {date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 9)}
    assert figures.activities[date(2026, 3, 10)] == 1


# --- a day's items ------------------------------------------------------------------------
def test_a_day_lists_its_deals_and_activities(db: Database) -> None:
    small = _deal(db, "Small", amount="10", company="Acme", close_date="2026-03-12")
    big = _deal(db, "Big", amount="900", close_date="2026-03-12")
    _deal(db, "Elsewhere", amount="1", close_date="2026-03-13")
    _plan(db, small, "2026-03-12 15:00", "Send the offer")
    _plan(db, big, "2026-03-12 09:15", "Agree the date")
    with db.session(write=False) as session:
        deals, acts = day_items(session, date(2026, 3, 12))
    assert [(d.id, d.title, d.client, d.stage_name) for d in deals] == [
        (big, "Big", "", "New"),
        (small, "Small", "Acme", "New"),
    ]
    assert deals[0].amount == Decimal("900.00") and deals[0].currency == "USD"
    assert deals[0].version == 1 and deals[0].day == date(2026, 3, 12)
    assert [(a.subject, a.at.strftime("%H:%M"), a.deal_title) for a in acts] == [
        ("Agree the date", "09:15", "Big"),
        ("Send the offer", "15:00", "Small"),
    ]
    assert not any(a.overdue or a.completed for a in acts)


def test_the_facade_reads_a_week_in_one_call(db: Database) -> None:
    _deal(db, "Monday", close_date="2026-03-09")
    _deal(db, "Wednesday", close_date="2026-03-11")
    data = CalendarData(db)
    week = data.days([date(2026, 3, 9 + i) for i in range(7)], field="close_date", flt=None)
    assert [[d.title for d in day.deals] for day in week] == [
        ["Monday"],
        [],
        ["Wednesday"],
        [],
        [],
        [],
        [],
    ]
    assert data.day(date(2026, 3, 11), field="close_date", flt=None).deals[0].title == "Wednesday"


# --- moving dates -------------------------------------------------------------------------
def test_shifting_a_close_date_writes_history(db: Database) -> None:
    deal = _deal(db, "Moving", close_date="2026-03-12")
    with db.session() as session:
        moved = shift_date(session, deal, 1, expected_version=1)
    assert moved.close_date == date(2026, 3, 13) and moved.version == 2
    with db.session(write=False) as session:
        event = deal_detail(session, deal).history[0]
        totals = day_totals(session, **MARCH)
    assert event.kind == EventKind.FIELD_CHANGED
    assert (event.field, event.old_value, event.new_value) == (
        "close_date",
        "2026-03-12",
        "2026-03-13",
    )
    assert set(totals) == {date(2026, 3, 13)}


def test_shifting_a_begin_date_back(db: Database) -> None:
    deal = _deal(db, "Earlier", begin_date="2026-03-10")
    data = CalendarData(db)
    moved = data.shift(deal, -2, field="begin_date", version=None)
    assert moved.begin_date == date(2026, 3, 8)


def test_shifting_refuses_created_at_and_stale_versions(db: Database) -> None:
    deal = _deal(db, "Fixed", close_date="2026-03-12")
    with pytest.raises(ValidationError, match="created date cannot be moved"), db.session() as s:
        shift_date(s, deal, 1, field="created_at")
    with db.session() as session:
        shift_date(session, deal, 1, expected_version=1)
    with pytest.raises(ConflictError), db.session() as session:
        shift_date(session, deal, 1, expected_version=1)
    with db.session(write=False) as session:
        deals, _ = day_items(session, date(2026, 3, 13))
    assert [d.version for d in deals] == [2]


def test_utc_storage_is_not_what_the_day_depends_on(db: Database, clock: FixedClock) -> None:
    """A deal created at 02:00 UTC is already 05:00 in Moscow: same day either way."""
    _created_at(db, clock, "Morning", datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
    with db.session(write=False) as session:
        totals = day_totals(session, **MARCH, field="created_at")
    assert set(totals) == {date(2026, 3, 15)}
