"""``dealterm scenario ...`` and ``dealterm suggest ...`` through the real CLI."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from dealterm.core.clock import FixedClock
from dealterm.core.db import Database
from dealterm.core.services import clients
from dealterm.core.services.deals import DealCreate, create_deal
from tests.cli.conftest import MOSCOW, Runner, assert_fails, assert_ok, today


def _fill(path: Path) -> None:
    """Two birthdays this week and a client due for a repeat purchase (dates around today)."""
    now = datetime.now(MOSCOW)
    db = Database.open(path, clock=FixedClock(zone=MOSCOW, moment=now), login="tester")
    day = today()
    try:
        with db.session() as session:
            for name, offset in (("Ann Lee", 1), ("Bob Ray", 3)):
                born = day + timedelta(days=offset)
                clients.create_contact(session, name=name, birthday=born.replace(year=1980))
            for days_ago in (100, 60):
                close = day - timedelta(days=days_ago)
                create_deal(
                    session,
                    DealCreate(
                        title="Boiler",
                        company="Acme",
                        stage="WON",
                        amount="500",
                        begin_date=close - timedelta(days=2),
                        close_date=close,
                    ),
                )
    finally:
        db.close()


def test_scenario_add_preview_run_list_delete(run: Runner, fresh_db: Path) -> None:
    _fill(fresh_db)
    assert_ok(
        run(
            "scenario",
            "add",
            "Birthdays",
            "--segment",
            "birthday",
            "--days",
            "7",
            "--title",
            "Birthday offer for {client}",
            "--activity",
            "call:Congratulate:2d",
            db=fresh_db,
        )
    )
    preview = assert_ok(run("scenario", "preview", "Birthdays", "--json", db=fresh_db)).json()
    assert preview["count"] == 2
    titles = [d["title"] for d in preview["deals"]]
    assert titles == ["Birthday offer for Ann Lee", "Birthday offer for Bob Ray"]
    ran = assert_ok(run("scenario", "run", "Birthdays", "--json", db=fresh_db)).json()
    assert ran["created"] == 2 and [d["title"] for d in ran["deals"]] == titles
    again = assert_ok(run("scenario", "run", "Birthdays", db=fresh_db))
    assert "created 0 deals" in again.stdout
    listed = assert_ok(run("scenario", "list", "--json", db=fresh_db)).json()
    assert [(s["name"], s["last_run_count"]) for s in listed] == [("Birthdays", 0)]
    assert "Deleted" in assert_ok(run("scenario", "delete", "Birthdays", db=fresh_db)).stdout


def test_scenario_bad_input_is_one_line_exit_2(run: Runner, fresh_db: Path) -> None:
    assert_fails(
        run("scenario", "add", "X", "--segment", "weekly", "--title", "t", db=fresh_db),
        2,
        "unknown segment",
    )
    assert_fails(
        run("scenario", "add", "X", "--segment", "dormant", "--title", "{who}", db=fresh_db),
        2,
        "placeholder",
    )
    assert_fails(
        run(
            "scenario",
            "add",
            "X",
            "--segment",
            "dormant",
            "--title",
            "t",
            "--responsible",
            "tester",
            "--round-robin",
            "tester,tester",
            db=fresh_db,
        ),
        2,
        "not both",
    )
    assert_fails(run("scenario", "run", "Nope", db=fresh_db), 1, "no scenario")


def test_suggest_list_accept_dismiss_backtest(run: Runner, fresh_db: Path) -> None:
    _fill(fresh_db)
    found = assert_ok(run("suggest", "list", "--json", db=fresh_db)).json()
    assert [(s["client"], s["due_in_days"], s["expected_amount"]) for s in found] == [
        ("Acme", -20, "500.00")
    ]
    assert "overdue by 20 days" in assert_ok(run("suggest", "list", db=fresh_db)).stdout
    assert_ok(run("suggest", "dismiss", "Acme", db=fresh_db))
    assert assert_ok(run("suggest", "list", "--json", db=fresh_db)).json() == []
    accepted = assert_ok(run("suggest", "accept", "company:1", "--json", db=fresh_db)).json()
    assert accepted["title"] == "Repeat sale: Acme"
    shown = assert_ok(run("deal", "show", str(accepted["id"]), "--json", db=fresh_db)).json()
    assert shown["source"] == "REPEAT_SALE" and shown["repeat"] is True
    as_of = (today() - timedelta(days=90)).isoformat()
    report = assert_ok(run("suggest", "backtest", "--as-of", as_of, "--json", db=fresh_db)).json()
    assert report["as_of"] == as_of and report["window"] == 30
    assert_fails(run("suggest", "backtest", "--as-of", "someday", db=fresh_db), 2)
    assert_fails(
        run("suggest", "backtest", "--as-of", today().isoformat(), db=fresh_db), 2, "not ended"
    )
    assert_fails(run("suggest", "accept", "company:zz", db=fresh_db), 2, "bad client")
    assert_fails(run("suggest", "accept", "Nobody", db=fresh_db), 1)
