"""``dealterm deal ...``: what a user sees and what ends up in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok, today

DEAL_KEYS = {
    "id",
    "title",
    "pipeline",
    "stage",
    "stage_name",
    "semantics",
    "closed",
    "amount",
    "currency",
    "company",
    "contacts",
    "type",
    "source",
    "responsible",
    "repeat",
    "created_at",
    "close_date",
}


def _deals(run: Runner, db: Path, *args: str) -> list[dict]:
    return assert_ok(run("deal", "list", "--json", "--limit", "1000", *args, db=db)).json()


def _show(run: Runner, db: Path, deal_id: int) -> dict:
    return assert_ok(run("deal", "show", str(deal_id), "--json", db=db)).json()


# --- add -------------------------------------------------------------------------------


def test_add_with_defaults(run: Runner, fresh_db: Path) -> None:
    before = today()
    deal = assert_ok(run("deal", "add", "--json", db=fresh_db)).json()
    after = today()
    assert set(deal) >= DEAL_KEYS
    assert deal["title"] == f"Deal #{deal['id']}"
    assert (deal["pipeline"], deal["stage"], deal["stage_name"]) == ("Sales", "NEW", "New")
    assert deal["semantics"] == "process" and deal["closed"] is False
    assert deal["amount"] == "0.00" and deal["currency"] == "USD"
    assert deal["type"] == "SALE" and deal["source"] is None
    assert deal["company"] is None and deal["contacts"] == []
    assert deal["responsible"] == "Test User"
    assert deal["repeat"] is False
    assert deal["begin_date"] in {before.isoformat(), after.isoformat()}
    assert deal["close_date"] in {
        (before + timedelta(days=7)).isoformat(),
        (after + timedelta(days=7)).isoformat(),
    }
    created = datetime.fromisoformat(deal["created_at"])
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)
    assert [d["id"] for d in _deals(run, fresh_db)] == [deal["id"]]


def test_add_prints_one_line_without_json(run: Runner, fresh_db: Path) -> None:
    result = assert_ok(run("deal", "add", "--title", "Server room", db=fresh_db))
    assert result.stdout == 'Created deal #1 "Server room": New (Sales)\n'
    assert result.stderr == ""


def test_add_with_every_option(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("field", "add", "BUDGET", "Budget approved", db=fresh_db))
    deal = assert_ok(
        run(
            "deal", "add", "--json",
            "--title", "  Server room  ",
            "--amount", "12 500,50",
            "--currency", "eur",
            "--pipeline", "Sales",
            "--stage", "Final invoice",
            "--company", "Acme Ltd",
            "--contact", "John Smith",
            "--contact", "Mary Jones",
            "--type", "services",
            "--source", "Website",
            "--source-description", "landing page",
            "--responsible", "tester",
            "--begin-date", "2026-03-01",
            "--close-date", "01.04.2026",
            "--probability", "70",
            "--comment", "Urgent",
            "--set", "UF_CRM_BUDGET=yes",
            db=fresh_db,
        )
    ).json()  # fmt: skip
    assert deal["title"] == "Server room"
    assert deal["amount"] == "12500.50" and deal["currency"] == "EUR"
    assert deal["manual_amount"] is True
    assert (deal["stage"], deal["stage_name"]) == ("FINAL_INVOICE", "Final invoice")
    assert deal["company"] == "Acme Ltd"
    assert [(c["name"], c["primary"]) for c in deal["contacts"]] == [
        ("John Smith", True),
        ("Mary Jones", False),
    ]
    assert (deal["type"], deal["source"]) == ("SERVICES", "WEB")
    assert deal["source_description"] == "landing page"
    assert deal["responsible"] == "Test User"
    assert (deal["begin_date"], deal["close_date"]) == ("2026-03-01", "2026-04-01")
    assert deal["probability"] == 70
    assert deal["comments"] == "Urgent"
    assert deal["custom_fields"] == {"UF_CRM_BUDGET": "yes"}
    # what was stored is what show reads back
    shown = _show(run, fresh_db, deal["id"])
    for key in ("title", "amount", "currency", "stage", "company", "type", "source", "comments"):
        assert shown[key] == deal[key]


def test_add_with_product_rows_takes_the_amount_from_them(run: Runner, fresh_db: Path) -> None:
    deal = assert_ok(
        run(
            "deal", "add", "--json",
            "--product", "name=Widget; price=100; qty=3; discount=10%; tax=20",
            "--product", "Gadget; price=5",
            db=fresh_db,
        )
    ).json()  # fmt: skip
    # 3 x (100 - 10%) = 270, + 20% tax = 324; plus 5
    assert deal["amount"] == "329.00"
    assert deal["tax_value"] == "54.00"
    assert deal["manual_amount"] is False
    rows = _show(run, fresh_db, deal["id"])["products"]
    assert [(r["name"], r["quantity"], r["total"]) for r in rows] == [
        ("Widget", "3", "324.00"),
        ("Gadget", "1", "5.00"),
    ]


def test_add_in_a_won_stage_closes_the_deal_today(run: Runner, fresh_db: Path) -> None:
    deal = assert_ok(run("deal", "add", "--stage", "WON", "--json", db=fresh_db)).json()
    assert deal["closed"] is True and deal["semantics"] == "success"
    assert deal["close_date"] == today().isoformat()


def test_a_second_deal_for_a_client_with_a_won_deal_is_a_repeat(
    run: Runner, fresh_db: Path
) -> None:
    first = assert_ok(run("deal", "add", "--company", "Acme", "--json", db=fresh_db)).json()
    assert first["repeat"] is False
    assert_ok(run("deal", "won", str(first["id"]), db=fresh_db))
    second = assert_ok(run("deal", "add", "--company", "Acme", "--json", db=fresh_db)).json()
    assert second["repeat"] is True
    other = assert_ok(run("deal", "add", "--company", "Globex", "--json", db=fresh_db)).json()
    assert other["repeat"] is False


# --- where the database comes from -------------------------------------------------------


def test_db_option_after_the_command(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("deal", "add", "--title", "Placed after", "--db", str(fresh_db)))
    assert [d["title"] for d in _deals(run, fresh_db)] == ["Placed after"]


def test_dealterm_db_environment_variable(
    run: Runner, fresh_db: Path, seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALTERM_DB", str(fresh_db))
    assert_ok(run("deal", "add", "--title", "From env"))
    assert [d["title"] for d in _deals(run, fresh_db)] == ["From env"]
    # --db wins over the variable
    assert_ok(run("deal", "add", "--title", "Elsewhere", db=seeded_db))
    assert _deals(run, seeded_db)[0]["title"] == "Elsewhere"
    assert [d["title"] for d in _deals(run, fresh_db)] == ["From env"]


# --- list ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "titles"),
    [
        ((), ["Echo service", "Delta pipes", "Charlie valves", "Bravo pumps", "Alpha boiler"]),
        (("--open",), ["Echo service", "Bravo pumps", "Alpha boiler"]),
        (("--won",), ["Charlie valves"]),
        (("--lost",), ["Delta pipes"]),
        (("--closed",), ["Delta pipes", "Charlie valves"]),
        (("--stage", "EXECUTING"), ["Bravo pumps"]),
        (("--stage", "In progress"), ["Bravo pumps"]),
        (("--pipeline", "Sales", "--stage", "NEW"), ["Echo service", "Alpha boiler"]),
        (
            ("--pipeline", "sales"),
            ["Echo service", "Delta pipes", "Charlie valves", "Bravo pumps", "Alpha boiler"],
        ),
        (("--search", "PUMP"), ["Bravo pumps"]),
        (("--search", "crane"), ["Alpha boiler"]),  # in the comments
        (("--search", "ромашка"), ["Echo service"]),  # the client, any case, Cyrillic
        (("--search", "%"), []),  # a literal percent sign, not a wildcard
        (("--open", "--search", "boiler"), ["Alpha boiler"]),
        (("--limit", "2"), ["Echo service", "Delta pipes"]),
        (
            ("--responsible", "tester"),
            ["Echo service", "Delta pipes", "Charlie valves", "Bravo pumps", "Alpha boiler"],
        ),
    ],
)
def test_list_filters(
    run: Runner, listed_db: Path, args: tuple[str, ...], titles: list[str]
) -> None:
    deals = assert_ok(run("deal", "list", "--json", *args, db=listed_db)).json()
    assert [d["title"] for d in deals] == titles


def test_list_json_shape(run: Runner, listed_db: Path) -> None:
    deals = _deals(run, listed_db)
    for deal in deals:
        assert set(deal) >= DEAL_KEYS
        assert isinstance(deal["amount"], str) and deal["amount"].count(".") == 1
    lost = next(d for d in deals if d["title"] == "Delta pipes")
    assert lost["semantics"] == "failure" and lost["closed"] is True
    assert lost["lost_reason"] == "No budget"
    echo = next(d for d in deals if d["title"] == "Echo service")
    assert echo["company"] == "ООО «Ромашка»"


@pytest.mark.parametrize(
    "flags",
    [("--open", "--won"), ("--won", "--lost"), ("--lost", "--closed"), ("--open", "--closed")],
)
def test_list_status_flags_are_exclusive(
    run: Runner, listed_db: Path, flags: tuple[str, ...]
) -> None:
    result = run("deal", "list", *flags, db=listed_db)
    assert_fails(result, 2, "--open", "--closed")
    assert result.stdout == ""


def test_list_as_text(run: Runner, listed_db: Path) -> None:
    result = assert_ok(run("deal", "list", db=listed_db))
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "Title", "Stage", "Amount", "Client", "Responsible", "Close"]
    assert len(lines) == 6
    assert "Echo service" in lines[1] and "ООО «Ромашка»" in lines[1]
    assert lines[1].split()[0] == "5"


def test_list_text_says_when_there_are_more(run: Runner, listed_db: Path) -> None:
    result = assert_ok(run("deal", "list", "--limit", "2", db=listed_db))
    assert "2 of 5 deals; use --limit to see more" in result.stdout


def test_list_on_an_empty_database(run: Runner, fresh_db: Path) -> None:
    assert assert_ok(run("deal", "list", db=fresh_db)).stdout.strip() == "No deals match."
    assert _deals(run, fresh_db) == []


def test_list_text_keeps_ids_and_amounts_in_80_columns(
    run: Runner, fresh_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_ok(
        run(
            "deal",
            "add",
            "--title",
            "A fairly long deal title for testing widths here",
            "--company",
            "Some Company With Long Name LLC",
            "--amount",
            "1234567.89",
            db=fresh_db,
        )
    )
    monkeypatch.setenv("COLUMNS", "80")
    result = assert_ok(run("deal", "list", db=fresh_db))
    row = result.stdout.splitlines()[1]
    assert row.split()[0] == "1", row
    assert "$1,234,567.89" in row, row


# --- show ------------------------------------------------------------------------------


def test_show_json_has_products_activities_and_history(run: Runner, seeded_db: Path) -> None:
    deal = _show(run, seeded_db, 1)
    assert set(deal) >= DEAL_KEYS
    assert deal["title"] == "Base deal" and deal["company"] == "Acme Ltd"
    assert deal["amount"] == "100.00" and deal["manual_amount"] is True
    assert [(p["name"], p["price"], p["quantity"], p["total"]) for p in deal["products"]] == [
        ("Widget", "40.00", "2", "80.00")
    ]
    assert [(a["id"], a["kind"], a["subject"], a["completed"]) for a in deal["activities"]] == [
        (1, "call", "First call", False)
    ]
    kinds = [event["kind"] for event in deal["history"]]
    assert kinds[-1] == "created"  # newest first
    assert "comment" in kinds and "activity_planned" in kinds
    comment = next(e for e in deal["history"] if e["kind"] == "comment")
    assert comment["text"] == "Seeded comment" and comment["author"] == "Test User"


def test_show_as_text(run: Runner, seeded_db: Path) -> None:
    out = assert_ok(run("deal", "show", "1", db=seeded_db)).stdout
    assert out.splitlines()[0] == "#1 Base deal  (open)"
    for fragment in (
        "Sales / New (NEW)",
        "$100.00",
        "Acme Ltd",
        "John Smith",
        "Widget: 40.00 x 2 pcs = $80.00",
        "call: First call (planned)",
        "Seeded comment",
        "Deal created in stage New",
    ):
        assert fragment in out, fragment


def test_show_a_won_deal_as_text(run: Runner, seeded_db: Path) -> None:
    out = assert_ok(run("deal", "show", "2", db=seeded_db)).stdout
    assert out.startswith("#2 Closed deal  (won)")
    assert "Deal won" in out


def test_show_does_not_interpret_markup_in_titles(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("deal", "add", "--title", "[bold]Tags[/bold] & co", db=fresh_db))
    assert "#1 [bold]Tags[/bold] & co" in run("deal", "show", "1", db=fresh_db).stdout
    assert "[bold]Tags[/bold] & co" in run("deal", "list", db=fresh_db).stdout


# --- edit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field", "expected"),
    [
        (("--title", "Renamed"), "title", "Renamed"),
        (("--amount", "2 500,5"), "amount", "2500.50"),
        (("--currency", "rub"), "currency", "RUB"),
        (("--company", "Globex"), "company", "Globex"),
        (("--company", ""), "company", None),
        (("--type", "Services"), "type", "SERVICES"),
        (("--type", ""), "type", None),
        (("--source", "CALL"), "source", "CALL"),
        (("--source-description", "fair"), "source_description", "fair"),
        (("--begin-date", "2026-01-15"), "begin_date", "2026-01-15"),
        (("--close-date", "31/12/2026"), "close_date", "2026-12-31"),
        (("--probability", "55"), "probability", 55),
        (("--comments", "call back"), "comments", "call back"),
        (("--set", "UF_CRM_COLOR=red"), "custom_fields", {"UF_CRM_COLOR": "red"}),
    ],
)
def test_edit_each_field(
    run: Runner, seeded_db: Path, args: tuple[str, ...], field: str, expected: object
) -> None:
    # the seeded deal is at version 1 with three history events
    assert_ok(run("field", "add", "UF_CRM_COLOR", "Colour", db=seeded_db))
    edited = assert_ok(run("deal", "edit", "1", *args, "--json", db=seeded_db)).json()
    assert edited[field] == expected
    assert edited["version"] == 2
    shown = _show(run, seeded_db, 1)
    assert shown[field] == expected
    assert len(shown["history"]) == 4
    assert shown["history"][0]["kind"] == "field_changed"
    assert shown["history"][0]["author"] == "Test User"


def test_edit_with_empty_values_clears_fields(run: Runner, seeded_db: Path) -> None:
    assert_ok(run("deal", "edit", "1", "--probability", "55", "--comments", "x", db=seeded_db))
    deal = assert_ok(
        run("deal", "edit", "1", "--probability", "", "--comments", "", "--json", db=seeded_db)
    ).json()
    assert deal["probability"] == 10  # the stage's probability again
    assert deal["comments"] is None


def test_edit_to_the_same_value_records_nothing(run: Runner, seeded_db: Path) -> None:
    edited = assert_ok(run("deal", "edit", "1", "--title", "Base deal", "--json", db=seeded_db))
    assert edited.json()["version"] == 1
    assert len(_show(run, seeded_db, 1)["history"]) == 3


def test_edit_contacts_replaces_the_list(run: Runner, seeded_db: Path) -> None:
    edited = assert_ok(
        run("deal", "edit", "1", "--contact", "Mary", "--contact", "Bob", "--json", db=seeded_db)
    ).json()
    assert [(c["name"], c["primary"]) for c in edited["contacts"]] == [
        ("Mary", True),
        ("Bob", False),
    ]
    cleared = assert_ok(run("deal", "edit", "1", "--contact", "", "--json", db=seeded_db)).json()
    assert cleared["contacts"] == []


def test_edit_custom_fields_merge_and_remove(run: Runner, seeded_db: Path) -> None:
    for code in ("A", "B", "C"):
        assert_ok(run("field", "add", f"UF_CRM_{code}", f"Field {code}", db=seeded_db))
    assert_ok(run("deal", "edit", "1", "--set", "UF_CRM_A=1", "--set", "UF_CRM_B=2", db=seeded_db))
    deal = assert_ok(
        run(
            "deal", "edit", "1", "--set", "uf_crm_a=", "--set", "UF_CRM_C=3", "--json", db=seeded_db
        )
    ).json()
    assert deal["custom_fields"] == {"UF_CRM_B": "2", "UF_CRM_C": "3"}


def test_edit_text_output(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("deal", "edit", "1", "--title", "New name", db=seeded_db))
    assert result.stdout == 'Updated deal #1 "New name": New (Sales)\n'


def test_edit_with_the_current_version(run: Runner, seeded_db: Path) -> None:
    version = _show(run, seeded_db, 1)["version"]
    deal = assert_ok(
        run(
            "deal",
            "edit",
            "1",
            "--title",
            "Checked",
            "--expect-version",
            str(version),
            "--json",
            db=seeded_db,
        )
    ).json()
    assert deal["title"] == "Checked" and deal["version"] == version + 1


def test_edit_with_a_stale_version_changes_nothing(run: Runner, seeded_db: Path, unchanged) -> None:
    version = _show(run, seeded_db, 1)["version"]
    assert_ok(run("deal", "edit", "1", "--comments", "someone else", db=seeded_db))
    before = _show(run, seeded_db, 1)
    with unchanged(seeded_db):
        result = run(
            "deal",
            "edit",
            "1",
            "--title",
            "Mine",
            "--amount",
            "7",
            "--expect-version",
            str(version),
            db=seeded_db,
        )
        assert_fails(result, 2, "changed by someone else")
        assert result.stdout == ""
    after = _show(run, seeded_db, 1)
    assert after == before


@pytest.mark.parametrize(
    "command",
    [
        ("products", "1", "--clear"),
        ("move", "1", "EXECUTING"),
        ("won", "1"),
        ("lost", "1"),
    ],
)
def test_other_changes_also_check_the_version(
    run: Runner, seeded_db: Path, unchanged, command: tuple[str, ...]
) -> None:
    stale = _show(run, seeded_db, 1)["version"] - 1
    with unchanged(seeded_db):
        result = run("deal", *command, "--expect-version", str(stale), db=seeded_db)
        assert_fails(result, 2, "changed by someone else")


def test_edit_manual_and_automatic_amount(run: Runner, seeded_db: Path) -> None:
    # the seeded deal has a typed amount of 100 and a 2 x 40 product row
    auto = assert_ok(run("deal", "edit", "1", "--auto-amount", "--json", db=seeded_db)).json()
    assert auto["manual_amount"] is False and auto["amount"] == "80.00"
    typed = assert_ok(run("deal", "edit", "1", "--amount", "95", "--json", db=seeded_db)).json()
    assert typed["manual_amount"] is True and typed["amount"] == "95.00"


# --- products --------------------------------------------------------------------------


def test_products_replace_rows_and_an_automatic_amount_follows(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("deal", "add", "--title", "Kit", db=fresh_db))
    result = assert_ok(
        run(
            "deal",
            "products",
            "1",
            "--row",
            "name=A; price=10; qty=2",
            "--row",
            "B; price=5; discount=1",
            db=fresh_db,
        )
    )
    assert result.stdout == "Deal #1 now has 2 product rows; amount 24.00 USD\n"
    deal = _show(run, fresh_db, 1)
    assert deal["amount"] == "24.00" and deal["manual_amount"] is False
    assert [(r["name"], r["unit_price"], r["total"]) for r in deal["products"]] == [
        ("A", "10.00", "20.00"),
        ("B", "4.00", "4.00"),
    ]
    assert deal["history"][0]["field"] == "amount"
    assert deal["history"][0]["new_value"] == "24.00"

    replaced = assert_ok(
        run(
            "deal",
            "products",
            "1",
            "--row",
            "name=C; price=100; tax=20; included",
            "--json",
            db=fresh_db,
        )
    ).json()
    assert replaced["amount"] == "100.00" and replaced["tax_value"] == "16.67"
    assert [r["name"] for r in _show(run, fresh_db, 1)["products"]] == ["C"]

    cleared = assert_ok(run("deal", "products", "1", "--clear", "--json", db=fresh_db)).json()
    assert cleared["amount"] == "0.00"
    assert _show(run, fresh_db, 1)["products"] == []


def test_products_keep_a_typed_amount(run: Runner, seeded_db: Path) -> None:
    deal = assert_ok(
        run("deal", "products", "1", "--row", "name=Big; price=1000", "--json", db=seeded_db)
    ).json()
    assert deal["amount"] == "100.00" and deal["manual_amount"] is True


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "--row"),
        (("--row", "name=A; price=1", "--clear"), "cannot be combined"),
        (("--row", "name=A; price=1; colour=red"), "unknown key 'colour'"),
        (("--row", "name=A"), "price is missing"),
        (("--row", "name=A; price=-3"), "negative"),
        (("--row", "name=A; price=1; qty=0"), "greater than zero"),
        (("--row", "name=A; price=10; discount=150%"), "between 0 and 100"),
        (("--row", "name=A; price=10; discount=11"), "more than the price"),
        (("--row", "product=Nothing"), "unknown product"),
        (("--row", "name=A; price=1", "--row", "name=B; price=x"), "row 2"),
    ],
)
def test_products_refuses_bad_rows(
    run: Runner, seeded_db: Path, unchanged, args: tuple[str, ...], fragment: str
) -> None:
    with unchanged(seeded_db):
        assert_fails(run("deal", "products", "1", *args, db=seeded_db), 2, fragment)


# --- move / won / lost / reopen ----------------------------------------------------------


def test_move_through_stages(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("deal", "move", "1", "EXECUTING", db=seeded_db))
    assert result.stdout == 'Moved deal #1 "Base deal": In progress (Sales)\n'
    deal = assert_ok(run("deal", "move", "1", "final invoice", "--json", db=seeded_db)).json()
    assert deal["stage"] == "FINAL_INVOICE" and deal["closed"] is False
    history = _show(run, seeded_db, 1)["history"]
    assert [(e["old_value"], e["new_value"]) for e in history if e["kind"] == "stage_changed"] == [
        ("In progress", "Final invoice"),
        ("New", "In progress"),
    ]


def test_move_to_a_failure_stage_with_a_reason(run: Runner, seeded_db: Path) -> None:
    deal = assert_ok(
        run("deal", "move", "1", "LOSE", "--reason", "Chose a competitor", "--json", db=seeded_db)
    ).json()
    assert deal["semantics"] == "failure" and deal["closed"] is True
    assert deal["lost_reason"] == "Chose a competitor"
    assert deal["close_date"] == today().isoformat()


def test_won(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("deal", "won", "1", db=seeded_db))
    assert result.stdout == 'Won deal #1 "Base deal": Deal successful (Sales)\n'
    deal = _show(run, seeded_db, 1)
    assert (deal["stage"], deal["semantics"], deal["closed"]) == ("WON", "success", True)
    assert deal["close_date"] == today().isoformat()
    assert "won" in [e["kind"] for e in deal["history"]]
    assert [d["title"] for d in _deals(run, seeded_db, "--won")] == ["Closed deal", "Base deal"]


def test_lost_with_a_directory_reason_and_free_text(run: Runner, seeded_db: Path) -> None:
    deal = assert_ok(
        run("deal", "lost", "1", "--reason", "price too high", "--json", db=seeded_db)
    ).json()
    assert deal["stage"] == "LOSE" and deal["lost_reason"] == "Price too high"
    assert_ok(run("deal", "reopen", "1", db=seeded_db))
    deal = assert_ok(
        run(
            "deal",
            "lost",
            "1",
            "--reason",
            "They vanished",
            "--stage",
            "APOLOGY",
            "--json",
            db=seeded_db,
        )
    ).json()
    assert deal["stage"] == "APOLOGY" and deal["lost_reason"] == "They vanished"
    texts = [e["text"] for e in _show(run, seeded_db, 1)["history"] if e["kind"] == "lost"]
    assert texts == ["Deal lost: They vanished", "Deal lost: Price too high"]


def test_lost_text_output(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("deal", "lost", "1", db=seeded_db))
    assert result.stdout == 'Lost deal #1 "Base deal": Deal failed (Sales)\n'


def test_reopen_goes_back_to_the_stage_before_closing(run: Runner, seeded_db: Path) -> None:
    assert_ok(run("deal", "move", "1", "PREPARATION", db=seeded_db))
    assert_ok(run("deal", "lost", "1", "--reason", "No budget", db=seeded_db))
    result = assert_ok(run("deal", "reopen", "1", db=seeded_db))
    assert result.stdout == 'Reopened deal #1 "Base deal": Document preparation (Sales)\n'
    deal = _show(run, seeded_db, 1)
    assert deal["closed"] is False and deal["lost_reason"] is None
    assert deal["history"][0]["kind"] == "reopened"


def test_reopen_in_a_chosen_stage(run: Runner, seeded_db: Path) -> None:
    deal = assert_ok(
        run("deal", "reopen", "2", "--stage", "EXECUTING", "--json", db=seeded_db)
    ).json()
    assert (deal["stage"], deal["closed"]) == ("EXECUTING", False)
    assert [d["title"] for d in _deals(run, seeded_db, "--won")] == []


@pytest.mark.parametrize(
    ("command", "code", "fragment"),
    [
        (("move", "1", "NOWHERE"), 2, "unknown stage 'NOWHERE'"),
        (("move", "1", "EXECUTING", "--reason", "x"), 2, "only for a failure stage"),
        (("lost", "1", "--stage", "EXECUTING"), 2, "not a failure stage"),
        (("lost", "1", "--stage", "NOWHERE"), 2, "unknown stage"),
        (("reopen", "1"), 2, "is not closed"),
        (("reopen", "2", "--stage", "LOSE"), 2, "not an in-progress stage"),
        (("reopen", "2", "--stage", "NOWHERE"), 2, "unknown stage"),
        (("move", "99", "WON"), 1, "deal #99 not found"),
        (("won", "99"), 1, "deal #99 not found"),
        (("lost", "99"), 1, "deal #99 not found"),
        (("reopen", "99"), 1, "deal #99 not found"),
    ],
)
def test_stage_changes_refuse_bad_input(
    run: Runner,
    seeded_db: Path,
    unchanged,
    command: tuple[str, ...],
    code: int,
    fragment: str,
) -> None:
    with unchanged(seeded_db):
        assert_fails(run("deal", *command, db=seeded_db), code, fragment)


# --- delete ----------------------------------------------------------------------------


def test_delete_without_a_terminal_needs_yes(run: Runner, seeded_db: Path, unchanged) -> None:
    """A script cannot answer the question: without --yes nothing is deleted."""
    with unchanged(seeded_db):
        refused = run("deal", "delete", "1", db=seeded_db)
        assert_fails(refused, 2, "deleting needs --yes when not run in a terminal")
        assert refused.stdout == ""
    result = assert_ok(run("deal", "delete", "1", "--yes", db=seeded_db))
    assert result.stdout == 'Deleted deal #1 "Base deal"\n'
    assert [d["id"] for d in _deals(run, seeded_db)] == [2]
    assert_fails(run("deal", "show", "1", db=seeded_db), 1, "deal #1 not found")
    # its activities went with it
    assert assert_ok(run("activity", "list", "--json", db=seeded_db)).json() == []


def test_delete_in_a_terminal_asks_first(run: Runner, seeded_db: Path, unchanged) -> None:
    with unchanged(seeded_db):
        refused = run("deal", "delete", "1", db=seeded_db, tty=True, stdin="n\n")
        assert_fails(refused, 1, "not deleted")
        assert 'Delete deal #1 "Base deal"' in refused.stdout
    accepted = assert_ok(run("deal", "delete", "1", db=seeded_db, tty=True, stdin="y\n"))
    assert 'Deleted deal #1 "Base deal"' in accepted.stdout
    assert [d["id"] for d in _deals(run, seeded_db)] == [2]


def test_delete_yes_skips_the_question(run: Runner, seeded_db: Path) -> None:
    result = assert_ok(run("deal", "delete", "2", "--yes", db=seeded_db, tty=True))
    assert result.stdout == 'Deleted deal #2 "Closed deal"\n'
    assert [d["id"] for d in _deals(run, seeded_db)] == [1]
