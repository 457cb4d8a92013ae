"""Amounts that are not what they seem: letters after the number, a currency other than
the row's, a row shorter than the header. Each is a bad row, never a quiet guess."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dealterm.core.db import Database
from dealterm.core.importing.values import parse_bare_number
from tests.core.importing_helpers import counts, deals_by_title, run_import, write_csv

HEADER = ["ID", "Title", "Stage", "Amount", "Currency", "Begin date", "Company", "Notes"]


def _row(number: str, title: str, amount: str, currency: str = "USD") -> list[str]:
    return [number, title, "NEW", amount, currency, "2026-03-01", "Acme", ""]


def _bad_file(folder: Path) -> Path:
    return write_csv(
        folder / "bad.csv",
        [
            HEADER,
            _row("201", "Good", "1,500.50"),
            _row("202", "Letters", "12abc"),
            _row("203", "Euros", "7 EUR"),
            _row("204", "Roubles", "1 500,50 ₽"),
            ["205", "Short row", "NEW"],
            _row("206", "Code of its own currency", "1500.5 USD"),
        ],
    )


def _reasons(report_bad: list[object]) -> dict[int, tuple[str, str, str]]:
    return {b.row: (b.column, b.value, b.reason) for b in report_bad}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_bad_amounts_and_short_rows_stop_the_import_each_with_its_reason(
    db: Database, tmp_path: Path
) -> None:
    before = counts(db)
    report = run_import(db, _bad_file(tmp_path))
    assert not report.imported and report.rejects_path is None
    assert counts(db) == before
    assert _reasons(report.bad) == {
        3: ("Amount", "12abc", "not an amount: '12abc' (ABC is not a known currency)"),
        4: ("Amount", "7 EUR", "the amount is in EUR, the Currency column says USD"),
        5: ("Amount", "1 500,50 ₽", "the amount is in RUB, the Currency column says USD"),
        6: ("", "", "the row has 3 cells but the header has 8 columns"),
    }
    assert report.created == 2  # what would come in without the bad rows


def test_skip_bad_imports_the_good_rows_and_writes_the_bad_ones_to_the_rejects_file(
    db: Database, tmp_path: Path
) -> None:
    report = run_import(db, _bad_file(tmp_path), skip_bad=True)
    assert report.imported and report.created == 2
    deals = deals_by_title(db)
    assert set(deals) == {"Good", "Code of its own currency"}
    assert (deals["Good"].amount, deals["Good"].currency) == (Decimal("1500.50"), "USD")
    assert deals["Code of its own currency"].amount == Decimal("1500.50")
    assert report.rejects_path == tmp_path / "bad.rejects.csv"
    lines = report.rejects_path.read_text(encoding="utf-8").splitlines()
    assert lines == [
        "ID,Title,Stage,Amount,Currency,Begin date,Company,Notes,reason",
        "202,Letters,NEW,12abc,USD,2026-03-01,Acme,,"
        "Amount: not an amount: '12abc' (ABC is not a known currency)",
        '203,Euros,NEW,7 EUR,USD,2026-03-01,Acme,,"Amount: the amount is in EUR, '
        'the Currency column says USD"',
        '204,Roubles,NEW,"1 500,50 ₽",USD,2026-03-01,Acme,,"Amount: the amount is in RUB, '
        'the Currency column says USD"',
        "205,Short row,NEW,,,,,,the row has 3 cells but the header has 8 columns",
    ]


def test_amounts_written_the_usual_ways_still_import(db: Database, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            HEADER,
            _row("1", "Spaces and a comma", "1 500,50"),
            _row("2", "Grouped", "1,500.50"),
            _row("3", "Dollar sign", "$1,500.50"),
            _row("4", "Code after", "1500.5 USD"),
            _row("5", "Euro sign in a euro row", "€ 1.500,50", "EUR"),
            _row("6", "Rouble sign in a rouble row", "1 500,50 ₽", "RUB"),
            _row("7", "Name of the currency", "20 руб.", "RUB"),
            _row("8", "Empty", ""),
            _row("9", "No currency cell", "7 EUR", ""),
        ],
    )
    report = run_import(db, source)
    assert report.bad == []
    found = {title: (d.amount, d.currency) for title, d in deals_by_title(db).items()}
    assert found == {
        "Spaces and a comma": (Decimal("1500.50"), "USD"),
        "Grouped": (Decimal("1500.50"), "USD"),
        "Dollar sign": (Decimal("1500.50"), "USD"),
        "Code after": (Decimal("1500.50"), "USD"),
        "Euro sign in a euro row": (Decimal("1500.50"), "EUR"),
        "Rouble sign in a rouble row": (Decimal("1500.50"), "RUB"),
        "Name of the currency": (Decimal("20.00"), "RUB"),
        "Empty": (Decimal("0.00"), "USD"),
        "No currency cell": (Decimal("7.00"), "EUR"),  # an empty cell leaves it to the sign
    }


def test_a_negative_amount_is_still_a_bad_row(db: Database, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "deals.csv", [HEADER, _row("1", "Refund", "-5")])
    report = run_import(db, source)
    assert _reasons(report.bad) == {2: ("Amount", "-5", "the amount cannot be negative")}


def test_without_a_currency_column_the_sign_in_the_amount_decides(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["Title", "Amount"],
            ["Euros", "7 EUR"],
            ["Dollars", "$5"],
            ["Roubles", "1 500,50 ₽"],
            ["Plain", "300"],
            ["Letters", "12abc"],
        ],
    )
    report = run_import(db, source, skip_bad=True)
    assert _reasons(report.bad) == {
        6: ("Amount", "12abc", "not an amount: '12abc' (ABC is not a known currency)")
    }
    found = {title: (d.amount, d.currency) for title, d in deals_by_title(db).items()}
    assert found == {
        "Euros": (Decimal("7.00"), "EUR"),
        "Dollars": (Decimal("5.00"), "USD"),
        "Roubles": (Decimal("1500.50"), "RUB"),
        "Plain": (Decimal("300.00"), "USD"),  # the base currency
    }


def test_a_currency_in_the_header_gives_way_to_the_currency_column(
    db: Database, tmp_path: Path
) -> None:
    """The header only says what plain amounts are in; the row's own column is exact."""
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["Title", "Amount, RUB", "Currency"],
            ["Plain", "100", "USD"],
            ["Signed", "$7", "USD"],
            ["Hinted", "100", ""],
        ],
    )
    report = run_import(db, source, mapping={"Amount, RUB": "amount"})
    assert report.bad == []
    found = {title: (d.amount, d.currency) for title, d in deals_by_title(db).items()}
    assert found == {
        "Plain": (Decimal("100.00"), "USD"),
        "Signed": (Decimal("7.00"), "USD"),
        "Hinted": (Decimal("100.00"), "RUB"),
    }


