"""``dealterm recurring ...``: templates from the command line and the cron run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dealterm.core.clock import SystemClock
from tests.cli.conftest import Runner, assert_fails, assert_ok

FROZEN = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)  # 10:30 in Moscow


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs on the system clock: stop it at the suite's frozen moment."""
    monkeypatch.setattr(SystemClock, "utcnow", lambda self: FROZEN)


def test_from_deal_list_run_and_show(run: Runner, seeded_db: Path) -> None:
    made = assert_ok(
        run(
            "recurring",
            "from-deal",
            "1",
            "--every",
            "1",
            "--unit",
            "month",
            "--start",
            "2027-01-31",
            "--times",
            "6",
            "--close-offset",
            "14d",
            "--json",
            db=seeded_db,
        )
    ).json()
    assert made["based_on_deal_id"] == 1 and made["amount"] == "100.00"
    assert made["next_run"] == "2027-01-31"
    assert [p["name"] for p in made["products"]] == ["Widget"]
    listed = assert_ok(run("recurring", "list", "--json", db=seeded_db)).json()
    assert [(t["id"], t["schedule"]) for t in listed] == [
        (made["id"], "every month from 31 Jan 2027, 0 of 6 done")
    ]
    text = assert_ok(run("recurring", "list", db=seeded_db)).stdout
    assert "every month from 31 Jan 2027" in text and "2027-01-31" in text

    report = assert_ok(run("recurring", "run", "--until", "2027-03-31", "--json", db=seeded_db))
    created = report.json()["created"]
    assert [c["occurrence"] for c in created] == ["2027-01-31", "2027-02-28", "2027-03-31"]
    again = assert_ok(run("recurring", "run", "--until", "2027-03-31", "--json", db=seeded_db))
    assert again.json()["created"] == []
    # the template is not a deal: the list shows the two seeded deals and three new ones
    deals = assert_ok(run("deal", "list", "--json", db=seeded_db)).json()
    assert len(deals) == 5
    shown = assert_ok(run("deal", "show", str(created[0]["deal_id"]), "--json", db=seeded_db))
    deal = shown.json()
    assert deal["close_date"] == "2027-02-14" and deal["company"] == "Acme Ltd"
    assert deal["repeat"] is False  # Acme Ltd has no won deal (the won one has no client)
    detail = assert_ok(run("recurring", "show", str(made["id"]), db=seeded_db)).stdout
    assert "3 of 6 done" in detail and "next run: 2027-04-30" in detail


def test_add_once_pause_resume_edit_delete(run: Runner, fresh_db: Path) -> None:
    made = assert_ok(
        run(
            "recurring",
            "add",
            "--title",
            "Renewal",
            "--amount",
            "1 500,50",
            "--company",
            "Beta",
            "--once",
            "--before",
            "5",
            "--before-unit",
            "day",
            "--start",
            "2026-04-01",
            "--json",
            db=fresh_db,
        )
    ).json()
    assert made["amount"] == "1500.50" and made["next_run"] == "2026-03-27"
    tid = str(made["id"])
    assert "Paused" in assert_ok(run("recurring", "pause", tid, db=fresh_db)).stdout
    assert assert_ok(run("recurring", "list", "--json", db=fresh_db)).json()[0]["active"] is False
    assert "Resumed" in assert_ok(run("recurring", "resume", tid, db=fresh_db)).stdout
    edited = assert_ok(
        run(
            "recurring",
            "edit",
            tid,
            "--every",
            "2",
            "--unit",
            "week",
            "--start",
            "2026-03-17",
            "--until",
            "2026-04-30",
            "--json",
            db=fresh_db,
        )
    ).json()
    assert edited["schedule"] == "every 2 weeks from 17 Mar 2026 until 30 Apr 2026"
    out = assert_ok(run("recurring", "run", "--until", "2026-12-31", db=fresh_db)).stdout
    assert out.splitlines()[-1] == "4 recurring deals created"
    assert_ok(run("recurring", "delete", tid, "--yes", db=fresh_db))
    assert assert_ok(run("recurring", "list", "--json", db=fresh_db)).json() == []
    assert len(assert_ok(run("deal", "list", "--json", db=fresh_db)).json()) == 4


def test_edit_contacts_products_and_custom_fields(run: Runner, seeded_db: Path) -> None:
    assert_ok(run("field", "add", "REGION", "Region", "--type", "list", "--option", "North",
                  "--option", "South", db=seeded_db))  # fmt: skip
    assert_ok(run("field", "add", "BUDGET", "Budget", "--type", "money", db=seeded_db))
    made = assert_ok(run("recurring", "from-deal", "1", "--json", db=seeded_db)).json()
    tid = str(made["id"])
    assert made["contacts"] == ["John Smith"] and made["amount"] == "100.00"
    edited = assert_ok(
        run(
            "recurring", "edit", tid,
            "--contact", "Mary Jones",
            "--contact", "John Smith",
            "--product", "name=Support; price=100; qty=2; discount=10%; tax=20",
            "--product", "name=Visit; price=50",
            "--set", "UF_CRM_REGION=south",
            "--set", "BUDGET=1 500 EUR",
            "--json",
            db=seeded_db,
        )
    ).json()  # fmt: skip
    assert edited["contacts"] == ["Mary Jones", "John Smith"]
    assert [(p["name"], p["price"], p["quantity"]) for p in edited["products"]] == [
        ("Support", "100.00", "2"),
        ("Visit", "50.00", "1"),
    ]
    assert (
        edited["products"][0]["discount"] == "10.00"
        and edited["products"][0]["tax_rate"] == "20.00"
    )
    assert edited["custom_fields"] == {"UF_CRM_REGION": "South", "UF_CRM_BUDGET": "1500.00 EUR"}
    assert edited["amount"] == "100.00"  # the deal's amount was typed by hand: it stays
    # --set merges, CODE= clears; --contact and --product replace
    again = assert_ok(
        run("recurring", "edit", tid, "--set", "BUDGET=", "--contact", "John Smith",
            "--product", "Paper; price=5; qty=10", "--amount", "70", "--json", db=seeded_db)
    ).json()  # fmt: skip
    assert again["custom_fields"] == {"UF_CRM_REGION": "South"}
    assert again["contacts"] == ["John Smith"]
    assert [p["name"] for p in again["products"]] == ["Paper"] and again["amount"] == "70.00"
    # the next deal carries them
    created = assert_ok(
        run("recurring", "run", "--json", db=seeded_db)
    ).json()["created"]  # fmt: skip
    deal = assert_ok(run("deal", "show", str(created[0]["deal_id"]), "--json", db=seeded_db))
    shown = deal.json()
    assert [c["name"] for c in shown["contacts"]] == ["John Smith"]
    assert [p["name"] for p in shown["products"]] == ["Paper"] and shown["amount"] == "70.00"
    assert shown["custom_fields"] == {"UF_CRM_REGION": "South"}


