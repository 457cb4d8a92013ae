"""The main commands on both backends: an SQLite file and a PostgreSQL database.

``db_target`` (tests/conftest.py) is a set-up SQLite file or an emptied PostgreSQL
database; the PostgreSQL runs are skipped without a server (an error under CI).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok, today


def _deals(run: Runner, db: str, *args: str) -> list[dict]:
    return assert_ok(run("deal", "list", "--json", "--limit", "1000", *args, db=db)).json()


def _show(run: Runner, db: str, deal_id: int) -> dict:
    return assert_ok(run("deal", "show", str(deal_id), "--json", db=db)).json()


def test_add_list_and_show(run: Runner, db_target: str) -> None:
    assert_ok(run("field", "add", "UF_CRM_REGION", "Region", db=db_target))
    first = assert_ok(
        run(
            "deal", "add", "--json",
            "--title", "Котельная «Север»",
            "--amount", "1500",
            "--currency", "EUR",
            "--company", "ООО «Ромашка»",
            "--contact", "Иван Петров",
            "--contact", "Mary Jones",
            "--type", "SERVICES",
            "--source", "WEB",
            "--close-date", "2026-12-31",
            "--set", "UF_CRM_REGION=north",
            db=db_target,
        )
    ).json()  # fmt: skip
    assert first["amount"] == "1500.00" and first["currency"] == "EUR"
    assert first["company"] == "ООО «Ромашка»"
    assert [c["name"] for c in first["contacts"]] == ["Иван Петров", "Mary Jones"]
    assert first["close_date"] == "2026-12-31"
    second = assert_ok(
        run(
            "deal",
            "add",
            "--json",
            "--title",
            "Pumps",
            "--product",
            "name=Pump; price=199.99; qty=3; discount=5%; tax=20",
            db=db_target,
        )
    ).json()
    # 3 x 199.99 = 599.97, -5% = 569.9715, +20% = 683.9658 -> 683.97
    assert second["amount"] == "683.97" and second["manual_amount"] is False
    assert second["begin_date"] == today().isoformat()

    assert [d["title"] for d in _deals(run, db_target)] == ["Pumps", "Котельная «Север»"]
    assert [d["title"] for d in _deals(run, db_target, "--search", "ромашка")] == [
        "Котельная «Север»"
    ]
    assert [d["title"] for d in _deals(run, db_target, "--search", "СЕВЕР")] == [
        "Котельная «Север»"
    ]
    assert [d["title"] for d in _deals(run, db_target, "--search", "100%")] == []
    assert [d["title"] for d in _deals(run, db_target, "--search", "mary")] == ["Котельная «Север»"]

    shown = _show(run, db_target, first["id"])
    assert shown["custom_fields"] == {"UF_CRM_REGION": "north"}
    assert shown["history"][-1]["kind"] == "created"
    products = _show(run, db_target, second["id"])["products"]
    assert [(p["name"], p["unit_price"], p["tax"], p["total"]) for p in products] == [
        ("Pump", "189.99", "113.99", "683.97")
    ]
    text = assert_ok(run("deal", "show", str(first["id"]), db=db_target)).stdout
    assert "Котельная «Север»" in text and "Иван Петров (primary)" in text


def test_move_won_lost_and_reopen(run: Runner, db_target: str) -> None:
    deal_id = assert_ok(run("deal", "add", "--title", "Flow", "--json", db=db_target)).json()["id"]
    moved = assert_ok(run("deal", "move", str(deal_id), "EXECUTING", "--json", db=db_target))
    assert moved.json()["stage"] == "EXECUTING"
    won = assert_ok(run("deal", "won", str(deal_id), "--json", db=db_target)).json()
    assert (won["semantics"], won["closed"], won["close_date"]) == (
        "success",
        True,
        today().isoformat(),
    )
    assert [d["id"] for d in _deals(run, db_target, "--won")] == [deal_id]
    reopened = assert_ok(run("deal", "reopen", str(deal_id), "--json", db=db_target)).json()
    assert (reopened["stage"], reopened["closed"]) == ("EXECUTING", False)
    lost = assert_ok(
        run("deal", "lost", str(deal_id), "--reason", "Chose a competitor", "--json", db=db_target)
    ).json()
    assert (lost["stage"], lost["lost_reason"]) == ("LOSE", "Chose a competitor")
    assert [d["id"] for d in _deals(run, db_target, "--lost")] == [deal_id]
    assert _deals(run, db_target, "--open") == []

    history = _show(run, db_target, deal_id)["history"]
    stages = [(e["old_value"], e["new_value"]) for e in history if e["kind"] == "stage_changed"]
    assert stages == [
        ("In progress", "Deal failed"),
        ("Deal successful", "In progress"),
        ("In progress", "Deal successful"),
        ("New", "In progress"),
    ]
    assert [e["kind"] for e in history if e["kind"] in ("won", "lost", "reopened")] == [
        "lost",
        "reopened",
        "won",
    ]


def test_edit_and_a_stale_version(run: Runner, db_target: str) -> None:
    deal = assert_ok(run("deal", "add", "--title", "Versioned", "--json", db=db_target)).json()
    edited = assert_ok(
        run(
            "deal",
            "edit",
            str(deal["id"]),
            "--amount",
            "10",
            "--expect-version",
            str(deal["version"]),
            "--json",
            db=db_target,
        )
    ).json()
    assert edited["amount"] == "10.00" and edited["version"] == deal["version"] + 1
    before = _show(run, db_target, deal["id"])
    result = run(
        "deal",
        "edit",
        str(deal["id"]),
        "--title",
        "Lost update",
        "--expect-version",
        str(deal["version"]),
        db=db_target,
    )
    assert_fails(result, 2, "changed by someone else")
    assert _show(run, db_target, deal["id"]) == before


def test_activities_and_comments(run: Runner, db_target: str) -> None:
    deal_id = assert_ok(run("deal", "add", "--title", "Busy", "--json", db=db_target)).json()["id"]
    yesterday = (today() - timedelta(days=1)).isoformat()
    late = assert_ok(
        run(
            "activity",
            "add",
            str(deal_id),
            "--subject",
            "Late call",
            "--deadline",
            f"{yesterday} 10:00",
            "--json",
            db=db_target,
        )
    ).json()
    assert_ok(
        run(
            "activity",
            "add",
            str(deal_id),
            "--subject",
            "Meeting",
            "--kind",
            "meeting",
            "--deadline",
            "2099-01-01 09:30",
            db=db_target,
        )
    )
    overdue = assert_ok(run("activity", "list", "--overdue", "--json", db=db_target)).json()
    assert [a["subject"] for a in overdue] == ["Late call"]
    assert_ok(run("activity", "done", str(late["id"]), db=db_target))
    assert assert_ok(run("activity", "list", "--overdue", "--json", db=db_target)).json() == []
    assert [a["subject"] for a in _show(run, db_target, deal_id)["activities"]] == [
        "Meeting",
        "Late call",
    ]
    assert_ok(run("comment", "add", str(deal_id), "Всё в порядке", db=db_target))
    assert _show(run, db_target, deal_id)["history"][0]["text"] == "Всё в порядке"


def test_delete(run: Runner, db_target: str) -> None:
    keep = assert_ok(run("deal", "add", "--title", "Keep", "--json", db=db_target)).json()["id"]
    drop = assert_ok(run("deal", "add", "--title", "Drop", "--json", db=db_target)).json()["id"]
    assert_ok(
        run(
            "activity", "add", str(drop), "--subject", "x", "--deadline", "2099-01-01", db=db_target
        )
    )
    assert_ok(run("deal", "delete", str(drop), "--yes", db=db_target))
    assert [d["id"] for d in _deals(run, db_target)] == [keep]
    assert assert_ok(run("activity", "list", "--json", db=db_target)).json() == []
    assert_fails(run("deal", "show", str(drop), db=db_target), 1, "not found")


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("deal", "show", "4242"), 1, "deal #4242 not found"),
        (("deal", "won", "4242"), 1, "deal #4242 not found"),
        (("deal", "add", "--amount", "-1"), 2, "cannot be negative"),
        (("deal", "add", "--title", "t" * 256), 2, "limit is 255"),
        (("deal", "add", "--stage", "NOPE"), 2, "unknown stage"),
        (("deal", "add", "--currency", "XXX"), 2, "unknown currency"),
        (("deal", "add", "--close-date", "soon"), 2, "not a date"),
        (("deal", "move", "1", "NOPE"), 2, "unknown stage"),
        (("activity", "done", "4242"), 1, "activity #4242 not found"),
    ],
)
def test_errors_write_nothing(
    run: Runner, db_target: str, args: tuple[str, ...], code: int, fragment: str
) -> None:
    assert_ok(run("deal", "add", "--title", "Only one", db=db_target))
    before = assert_ok(run("deal", "list", "--json", db=db_target)).stdout
    result = run(*args, db=db_target)
    assert_fails(result, code, fragment)
    assert result.stdout == ""
    assert assert_ok(run("deal", "list", "--json", db=db_target)).stdout == before


def test_an_id_beyond_the_id_column_is_not_found(
    run: Runner, db_target: str, backend: str, request: pytest.FixtureRequest
) -> None:
    huge = "99999999999999999999" if backend == "sqlite" else "2147483648"
    assert_fails(run("deal", "show", huge, db=db_target), 1, f"deal #{huge} not found")


def test_a_deleted_deal_number_is_never_given_again(
    run: Runner, db_target: str, backend: str, request: pytest.FixtureRequest
) -> None:
    first = assert_ok(run("deal", "add", "--title", "Old", "--json", db=db_target)).json()["id"]
    assert_ok(run("deal", "delete", str(first), "--yes", db=db_target))
    second = assert_ok(run("deal", "add", "--title", "New", "--json", db=db_target)).json()["id"]
    assert second != first
