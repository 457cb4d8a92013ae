"""The import as a user lives it: deals come in once, clients are not duplicated, bad rows
are reported with where and why, and a failure leaves the database as it was."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.errors import DatabaseError, DealtermError
from dealterm.core.importing import BadRow, writer
from dealterm.core.services import clients
from dealterm.core.services.custom_fields import define_field
from dealterm.core.services.deals import DealCreate, create_deal
from tests.core.importing_helpers import counts, deals_by_title, run_import, write_csv

HEADER = ["ID", "Title", "Amount", "Currency", "Stage", "Company", "Contacts", "Contact e-mail"]


def test_rows_with_the_same_id_become_one_deal_with_a_product_row_each(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "b24.csv",
        [
            ["ID", "Название сделки", "Стадия сделки", "Товар", "Цена", "Количество"],
            ["77", "Котельная", "Новая", "Котёл", "100 000,00", "2"],
            ["78", "Счётчики", "В работе", "", "", ""],
            ["77", "Котельная", "Новая", "Монтаж", "15 000,50", "1"],
        ],
        delimiter=";",
    )
    report = run_import(db, source)
    assert (report.preset, report.created, report.merged_rows, report.products) == (
        "bitrix24",
        2,
        1,
        2,
    )
    deal = deals_by_title(db)["Котельная"]
    assert [(p.name, p.price, p.quantity) for p in deal.products] == [
        ("Котёл", Decimal("100000.00"), Decimal(2)),
        ("Монтаж", Decimal("15000.50"), Decimal(1)),
    ]
    assert deal.amount == Decimal("215000.50") and not deal.manual_amount  # follows its rows
    assert deals_by_title(db)["Счётчики"].stage == "EXECUTING"


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_importing_the_same_file_again_updates_the_deals_it_made(
    db: Database, tmp_path: Path
) -> None:
    rows = [
        HEADER,
        ["A-1", "Pumps", "1500.00", "USD", "NEW", "Acme Ltd", "John Smith", "john@acme.example"],
        ["A-2", "Valves", "300", "USD", "NEW", "Acme Ltd", "", ""],
    ]
    source = write_csv(tmp_path / "deals.csv", rows)
    first = run_import(db, source)
    assert (first.created, first.updated) == (2, 0)
    before = deals_by_title(db)

    rows[1][2], rows[1][4] = "1750,50", "WON"  # the source changed the amount and won it
    second = run_import(db, write_csv(source, rows))
    assert (second.created, second.updated, second.companies_created) == (0, 2, 0)
    assert counts(db)["Deal"] == 2
    after = deals_by_title(db)
    pumps = after["Pumps"]
    assert pumps.id == before["Pumps"].id
    assert (pumps.amount, pumps.stage, pumps.closed) == (Decimal("1750.50"), "WON", True)
    assert pumps.version == before["Pumps"].version + 1
    assert after["Valves"].version == before["Valves"].version  # nothing to change
    assert "Updated from deals.csv (generic CSV), row 2: stage, amount, close date" in [
        e.text for e in pumps.history
    ]
    assert "nothing changed" in after["Valves"].history[0].text  # type: ignore[operator]
    assert [c.name for c in pumps.contacts] == ["John Smith"]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_clients_are_found_by_name_email_or_phone_not_created_twice(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session:
        acme = clients.create_company(session, "ACME Ltd", emails=["office@acme.example"])
        clients.create_contact(session, "Old Name", phones=["+7 (916) 555-12-34"])
        clients.create_contact(session, "Jane Roe", emails=["jane@roe.example"])
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["ID", "Title", "Company", "Company e-mail", "Contacts", "Phone", "E-mail"],
            ["1", "By company name", "acme  ltd", "", "", "", ""],
            ["2", "By company e-mail", "Acme Holding", "OFFICE@acme.example", "", "", ""],
            ["3", "By contact phone", "", "", "Ivan Petrov", "8 916 555 12 34", ""],
            ["4", "By contact e-mail", "", "", "J. Roe", "", "Jane@Roe.example"],
            ["5", "New, twice (1)", "Globex", "", "Hank Scorpio", "", "hank@globex.example"],
            ["6", "New, twice (2)", "GLOBEX", "", "Mr Scorpio", "", "hank@globex.example"],
        ],
    )
    report = run_import(db, source)
    assert (report.companies_created, report.companies_matched) == (1, 1)
    assert (report.contacts_created, report.contacts_matched) == (1, 2)
    deals = deals_by_title(db)
    assert deals["By company name"].company_id == acme.id
    assert deals["By company e-mail"].company_id == acme.id
    assert [c.name for c in deals["By contact phone"].contacts] == ["Old Name"]
    assert [c.name for c in deals["By contact e-mail"].contacts] == ["Jane Roe"]
    assert deals["New, twice (1)"].company_id == deals["New, twice (2)"].company_id
    hank = deals["New, twice (2)"].contacts[0]
    assert (hank.name, hank.emails) == ("Hank Scorpio", ["hank@globex.example"])

    again = write_csv(
        tmp_path / "other.csv",
        [["Title", "Company", "Contacts"], ["Next year", "Globex", "Hank Scorpio"]],
    )
    report = run_import(db, again)
    assert (report.companies_created, report.contacts_created) == (0, 0)
    assert counts(db)["Company"] == 2 and counts(db)["Contact"] == 3


def test_bad_rows_are_reported_with_row_column_value_and_reason_and_nothing_is_written(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session:
        define_field(session, "budget", "Budget", type="money", required=True)
    source = write_csv(
        tmp_path / "deals.csv",
        [
            [*HEADER, "Close date", "Budget"],
            ["1", "Good", "10", "USD", "NEW", "", "", "", "2026-04-01", "500"],
            ["2", "Bad amount", "ten", "USD", "NEW", "", "", "", "", "500"],
            ["3", "Bad stage", "10", "USD", "Negotiation", "", "", "", "", "500"],
            ["4", "Bad currency", "10", "XYZ", "NEW", "", "", "", "", "500"],
            ["5", "Bad e-mail", "10", "USD", "NEW", "", "Ann", "ann@", "", "500"],
            ["6", "Bad date", "10", "USD", "NEW", "", "", "", "31.02.2026", "500"],
            ["7", "", "10", "USD", "NEW", "", "", "", "", "500"],
            ["8", "No budget", "10", "USD", "NEW", "", "", "", "", ""],
            ["9", "Two problems", "-5", "USD", "NEW", "", "", "", "tomorrow", "500"],
        ],
    )
    before = counts(db)
    report = run_import(db, source)
    assert not report.imported and report.rejects_path is None
    assert counts(db) == before
    assert report.created == 1  # what would come in without the bad rows
    by_row = {(b.row, b.column): b for b in report.bad}
    assert by_row[(3, "Amount")].value == "ten"
    assert "not a number" in by_row[(3, "Amount")].reason
    assert "unknown stage 'Negotiation' in pipeline 'Sales'" in by_row[(4, "Stage")].reason
    assert "unknown currency 'XYZ'" in by_row[(5, "Currency")].reason
    assert by_row[(6, "Contact e-mail")] == BadRow(
        6, "Contact e-mail", "ann@", "'ann@' is not an e-mail address"
    )
    assert by_row[(7, "Close date")].value == "31.02.2026"
    assert by_row[(8, "Title")].reason == "a deal needs a title"
    assert by_row[(9, "Budget")].reason == "Budget is required"
    assert {(9 + 1, "Amount"), (9 + 1, "Close date")} <= set(by_row)
    assert len(report.bad) == 9


def test_skip_bad_imports_the_rest_and_writes_the_bad_rows_next_to_the_file(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "export.csv",
        [
            ["ID", "Название сделки", "Сумма", "Стадия сделки", "Товар", "Цена"],
            ["1", "Хорошая", "1 000", "Новая", "", ""],
            ["2", "Плохая сумма", "много", "Новая", "", ""],
            ["3", "Сделка с товаром", "", "Новая", "Котёл", "500"],
            ["3", "Сделка с товаром", "", "Новая", "Монтаж", "дорого"],
        ],
        encoding="cp1251",
        delimiter=";",
    )
    report = run_import(db, source, skip_bad=True)
    assert report.imported and report.created == 1
    assert set(deals_by_title(db)) == {"Хорошая"}
    assert report.rejects_path == tmp_path / "export.rejects.csv"
    rejects = report.rejects_path.read_bytes().decode("cp1251").splitlines()
    assert rejects == [
        "ID;Название сделки;Сумма;Стадия сделки;Товар;Цена;reason",
        "2;Плохая сумма;много;Новая;;;Сумма: 'много' is not a number",
        "3;Сделка с товаром;;Новая;Котёл;500;row 5 of the same deal (ID 3) is bad",
        "3;Сделка с товаром;;Новая;Монтаж;дорого;Цена: 'дорого' is not a number",
    ]
    # the rejects, fixed, go in as the rest of the same source
    fixed = report.rejects_path.read_bytes().decode("cp1251").replace("много", "2 000")
    fixed = fixed.replace("дорого", "700")
    report.rejects_path.write_bytes(fixed.encode("cp1251"))
    again = run_import(db, report.rejects_path)
    assert (again.created, again.bad) == (2, [])
    assert deals_by_title(db)["Сделка с товаром"].amount == Decimal("1200.00")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_failing_write_leaves_the_database_as_it_was(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last statement breaks a foreign key: the database refuses it, all is rolled back."""
    with db.session() as session:
        create_deal(session, DealCreate(title="Already there", company="Acme Ltd"))
    real = writer._created_events

    def breaking(conn: Any, *args: Any, **kwargs: Any) -> None:
        real(conn, *args, **kwargs)
        conn.execute(
            text("INSERT INTO history (deal_id, at, kind) VALUES (999999, :at, 'imported')"),
            {"at": "2026-03-10 07:30:00"},
        )

    monkeypatch.setattr(writer, "_created_events", breaking)
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["ID", "Title", "Company", "Contacts", "Responsible", "Product", "Price"],
            ["1", "New deal", "Globex", "Hank", "Someone New", "Widget", "5"],
            ["2", "Bad deal", "Globex", "Hank", "", "Widget", "free"],
        ],
    )
    before = counts(db)
    with pytest.raises(DatabaseError):
        run_import(db, source, skip_bad=True)
    assert counts(db) == before
    assert not (tmp_path / "deals.rejects.csv").exists()
    assert not list(tmp_path.glob("*.part"))


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            HEADER,
            ["1", "Pumps", "10", "USD", "NEW", "Acme", "Ann", ""],
            ["2", "X", "?", "", "", "", "", ""],
        ],
    )
    before = counts(db)
    report = run_import(db, source, dry_run=True, skip_bad=True)
    assert (report.dry_run, report.imported, report.created, report.companies_created) == (
        True,
        False,
        1,
        1,
    )
    assert len(report.bad) == 1 and report.rejects_path is None
    assert counts(db) == before
    assert not (tmp_path / "deals.rejects.csv").exists()


