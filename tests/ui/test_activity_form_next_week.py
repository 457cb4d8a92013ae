"""The activity form's "Next week" deadline lands in the Activities view's "Next week".

Weeks start as the locale says (en_US: Sunday), so on a Sunday "next week" is not
tomorrow. The clock here is frozen on Sunday 29 November 2026; deal #60 of the seeded
demo is open with nothing planned.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Input

from dealterm.core import formatting
from dealterm.core.clock import FixedClock
from dealterm.core.queries.activity_board import board_index
from dealterm.screens.activity_form import ActivityModal, quick_deadline, week_of
from dealterm.screens.deal_card import DealCardScreen
from tests.ui.conftest import board_ready
from tests.ui.helpers import FAST, busy, open_card, settle, until, wait_for_screen

SUNDAY = datetime(2026, 11, 29, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.fixture
def clock() -> FixedClock:
    """Sunday 29 November 2026, 11:00 in Moscow."""
    return FixedClock(zone=ZoneInfo("Europe/Moscow"), moment=SUNDAY)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en_US", datetime(2026, 12, 7, 10, 0)),  # weeks from Sunday: Mon 7 Dec
        ("ru_RU", datetime(2026, 11, 30, 10, 0)),  # weeks from Monday: tomorrow is next week
        ("ar_EG", datetime(2026, 12, 6, 10, 0)),  # from Saturday, a Friday-Saturday weekend
    ],
)
def test_next_week_is_the_first_working_day_of_the_locales_next_week(
    monkeypatch: pytest.MonkeyPatch, locale: str, expected: datetime
) -> None:
    monkeypatch.setattr(formatting, "_current", formatting.Formats(locale=locale))
    week_start, weekend = week_of(locale)
    wall = SUNDAY.replace(tzinfo=None)
    assert quick_deadline("week", wall, week_start=week_start, weekend=weekend) == expected


async def test_the_next_week_preset_plans_into_the_next_week_column(  # type: ignore[no-untyped-def]
    make_app, demo_db, db_of
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=FAST) as pilot:
        await board_ready(pilot)
        await open_card(pilot, 60)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("a")
        modal = await wait_for_screen(pilot, ActivityModal)
        await pilot.press("tab", "right", "right", "right", "space")
        await pilot.pause()
        assert modal.query_one("#deadline", Input).value == "2026-12-07 10:00"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, DealCardScreen)
        await until(pilot, lambda: not busy(app, ["card-write"]))

    with db_of(demo_db).session(write=False) as session:
        columns = board_index(session).ids
    assert 60 in columns["next_week"]
