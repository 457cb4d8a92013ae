"""``dealterm pipeline|stage|field|directory|product``: setting up the CRM from the shell.

What a user sees (text lines, ``--json``), where deals end up, and for bad input one
``dealterm: ...`` line on stderr with exit 2 (1 when the thing named does not exist) and
nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Runner, assert_fails, assert_ok, dump_rows

DEFAULT_CODES = [
    "NEW",
    "PREPARATION",
    "PREPAYMENT_INVOICE",
    "EXECUTING",
    "FINAL_INVOICE",
    "WON",
    "LOSE",
    "APOLOGY",
]


def _json(run: Runner, db: str | Path, *args: str) -> Any:
    return assert_ok(run(*args, "--json", db=db)).json()


def _out(run: Runner, db: str | Path, *args: str) -> str:
    result = assert_ok(run(*args, db=db))
    assert result.stderr == ""
    return result.stdout


def _pipelines(run: Runner, db: str | Path) -> list[tuple[str, bool, int]]:
    rows = _json(run, db, "pipeline", "list")
    return [(p["name"], p["default"], p["deals"]) for p in rows]


def _codes(run: Runner, db: str | Path, pipeline: str = "Sales") -> list[str]:
    rows = _json(run, db, "stage", "list", "--pipeline", pipeline)
    return [s["code"] for s in rows]


def _deals(run: Runner, db: str | Path) -> dict[int, dict]:
    rows = _json(run, db, "deal", "list", "--limit", "1000")
    return {d["id"]: d for d in rows}


def _entries(run: Runner, db: str | Path, kind: str, *extra: str) -> dict[str, dict]:
    rows = _json(run, db, "directory", "list", kind, *extra)
    return {e["key"]: e for e in rows}


# --- pipelines -------------------------------------------------------------------------


def test_pipeline_list_shows_the_deals_each_holds(run: Runner, seeded_db: Path) -> None:
    assert _out(run, seeded_db, "pipeline", "list") == "  1  Sales (default)  2 deals\n"
    assert _json(run, seeded_db, "pipeline", "list") == [
        {"id": 1, "name": "Sales", "sort": 100, "default": True, "deals": 2}
    ]


def test_add_rename_reorder_and_choose_the_default_pipeline(run: Runner, fresh_db: Path) -> None:
    assert _json(run, fresh_db, "pipeline", "add", "Projects") == {
        "id": 2,
        "name": "Projects",
        "sort": 200,
        "default": False,
        "deals": 0,
    }
    assert _out(run, fresh_db, "pipeline", "add", "Service") == "Added pipeline #3 'Service'\n"
    assert_ok(run("pipeline", "add", "Key accounts", "--default", db=fresh_db))
    assert _pipelines(run, fresh_db) == [
        ("Sales", False, 0),
        ("Projects", False, 0),
        ("Service", False, 0),
        ("Key accounts", True, 0),
    ]
    assert _codes(run, fresh_db, "Key accounts") == DEFAULT_CODES

    assert _out(run, fresh_db, "pipeline", "rename", "projects", "Big projects") == (
        "Pipeline #2 is now 'Big projects'\n"
    )
    assert _out(run, fresh_db, "pipeline", "default", "2") == (
        "'Big projects' is the default pipeline\n"
    )
    assert _out(run, fresh_db, "pipeline", "reorder", "Service", "Big projects") == (
        "Order: Service, Big projects, Sales, Key accounts\n"
    )
    assert _out(run, fresh_db, "pipeline", "list") == (
        "  3  Service  0 deals\n"
        "  2  Big projects (default)  0 deals\n"
        "  1  Sales  0 deals\n"
        "  4  Key accounts  0 deals\n"
    )
    deal = _json(run, fresh_db, "deal", "add", "--title", "Goes to the default")
    assert (deal["pipeline"], deal["stage"]) == ("Big projects", "NEW")


def test_a_pipeline_holding_deals_is_deleted_only_by_moving_them(
    run: Runner, seeded_db: Path
) -> None:
    assert_ok(run("pipeline", "add", "Projects", "--default", db=seeded_db))
    before = dump_rows(seeded_db)
    assert_fails(
        run("pipeline", "delete", "Sales", db=seeded_db),
        2,
        "pipeline 'Sales' holds 2 deals; choose a pipeline to move them to",
    )
    assert_fails(
        run("pipeline", "delete", "Sales", "--move-to", "Nope", db=seeded_db),
        2,
        "unknown pipeline 'Nope'",
    )
    assert dump_rows(seeded_db) == before

    result = run("pipeline", "delete", "Sales", "--move-to", "projects", db=seeded_db)
    assert assert_ok(result).stdout == "Deleted pipeline 'Sales'; moved 2 deals\n"
    assert _pipelines(run, seeded_db) == [("Projects", True, 2)]
    deals = _deals(run, seeded_db)
    assert [(d["pipeline"], d["stage"], d["closed"]) for d in deals.values()] == [
        ("Projects", "WON", True),
        ("Projects", "NEW", False),
    ]
    shown = _json(run, seeded_db, "deal", "show", "1")
    event = shown["history"][0]
    assert (event["kind"], event["old_value"], event["new_value"]) == (
        "pipeline_changed",
        "Sales / New",
        "Projects / New",
    )
    assert "pipeline: Sales / New → Projects / New" in _out(run, seeded_db, "deal", "show", "1")
    assert_fails(run("stage", "list", "--pipeline", "Sales", db=seeded_db), 2, "unknown pipeline")


def test_an_empty_pipeline_is_deleted_at_once(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("pipeline", "add", "Projects", db=fresh_db))
    assert _out(run, fresh_db, "pipeline", "delete", "Projects") == "Deleted pipeline 'Projects'\n"
    assert _pipelines(run, fresh_db) == [("Sales", True, 0)]


# --- stages ----------------------------------------------------------------------------


def test_stage_list_shows_colour_probability_rotting_and_deals(
    run: Runner, seeded_db: Path
) -> None:
    lines = _out(run, seeded_db, "stage", "list").splitlines()
    assert len(lines) == 8
    assert lines[0].split() == [
        "NEW",
        "New",
        "process",
        "#39A8EF",
        "10%,",
        "rotting",
        "after",
        "7d",
        "1",
        "deal",
    ]
    assert lines[5].split() == [
        "WON",
        "Deal",
        "successful",
        "success",
        "#7BD500",
        "100%",
        "1",
        "deal",
    ]
    rows = _json(run, seeded_db, "stage", "list")
    assert rows[0] == {
        "id": 1,
        "code": "NEW",
        "name": "New",
        "semantics": "process",
        "sort": 10,
        "color": "#39A8EF",
        "probability": 10,
        "rotting_days": 7,
        "deals": 1,
    }
    assert [(s["code"], s["semantics"]) for s in rows][-3:] == [
        ("WON", "success"),
        ("LOSE", "failure"),
        ("APOLOGY", "failure"),
    ]


def test_add_edit_move_and_delete_stages(run: Runner, seeded_db: Path) -> None:
    added = _json(
        run,
        seeded_db,
        "stage",
        "add",
        "Qualify",
        "--code",
        "qualify",
        "--color",
        "#00aa00",
        "--probability",
        "30",
        "--rotting-days",
        "5",
        "--position",
        "2",
    )
    assert {k: v for k, v in added.items() if k != "id"} == {
        "code": "QUALIFY",
        "name": "Qualify",
        "semantics": "process",
        "sort": 20,
        "color": "#00AA00",
        "probability": 30,
        "rotting_days": 5,
        "deals": 0,
    }
    assert _out(run, seeded_db, "stage", "add", "Ghosted", "--failure") == (
        "Added stage 1 'Ghosted'\n"
    )
    assert _codes(run, seeded_db) == [
        "NEW",
        "QUALIFY",
        *DEFAULT_CODES[1:],
        "1",
    ]
    assert _out(
        run,
        seeded_db,
        "stage",
        "edit",
        "Qualify",
        "--name",
        "Qualified",
        "--probability",
        "35%",
        "--rotting-days",
        "0",
    ) == ("Stage QUALIFY: 'Qualified', #00AA00, 35%\n")
    edited = next(s for s in _json(run, seeded_db, "stage", "list") if s["code"] == "QUALIFY")
    assert (edited["name"], edited["rotting_days"]) == ("Qualified", None)

    assert _out(run, seeded_db, "stage", "move", "FINAL_INVOICE", "1") == (
        "Order: FINAL_INVOICE, NEW, QUALIFY, PREPARATION, PREPAYMENT_INVOICE, EXECUTING, "
        "WON, LOSE, APOLOGY, 1\n"
    )
    # NEW is no longer first, so it can go; deal #1 in it has to go somewhere.
    assert_fails(
        run("stage", "delete", "NEW", db=seeded_db), 2, "holds 1 deal;", "choose the stage"
    )
    result = run("stage", "delete", "New", "--move-to", "EXECUTING", db=seeded_db)
    assert assert_ok(result).stdout.startswith("Deleted stage New; moved 1 deal")
    assert "NEW" not in _codes(run, seeded_db)
    deal = _json(run, seeded_db, "deal", "show", "1")
    assert (deal["stage"], deal["closed"]) == ("EXECUTING", False)
    assert deal["history"][0]["text"] == "NEW → EXECUTING"
    assert _out(run, seeded_db, "stage", "delete", "1") == "Deleted stage 1\n"
    assert _codes(run, seeded_db)[-2:] == ["LOSE", "APOLOGY"]


def test_stages_of_another_pipeline_by_option(run: Runner, fresh_db: Path) -> None:
    assert_ok(run("pipeline", "add", "Projects", db=fresh_db))
    assert_ok(run("stage", "add", "Review", "-p", "Projects", "--code", "REVIEW", db=fresh_db))
    assert_ok(
        run("stage", "edit", "WON", "--pipeline", "projects", "--name", "Signed", db=fresh_db)
    )
    assert_ok(run("stage", "delete", "LOSE", "--pipeline", "2", db=fresh_db))
    assert _codes(run, fresh_db, "Projects") == [
        *DEFAULT_CODES[:5],
        "REVIEW",
        "WON",
        "APOLOGY",
    ]
    assert _codes(run, fresh_db) == DEFAULT_CODES  # Sales is untouched
    names = {s["code"]: s["name"] for s in _json(run, fresh_db, "stage", "list")}
    assert names["WON"] == "Deal successful"
    deal = _json(run, fresh_db, "deal", "add", "--pipeline", "Projects", "--stage", "Review")
    assert (deal["pipeline"], deal["stage"]) == ("Projects", "REVIEW")


# --- custom fields ---------------------------------------------------------------------


def test_fields_are_added_and_listed(run: Runner, fresh_db: Path) -> None:
    assert _out(run, fresh_db, "field", "list") == (
        "No custom fields yet: dealterm field add CODE LABEL --type ...\n"
    )
    assert _json(
        run,
        fresh_db,
        "field",
        "add",
        "size",
        "Size",
        "--type",
        "list",
        "--option",
        "S",
        "--option",
        "M",
        "--option",
        "L",
        "--default",
        "m",
    ) == {
        "code": "UF_CRM_SIZE",
        "label": "Size",
        "type": "list",
        "multiple": False,
        "required": False,
        "default": "M",
        "options": ["S", "M", "L"],
        "sort": 100,
        "active": True,
    }
    assert _out(run, fresh_db, "field", "add", "UF_CRM_BUDGET", "Budget", "--type", "money") == (
        "Added field UF_CRM_BUDGET (money)\n"
    )
    for args in (
        ("SITE", "Web site", "--type", "url"),
        ("SIGNED", "Signed on", "--type", "date"),
        ("CALLBACK", "Call back at", "--type", "datetime"),
        ("VIP", "VIP", "--type", "boolean"),
        ("SEATS", "Seats", "--type", "number", "--multiple"),
        ("BUYER", "Buyer", "--type", "contact"),
        ("PARTNER", "Partner", "--type", "company"),
        ("REGION", "Region", "--required"),
    ):
        assert_ok(run("field", "add", *args, db=fresh_db))
    fields = _json(run, fresh_db, "field", "list")
    assert [(f["code"], f["type"], f["multiple"], f["required"]) for f in fields] == [
        ("UF_CRM_SIZE", "list", False, False),
        ("UF_CRM_BUDGET", "money", False, False),
        ("UF_CRM_SITE", "url", False, False),
        ("UF_CRM_SIGNED", "date", False, False),
        ("UF_CRM_CALLBACK", "datetime", False, False),
        ("UF_CRM_VIP", "boolean", False, False),
        ("UF_CRM_SEATS", "number", True, False),
        ("UF_CRM_BUYER", "contact", False, False),
        ("UF_CRM_PARTNER", "company", False, False),
        ("UF_CRM_REGION", "string", False, True),
    ]
    text = _out(run, fresh_db, "field", "list").splitlines()
    assert text[0].split() == [
        "UF_CRM_SIZE",
        "Size",
        "list",
        "options:",
        "S,",
        "M,",
        "L",
        "default:",
        "M",
    ]
    assert text[6].split() == ["UF_CRM_SEATS", "Seats", "number,", "multiple"]
    assert text[9].split() == ["UF_CRM_REGION", "Region", "string,", "required"]

    assert_ok(run("deal", "add", "--company", "Acme Ltd", "--set", "REGION=x", db=fresh_db))
    deal = _json(
        run,
        fresh_db,
        "deal",
        "add",
        "--set",
        "REGION=North",
        "--set",
        "UF_CRM_SEATS=10, 12",
        "--set",
        "VIP=yes",
        "--set",
        "Web site=https://acme.example",
        "--set",
        "SIGNED=01.04.2026",
        "--set",
        "PARTNER=Acme Ltd",
    )
    assert deal["custom_fields"] == {
        "UF_CRM_REGION": "North",
        "UF_CRM_SIZE": "M",
        "UF_CRM_SEATS": ["10", "12"],
        "UF_CRM_VIP": "Y",
        "UF_CRM_SITE": "https://acme.example",
        "UF_CRM_SIGNED": "2026-04-01",
        "UF_CRM_PARTNER": "1",
    }


def test_a_required_field_is_enforced_on_the_command_line(run: Runner, seeded_db: Path) -> None:
    assert_ok(run("field", "add", "REGION", "Region", "--required", db=seeded_db))
    before = dump_rows(seeded_db)
    for args in (
        ("deal", "add", "--title", "No region"),
        ("deal", "add", "--title", "Blank region", "--set", "UF_CRM_REGION=  "),
        ("deal", "edit", "1", "--set", "UF_CRM_REGION="),
    ):
        result = run(*args, db=seeded_db)
        assert assert_fails(result, 2) == "dealterm: Region is required"
        assert result.stdout == ""
    assert dump_rows(seeded_db) == before
    deal = _json(run, seeded_db, "deal", "add", "--set", "region=South")
    assert deal["custom_fields"] == {"UF_CRM_REGION": "South"}
    # Deals made before the rule can still be edited otherwise.
    assert_ok(run("deal", "edit", "1", "--title", "Renamed", db=seeded_db))


def test_edit_and_delete_fields(run: Runner, seeded_db: Path) -> None:
    assert_ok(run("field", "add", "REGION", "Region", "--required", db=seeded_db))
    assert_ok(run("field", "add", "NOTE", "Note", db=seeded_db))
    assert_ok(run("field", "add", "SIZE", "Size", "--type", "list", "--option", "S", db=seeded_db))
    assert _out(
        run, seeded_db, "field", "edit", "Region", "--label", "Area", "--default", "North"
    ) == ("Field UF_CRM_REGION: 'Area', string, required\n")
    assert _json(run, seeded_db, "deal", "add")["custom_fields"] == {"UF_CRM_REGION": "North"}
    assert _out(
        run, seeded_db, "field", "edit", "SIZE", "--option", "S", "--option", "XL", "--multiple"
    ) == ("Field UF_CRM_SIZE: 'Size', list\n")
    assert_ok(run("field", "edit", "AREA", "--optional", "--default", "", db=seeded_db))
    area = next(f for f in _json(run, seeded_db, "field", "list") if f["code"] == "UF_CRM_REGION")
    assert (area["label"], area["required"], area["default"]) == ("Area", False, None)
    size = next(f for f in _json(run, seeded_db, "field", "list") if f["code"] == "UF_CRM_SIZE")
    assert (size["options"], size["multiple"]) == (["S", "XL"], True)

    assert _out(run, seeded_db, "field", "delete", "NOTE") == "Field NOTE deleted\n"
    assert _out(run, seeded_db, "field", "delete", "UF_CRM_REGION") == (
        "Field UF_CRM_REGION hidden (deals hold values of it)\n"
    )
    assert [f["code"] for f in _json(run, seeded_db, "field", "list")] == ["UF_CRM_SIZE"]
    listed = _out(run, seeded_db, "field", "list", "--all")
    assert "UF_CRM_NOTE" not in listed
    assert next(line for line in listed.splitlines() if "REGION" in line).endswith("(hidden)")
    assert _json(run, seeded_db, "deal", "show", "3")["custom_fields"] == {"UF_CRM_REGION": "North"}


# --- directories and products ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("type", ("SALE", "Sales")),
        ("types", ("SALE", "Sales")),
        ("source", ("CALL", "Call")),
        ("lost_reason", ("1", "Price too high")),
        ("lost-reasons", ("1", "Price too high")),
        ("currency", ("USD", "US Dollar")),
    ],
)
def test_directory_list(run: Runner, fresh_db: Path, kind: str, first: tuple[str, str]) -> None:
    rows = _json(run, fresh_db, "directory", "list", kind)
    assert (rows[0]["key"], rows[0]["name"], rows[0]["active"]) == (*first, True)
    assert set(rows[0]) == {"kind", "key", "name", "active", "details"}
    text = _out(run, fresh_db, "directory", "list", kind).splitlines()
    assert len(text) == len(rows)
    assert text[0].split()[0] == first[0]


def test_directory_add_edit_remove_and_restore(run: Runner, seeded_db: Path) -> None:
    added = _json(run, seeded_db, "directory", "add", "type", "Consulting", "--code", "consulting")
    assert added == [
        {
            "kind": "type",
            "key": "CONSULTING",
            "name": "Consulting",
            "active": True,
            "details": {"sort": 500, "name_en": None, "name_ru": None},
        }
    ]
    assert _out(run, seeded_db, "directory", "add", "source", "Trade fair", "--code", "FAIR") == (
        "Added source FAIR 'Trade fair'\n"
    )
    assert _out(run, seeded_db, "directory", "add", "lost_reason", "Went silent") == (
        "Added lost_reason 7 'Went silent'\n"
    )
    assert_ok(
        run(
            "directory",
            "add",
            "currency",
            "Yen",
            "--code",
            "JPY",
            "--symbol",
            "¥",
            "--rate",
            "0.0067",
            db=seeded_db,
        )
    )
    assert _out(
        run,
        seeded_db,
        "directory",
        "edit",
        "currency",
        "jpy",
        "--rate",
        "0,007",
        "--name",
        "Japanese yen",
    ) == ("currency JPY: 'Japanese yen'\n")
    assert _out(
        run,
        seeded_db,
        "directory",
        "edit",
        "type",
        "SALE",
        "--name",
        "Direct sale",
        "--sort",
        "900",
    ) == ("type SALE: 'Direct sale'\n")
    jpy = _entries(run, seeded_db, "currency")["JPY"]
    assert (jpy["name"], jpy["details"]["symbol"], float(jpy["details"]["rate"])) == (
        "Japanese yen",
        "¥",
        0.007,
    )
    assert list(_entries(run, seeded_db, "type"))[-1] == "SALE"

    deal = _json(
        run,
        seeded_db,
        "deal",
        "add",
        "--type",
        "Consulting",
        "--source",
        "FAIR",
        "--currency",
        "JPY",
    )
    assert (deal["type"], deal["source"], deal["currency"]) == ("CONSULTING", "FAIR", "JPY")
    assert _out(run, seeded_db, "directory", "remove", "type", "CONSULTING") == (
        "type CONSULTING hidden (deals use it)\n"
    )
    assert _out(run, seeded_db, "directory", "remove", "lost_reason", "Went silent") == (
        "lost_reason Went silent deleted\n"
    )
    assert _out(run, seeded_db, "directory", "remove", "currency", "JPY") == (
        "currency JPY hidden (deals use it)\n"
    )
    assert "CONSULTING" not in _entries(run, seeded_db, "type")
    assert _entries(run, seeded_db, "type", "--all")["CONSULTING"]["active"] is False
    assert "7" not in _entries(run, seeded_db, "lost_reason", "--all")
    hidden_line = next(
        line
        for line in _out(run, seeded_db, "directory", "list", "type", "--all").splitlines()
        if line.startswith("CONSULTING")
    )
    assert hidden_line.endswith("(hidden)")
    assert_fails(
        run("deal", "add", "--type", "CONSULTING", db=seeded_db), 2, "unknown type 'CONSULTING'"
    )
    assert _json(run, seeded_db, "deal", "show", str(deal["id"]))["type_name"] == "Consulting"

    assert _out(run, seeded_db, "directory", "restore", "type", "consulting") == (
        "type CONSULTING is shown again\n"
    )
    assert _json(run, seeded_db, "deal", "add", "--type", "consulting")["type"] == "CONSULTING"


def test_the_base_currency_can_change(run: Runner, seeded_db: Path) -> None:
    assert _out(run, seeded_db, "directory", "base-currency", "eur") == (
        "EUR is the base currency; rates were recomputed\n"
    )
    currencies = _json(run, seeded_db, "directory", "list", "currency")
    assert [(c["key"], c["details"]["base"]) for c in currencies[:2]] == [
        ("EUR", True),
        ("USD", False),
    ]
    assert float(currencies[0]["details"]["rate"]) == 1
    assert currencies[1]["details"]["rate"].startswith("0.92592593")
    assert _json(run, seeded_db, "deal", "add")["currency"] == "EUR"
    assert_fails(
        run("directory", "remove", "currency", "EUR", db=seeded_db),
        2,
        "the base currency cannot be removed",
    )
    assert _out(run, seeded_db, "directory", "remove", "currency", "USD") == (
        "currency USD hidden (deals use it)\n"
    )


def test_the_products_catalogue(run: Runner, seeded_db: Path) -> None:
    assert _json(run, seeded_db, "product", "list") == []
    added = _json(
        run, seeded_db, "product", "add", "Widget", "--price", "1 250,50", "--currency", "eur",
        "--measure", "kg", "--tax", "20", "--tax-included",
    )  # fmt: skip
    assert added == [
        {
            "kind": "product",
            "key": "1",
            "name": "Widget",
            "active": True,
            "details": {
                "price": "1250.50",
                "currency": "EUR",
                "measure": "kg",
                "tax_rate": "20.00",
                "tax_included": True,
            },
        }
    ]
    assert _out(run, seeded_db, "product", "add", "Gadget", "--price", "15") == (
        "Added product #2 'Gadget'\n"
    )
    assert [line.split()[:2] for line in _out(run, seeded_db, "product", "list").splitlines()] == [
        ["2", "Gadget"],
        ["1", "Widget"],
    ]
    assert _out(
        run,
        seeded_db,
        "product",
        "edit",
        "Widget",
        "--price",
        "99.90",
        "--currency",
        "USD",
        "--tax",
        "",
    ) == ("Product #1: 'Widget' 99.90 USD\n")
    assert _json(run, seeded_db, "product", "list")[1]["details"]["tax_rate"] is None
    assert_ok(run("deal", "products", "1", "--row", "product=Widget; qty=2", db=seeded_db))
    assert _json(run, seeded_db, "deal", "show", "1")["products"][0]["price"] == "99.90"

    assert _out(run, seeded_db, "product", "remove", "Widget") == "Product Widget hidden\n"
    assert _out(run, seeded_db, "product", "remove", "2") == "Product 2 deleted\n"
    assert _json(run, seeded_db, "product", "list") == []
    hidden = _json(run, seeded_db, "product", "list", "--all")
    assert [(p["name"], p["active"]) for p in hidden] == [("Widget", False)]
    assert _json(run, seeded_db, "deal", "show", "1")["products"][0]["name"] == "Widget"


# --- bad input -------------------------------------------------------------------------

NOT_FOUND_BUG = (
    "a pipeline or stage named as the command's subject that does not exist exits 2 "
    "(ValidationError), while field/directory/product exit 1 for the same case"
)
RENAME_BUG = "renaming a lost reason to a taken name prints a raw database error"


def case(args: tuple[str, ...], code: int, *fragments: str, bug: str | None = None) -> object:
    """One bad command line, the exit code it must give and what its error line must say."""
    name = " ".join(a if len(a) < 25 else a[:10] + "…" for a in args)
    marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")] if bug else []
    return pytest.param(args, code, fragments, id=name, marks=marks)


CASES = [
    # pipeline
    case(("pipeline", "add", "  "), 2, "a pipeline needs a name"),
    case(("pipeline", "add", "p" * 256), 2, "limited to 255 characters"),
    case(("pipeline", "add", "sales"), 2, "a pipeline called 'sales' already exists"),
    case(("pipeline", "add"), 2, "Missing argument 'NAME'"),
    case(("pipeline", "rename", "Sales", ""), 2, "a pipeline needs a name"),
    case(("pipeline", "reorder", "Sales", "1"), 2, "a pipeline is named twice"),
    case(("pipeline", "reorder", "Nope"), 2, "unknown pipeline 'Nope'"),
    case(("pipeline", "delete", "Sales"), 2, "'Sales' is the default pipeline"),
    case(("pipeline", "delete", "Sales", "--move-to", "Sales"), 2, "default pipeline"),
    case(("pipeline", "rename", "Nope", "X"), 1, "unknown pipeline 'Nope'"),
    case(("pipeline", "default", "Nope"), 1, "unknown pipeline 'Nope'"),
    case(("pipeline", "delete", "Nope"), 1, "unknown pipeline 'Nope'"),
    case(("pipeline", "list", "--bogus"), 2, "No such option: --bogus"),
    # stage
    case(("stage", "add", " "), 2, "a stage needs a name"),
    case(("stage", "add", "X", "--color", "red"), 2, "a colour is written #RRGGBB, not 'red'"),
    case(("stage", "add", "X", "--probability", "150"), 2, "Probability must be a whole number"),
    case(("stage", "add", "X", "--probability", "abc"), 2, "Probability must be a whole number"),
    case(
        ("stage", "add", "X", "--rotting-days", "-1"), 2, "Rotting days must be between 0 and 3650"
    ),
    case(("stage", "add", "X", "--rotting-days", "3651"), 2, "Rotting days must be between"),
    case(("stage", "add", "X", "--rotting-days", "soon"), 2, "Rotting days must be a whole number"),
    case(("stage", "add", "X", "--position", "0"), 2, "--position"),
    case(("stage", "add", "X", "--code", "a b"), 2, "a stage code is 1-22 letters"),
    case(("stage", "add", "X", "--code", "won"), 2, "the pipeline already has a stage WON"),
    case(("stage", "add", "X", "--pipeline", "Nope"), 2, "unknown pipeline 'Nope'"),
    case(("stage", "edit", "NEW", "--color", "123456"), 2, "#RRGGBB"),
    case(("stage", "edit", "NEW", "--name", ""), 2, "a stage needs a name"),
    case(("stage", "edit", "NEW", "--probability", "-5"), 2, "Probability"),
    case(("stage", "move", "WON", "1"), 2, "stages go in-progress first, then the success stage"),
    case(("stage", "move", "LOSE", "3"), 2, "stages go in-progress first"),
    case(("stage", "move", "NEW", "0"), 2, "'position'"),
    case(("stage", "move", "NEW"), 2, "Missing argument 'POSITION'"),
    case(("stage", "delete", "NEW"), 2, "the first stage cannot be deleted"),
    case(("stage", "delete", "WON"), 2, "the success stage cannot be deleted"),
    case(("stage", "delete", "Deal successful"), 2, "the success stage cannot be deleted"),
    case(("stage", "edit", "NOPE", "--name", "x"), 1, "unknown stage 'NOPE'"),
    case(("stage", "delete", "NOPE"), 1, "unknown stage 'NOPE'"),
    case(("stage", "list", "--pipeline", "Nope"), 2, "unknown pipeline 'Nope'"),
    # field
    case(("field", "add", "two words", "X"), 2, "a field code looks like UF_CRM_NAME"),
    case(("field", "add", "X", " "), 2, "a field needs a label"),
    case(("field", "add", "X", "Y", "--type", "colour"), 2, "unknown field type 'colour'"),
    case(("field", "add", "X", "Y", "--type", "list"), 2, "a list field needs options"),
    case(
        ("field", "add", "X", "Y", "--type", "number", "--default", "abc"), 2, "Y must be a number"
    ),
    case(("field", "add", "X", "Y", "--type", "url", "--default", "nope"), 2, "web address"),
    case(("field", "add", "X", "Y", "--type", "boolean", "--multiple"), 2, "cannot hold several"),
    case(("field", "edit", "NOPE", "--label", "x"), 1, "no custom field 'NOPE'"),
    case(("field", "delete", "NOPE"), 1, "no custom field 'NOPE'"),
    case(
        ("field", "add", "X", "Y", "--type", "list", "--option", "a", "--default", "b"),
        2,
        "Y must be one of: a (not 'b')",
    ),
    # directory
    case(("directory", "list", "colours"), 2, "unknown directory 'colours'"),
    case(("directory", "list"), 2, "Missing argument 'KIND'"),
    case(("directory", "add", "type", "X", "--code", "two words"), 2, "a code is 1-50 capital"),
    case(("directory", "add", "source", "website"), 2, "source 'Website' already exists (WEB)"),
    case(("directory", "add", "type", "X", "--code", "SALE"), 2, "SALE already exists"),
    case(("directory", "add", "source", " ", "--code", "NEWSRC"), 2, "a name is required"),
    case(("directory", "add", "currency", "Yen", "--code", "JP"), 2, "three letters"),
    case(
        ("directory", "add", "currency", "Yen", "--code", "JPY", "--rate", "0"),
        2,
        "Rate must be greater than zero",
    ),
    case(
        ("directory", "add", "currency", "Yen", "--code", "JPY", "--rate", "abc"),
        2,
        "Rate must be a number",
    ),
    case(
        ("directory", "add", "lost_reason", "no budget"), 2, "the reason 'no budget' already exists"
    ),
    case(
        ("directory", "edit", "currency", "USD", "--rate", "2"),
        2,
        "the base currency's rate is always 1",
    ),
    case(
        ("directory", "edit", "currency", "EUR", "--rate", "-1"),
        2,
        "Rate must be greater than zero",
    ),
    case(("directory", "edit", "type", "SALE", "--name", " "), 2, "a name is required"),
    case(
        ("directory", "edit", "lost_reason", "1", "--name", "No budget"),
        2,
        "already exists",
    ),
    case(("directory", "remove", "currency", "USD"), 2, "the base currency cannot be removed"),
    case(("directory", "edit", "type", "NOPE", "--name", "x"), 1, "no type 'NOPE'"),
    case(("directory", "remove", "source", "NOPE"), 1, "no source 'NOPE'"),
    case(("directory", "restore", "lost_reason", "99"), 1, "no lost reason '99'"),
    case(("directory", "base-currency", "XXX"), 1, "no currency 'XXX'"),
    # product
    case(("product", "add", " "), 2, "a name is required"),
    case(("product", "add", "W", "--price", "abc"), 2, "Price must be a number"),
    case(("product", "add", "W", "--price", "-1"), 2, "Price cannot be negative"),
    case(("product", "add", "W", "--currency", "XXX"), 2, "unknown currency 'XXX'"),
    case(("product", "add", "W", "--tax", "lots"), 2, "Tax rate must be a number"),
    case(("product", "edit", "99", "--price", "1"), 1, "no product '99'"),
    case(("product", "remove", "Nothing"), 1, "no product 'Nothing'"),
]


@pytest.mark.parametrize(("args", "code", "fragments"), CASES)
def test_bad_input_is_refused_and_nothing_is_written(
    run: Runner,
    seeded_db: Path,
    unchanged,
    args: tuple[str, ...],
    code: int,
    fragments: tuple[str, ...],
) -> None:
    with unchanged(seeded_db):
        result = run(*args, db=seeded_db)
        assert_fails(result, code, *fragments)
        assert result.stdout == ""


@pytest.mark.parametrize("group", ["pipeline", "stage", "field", "directory", "product"])
def test_each_group_lists_its_commands(run: Runner, group: str) -> None:
    result = run(group, "--help")
    assert result.code == 0
    commands = {
        "pipeline": ["list", "add", "rename", "default", "reorder", "delete"],
        "stage": ["list", "add", "edit", "move", "delete"],
        "field": ["list", "add", "edit", "delete"],
        "directory": ["list", "add", "edit", "remove", "restore", "base-currency"],
        "product": ["list", "add", "edit", "remove"],
    }[group]
    for command in commands:
        assert f" {command} " in result.stdout, command


# --- both backends ---------------------------------------------------------------------


def test_pipelines_and_stages_on_both_backends(run: Runner, db_target: str) -> None:
    assert_ok(run("pipeline", "add", "Projects", "--default", db=db_target))
    assert_ok(
        run(
            "stage",
            "add",
            "Review",
            "-p",
            "Projects",
            "--code",
            "REVIEW",
            "--position",
            "1",
            db=db_target,
        )
    )
    assert_ok(
        run(
            "stage",
            "add",
            "Ghosted",
            "-p",
            "Projects",
            "--failure",
            "--position",
            "1",
            db=db_target,
        )
    )
    first = _json(run, db_target, "deal", "add", "--title", "Open")
    won = _json(run, db_target, "deal", "add", "--title", "Won")
    lost = _json(run, db_target, "deal", "add", "--title", "Lost")
    assert_ok(run("deal", "won", str(won["id"]), db=db_target))
    assert_ok(run("deal", "lost", str(lost["id"]), "--reason", "No budget", db=db_target))
    assert first["stage"] == "REVIEW"
    assert _codes(run, db_target, "Projects")[:2] == ["REVIEW", "NEW"]

    assert_fails(run("pipeline", "delete", "Projects", db=db_target), 2, "default pipeline")
    assert_ok(run("pipeline", "default", "Sales", db=db_target))
    assert_fails(run("pipeline", "delete", "Projects", db=db_target), 2, "holds 3 deals")
    result = run("pipeline", "delete", "Projects", "--move-to", "Sales", db=db_target)
    assert assert_ok(result).stdout == "Deleted pipeline 'Projects'; moved 3 deals\n"
    assert _pipelines(run, db_target) == [("Sales", True, 3)]
    deals = _deals(run, db_target)
    assert sorted((d["title"], d["stage"], d["closed"]) for d in deals.values()) == [
        ("Lost", "LOSE", True),
        ("Open", "NEW", False),
        ("Won", "WON", True),
    ]
    shown = _json(run, db_target, "deal", "show", str(lost["id"]))
    assert shown["lost_reason"] == "No budget"
    assert (shown["history"][0]["old_value"], shown["history"][0]["new_value"]) == (
        "Projects / Ghosted",
        "Sales / Deal failed",
    )
    assert_ok(run("stage", "delete", "PREPARATION", db=db_target))
    assert _codes(run, db_target) == [c for c in DEFAULT_CODES if c != "PREPARATION"]


def test_fields_and_directories_on_both_backends(run: Runner, db_target: str) -> None:
    assert_ok(
        run(
            "field",
            "add",
            "SIZE",
            "Size",
            "--type",
            "list",
            "--option",
            "S",
            "--option",
            "M",
            "--default",
            "S",
            db=db_target,
        )
    )
    assert_ok(run("field", "add", "REGION", "Region", "--required", db=db_target))
    assert_fails(run("deal", "add", db=db_target), 2, "Region is required")
    deal = _json(run, db_target, "deal", "add", "--set", "REGION=North", "--set", "size=m")
    assert deal["custom_fields"] == {"UF_CRM_REGION": "North", "UF_CRM_SIZE": "M"}
    assert _out(run, db_target, "field", "delete", "REGION").endswith(
        "hidden (deals hold values of it)\n"
    )
    assert [f["code"] for f in _json(run, db_target, "field", "list")] == ["UF_CRM_SIZE"]

    assert_ok(run("directory", "add", "type", "Consulting", "--code", "CONSULTING", db=db_target))
    assert_ok(run("deal", "edit", str(deal["id"]), "--type", "CONSULTING", db=db_target))
    assert _out(run, db_target, "directory", "remove", "type", "CONSULTING").endswith(
        "hidden (deals use it)\n"
    )
    assert _out(run, db_target, "directory", "remove", "type", "GOODS") == "type GOODS deleted\n"
    assert set(_entries(run, db_target, "type")) == {"SALE", "COMPLEX", "SERVICES", "SERVICE"}
    assert_ok(run("product", "add", "Widget", "--price", "10", db=db_target))
    assert [p["name"] for p in _json(run, db_target, "product", "list")] == ["Widget"]
    assert_ok(run("directory", "base-currency", "EUR", db=db_target))
    assert next(iter(_entries(run, db_target, "currency"))) == "EUR"


def test_deal_pipeline_moves_a_deal_by_the_kind_of_its_stage(run: Runner, seeded_db: Path) -> None:
    assert_ok(run("pipeline", "add", "Wholesale", db=seeded_db))
    moved = assert_ok(run("deal", "pipeline", "1", "wholesale", "--json", db=seeded_db)).json()
    assert (moved["pipeline"], moved["stage"]) == ("Wholesale", "NEW")
    history = assert_ok(run("deal", "show", "1", "--json", db=seeded_db)).json()["history"]
    assert history[0]["kind"] == "pipeline_changed"
    assert (history[0]["old_value"], history[0]["new_value"]) == ("Sales / New", "Wholesale / New")
    text = assert_ok(run("deal", "pipeline", "2", "Wholesale", db=seeded_db)).stdout
    assert text.startswith("Moved deal #2") and "(Wholesale)" in text
    assert_fails(run("deal", "pipeline", "1", "Nope", db=seeded_db), 2, "unknown pipeline 'Nope'")
    assert_fails(run("deal", "pipeline", "99", "Sales", db=seeded_db), 1, "deal #99 not found")
