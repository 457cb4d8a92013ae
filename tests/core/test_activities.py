"""Planning, completing and rescheduling activities; the "next step" rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dealterm.core.db import Database
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.queries import deal_detail
from dealterm.core.services import activities, flow
from dealterm.core.services.deals import DealCreate, create_deal


def _deal(db: Database, **fields: object) -> int:
    with db.session() as session:
        return create_deal(session, DealCreate(title="Call me", **fields)).id


def test_a_deadline_is_the_users_local_time(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        planned = activities.plan_activity(
            session, deal, kind="call", subject="Discuss terms", deadline="2026-03-11 15:00"
        )
    # Moscow is UTC+3.
    assert planned.deadline == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    assert planned.responsible == "Test User" and not planned.completed
    with db.session(write=False) as session:
        history = deal_detail(session, deal).history
    assert history[0].kind == "activity_planned"
    assert history[0].text == "Call planned: Discuss terms, due 2026-03-11 15:00"


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"kind": "fax"}, "unknown activity kind"),
        ({"subject": "  "}, "needs a subject"),
        ({"deadline": "next Tuesday"}, "not a date and time"),
        ({"priority": "urgent"}, "low, medium or high"),
        ({"responsible": "nobody"}, "unknown user"),
    ],
)
def test_bad_activities_are_refused(db: Database, fields: dict[str, str], fragment: str) -> None:
    deal = _deal(db)
    values = {"kind": "call", "subject": "Hi", "deadline": "2026-03-11 10:00"} | fields
    with pytest.raises(ValidationError, match=fragment), db.session() as session:
        activities.plan_activity(session, deal, **values)
    with db.session(write=False) as session:
        assert activities.list_activities(session, deal_id=deal) == []


def test_planning_on_a_missing_deal_is_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError), db.session() as session:
        activities.plan_activity(
            session, 404, kind="call", subject="Hi", deadline="2026-03-11 10:00"
        )


def test_complete_reschedule_delete(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        call = activities.plan_activity(
            session, deal, kind="meeting", subject="Demo", deadline="2026-03-12 11:00"
        )
        moved = activities.reschedule_activity(session, call.id, "2026-03-13 09:30")
        assert moved.deadline == datetime(2026, 3, 13, 6, 30, tzinfo=UTC)
        done = activities.complete_activity(session, call.id)
        assert done.completed and done.completed_at is not None
        with pytest.raises(ValidationError, match="completed"):
            activities.reschedule_activity(session, call.id, "2026-03-20 10:00")
        activities.delete_activity(session, call.id)
    with db.session(write=False) as session:
        kinds = [e.kind for e in deal_detail(session, deal).history]
        assert activities.list_activities(session, deal_id=deal) == []
    assert kinds[:4] == [
        "activity_deleted",
        "activity_done",
        "activity_changed",
        "activity_planned",
    ]


def test_overdue_means_due_before_today(db: Database) -> None:
    deal = _deal(db)
    with db.session() as session:
        activities.plan_activity(
            session, deal, kind="call", subject="Yesterday", deadline="2026-03-09 18:00"
        )
        activities.plan_activity(
            session, deal, kind="call", subject="This morning", deadline="2026-03-10 08:00"
        )
        activities.plan_activity(
            session, deal, kind="task", subject="Tomorrow", deadline="2026-03-11 08:00"
        )
    with db.session(write=False) as session:
        overdue = activities.list_activities(session, overdue=True)
        every = activities.list_activities(session)
    assert [a.subject for a in overdue] == ["Yesterday"]
    assert [a.subject for a in every] == ["Yesterday", "This morning", "Tomorrow"]


def test_an_open_deal_without_a_planned_activity_needs_a_next_step(db: Database) -> None:
    deal = _deal(db)
    closed = _deal(db)
    with db.session() as session:
        assert activities.needs_next_activity(session, deal)
        call = activities.plan_activity(
            session, deal, kind="call", subject="Hi", deadline="2026-03-11 10:00"
        )
        assert not activities.needs_next_activity(session, deal)
        activities.complete_activity(session, call.id)
        assert activities.needs_next_activity(session, deal)
        flow.mark_won(session, closed)
        assert not activities.needs_next_activity(session, closed)