def test_custom_fields_come_in_by_label_or_code(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        define_field(session, "region", "Region", type="list", options=["North", "South"])
        define_field(session, "seats", "Seats", type="number")
        define_field(session, "signed", "Signed on", type="date")
        define_field(session, "vip", "VIP", type="boolean")
        define_field(session, "budget", "Budget", type="money")
        define_field(session, "tags", "Tags", type="string", multiple=True)
        define_field(session, "partner", "Partner", type="company")
        define_field(session, "grade", "Grade", type="string", default="B")
        clients.create_company(session, "Partner Co")
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["Title", "region", "UF_CRM_SEATS", " signed  ON ", "Vip", "Budget", "Tags", "Partner"],
            ["One", "north", "1 200,5", "10.03.2026", "да", "1 500,50 EUR", "a, b", "partner co"],
            ["Two", "West", "", "", "", "", "", ""],
        ],
    )
    report = run_import(db, source, preset="generic", skip_bad=True)
    [bad] = report.bad
    assert (bad.row, bad.column, bad.value) == (3, "region", "West")
    assert bad.reason == "Region must be one of: North, South"
    one = deals_by_title(db)["One"]
    assert one.custom_fields == {
        "UF_CRM_REGION": "North",
        "UF_CRM_SEATS": "1200.5",
        "UF_CRM_SIGNED": "2026-03-10",
        "UF_CRM_VIP": "Y",
        "UF_CRM_BUDGET": "1500.50 EUR",
        "UF_CRM_TAGS": ["a", "b"],
        "UF_CRM_PARTNER": str(next(iter(_company_ids(db, "Partner Co")))),
        "UF_CRM_GRADE": "B",  # the field's default
    }


