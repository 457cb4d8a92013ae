"""The calendar view driven with the keyboard: the grid, the week, the day list, moving dates.

Today is frozen at Tuesday 2026-03-10 (Moscow); en_US weeks start on Sunday, so March 2026
is drawn from Sunday 1 March to Saturday 4 April. Besides the seeded demo, each test adds
two deals closing on Thursday 12 March (see :func:`seed`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dealterm.app import DealtermApp
from dealterm.core.filters import DealFilter
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.screens.calendar import CalendarScreen, add_months
from dealterm.screens.day_list import DayListModal
from dealterm.screens.deal_card import DealCardScreen
from dealterm.screens.picker import PickerModal
from dealterm.widgets.month_grid import CalendarGrid, compact_money, first_weekday, month_weeks
from tests.ui.conftest import SIZE, board_ready
from tests.ui.helpers import FAST, events, read_deal, screen_text, until, wait_for_screen

TODAY = date(2026, 3, 10)
THURSDAY = date(2026, 3, 12)


def seed(db: Any) -> tuple[int, int]:
    """Two deals closing on Thursday 12 March: $1,000 and €500 ($540)."""
    with db.session() as session:
        big = create_deal(
            session,
            DealCreate(title="Zebra crossing", amount="1000", currency="USD", close_date=THURSDAY),
        )
        small = create_deal(
            session,
            DealCreate(title="Zebra stripes", amount="500", currency="EUR", close_date=THURSDAY),
        )
    return big.id, small.id


def calendar(app: Any) -> CalendarScreen:
    screen = app.screen
    assert isinstance(screen, CalendarScreen)
    return screen


def grid(app: Any) -> CalendarGrid:
    return calendar(app).grid


def loaded(app: Any) -> bool:
    """The calendar is on top and the figures of what it shows are in."""
    screen = app.screen
    if not isinstance(screen, CalendarScreen):
        return False
    state = screen.grid.state
    if state.loading or state.figures is None:
        return False
    return state.view == "month" or state.week is not None


async def open_calendar(pilot: Any) -> CalendarScreen:
    await board_ready(pilot)
    await pilot.press("4")
    await until(pilot, lambda: loaded(pilot.app))
    return calendar(pilot.app)


async def press(pilot: Any, *keys: str) -> None:
    """Press keys, then wait until the calendar shows what they asked for."""
    await pilot.press(*keys)
    await until(pilot, lambda: loaded(pilot.app))


def title(app: Any) -> str:
    return str(calendar(app).query_one("#calendar-title").render())


# --- pure helpers -------------------------------------------------------------------------
def test_weeks_follow_the_locale_and_months_keep_their_day() -> None:
    assert first_weekday("en_US") == 6 and first_weekday("ru_RU") == 0
    sunday_weeks = month_weeks(date(2026, 3, 1), 6)
    monday_weeks = month_weeks(date(2026, 3, 1), 0)
    assert sunday_weeks[0][0] == date(2026, 3, 1) and sunday_weeks[-1][-1] == date(2026, 4, 4)
    assert monday_weeks[0][0] == date(2026, 2, 23) and monday_weeks[-1][-1] == date(2026, 4, 5)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)
    assert compact_money(Decimal("12345.67"), "USD") == "$12.3K"
    assert compact_money(Decimal("1500000"), "RUB", "en_US") == "₽1.5M"


# --- the grid -----------------------------------------------------------------------------
async def test_the_month_opens_on_today_with_counts_and_sums(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    seed(db_of(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        state = screen.grid.state
        assert state.selected == TODAY and state.view == "month" and state.mode == "deals"
        assert screen.grid.weeks[0][0] == date(2026, 3, 1)  # en_US: Sunday first
        assert state.figures is not None
        total = state.figures.deals[THURSDAY]
        assert (total.count, total.total) == (2, Decimal("1540.00"))
        assert state.figures.today == TODAY
        assert state.figures.overdue  # the demo has overdue calls
        assert "March 2026" in title(app) and "deals by close date" in title(app)
        text = screen_text(app)
        assert "today" in text and "● overdue" in text
        assert "2 deals" in text and "$1.5K" in text
        assert app.focused is screen.grid


async def test_a_russian_week_starts_on_monday(demo_db, clock) -> None:  # type: ignore[no-untyped-def]
    from dealterm.config import Settings

    settings = Settings(locale="ru_RU", timezone="Europe/Moscow")
    app = DealtermApp(target=str(demo_db), settings=settings, clock=clock, poll=False)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        assert screen.grid.weeks[0][0] == date(2026, 2, 23)
        assert screen.grid.weeks[-1][-1] == date(2026, 4, 5)
        assert "Март 2026" in title(app)
        header = screen_text(app).splitlines()[2]
        assert header.split()[:2] == ["пн", "вт"]


async def test_arrows_pages_and_t_move_the_selected_day(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        state = screen.grid.state
        await press(pilot, "right")
        assert state.selected == date(2026, 3, 11)
        await press(pilot, "down", "left")
        assert state.selected == date(2026, 3, 17)
        await press(pilot, "up", "up")
        assert state.selected == date(2026, 3, 3)
        await press(pilot, "pageup")
        assert state.selected == date(2026, 2, 3)
        assert state.figures is not None and state.figures.start == date(2026, 2, 1)
        assert "February 2026" in title(app)
        await press(pilot, "pagedown", "pagedown")
        assert state.selected == date(2026, 4, 3)
        assert "April 2026" in title(app)
        await press(pilot, "t")
        assert state.selected == TODAY and "March 2026" in title(app)
        # Leaving the month by day moves to the next month.
        for _ in range(3):
            await press(pilot, "down")
        await press(pilot, "right", "right", "right", "right", "right", "right")
        assert state.selected == date(2026, 4, 6) and "April 2026" in title(app)
        assert state.figures is not None and state.figures.start == date(2026, 3, 29)


async def test_v_shows_the_week_with_its_deals(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    seed(db_of(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        await press(pilot, "v")
        state = screen.grid.state
        assert state.view == "week"
        assert screen.grid.weeks == [[date(2026, 3, 8 + i) for i in range(7)]]
        assert state.week is not None
        assert [d.title for d in state.week[THURSDAY].deals] == ["Zebra crossing", "Zebra stripes"]
        assert "Week of 8 March 2026" in title(app)
        assert "▍Zebra" in screen_text(app)
        await press(pilot, "down")  # the next week
        assert state.week is not None and min(state.week) == date(2026, 3, 15)
        await press(pilot, "v")
        assert state.view == "month" and "March 2026" in title(app)


async def test_g_shows_activity_deadlines_instead_of_deals(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        await press(pilot, "g")
        assert screen.grid.state.mode == "activities"
        assert "activity deadlines" in title(app)
        figures = screen.grid.state.figures
        assert figures is not None and figures.activities
        count = figures.activities[THURSDAY]
        assert f"{count} activities" in screen_text(app)
        await press(pilot, "g")
        assert screen.grid.state.mode == "deals"


async def test_f_picks_the_date_field(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    seed(db_of(demo_db))  # created today
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        await pilot.press("f")
        await wait_for_screen(pilot, PickerModal)
        await press(pilot, "down", "enter")
        assert screen.field == "created_at"
        assert "deals by creation date" in title(app)
        figures = screen.grid.state.figures
        assert figures is not None
        assert figures.deals[TODAY].count >= 2
        assert THURSDAY not in figures.deals


async def test_the_shared_filter_narrows_the_figures(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    seed(db_of(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        app.set_filter(DealFilter(search="zebra"))
        await until(pilot, lambda: loaded(app) and app.deal_filter is not None)
        figures = screen.grid.state.figures
        assert figures is not None
        assert {day: t.count for day, t in figures.deals.items()} == {THURSDAY: 2}
        assert "filter" in title(app)
        app.set_filter(DealFilter(search="crossing"))
        await until(
            pilot,
            lambda: loaded(app) and screen.grid.state.figures.deals[THURSDAY].count == 1,  # type: ignore[union-attr]
        )


async def test_a_filter_that_fails_is_reported_not_left_loading(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        screen = await open_calendar(pilot)
        app.set_filter(DealFilter(pipeline="No such pipeline"))
        await until(pilot, lambda: "could not be read" in title(app))
        assert not screen.grid.state.loading and screen.grid.state.figures is None
        assert any("No such pipeline" in n.message for n in app._notifications)
        app.set_filter(None)
        await until(pilot, lambda: loaded(app))


async def test_changes_made_elsewhere_show_up(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        assert THURSDAY not in screen.grid.state.figures.deals  # type: ignore[union-attr]
        seed(db)
        app.broadcast_change()
        await until(pilot, lambda: THURSDAY in screen.grid.state.figures.deals)  # type: ignore[union-attr]


async def test_clicking_a_day_selects_it(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        the_grid = screen.grid
        x0, _, y0, _, _ = next(c for c in the_grid._cells if c[4] == THURSDAY)
        await pilot.click(CalendarGrid, offset=(x0 + 2, y0 + 1))
        await until(pilot, lambda: the_grid.state.selected == THURSDAY)


# --- the day list -------------------------------------------------------------------------
async def open_day_list(pilot: Any) -> DayListModal:
    """From today, select Thursday and press enter."""
    await press(pilot, "right", "right")
    assert grid(pilot.app).state.selected == THURSDAY
    await pilot.press("enter")
    return await wait_for_screen(pilot, DayListModal)  # type: ignore[no-any-return]


async def test_enter_lists_the_day_and_opens_a_card(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    big, small = seed(db_of(demo_db))
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await open_calendar(pilot)
        modal = await open_day_list(pilot)
        assert [d.id for d in modal.deals] == [big, small]
        text = screen_text(app)
        assert "Thursday, March 12, 2026" in text
        assert "2 deals · $1,540.00" in text
        await pilot.press("down", "enter")
        card = await wait_for_screen(pilot, DealCardScreen)
        assert card.deal_id == small
        await until(pilot, lambda: card.deal is not None)
        assert card.deal.title == "Zebra stripes"


async def test_escape_closes_the_day_list(make_app, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await open_calendar(pilot)
        await open_day_list(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: loaded(app))
        assert grid(app).state.selected == THURSDAY


async def test_shift_right_moves_the_close_date_a_day(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    big, _ = seed(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        modal = await open_day_list(pilot)
        await pilot.press("shift+right")
        await until(pilot, lambda: read_deal(db, big).close_date == date(2026, 3, 13))
        await until(pilot, lambda: modal.deals[0].day == date(2026, 3, 13))
        assert "→ 13 Mar" in screen_text(app)
        assert "1 moved to another day" in screen_text(app)
        # Again: the list kept the new version, so the second move is not a conflict.
        await pilot.press("shift+right")
        await until(pilot, lambda: read_deal(db, big).close_date == date(2026, 3, 14))
        changes = [e for e in events(db, big, "field_changed") if e.field == "close_date"]
        assert [(e.old_value, e.new_value) for e in changes] == [
            ("2026-03-13", "2026-03-14"),
            ("2026-03-12", "2026-03-13"),
        ]
        await pilot.press("shift+left")
        await until(pilot, lambda: read_deal(db, big).close_date == date(2026, 3, 13))
        await pilot.press("escape")
        await until(pilot, lambda: loaded(app) and THURSDAY in screen.grid.state.figures.deals)  # type: ignore[union-attr]
        figures = screen.grid.state.figures
        assert figures is not None
        assert figures.deals[THURSDAY].count == 1
        assert figures.deals[date(2026, 3, 13)].count >= 1


async def test_created_dates_cannot_be_moved(make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(demo_db)
    big, _ = seed(db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST, notifications=True) as pilot:
        await open_calendar(pilot)
        await pilot.press("f")
        await wait_for_screen(pilot, PickerModal)
        await press(pilot, "down", "enter")
        await pilot.press("enter")  # today: the seeded deals were created today
        modal = await wait_for_screen(pilot, DayListModal)
        index = next(i for i, d in enumerate(modal.deals) if d.id == big)
        modal.query_one("#day-deals").highlighted = index  # type: ignore[attr-defined]
        await pilot.press("shift+right")
        await until(pilot, lambda: "created date cannot be moved" in screen_text(app))
        assert read_deal(db, big).version == 1


# --- snapshot -----------------------------------------------------------------------------
def test_month_snapshot(snap_compare, make_app, demo_db, db_of) -> None:  # type: ignore[no-untyped-def]
    seed(db_of(demo_db))

    async def run_before(pilot: Any) -> None:
        await open_calendar(pilot)
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


async def test_the_months_either_side_are_read_ahead_and_dropped_on_a_change(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of
) -> None:
    db = db_of(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        screen = await open_calendar(pilot)
        april = (date(2026, 3, 29), date(2026, 5, 2))  # en_US: April's grid, Sunday first
        await until(pilot, lambda: any(key[:2] == april for key in screen._ahead))
        reads: list[date] = []
        original = screen._load_figures

        def counted(key: Any) -> None:
            reads.append(key[0])
            original(key)

        screen._load_figures = counted  # type: ignore[method-assign]
        await pilot.press("pagedown")
        # Shown at once, from the figures read ahead: no read waited for, nothing loading.
        assert not screen.grid.state.loading and "April 2026" in title(app)
        assert reads == []
        assert screen.grid.state.figures is not None
        assert screen.grid.state.figures.start == april[0]
        # A deal closing in May, made elsewhere and announced: what was read ahead for May
        # before the change is not shown for it.
        may, may_grid = date(2026, 5, 14), (date(2026, 4, 26), date(2026, 6, 6))
        await until(pilot, lambda: any(key[:2] == may_grid for key in screen._ahead))
        before = screen.data.figures(*may_grid, field="close_date", flt=None).deals.get(may)
        with db.session() as session:
            create_deal(session, DealCreate(title="May deal", amount="70", close_date=may))
        app.broadcast_change()
        await until(pilot, lambda: loaded(app) and screen.generation > 1)
        await press(pilot, "pagedown")
        assert "May 2026" in title(app)
        shown = screen.grid.state.figures
        assert shown is not None and shown.start == may_grid[0]
        assert shown.deals[may].count == (before.count if before else 0) + 1
