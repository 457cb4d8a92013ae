"""Each CRM's export comes in right: the example files, recognition, and each CRM's habits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dealterm.core.crm import Crm
from dealterm.core.db import Database
from dealterm.core.importing import ImportOptions
from dealterm.core.importing.presets import recognise
from dealterm.core.services.custom_fields import define_field
from tests.core.importing_helpers import EXAMPLES, deals_by_title, run_import, write_csv


@pytest.fixture
def backend() -> str:
    """Reading formats is the same on both databases: these run on SQLite only."""
    return "sqlite"


@pytest.mark.parametrize(
    ("name", "preset", "encoding", "delimiter", "deals"),
    [
        ("generic.csv", "generic", "utf-8", ",", 7),
        ("bitrix24.csv", "bitrix24", "cp1251", ";", 6),
        ("amocrm.csv", "amocrm", "utf-8-sig", ";", 6),
        ("pipedrive.csv", "pipedrive", "utf-8", ",", 6),
        ("hubspot.csv", "hubspot", "utf-8", ",", 7),
    ],
)
def test_each_example_is_recognised_and_imports_cleanly(
    db: Database, name: str, preset: str, encoding: str, delimiter: str, deals: int
) -> None:
    preview = Crm(db).import_preview(EXAMPLES / name, ImportOptions())
    assert (preview.preset, preview.recognised) == (preset, True)
    assert (preview.encoding, preview.delimiter) == (encoding, delimiter)
    report = run_import(db, EXAMPLES / name)
    assert (report.bad, report.created) == ([], deals)
    again = run_import(db, EXAMPLES / name)
    assert (again.created, again.updated, again.companies_created, again.users_created) == (
        0,
        deals,
        0,
        0,
    )


def test_generic_example(db: Database) -> None:
    run_import(db, EXAMPLES / "generic.csv")
    deals = deals_by_title(db)
    boiler = deals["Boiler room upgrade"]
    assert (boiler.amount, boiler.manual_amount, boiler.tax_value) == (
        Decimal("20800.00"),
        False,
        Decimal("2400.00"),
    )
    assert [(p.name, p.quantity, p.tax_rate, p.measure) for p in boiler.products] == [
        ("Condensing boiler 120 kW", Decimal(1), Decimal(15), "pcs"),
        ("Installation", Decimal(6), None, "hour"),
    ]
    assert [c.name for c in boiler.contacts] == ["Laura Chen", "Mike Olsen"]
    assert (boiler.type, boiler.source, boiler.begin_date) == ("SERVICES", "WEB", date(2026, 1, 12))
    lost = deals["Office heating retrofit"]
    assert (lost.stage, lost.lost_reason, lost.closed) == ("LOSE", "Price too high", True)
    assert deals["Annual maintenance contract"].currency == "EUR"
    assert deals["Annual maintenance contract"].repeat
    assert deals["Heat pump pilot"].comments == "=needs a quote first"  # the export's quote undone
    assert deals["Chimney inspection"].company is None


def test_bitrix24_example(db: Database) -> None:
    report = run_import(db, EXAMPLES / "bitrix24.csv")
    assert (report.merged_rows, report.products, report.users_created) == (1, 3, 2)
    deals = deals_by_title(db)
    boilers = deals["Поставка котельного оборудования"]
    assert (boilers.stage, boilers.amount, len(boilers.products)) == (
        "PREPARATION",
        Decimal("412500.00"),
        2,
    )
    assert (boilers.type, boilers.source, boilers.responsible) == ("SALE", "CALL", "Анна Петрова")
    assert (boilers.begin_date, boilers.close_date) == (date(2026, 1, 15), date(2026, 2, 27))
    assert deals["Обслуживание систем вентиляции"].currency == "RUB"  # "Российский рубль"
    assert deals["Обслуживание систем вентиляции"].responsible == "Игорь Соколов"  # "[7]" dropped
    assert deals["Замена радиаторов в офисе"].amount == Decimal("58300.50")
    assert deals["Тепловой пункт для склада"].stage == "WON"
    assert deals["Проект отопления коттеджа"].stage == "LOSE"
    assert deals["Счётчики тепла для ТСЖ"].stage == "PREPAYMENT_INVOICE"  # "Счёт", not "Счет"
    assert deals["Счётчики тепла для ТСЖ"].amount == Decimal("74400.00")
    assert (
        deals["Поставка котельного оборудования"].company_id
        == deals["Замена радиаторов в офисе"].company_id
    )


def test_amocrm_example(db: Database) -> None:
    report = run_import(db, EXAMPLES / "amocrm.csv")
    assert (report.companies_created, report.contacts_created) == (4, 5)
    deals = deals_by_title(db)
    office = deals["Заявка с сайта: кондиционеры для офиса"]
    assert (office.stage, office.amount, office.begin_date) == (
        "NEW",
        Decimal("145000.00"),
        date(2026, 2, 12),
    )
    # the same person, phone written two ways: one contact, one phone number
    contract = deals["Обслуживание кондиционеров, 2026"]
    assert contract.contacts[0].id == office.contacts[0].id
    assert office.contacts[0].phones == ["+7 (916) 555-12-34"]
    assert office.contacts[0].emails == ["belov@alfa-klimat.example"]
    assert deals["Сплит-системы для магазина"].amount == Decimal("86500.00")
    assert deals["Мульти-сплит для коттеджа"].stage == "WON"
    assert deals["Чиллер для склада"].stage == "LOSE"
    assert deals["Вентиляция ресторана"].stage == "EXECUTING"
    assert office.comments == "Перезвонить после 15:00"


def test_pipedrive_example(db: Database) -> None:
    run_import(db, EXAMPLES / "pipedrive.csv")
    deals = deals_by_title(db)
    web = deals["Acme Corp website redesign"]
    assert (web.amount, web.currency, web.close_date, web.begin_date) == (
        Decimal("12500.00"),
        "USD",
        date(2026, 3, 31),
        date(2026, 1, 8),
    )
    assert (web.stage, web.responsible) == ("EXECUTING", "Jane Cooper")
    assert deals["Globex CRM rollout"].amount == Decimal("48000.00")
    assert deals["Umbrella data migration"].stage == "WON"  # status "won" decides
    seo = deals["Acme Corp SEO retainer"]
    assert (seo.stage, seo.lost_reason) == ("LOSE", "Chose a competitor")
    assert seo.company_id == web.company_id and seo.contacts[0].id == web.contacts[0].id


def test_hubspot_example(db: Database) -> None:
    run_import(db, EXAMPLES / "hubspot.csv")
    deals = deals_by_title(db)
    stages = {title: deal.stage for title, deal in deals.items()}
    assert stages == {
        "Northwind - annual licences": "FINAL_INVOICE",
        "Contoso - onboarding package": "NEW",
        "Fabrikam - 50 seats": "PREPARATION",
        "Tailspin - renewal": "WON",
        "Litware - pilot": "LOSE",
        "Northwind - training days": "PREPAYMENT_INVOICE",
        "Adventure Works - integration": "EXECUTING",
    }
    licences = deals["Northwind - annual licences"]
    assert (licences.close_date, licences.begin_date, licences.type) == (
        date(2026, 3, 20),
        date(2026, 1, 5),
        "SALE",
    )
    maria = licences.contacts[0]
    assert (maria.name, maria.emails) == ("Maria Garcia", ["maria.garcia@northwind.example"])
    assert deals["Northwind - training days"].contacts[0].id == maria.id


def test_bitrix24_field_codes_and_its_lenient_rules(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        define_field(session, "rooms", "Rooms", type="string", multiple=True)
    source = write_csv(
        tmp_path / "rest.csv",
        [
            [
                "ID",
                "TITLE",
                "STAGE_ID",
                "Сумма (OPPORTUNITY)",
                "CURRENCY_ID",
                "CLOSED",
                "UF_CRM_ROOMS",
            ],
            ["1", "Коды", "C3:WON", "1500,5", "RUB", "Y", "Кухня, Спальня"],
            ["2", "Неизвестная валюта", "NEW", "10", "ZZZ", "нет", ""],
        ],
        delimiter=";",
    )
    report = run_import(db, source)
    assert (report.preset, report.bad) == ("bitrix24", [])
    deals = deals_by_title(db)
    assert (deals["Коды"].stage, deals["Коды"].amount, deals["Коды"].currency) == (
        "WON",
        Decimal("1500.50"),
        "RUB",
    )
    assert deals["Коды"].custom_fields == {"UF_CRM_ROOMS": ["Кухня", "Спальня"]}
    # Bitrix24's own rule: an unknown currency is the base one
    unknown = deals["Неизвестная валюта"]
    assert (unknown.stage, unknown.currency) == ("NEW", "USD")


def test_an_unknown_stage_in_a_bitrix24_file_is_a_bad_row_not_the_first_stage(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["ID", "Название сделки", "Стадия сделки", "Сумма"],
            ["1", "Котельная", "Переговоры", "100"],
            ["2", "Счётчики", "Новая", "50"],
        ],
        encoding="cp1251",
        delimiter=";",
    )
    report = run_import(db, source)
    assert report.preset == "bitrix24"
    assert [(bad.row, bad.column, bad.value) for bad in report.bad] == [
        (2, "Стадия сделки", "Переговоры")
    ]
    assert "unknown stage 'Переговоры'" in report.bad[0].reason
    assert not report.imported and deals_by_title(db) == {}


def test_kommo_english_headers(db: Database, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "kommo.csv",
        [
            [
                "ID",
                "Lead title",
                "Budget",
                "Lead status",
                "Pipeline",
                "Main contact",
                "Work phone (contact)",
            ],
            ["9", "Website lead", "1,200", "Closed - won", "Pipeline", "Ann Lee", "+1 555 0100"],
            ["10", "Second lead", "300", "Offer made", "Pipeline", "Ann Lee", "15550100"],
        ],
    )
    report = run_import(db, source, skip_bad=True)
    assert report.preset == "amocrm"
    [bad] = report.bad  # a stage nobody has: reported, not dropped into the first stage
    assert (bad.row, bad.column, bad.value) == (3, "Lead status", "Offer made")
    deal = deals_by_title(db)["Website lead"]
    assert (deal.stage, deal.amount) == ("WON", Decimal("1200.00"))  # English: "," groups


def test_excel_unicode_text_utf16_tab_separated_imports(db: Database, tmp_path: Path) -> None:
    source = tmp_path / "deals.txt"
    source.write_bytes(
        "\ufeffDeal - Title\tDeal - Value\tDeal - Expected close date\r\n"
        "Réseau «Nord»\t1,250.50\t04/30/2026\r\n".encode("utf-16-le")
    )
    report = run_import(db, source)
    assert (report.preset, report.bad) == ("pipedrive", [])
    deal = deals_by_title(db)["Réseau «Nord»"]
    assert (deal.amount, deal.close_date) == (Decimal("1250.50"), date(2026, 4, 30))


def test_recognition_prefers_the_crm_whose_own_headers_are_there() -> None:
    assert recognise(["ID", "Title", "Amount", "Close date"])[0].name == "generic"
    assert recognise(["ID", "TITLE", "CLOSEDATE", "STAGE_ID"])[0].name == "bitrix24"
    assert recognise(["Deal - Title", "Deal - Value"])[0].name == "pipedrive"
    assert recognise(["Record ID", "Deal Name", "Amount"])[0].name == "hubspot"
    assert recognise(["Название сделки", "Бюджет", "Этап сделки"])[0].name == "amocrm"
    assert recognise(["Название сделки", "Сумма", "Стадия сделки"])[0].name == "bitrix24"
    assert recognise(["Foo", "Bar"])[1] == 0