def _company_ids(db: Database, title: str) -> list[int]:
    with db.session(write=False) as session:
        return [c.id for c in clients.search_companies(session, title) if c.id is not None]


def test_won_and_lost_come_from_a_status_column_with_the_lost_reason(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["Title", "Stage", "Status", "Lost reason", "Close date"],
            ["Won one", "EXECUTING", "won", "", "2026-02-01"],
            ["Lost to price", "NEW", "Lost", "price too high", ""],
            ["Lost otherwise", "", "lost", "They moved abroad", ""],
            ["Still open", "PREPARATION", "open", "Not lost at all", ""],
        ],
    )
    assert run_import(db, source).bad == []
    deals = deals_by_title(db)
    assert (deals["Won one"].stage, deals["Won one"].close_date) == ("WON", date(2026, 2, 1))
    assert (deals["Lost to price"].stage, deals["Lost to price"].lost_reason) == (
        "LOSE",
        "Price too high",
    )
    assert deals["Lost otherwise"].lost_reason == "They moved abroad"
    assert deals["Lost otherwise"].close_date == date(2026, 3, 10)  # closed today
    assert (deals["Still open"].stage, deals["Still open"].lost_reason) == ("PREPARATION", None)


def test_responsible_people_are_matched_or_added_as_users(db: Database, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["Title", "Responsible"],
            ["By name", "test user"],
            ["By login", "tester"],
            ["Bitrix24 style", "Anna Petrova [12]"],
            ["Again", "Anna  Petrova"],
            ["Nobody", ""],
            ["Unknown number", "4711"],
        ],
    )
    report = run_import(db, source, skip_bad=True)
    assert report.users_created == 1
    assert [(b.row, b.reason) for b in report.bad] == [(7, "unknown user #4711")]
    deals = deals_by_title(db)
    assert {deals[t].responsible for t in ("By name", "By login", "Nobody")} == {"Test User"}
    assert deals["Bitrix24 style"].responsible_id == deals["Again"].responsible_id
    assert deals["Again"].responsible == "Anna Petrova"


