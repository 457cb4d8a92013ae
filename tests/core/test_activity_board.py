"""The activities board's columns at their edges: midnight, week start, incoming, zones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.errors import ValidationError
from dealterm.core.queries.activity_board import (
    bucket_cards,
    bucket_ids,
    bucket_summary,
    move_to_bucket,
    place_of,
    scope_of,
)
from dealterm.core.services import activities, flow
from dealterm.core.services.deals import DealCreate, create_deal
from tests.conftest import FROZEN

# Today is Tuesday 2026-03-10 in Moscow.
CASES = {
    "yesterday late": ("2026-03-09 23:59", None),
    "midnight today": ("2026-03-10 00:00", None),
    "tonight": ("2026-03-10 23:59", None),
    "midnight tomorrow": ("2026-03-11 00:00", None),
    "saturday": ("2026-03-14 12:00", None),
    "sunday": ("2026-03-15 12:00", None),
    "next saturday": ("2026-03-21 12:00", None),
    "next sunday": ("2026-03-22 12:00", None),
    "monday after": ("2026-03-23 09:00", None),
    "incoming next week": ("2026-03-20 10:00", "incoming"),
    "incoming but overdue": ("2026-03-02 10:00", "incoming"),
    "nothing planned": (None, None),
}
EXPECTED = {
    "ru_RU": {  # weeks start on Monday: this week ends Sunday the 15th
        "overdue": {"yesterday late", "incoming but overdue"},
        "today": {"midnight today", "tonight", "incoming next week"},
        "this_week": {"midnight tomorrow", "saturday", "sunday"},
        "next_week": {"next saturday", "next sunday"},
        "idle": {"nothing planned"},
        "later": {"monday after"},
    },
    "en_US": {  # weeks start on Sunday: this week ends Saturday the 14th
        "overdue": {"yesterday late", "incoming but overdue"},
        "today": {"midnight today", "tonight", "incoming next week"},
        "this_week": {"midnight tomorrow", "saturday"},
        "next_week": {"sunday", "next saturday"},
        "idle": {"nothing planned"},
        "later": {"next sunday", "monday after"},
    },
}


@pytest.fixture
def board(db: Database) -> Database:
    with db.session() as session:
        for title, (due, direction) in CASES.items():
            deal = create_deal(session, DealCreate(title=title, amount="10"))
            if due:
                activities.plan_activity(
                    session, deal.id, kind="call", subject=title, deadline=due, direction=direction
                )
        won = create_deal(session, DealCreate(title="closed deal"))
        activities.plan_activity(
            session, won.id, kind="call", subject="x", deadline="2026-03-10 12:00"
        )
        flow.mark_won(session, won.id)
    return db


def _columns(db: Database, locale: str, zone: str = "Europe/Moscow") -> dict[str, set[str]]:
    clock = FixedClock(zone=ZoneInfo(zone), moment=FROZEN)
    view = Database.open(
        db.url.render_as_string(hide_password=False), clock=clock, locale=locale, login="tester"
    )
    try:
        with view.session(write=False) as session:
            summary = bucket_summary(session, scope_of(session))
            columns = {
                s.stage.code: {
                    c.title for c in bucket_cards(session, s.stage.code, offset=0, limit=100)
                }
                for s in summary
            }
            assert {s.stage.code: s.count for s in summary} == {
                k: len(v) for k, v in columns.items()
            }
            return columns
    finally:
        view.close()


@pytest.mark.parametrize("locale", ["ru_RU", "en_US"])
def test_columns_follow_the_rules_and_the_locale_week(board: Database, locale: str) -> None:
    assert _columns(board, locale) == EXPECTED[locale]


def test_the_users_time_zone_decides_the_day(db: Database) -> None:
    with db.session() as session:
        deal = create_deal(session, DealCreate(title="late call"))
        # 22:30 UTC on the 10th is already the 11th in Moscow (01:30), still the 10th in UTC.
        activities.plan_activity(
            session,
            deal.id,
            kind="call",
            subject="late",
            deadline=datetime(2026, 3, 10, 22, 30, tzinfo=UTC),
        )
    assert "late call" in _columns(db, "ru_RU", "Europe/Moscow")["this_week"]
    assert "late call" in _columns(db, "ru_RU", "UTC")["today"]


def test_cards_show_the_nearest_activity(board: Database) -> None:
    with board.session(write=False) as session:
        cards = bucket_cards(session, "this_week", offset=0, limit=10)
    # The database's locale is en_US: this week ends on Saturday.
    assert [c.title for c in cards] == ["midnight tomorrow", "saturday"]  # nearest first
    assert cards[0].next_subject == "midnight tomorrow" and cards[0].next_kind == "call"


@pytest.mark.parametrize(
    ("target", "day"),
    [
        ("today", "2026-03-10"),
        ("this_week", "2026-03-11"),
        ("next_week", "2026-03-15"),  # en_US: next week starts on Sunday
        ("later", "2026-03-22"),
    ],
)
def test_moving_a_card_reschedules_its_nearest_activity(
    board: Database, target: str, day: str
) -> None:
    with board.session() as session:
        deal = next(
            c
            for c in bucket_cards(session, "overdue", offset=0, limit=10)
            if c.title == "yesterday late"
        )
        moved = move_to_bucket(session, deal.id, target)
    local = moved.deadline.astimezone(ZoneInfo("Europe/Moscow"))
    assert local.date().isoformat() == day
    assert "yesterday late" in _columns(board, "en_US")[target]


def test_moving_a_deal_without_activities_plans_one(board: Database) -> None:
    with board.session() as session:
        idle = bucket_cards(session, "idle", offset=0, limit=10)[0]
        planned = move_to_bucket(session, idle.id, "next_week")
    assert planned.subject.startswith("Follow up") and not planned.completed
    assert "nothing planned" in _columns(board, "en_US")["next_week"]


@pytest.mark.parametrize("target", ["overdue", "idle"])
def test_moves_into_overdue_or_without_activities_are_refused(board: Database, target: str) -> None:
    with board.session(write=False) as session:
        deal = bucket_cards(session, "today", offset=0, limit=10)[0]
    with pytest.raises(ValidationError, match="cannot be moved"), board.session() as session:
        move_to_bucket(session, deal.id, target)


def test_pages_and_places_follow_each_columns_order(board: Database) -> None:
    with board.session() as session:  # ties: the same deadline, the oldest deal first
        for title in ("tie one", "tie two", "tie three"):
            deal = create_deal(session, DealCreate(title=title, amount="5"))
            activities.plan_activity(
                session, deal.id, kind="task", subject=title, deadline="2026-03-10 15:00"
            )
        for title in ("idle two", "idle three"):
            create_deal(session, DealCreate(title=title))
    with board.session(write=False) as session:
        scope = scope_of(session)
        summary = {s.stage.code: s for s in bucket_summary(session, scope)}
        for code, column in summary.items():
            whole = bucket_ids(session, scope, code)
            assert len(whole) == column.count, code
            paged = [
                deal_id
                for offset in range(0, len(whole) + 2, 2)
                for deal_id in bucket_ids(session, scope, code, offset=offset, limit=2)
            ]
            assert paged == whole, code  # pages neither skip nor repeat a deal
            for position, deal_id in enumerate(whole):
                assert place_of(session, scope, deal_id) == (code, position)
        today = [c.title for c in bucket_cards(session, "today", offset=0, limit=10)]
        idle = [c.title for c in bucket_cards(session, "idle", offset=0, limit=10)]
    # Nearest first; the incoming one (due next week) last; ties oldest first.
    assert today == [
        "midnight today",
        "tie one",
        "tie two",
        "tie three",
        "tonight",
        "incoming next week",
    ]
    assert idle == ["nothing planned", "idle two", "idle three"]  # oldest first
    with board.session() as session:
        deal_id = bucket_ids(session, scope_of(session), "today")[0]
        flow.mark_won(session, deal_id)
        assert place_of(session, scope_of(session), deal_id) is None  # closed: off the board
