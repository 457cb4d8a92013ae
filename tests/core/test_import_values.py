"""Numbers, money, dates and yes/no as other CRMs and spreadsheets write them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealterm.core.export import neutralize
from dealterm.core.importing.values import (
    date_order,
    decimal_sign,
    parse_bool,
    parse_day,
    parse_moment,
    parse_number,
    slash_order,
    unquote,
)


@pytest.mark.parametrize(
    ("text", "decimal", "number", "currency"),
    [
        ("1234.50", ".", "1234.50", None),
        ("1 234,50", ",", "1234.50", None),
        ("1\u00a0234\u00a0567,5", ",", "1234567.5", None),  # non-breaking spaces
        ("1\u202f234,50", ",", "1234.50", None),  # narrow no-break space (French Excel)
        ("1,234.50", ".", "1234.50", None),
        ("1.234,50", ",", "1234.50", None),
        ("1,234,567", ".", "1234567", None),
        ("1,500", ".", "1500", None),  # a lone comma before three digits groups in en
        ("1,500", ",", "1.500", None),  # ... and is the decimal sign in ru
        ("0,500", ".", "0.500", None),  # never thousands after a zero
        ("12,5", ".", "12.5", None),
        ("1'234.50", ".", "1234.50", None),  # Swiss grouping
        ("$1,250.00", ".", "1250.00", "USD"),
        ("€ 1.234,50", ",", "1234.50", "EUR"),
        ("1 500 ₽", ",", "1500", "RUB"),
        ("1 500 руб.", ",", "1500", "RUB"),
        ("250 р.", ",", "250", "RUB"),
        ("EUR 99.90", ".", "99.90", "EUR"),
        ("99.90 usd", ".", "99.90", "USD"),
        ("-15.5", ".", "-15.5", None),
    ],
)
def test_numbers_in_every_usual_spelling(
    text: str, decimal: str, number: str, currency: str | None
) -> None:
    assert parse_number(text, decimal) == (Decimal(number), currency)


@pytest.mark.parametrize(
    "text", ["abc", "12abcd", "1.2.3,4", "1e5", "$", "1,2,3.4.5", "--5", "NaN", "Infinity", "5 $ €"]
)
def test_what_is_not_a_number_says_so(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-10", "dmy", date(2026, 3, 10)),
        ("10.03.2026", "dmy", date(2026, 3, 10)),
        ("10.03.2026 14:35:00", "dmy", date(2026, 3, 10)),
        ("10.03.26", "dmy", date(2026, 3, 10)),
        ("03/10/2026", "mdy", date(2026, 3, 10)),
        ("03/10/2026", "dmy", date(2026, 10, 3)),
        ("3/10/2026 2:30 PM", "mdy", date(2026, 3, 10)),
        ("2026/03/10", "mdy", date(2026, 3, 10)),
        ("2026-03-10T23:30:00.000Z", "dmy", date(2026, 3, 10)),
        ("2026-03-10 17:00", "mdy", date(2026, 3, 10)),
    ],
)
def test_dates_in_every_usual_spelling(text: str, order: str, expected: date) -> None:
    assert parse_day(text, order) == expected


@pytest.mark.parametrize(
    "text", ["31.02.2026", "2026-13-01", "yesterday", "10.03", "10.03.1850", "25:00 10.03.2026"]
)
def test_what_is_not_a_date_says_so(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_day(text)


def test_times_and_offsets_are_kept_when_given() -> None:
    moment = parse_moment("03/10/2026 2:30 PM", "mdy")
    assert (moment.day, moment.time, moment.aware()) == (date(2026, 3, 10), time(14, 30), None)
    aware = parse_moment("2026-03-10T11:30:00+03:00").aware()
    assert aware == datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    assert parse_moment("10.03.2026 08:30 UTC").aware() == datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="time of day"):
        parse_moment("10.03.2026 24:10")


def test_a_column_of_slashed_dates_tells_its_order() -> None:
    assert date_order(["03/10/2026", "03/25/2026"], "dmy") == "mdy"
    assert date_order(["03/10/2026", "25/03/2026"], "mdy") == "dmy"
    assert date_order(["03/10/2026", "2026-03-25"], "dmy") == "dmy"  # nothing settles it
    assert date_order(["13.03.2026"], "mdy") == "mdy"  # dotted dates are always d.m.y


def test_the_whole_column_tells_the_order_not_only_its_first_rows() -> None:
    column = ["03/04/2026"] * 5000 + ["25/04/2026"]
    assert date_order(column, "mdy") == "dmy"


@pytest.mark.parametrize(
    ("locale", "order"),
    [("en_US", "mdy"), ("en_GB", "dmy"), ("ru_RU", "dmy"), ("de_DE", "dmy"), ("xx_YY", "dmy")],
)
def test_without_a_telling_date_the_locale_decides_for_our_own_columns(
    locale: str, order: str
) -> None:
    assert slash_order("locale", locale) == order
    assert slash_order("mdy", "ru_RU") == "mdy"  # a CRM's own order stands


@pytest.mark.parametrize(
    ("values", "header", "sign"),
    [
        (["1 500", "1 234,50"], "Amount", ","),
        (["1.234,50"], "Amount", ","),
        (["12.5"], "Сумма", "."),
        (["1,234,567"], "Сумма", "."),
        (["1,500", "300"], "Сумма", ","),  # nothing proves it: the header's language decides
        (["1,500", "300"], "Budget", "."),
        ([], "Бюджет", ","),
    ],
)
def test_a_column_of_numbers_tells_its_decimal_sign(
    values: list[str], header: str, sign: str
) -> None:
    assert decimal_sign(values, header) == sign


@pytest.mark.parametrize(
    ("text", "value"),
    [("Y", True), ("yes", True), ("Да", True), ("1", True), ("N", False), ("нет", False)],
)
def test_yes_and_no_in_english_and_russian(text: str, value: bool) -> None:
    assert parse_bool(text) is value


def test_a_word_that_is_not_yes_or_no_is_refused() -> None:
    with pytest.raises(ValueError, match="not yes or no"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+7 916 555-12-34", "+7 916 555-12-34"),
        ("'-call back", "-call back"),
        ("'@home", "@home"),
        ("'\tindent", "\tindent"),
        ("'quoted", "'quoted"),  # a quote before anything else is the value's own
        ("'", "'"),
        ("''-5", "'-5"),  # a value of its own starting with a quote before a sign
        ("''=x", "'=x"),
        ("''", "'"),
    ],
)
def test_the_exports_formula_quote_is_taken_off(cell: str, value: str) -> None:
    assert unquote(cell) == value


@pytest.mark.parametrize("value", ["'-5", "'=x", "''", "'", "'t Hooft", "=1+2", "-12.5", "-"])
def test_what_the_export_writes_the_import_reads_back_exactly(value: str) -> None:
    assert unquote(neutralize(value)) == value


@given(st.text(max_size=20))
def test_any_value_survives_the_exports_quote_and_the_imports_unquote(value: str) -> None:
    assert unquote(neutralize(value)) == value


@given(st.text(max_size=40), st.sampled_from([".", ","]))
def test_any_text_is_a_number_or_a_value_error(text: str, decimal: str) -> None:
    try:
        number, _currency = parse_number(text, decimal)
    except ValueError:
        return
    assert number.is_finite()


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_a_value_error(text: str) -> None:
    try:
        parse_day(text, "mdy")
        parse_moment(text).aware()
    except ValueError:
        pass