def test_pipelines_come_from_the_column_or_the_option(db: Database, tmp_path: Path) -> None:
    from dealterm.core.services.pipelines import create_pipeline

    with db.session() as session:
        create_pipeline(session, "Wholesale")
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["Title", "Pipeline", "Stage"],
            ["In wholesale", "wholesale", "NEW"],
            ["Where the option says", "", "WON"],
            ["Our default by name", "Sales", ""],
            ["Nowhere", "Retail", ""],
        ],
    )
    report = run_import(db, source, pipeline="Wholesale", skip_bad=True)
    assert [(b.row, b.column) for b in report.bad] == [(5, "Pipeline")]
    assert "unknown pipeline 'Retail' (known: 'Sales', 'Wholesale')" in report.bad[0].reason
    deals = deals_by_title(db)
    assert deals["In wholesale"].pipeline == "Wholesale"
    assert (deals["Where the option says"].pipeline, deals["Where the option says"].stage) == (
        "Wholesale",
        "WON",
    )
    assert deals["Our default by name"].pipeline == "Sales"
    with pytest.raises(DealtermError, match="unknown pipeline 'Nope'"):
        run_import(db, source, pipeline="Nope")


@pytest.mark.parametrize(
    ("rows", "options", "message"),
    [
        ([["Name", "Sum"], ["x", "1"]], {}, "no column goes to the deal title"),
        ([["Title"]], {}, "has a header line but no deals"),
        ([["Title"], ["x"]], {"mapping": {"Nope": "title"}}, "the file has no column 'Nope'"),
        ([["Title"], ["x"]], {"mapping": {"Title": "colour"}}, "column 'Title': unknown field"),
        ([["Title"], ["x"]], {"preset": "salesforce"}, "unknown preset 'salesforce'"),
    ],
)
def test_what_stops_an_import_before_it_starts_is_one_clear_error(
    db: Database, tmp_path: Path, rows: list[list[str]], options: dict[str, Any], message: str
) -> None:
    source = write_csv(tmp_path / "deals.csv", rows)
    with pytest.raises(DealtermError) as caught:
        run_import(db, source, **options)
    assert message in caught.value.message


def test_the_mapping_can_send_a_column_elsewhere_or_leave_it_out(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [["Name", "Notes", "Amount"], ["Pumps", "call back", "not a number"]],
    )
    report = run_import(
        db, source, mapping={"Name": "title", "notes": "Comments", "Amount": "none"}
    )
    assert report.bad == []
    pumps = deals_by_title(db)["Pumps"]
    assert (pumps.comments, pumps.amount) == ("call back", Decimal("0.00"))


def test_progress_is_reported_up_to_the_total(db: Database, tmp_path: Path) -> None:
    rows = [["Title"]] + [[f"Deal {i}"] for i in range(2500)]
    seen: list[tuple[int, int]] = []
    run_import(db, write_csv(tmp_path / "deals.csv", rows))
    from dealterm.core.crm import Crm
    from dealterm.core.importing import ImportOptions

    Crm(db).import_deals(
        write_csv(tmp_path / "more.csv", rows), ImportOptions(), lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (2500, 2500)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) >= 3