def test_product_prices_and_quantities_are_checked_the_same_way(
    db: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "deals.csv",
        [
            ["ID", "Title", "Currency", "Product", "Price", "Quantity"],
            ["1", "Good", "USD", "Pump", "$250", "2"],
            ["2", "Euro price", "USD", "Pump", "250 EUR", "1"],
            ["3", "Letters in the price", "USD", "Pump", "250xyz", "1"],
            ["4", "Letters in the quantity", "USD", "Pump", "250", "2abc"],
        ],
    )
    report = run_import(db, source, skip_bad=True)
    assert _reasons(report.bad) == {
        3: ("Price", "250 EUR", "the price is in EUR, the Currency column says USD"),
        4: ("Price", "250xyz", "not a price: '250xyz' (XYZ is not a known currency)"),
        5: ("Quantity", "2abc", "'2abc' is not a number"),
    }
    good = deals_by_title(db)["Good"]
    assert [(p.price, p.quantity) for p in good.products] == [(Decimal("250.00"), Decimal(2))]
    assert good.amount == Decimal("500.00")


@pytest.mark.parametrize(
    ("text", "number"), [("12", "12"), ("1 500,5", "1500.5"), ("-3", "-3"), ("2.50", "2.50")]
)
def test_a_bare_number_is_read_like_any_number(text: str, number: str) -> None:
    assert parse_bare_number(text, ",") == Decimal(number)


@pytest.mark.parametrize("text", ["12abc", "5 EUR", "$5", "2 pcs", "abc"])
def test_a_bare_number_takes_no_currency_or_word(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_bare_number(text)