def test_edit_products_of_a_template_without_an_amount_follow_their_total(
    run: Runner, fresh_db: Path
) -> None:
    made = assert_ok(run("recurring", "add", "--title", "Supplies", "--json", db=fresh_db)).json()
    edited = assert_ok(
        run("recurring", "edit", str(made["id"]), "--product", "name=Paper; price=5; qty=10",
            "--json", db=fresh_db)
    ).json()  # fmt: skip
    assert edited["amount"] == "50.00"


def test_whole_quantities_are_written_plainly_even_in_templates_saved_before(
    run: Runner, fresh_db: Path
) -> None:
    """Ten is "10", not "1E+1": as the template is saved, and for one an earlier version
    saved with the exponent."""
    import json
    import sqlite3

    made = assert_ok(
        run("recurring", "add", "--title", "Supplies", "--product",
            "name=Paper; price=5; qty=10", "--json", db=fresh_db)
    ).json()  # fmt: skip
    assert made["products"][0]["quantity"] == "10"
    with sqlite3.connect(fresh_db) as conn:  # as an earlier version wrote it
        (stored,) = conn.execute(
            "SELECT products FROM recurring_templates WHERE id = ?", (made["id"],)
        ).fetchone()
        rows = json.loads(stored)
        rows[0]["quantity"] = "1E+2"
        conn.execute(
            "UPDATE recurring_templates SET products = ? WHERE id = ?",
            (json.dumps(rows), made["id"]),
        )
    listed = assert_ok(run("recurring", "list", "--json", db=fresh_db)).json()
    assert [p["quantity"] for t in listed for p in t["products"]] == ["100"]
    shown = assert_ok(run("recurring", "show", str(made["id"]), db=fresh_db)).stdout
    assert "1E+" not in shown and "x 100" in shown


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "UF_CRM_REGION=West"], "must be one of"),
        (["--set", "BUDGET=lots"], "budget"),
        (["--set", "NOPE=1"], "unknown custom field"),
        (["--set", "REGION"], "CODE=VALUE"),
        (["--set", "UF_CRM_REGION="], "region is required"),
        (["--product", "name=Paper; price=cheap"], "price"),
        (["--product", "price=5"], "name"),
        (["--contact", "99"], "unknown contact #99"),
    ],
)
def test_edit_refuses_a_bad_field_product_or_contact(
    run: Runner, seeded_db: Path, args: list[str], fragment: str
) -> None:
    assert_ok(run("field", "add", "REGION", "Region", "--type", "list", "--option", "North",
                  "--required", "--default", "North", db=seeded_db))  # fmt: skip
    assert_ok(run("field", "add", "BUDGET", "Budget", "--type", "money", db=seeded_db))
    made = assert_ok(run("recurring", "from-deal", "1", "--json", db=seeded_db)).json()
    before = assert_ok(run("recurring", "show", str(made["id"]), "--json", db=seeded_db)).json()
    assert_fails(run("recurring", "edit", str(made["id"]), *args, db=seeded_db), 2, fragment)
    after = assert_ok(run("recurring", "show", str(made["id"]), "--json", db=seeded_db)).json()
    assert after == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["add", "--title", "X", "--every", "0"], "every must be"),
        (["add", "--title", "X", "--unit", "fortnight"], "unknown unit"),
        (["add", "--title", "X", "--until", "2027-01-01", "--times", "3"], "one of --until"),
        (["add", "--title", "X", "--once", "--every", "2"], "--once and --every"),
        (["add", "--title", "X", "--start", "31.02.2027"], "not a date"),
        (["add", "--title", "X", "--close-offset", "soon"], "not an offset"),
        (["add", "--title", "X", "--start", "2027-05-01", "--until", "2027-04-01"], "before"),
        (["from-deal", "1", "--pipeline", "Nope"], "unknown pipeline"),
        (["run", "--until", "tomorrow"], "not a date"),
        (["edit", "1"], "nothing to change"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run: Runner, seeded_db: Path, args: list[str], fragment: str
) -> None:
    assert_fails(run("recurring", *args, db=seeded_db), 2, fragment)


def test_unknown_template_or_deal_exit_1(run: Runner, fresh_db: Path) -> None:
    assert_fails(run("recurring", "show", "7", db=fresh_db), 1, "#7 not found")
    assert_fails(run("recurring", "pause", "7", db=fresh_db), 1, "not found")
    assert_fails(run("recurring", "from-deal", "42", db=fresh_db), 1, "deal #42 not found")
