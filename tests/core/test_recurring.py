"""Recurring deals: schedule dates, templates, runs, catch-up, limits and idempotence."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from dealterm.core.clock import FixedClock
from dealterm.core.crm import Crm
from dealterm.core.db import Database
from dealterm.core.errors import NotFoundError, ValidationError
from dealterm.core.filters import DealFilter
from dealterm.core.models import Deal, HistoryEvent, RecurringRun
from dealterm.core.queries import board as board_queries
from dealterm.core.queries import list_deals
from dealterm.core.recurrence import Schedule, add_offset, describe, occurrences
from dealterm.core.services import custom_fields, flow, pipelines, recurring
from dealterm.core.services.deals import DealCreate, create_deal
from dealterm.core.services.products import ProductRowInput
from dealterm.core.services.recurring import ScheduleInput, TemplateInput, TemplateUpdate
from tests.core.migration_helpers import migrate

MOSCOW = ZoneInfo("Europe/Moscow")

# --- dates (no database) ----------------------------------------------------------------


def test_every_month_from_the_31st_runs_on_the_last_day_of_shorter_months() -> None:
    schedule = Schedule(start=date(2027, 1, 31))
    assert occurrences(schedule, date(2027, 1, 1), date(2027, 6, 30)) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]


def test_every_two_months_from_the_30th_in_a_leap_year() -> None:
    schedule = Schedule(start=date(2027, 12, 30), step=2)
    assert occurrences(schedule, date(2027, 1, 1), date(2028, 6, 30)) == [
        date(2027, 12, 30),
        date(2028, 2, 29),
        date(2028, 4, 30),
        date(2028, 6, 30),
    ]


def test_every_year_from_29_february_keeps_the_end_of_february() -> None:
    schedule = Schedule(start=date(2028, 2, 29), unit="year")
    assert occurrences(schedule, date(2028, 1, 1), date(2032, 12, 31)) == [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]


def test_until_a_date_includes_that_date_and_stops() -> None:
    schedule = Schedule(
        start=date(2027, 1, 5), unit="week", step=2, limit_kind="date", limit_date=date(2027, 2, 16)
    )
    assert occurrences(schedule, date(2027, 1, 1), date(2030, 1, 1)) == [
        date(2027, 1, 5),
        date(2027, 1, 19),
        date(2027, 2, 2),
        date(2027, 2, 16),
    ]


def test_n_times_stops_after_n() -> None:
    schedule = Schedule(start=date(2027, 1, 1), unit="day", limit_kind="times", limit_times=3)
    assert occurrences(schedule, date(2027, 1, 1), date(2030, 1, 1)) == [
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]


def test_once_before_the_start() -> None:
    schedule = Schedule(start=date(2027, 3, 31), mode="once", step=1, unit="month")
    assert occurrences(schedule, date(2027, 1, 1), date(2030, 1, 1)) == [date(2027, 2, 28)]
    five_days = Schedule(start=date(2027, 3, 3), mode="once", step=5, unit="day")
    assert occurrences(five_days, date(2027, 1, 1), date(2030, 1, 1)) == [date(2027, 2, 26)]


def test_offsets_and_words() -> None:
    assert add_offset(date(2027, 1, 31), "1m") == date(2027, 2, 28)
    assert add_offset(date(2027, 1, 31), "14d") == date(2027, 2, 14)
    assert add_offset(date(2027, 1, 31), "-1w") == date(2027, 1, 24)
    with pytest.raises(ValidationError):
        add_offset(date(2027, 1, 31), "soon")
    schedule = Schedule(start=date(2027, 1, 31), limit_kind="times", limit_times=6)
    assert describe(schedule, 3) == "every month from 31 Jan 2027, 3 of 6 done"
    weekly = Schedule(start=date(2027, 1, 5), unit="week", step=2)
    assert describe(weekly) == "every 2 weeks from 5 Jan 2027"
    once = Schedule(start=date(2027, 3, 3), mode="once", step=5, unit="day")
    assert describe(once) == "once, 5 days before 3 Mar 2027"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"step": 0}, "step"),
        ({"unit": "fortnight"}, "unit"),
        ({"limit_kind": "date"}, "limit_date"),
        ({"limit_kind": "date", "limit_date": date(2026, 1, 1)}, "limit_date"),
        ({"limit_kind": "times", "limit_times": 0}, "limit_times"),
        ({"close_offset": "later"}, "close_offset"),
    ],
)
def test_a_bad_schedule_names_its_field(fields: dict[str, object], field: str) -> None:
    data: dict[str, object] = {"start": date(2027, 1, 1), **fields}
    if "unit" in fields:
        with pytest.raises(ValidationError) as caught:
            recurring._schedule(ScheduleInput(**data), date(2026, 3, 10))  # type: ignore[arg-type]
    else:
        with pytest.raises(ValidationError) as caught:
            Schedule(**data).validate()  # type: ignore[arg-type]
    assert caught.value.field == field


# --- templates and runs -----------------------------------------------------------------


def _deal(db: Database, **fields: object) -> int:
    with db.session() as session:
        return create_deal(session, DealCreate(**fields)).id


def _deals(db: Database, **where: object) -> list[Deal]:
    with db.session(write=False) as session:
        query = select(Deal).where(Deal.origin == recurring.ORIGIN).order_by(col(Deal.id))
        return list(session.exec(query).all())


def _runs(db: Database) -> list[tuple[int, date]]:
    with db.session(write=False) as session:
        return [
            (r.template_id, r.occurrence)
            for r in session.exec(select(RecurringRun).order_by(col(RecurringRun.occurrence)))
        ]


def test_a_template_from_a_deal_copies_it_and_runs_it(db: Database) -> None:
    with db.session() as session:
        custom_fields.define_field(session, "region", "Region", type="list", options=["N", "S"])
    deal_id = _deal(
        db,
        title="Monthly service",
        company="Acme Ltd",
        contacts=["John Smith", "Ann Lee"],
        type="SERVICES",
        source="WEB",
        comments="Call first",
        custom_fields={"region": "S"},
        products=[
            ProductRowInput(name="Support", price="100", quantity="2", discount="10"),
            ProductRowInput(name="Visit", price="50", discount_type="amount", discount="5"),
        ],
    )
    crm = Crm(db)
    template = crm.make_recurring(
        deal_id,
        ScheduleInput(start="2026-03-31", close_offset="14d", limit_kind="times", limit_times=6),
    )
    assert template.based_on_deal_id == deal_id
    assert template.company == "Acme Ltd" and template.contacts == ["John Smith", "Ann Lee"]
    assert template.custom_fields == {"UF_CRM_REGION": "S"}
    assert [p["name"] for p in template.products] == ["Support", "Visit"]
    assert template.amount == Decimal("225.00")
    assert template.next_run == date(2026, 3, 31)
    assert template.schedule == "every month from 31 Mar 2026, 0 of 6 done"

    # a template is on neither the board nor the list
    with db.session(write=False) as session:
        assert [d.id for d in list_deals(session, DealFilter(), limit=None)] == [deal_id]
        pipeline = pipelines.default_pipeline(session)
        assert sum(s.count for s in board_queries.board_summary(session, pipeline.id or 0)) == 1

    assert crm.run_recurring(date(2026, 3, 30)).count == 0
    report = crm.run_recurring(date(2026, 4, 30))
    assert [(occ, d.close_date) for _tid, occ, d in report.created] == [
        (date(2026, 3, 31), date(2026, 4, 14)),
        (date(2026, 4, 30), date(2026, 5, 14)),
    ]
    detail = crm.detail(report.created[0][2].id)
    assert detail.title == "Monthly service"
    assert detail.company == "Acme Ltd" and detail.type == "SERVICES"
    assert detail.source == "WEB" and detail.comments == "Call first"
    assert [c.name for c in detail.contacts] == ["John Smith", "Ann Lee"]
    assert detail.begin_date == date(2026, 3, 31)
    assert detail.amount == Decimal("225.00")
    assert detail.custom_fields == {"UF_CRM_REGION": "S"}
    assert [(p.name, p.discount_type, p.total) for p in detail.products] == [
        ("Support", "percent", Decimal("180.00")),
        ("Visit", "amount", Decimal("45.00")),
    ]
    assert not detail.repeat
    events = [e for e in detail.history if e.kind == recurring.EVENT_KIND]
    assert len(events) == 1
    assert f"«Monthly service» (#{template.id})" in (events[0].text or "")
    after = crm.recurring_template(template.id)
    assert (after.counter, after.last_run, after.next_run) == (
        2,
        date(2026, 4, 30),
        date(2026, 5, 31),
    )
    assert after.schedule.endswith("2 of 6 done")


def test_a_template_from_scratch_with_products_follows_their_total(db: Database) -> None:
    crm = Crm(db)
    template = crm.add_recurring(
        TemplateInput(
            title="Licence",
            company="Beta",
            products=[ProductRowInput(name="Seat", price="10", quantity="5")],
            unit="week",
            step=2,
        )
    )
    assert template.amount == Decimal("50.00")
    assert template.next_run == date(2026, 3, 10)  # the start defaults to today
    report = crm.run_recurring()
    assert report.count == 1
    assert report.created[0][2].amount == Decimal("50.00")
    assert crm.recurring_template(template.id).next_run == date(2026, 3, 24)


def test_the_repeat_flag_when_the_client_already_won(db: Database) -> None:
    won = _deal(db, title="First order", company="Acme Ltd")
    with db.session() as session:
        flow.mark_won(session, won)
    crm = Crm(db)
    crm.add_recurring(TemplateInput(title="Refill", company="Acme Ltd", start="2026-03-10"))
    crm.add_recurring(TemplateInput(title="New client", company="Gamma", start="2026-03-10"))
    created = {d.title: d.repeat for _t, _o, d in crm.run_recurring().created}
    assert created == {"Refill": True, "New client": False}


def test_catch_up_after_a_month_off_creates_every_missed_date_once(
    db: Database, clock: FixedClock
) -> None:
    crm = Crm(db)
    weekly = crm.add_recurring(TemplateInput(title="Weekly", unit="week"))
    daily = crm.add_recurring(
        TemplateInput(title="Daily", unit="day", limit_kind="times", limit_times=10)
    )
    clock.advance(days=35)  # nobody opened the app for five weeks
    first = crm.run_recurring()
    weeks = [occ for tid, occ, _d in first.created if tid == weekly.id]
    assert weeks == [date(2026, 3, 10) + timedelta(weeks=n) for n in range(6)]
    days = [occ for tid, occ, _d in first.created if tid == daily.id]
    assert days == [date(2026, 3, 10) + timedelta(days=n) for n in range(10)]
    assert crm.run_recurring().count == 0
    done = crm.recurring_template(daily.id)
    assert done.finished and not done.active and done.next_run is None and done.counter == 10
    assert len(_deals(db)) == 16 == len(set(_runs(db)))


def test_until_a_date_deactivates_the_template(db: Database) -> None:
    crm = Crm(db)
    template = crm.add_recurring(
        TemplateInput(title="Q", start="2026-03-31", limit_kind="date", limit_date="2026-06-30")
    )
    report = crm.run_recurring(date(2027, 1, 1))
    assert [o for _t, o, _d in report.created] == [
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
    ]
    after = crm.recurring_template(template.id)
    assert after.state == "finished" and after.counter == 4


def test_once_creates_one_deal_before_the_start(db: Database) -> None:
    crm = Crm(db)
    template = crm.add_recurring(
        TemplateInput(title="Renewal", mode="once", step=5, unit="day", start="2026-04-01")
    )
    assert template.next_run == date(2026, 3, 27)
    assert template.schedule == "once, 5 days before 1 Apr 2026"
    assert crm.run_recurring(date(2026, 12, 31)).count == 1
    assert crm.recurring_template(template.id).state == "finished"


def test_pause_resume_edit_delete(db: Database, clock: FixedClock) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Weekly", unit="week"))
    crm.pause_recurring(template.id)
    clock.advance(days=15)
    assert crm.run_recurring().count == 0
    resumed = crm.pause_recurring(template.id, paused=False)
    # the dates it was paused for are skipped
    assert resumed.active and resumed.next_run == date(2026, 3, 31)
    edited = crm.edit_recurring(
        template.id, TemplateUpdate(title="Biweekly", step=2, amount="99.50")
    )
    assert edited.title == "Biweekly" and edited.amount == Decimal("99.50")
    assert edited.schedule == "every 2 weeks from 10 Mar 2026"
    assert edited.next_run == date(2026, 4, 7)
    clock.advance(days=14)
    made = crm.run_recurring().created
    assert [(d.title, d.amount) for _t, _o, d in made] == [("Biweekly", Decimal("99.50"))]
    assert crm.delete_recurring(template.id) == "Biweekly"
    assert crm.recurring_templates() == []
    assert len(_deals(db)) == 1  # its deals stay
    with pytest.raises(NotFoundError):
        crm.edit_recurring(template.id, TemplateUpdate(title="x"))


def test_an_edit_after_a_missed_month_creates_the_missed_occurrence(
    db: Database, clock: FixedClock
) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Monthly", start="2026-03-10"))
    assert [o for _t, o, _d in crm.run_recurring().created] == [date(2026, 3, 10)]
    clock.advance(days=41)  # 20 April: the app was not opened on 10 April
    # the form sends the whole schedule back, changed or not
    edited = crm.edit_recurring(
        template.id,
        TemplateUpdate(mode="every", step=1, unit="month", start="2026-03-10", close_offset="14d"),
    )
    assert edited.next_run == date(2026, 4, 10)
    made = crm.run_recurring().created
    assert [(o, d.close_date) for _t, o, d in made] == [(date(2026, 4, 10), date(2026, 4, 24))]
    after = crm.recurring_template(template.id)
    assert (after.counter, after.last_run, after.next_run) == (
        2,
        date(2026, 4, 10),
        date(2026, 5, 10),
    )
    # idempotence: editing again, even back to before the last run, brings nothing back
    again = crm.edit_recurring(template.id, TemplateUpdate(start="2026-01-10"))
    assert again.next_run == date(2026, 5, 10)
    assert crm.run_recurring().count == 0
    assert len(_deals(db)) == 2 == len(set(_runs(db)))


def test_an_edit_to_a_new_cadence_catches_up_its_dates_since_the_last_run(
    db: Database, clock: FixedClock
) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Service", start="2026-03-10"))
    crm.run_recurring()
    clock.advance(days=20)  # 30 March
    edited = crm.edit_recurring(template.id, TemplateUpdate(unit="week"))
    assert edited.next_run == date(2026, 3, 17)
    made = [o for _t, o, _d in crm.run_recurring().created]
    assert made == [date(2026, 3, 17), date(2026, 3, 24)]
    assert crm.run_recurring().count == 0
    assert crm.recurring_template(template.id).next_run == date(2026, 3, 31)


def test_an_edit_that_moves_the_start_into_the_future_waits(
    db: Database, clock: FixedClock
) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Weekly", unit="week"))
    crm.run_recurring()  # 10 March
    clock.advance(days=10)  # 17 March was missed
    edited = crm.edit_recurring(template.id, TemplateUpdate(start="2026-04-15"))
    assert edited.next_run == date(2026, 4, 15) and edited.active
    assert crm.run_recurring().count == 0
    clock.advance(days=25)  # 14 April
    assert crm.run_recurring().count == 0
    clock.advance(days=1)
    assert [o for _t, o, _d in crm.run_recurring().created] == [date(2026, 4, 15)]
    never_ran = crm.add_recurring(TemplateInput(title="Later", start="2026-05-01"))
    moved = crm.edit_recurring(never_ran.id, TemplateUpdate(start="2026-06-01"))
    assert moved.next_run == date(2026, 6, 1)
    assert crm.run_recurring().count == 0


def test_an_edit_keeps_the_dates_a_pause_skipped_skipped(db: Database, clock: FixedClock) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Weekly", unit="week"))
    crm.run_recurring()  # 10 March
    crm.pause_recurring(template.id)
    clock.advance(days=15)  # 25 March: 17 and 24 March were paused for
    resumed = crm.pause_recurring(template.id, paused=False)
    assert resumed.next_run == date(2026, 3, 31)
    edited = crm.edit_recurring(template.id, TemplateUpdate(close_offset="3d"))
    assert edited.next_run == date(2026, 3, 31)
    assert crm.run_recurring().count == 0
    # a template made with a past start does not get the dates before it was made either
    old_start = crm.add_recurring(TemplateInput(title="Old", start="2026-01-20"))
    assert old_start.next_run == date(2026, 4, 20)
    assert crm.edit_recurring(old_start.id, TemplateUpdate(step=1)).next_run == date(2026, 4, 20)


def test_an_edit_of_a_paused_template_keeps_it_paused_and_resume_skips(
    db: Database, clock: FixedClock
) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Weekly", unit="week"))
    crm.pause_recurring(template.id)
    clock.advance(days=15)
    edited = crm.edit_recurring(template.id, TemplateUpdate(step=2))
    assert not edited.active and edited.state == "paused"
    assert crm.run_recurring().count == 0
    resumed = crm.pause_recurring(template.id, paused=False)
    assert resumed.next_run == date(2026, 4, 7)


def test_a_run_killed_half_way_is_finished_by_the_next_one(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Daily", unit="day"))
    clock.advance(days=4)
    real = recurring.deals.create_deal
    calls = {"n": 0}

    def dies_on_the_third(session, data):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        made = real(session, data)
        if calls["n"] == 3:  # the deal is written, then the process dies before commit
            raise KeyboardInterrupt
        return made

    monkeypatch.setattr(recurring.deals, "create_deal", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        crm.run_recurring()
    assert [d.begin_date for d in _deals(db)] == [date(2026, 3, 10), date(2026, 3, 11)]
    assert crm.recurring_template(template.id).next_run == date(2026, 3, 12)
    monkeypatch.undo()
    report = crm.run_recurring()
    assert [o for _t, o, _d in report.created] == [date(2026, 3, 12 + n) for n in range(3)]
    dates = [d.begin_date for d in _deals(db)]
    assert dates == [date(2026, 3, 10 + n) for n in range(5)] and len(set(dates)) == 5
    assert len(_runs(db)) == 5


def test_an_occurrence_already_run_is_skipped_not_repeated(db: Database) -> None:
    crm = Crm(db)
    template = crm.add_recurring(TemplateInput(title="Daily", unit="day"))
    with db.session() as session:
        session.add(
            RecurringRun(
                template_id=template.id,
                occurrence=date(2026, 3, 10),
                created_at=datetime(2026, 3, 10, tzinfo=MOSCOW),
            )
        )
    report = crm.run_recurring(date(2026, 3, 11))
    assert [o for _t, o, _d in report.created] == [date(2026, 3, 11)]
    assert crm.recurring_template(template.id).counter == 1


def test_a_template_whose_deal_is_refused_is_reported_and_the_others_run(db: Database) -> None:
    crm = Crm(db)
    crm.add_recurring(TemplateInput(title="Fine"))
    bad = crm.add_recurring(TemplateInput(title="Needs budget"))
    with db.session() as session:
        custom_fields.define_field(session, "budget", "Budget", type="money", required=True)
    report = crm.run_recurring()
    assert report.count == 0 and {tid for tid, _ in report.errors} >= {bad.id}
    assert "Budget is required" in report.errors[0][1]
    assert crm.recurring_template(bad.id).next_run == date(2026, 3, 10)  # left for later


def test_two_runs_at_once_create_each_occurrence_once(
    db_target: str, db: Database, clock: FixedClock
) -> None:
    crm = Crm(db)
    for n in range(3):
        crm.add_recurring(TemplateInput(title=f"Daily {n}", unit="day"))
    later = FixedClock(zone=MOSCOW, moment=clock.moment + timedelta(days=9))
    opened = [
        Database.open(db_target, clock=later, login="tester", user_name="Test User")
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results: list[int] = []
    failures: list[BaseException] = []

    def run(database: Database) -> None:
        try:
            barrier.wait()
            results.append(Crm(database).run_recurring().count)
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in opened]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for database in opened:
        database.close()
    assert failures == []
    assert sum(results) == 30
    with db.session(write=False) as session:
        count = session.exec(select(func.count()).select_from(Deal)).one()
        events = session.exec(
            select(func.count()).where(HistoryEvent.kind == recurring.EVENT_KIND)
        ).one()
    assert count == 30 == events
    assert len(_runs(db)) == 30 == len(set(_runs(db)))


def test_two_processes_run_the_same_sqlite_file(tmp_path: Path, sqlite_template: Path) -> None:
    """Two real processes (the CLI) on one SQLite file: every occurrence once."""
    import os
    import shutil
    import subprocess
    import sys

    target = tmp_path / "crm.db"
    shutil.copy2(sqlite_template, target)
    clock = FixedClock(zone=MOSCOW, moment=datetime(2026, 3, 10, 10, 30, tzinfo=MOSCOW))
    database = Database.open(target, clock=clock, login="tester")
    for n in range(4):
        Crm(database).add_recurring(TemplateInput(title=f"Daily {n}", unit="day"))
    database.close()
    env = {**os.environ, "DEALTERM_DB": str(target)}
    command = [sys.executable, "-m", "dealterm", "recurring", "run", "--until", "2026-03-20"]
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    database = Database.open(target, clock=clock, login="tester")
    try:
        assert len(_deals(database)) == 44
        assert len(set(_runs(database))) == 44
    finally:
        database.close()


# --- the migration ----------------------------------------------------------------------


def test_upgrading_from_0003_keeps_every_row(db: Database) -> None:
    from sqlalchemy import inspect, text

    from dealterm.core.models._base import SQLModel

    deal_id = _deal(db, title="Kept", company="Acme Ltd", contacts=["John Smith"])
    with db.session() as session:
        flow.mark_won(session, deal_id)
    old_tables = [
        t.name
        for t in SQLModel.metadata.sorted_tables
        if not t.name.startswith(("recurring_", "scenario", "suggest"))
    ]

    def counts() -> dict[str, int]:
        with db.engine.connect() as conn:
            return {
                name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in old_tables
            }

    before = counts()
    migrate(db, "0003")
    with db.engine.connect() as conn:
        assert "recurring_templates" not in inspect(conn).get_table_names()
    migrate(db, "head")
    assert counts() == before and before["deals"] == 1
    crm = Crm(db)
    crm.make_recurring(deal_id, ScheduleInput(unit="week"))
    assert crm.run_recurring().count == 1
