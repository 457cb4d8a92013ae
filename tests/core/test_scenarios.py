"""Sales scenarios: each segment's edges, preview equals run, once per period, round-robin."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.services import clients, users
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.core.services.scenarios import (
    ScenarioInput,
    add_scenario,
    delete_scenario,
    list_scenarios,
    parse_activity,
    preview_scenario,
    run_scenario,
)

TODAY = date(2026, 3, 10)  # the frozen clock's day


def deal(
    db: Database,
    company: str,
    *,
    stage: str = "NEW",
    closed_on: date | None = None,
    begin: date | None = None,
    amount: str = "100",
) -> None:
    with db.session() as session:
        create_deal(
            session,
            DealCreate(
                title=f"{company} {stage} {closed_on}",
                company=company,
                stage=stage,
                amount=amount,
                begin_date=begin or (closed_on - timedelta(days=5) if closed_on else None),
                close_date=closed_on,
            ),
        )


def scenario(
    db: Database, name: str, segment: str, days: int | None = None, **extra: object
) -> None:
    with db.session() as session:
        add_scenario(
            session,
            ScenarioInput(
                name=name, segment=segment, days=days, title="Offer for {client}", **extra
            ),  # type: ignore[arg-type]
        )


def matched(db: Database, name: str) -> set[str]:
    with db.session(write=False) as session:
        return {p.client for p in preview_scenario(session, name).deals}


def test_birthday_window_crosses_the_year_end(db: Database, clock: FixedClock) -> None:
    clock.moment = clock.moment.replace(year=2026, month=12, day=28)
    with db.session() as session:
        for name, born in (
            ("Dec 28", date(1980, 12, 28)),
            ("Jan 3", date(1990, 1, 3)),
            ("Jan 4", date(1990, 1, 4)),
            ("Dec 27", date(1985, 12, 27)),
            ("No birthday", None),
        ):
            clients.create_contact(session, name=name, birthday=born)
    scenario(db, "Birthdays", "birthday", days=6)
    with db.session(write=False) as session:
        preview = preview_scenario(session, "Birthdays")
    by_name = {p.client: p for p in preview.deals}
    assert set(by_name) == {"Dec 28", "Jan 3"}
    assert by_name["Jan 3"].event_date == date(2027, 1, 3)
    assert by_name["Jan 3"].period_key == "2027"


def test_birthday_skips_contacts_with_an_open_deal_unless_told(db: Database) -> None:
    with db.session() as session:
        clients.create_contact(session, name="Busy", birthday=date(1980, 3, 12))
        clients.create_contact(session, name="Free", birthday=date(1980, 3, 11))
        create_deal(session, DealCreate(title="Open", contacts=["Busy"]))
    scenario(db, "Skip", "birthday", days=7)
    scenario(db, "All", "birthday", days=7, skip_open=False)
    assert matched(db, "Skip") == {"Free"}
    assert matched(db, "All") == {"Busy", "Free"}


def test_won_exactly_n_days_ago(db: Database) -> None:
    deal(db, "Exact", stage="WON", closed_on=TODAY - timedelta(days=30))
    deal(db, "Day before", stage="WON", closed_on=TODAY - timedelta(days=31))
    deal(db, "Day after", stage="WON", closed_on=TODAY - timedelta(days=29))
    deal(db, "Reopened", stage="WON", closed_on=TODAY - timedelta(days=30))
    deal(db, "Reopened")  # an open deal since
    deal(db, "Won again", stage="WON", closed_on=TODAY - timedelta(days=30))
    deal(db, "Won again", stage="WON", closed_on=TODAY - timedelta(days=3))
    scenario(db, "Thirty", "won-days-ago", days=30)
    assert matched(db, "Thirty") == {"Exact"}


def test_lost_more_than_twelve_months_ago(db: Database) -> None:
    year_ago = date(2025, 3, 10)
    deal(db, "Exactly a year", stage="LOSE", closed_on=year_ago)
    deal(db, "A day more", stage="LOSE", closed_on=year_ago - timedelta(days=1))
    deal(db, "Won after", stage="LOSE", closed_on=year_ago - timedelta(days=100))
    deal(db, "Won after", stage="WON", closed_on=year_ago - timedelta(days=50))
    deal(db, "Open now", stage="LOSE", closed_on=year_ago - timedelta(days=10))
    deal(db, "Open now")
    scenario(db, "Lost", "lost-12-months")
    assert matched(db, "Lost") == {"A day more"}


def test_dormant_clients(db: Database) -> None:
    deal(db, "Recent", stage="WON", closed_on=TODAY - timedelta(days=40))
    deal(db, "Old", stage="WON", closed_on=date(2025, 3, 9))
    deal(db, "Busy", stage="LOSE", closed_on=TODAY - timedelta(days=40))
    deal(db, "Busy")
    scenario(db, "Dormant", "dormant")
    assert matched(db, "Dormant") == {"Recent"}


def test_every_year_needs_both_past_years(db: Database) -> None:
    # window: today + 7 days, 30 days long, one and two years back
    deal(db, "Yearly", stage="WON", closed_on=date(2025, 3, 20))
    deal(db, "Yearly", stage="WON", closed_on=date(2024, 3, 25))
    deal(db, "Once", stage="WON", closed_on=date(2025, 3, 20))
    deal(db, "Too early", stage="WON", closed_on=date(2025, 3, 16))
    deal(db, "Too early", stage="WON", closed_on=date(2024, 3, 20))
    scenario(db, "Yearly", "every-year")
    with db.session(write=False) as session:
        preview = preview_scenario(session, "Yearly")
    assert [p.client for p in preview.deals] == ["Yearly"]
    assert preview.deals[0].period_key == "2026"


def test_every_month_and_half_year(db: Database) -> None:
    deal(db, "Monthly", stage="WON", closed_on=date(2026, 2, 18))
    deal(db, "Monthly", stage="WON", closed_on=date(2026, 1, 19))
    deal(db, "Half", stage="WON", closed_on=date(2025, 9, 20))
    deal(db, "Half", stage="WON", closed_on=date(2025, 3, 20))
    scenario(db, "Monthly", "every-month")
    scenario(db, "Half", "every-half-year")
    assert matched(db, "Monthly") == {"Monthly"}
    assert matched(db, "Half") == {"Half"}


def test_preview_equals_run_and_a_second_run_creates_nothing(db: Database) -> None:
    with db.session() as session:
        ann = users.ensure_user(session, login="ann", name="Ann")
        bob = users.ensure_user(session, login="bob", name="Bob")
        for name in ("Alpha", "Bravo", "Charlie"):
            clients.create_contact(session, name=name, birthday=date(1980, 3, 12))
    scenario(
        db,
        "RR",
        "birthday",
        days=3,
        responsible=("ann", "bob"),
        round_robin=True,
        comment="Congratulate!",
        activity="call:Congratulate:2d",
    )
    with db.session(write=False) as session:
        preview = preview_scenario(session, "RR")
    with db.session() as session:
        report = run_scenario(session, "RR")
    planned = [(p.client, p.title, p.responsible) for p in preview.deals]
    assert [(p.client, p.title, p.responsible) for p in report.created] == planned
    assert [p[2] for p in planned] == ["Ann", "Bob", "Ann"]
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT source_code, responsible_id FROM deals ORDER BY id")).all()
        assert rows == [("RC_GENERATOR", ann), ("RC_GENERATOR", bob), ("RC_GENERATOR", ann)]
        assert conn.execute(text("SELECT count(*) FROM activities")).scalar() == 3
        assert (
            conn.execute(
                text("SELECT count(*) FROM history WHERE kind='comment' AND text='Congratulate!'")
            ).scalar()
            == 3
        )
        assert conn.execute(text("SELECT count(*) FROM scenario_runs")).scalar() == 3
    # The deals are open; even counting them the period is done: nothing new.
    with db.session() as session:
        session.execute(text("UPDATE scenarios SET skip_open = false"))
    with db.session() as session:
        again = run_scenario(session, "RR")
    assert again.count == 0 and again.already_done == 3
    with db.session(write=False) as session:
        assert list_scenarios(session)[0].last_run_count == 0
    # the queue goes on where it stopped
    with db.session() as session:
        clients.create_contact(session, name="Delta", birthday=date(1980, 3, 11))
    with db.session(write=False) as session:
        assert [p.responsible for p in preview_scenario(session, "RR").deals] == ["Bob"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"segment": "weekly"}, "segment"),
        ({"title": "Hi {nobody}"}, "title"),
        ({"title": ""}, "title"),
        ({"name": ""}, "name"),
        ({"days": "0"}, "days"),
        ({"responsible": ("ghost",)}, "responsible"),
        ({"responsible": ("tester",), "round_robin": True}, "responsible"),
        ({"activity": "dance:Now"}, "activity"),
        ({"stage": "WON"}, "stage"),
    ],
)
def test_bad_scenarios_are_refused(db: Database, fields: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"name": "S", "segment": "birthday", "title": "Hi {client}"}
    values.update(fields)
    with pytest.raises(ValidationError) as err, db.session() as session:
        add_scenario(session, ScenarioInput(**values))  # type: ignore[arg-type]
    assert err.value.field == field


def test_names_are_unique_and_delete_keeps_deals(db: Database) -> None:
    scenario(db, "One", "dormant")
    with pytest.raises(ValidationError, match="already exists"):
        scenario(db, "One", "dormant")
    with db.session() as session:
        assert delete_scenario(session, "One") == "One"
    with pytest.raises(NotFoundError), db.session(write=False) as session:
        preview_scenario(session, "One")


def test_parse_activity() -> None:
    assert parse_activity("call:Congratulate:2d") == ("call", "Congratulate", 2)
    assert parse_activity("Meeting: Visit") == ("meeting", "Visit", 0)
    assert parse_activity("") is None
