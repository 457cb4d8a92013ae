"""Amounts as people read them: the quick template writes exactly what Babel writes.

format_money formats hundreds of amounts per board or list page through a template
worked out from Babel's own output; any amount, currency, locale and number format must
come out the same as through Babel itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import ROUND_CEILING, Context, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealterm.core import formatting
from dealterm.core.formatting import NUMBER_FORMATS, Formats, configure, current, format_money

CURRENCIES = ("USD", "EUR", "RUB", "JPY", "KWD", "CHF", "INR", "GBP", "KZT", "XYZ")
LOCALES = ("en_US", "ru_RU", "de_DE", "fr_FR", "de_CH", "hi_IN", "ja_JP", "ar_KW", "es_ES", "pl")

amounts = st.one_of(
    st.decimals(min_value=-(10**15), max_value=10**15, places=places, allow_nan=False)
    for places in range(5)
)


@pytest.fixture(autouse=True)
def restore_formats() -> Iterator[None]:
    saved = current()
    yield
    configure(saved)


@given(
    amount=amounts,
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from(LOCALES),
    number_format=st.sampled_from(sorted(NUMBER_FORMATS)),
)
def test_every_amount_reads_as_babel_writes_it(
    amount: Decimal, currency: str, locale: str, number_format: str
) -> None:
    configure(Formats(number_format=number_format, locale=locale))
    assert format_money(amount, currency, locale) == formatting._format_money(
        amount, currency, locale
    )


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "number_format", "shown"),
    [
        ("1500", "USD", "en_US", "locale", "$1,500.00"),
        ("-1234.5", "USD", "en_US", "locale", "-$1,234.50"),
        ("1500", "RUB", "ru_RU", "locale", "1\u00a0500,00\u00a0₽"),
        ("1500", "RUB", "en_US", "locale", "₽1,500.00"),
        ("1234.5", "JPY", "ja_JP", "locale", "￥1,234"),  # no minor unit, half to even
        ("1234567.125", "EUR", "de_DE", "locale", "1.234.567,12\u00a0€"),
        ("1234567.125", "EUR", "de_DE", "1,234.56", "1,234,567.12\u00a0€"),
        ("1234567", "USD", "en_US", "1234.56", "$1234567.00"),
        ("-0", "USD", "en_US", "locale", "-$0.00"),
        ("1234567.5", "INR", "hi_IN", "locale", "₹12,34,567.50"),  # grouped in twos: Babel's
        ("1234567.25", "CHF", "de_CH", "locale", "CHF\u00a01'234'567.25"),
        ("-1234567890.5", "CHF", "fr_CH", "locale", "-1'234'567'890,50\u00a0CHF"),
        ("1234567.25", "CHF", "de_CH", "1 234,56", "CHF\u00a01\u00a0234\u00a0567,25"),
    ],
)
def test_known_amounts(
    amount: str, currency: str, locale: str, number_format: str, shown: str
) -> None:
    configure(Formats(number_format=number_format, locale=locale))
    assert format_money(Decimal(amount), currency, locale) == shown


def test_swiss_numbers_are_grouped_with_their_apostrophe() -> None:
    """Babel strips the apostrophe de_CH groups with as if it quoted text."""
    configure(Formats(locale="de_CH"))
    assert formatting.format_number(Decimal("1234567.891"), "de_CH") == "1'234'567.89"
    assert formatting.format_number(Decimal("-12"), "de_CH", places=0) == "-12"


def _outcome(call: Callable[[], str]) -> str | type[Exception]:
    try:
        return call()
    except ArithmeticError as exc:  # too many digits for the context: Babel's error too
        return type(exc)


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_a_narrow_decimal_context_rounds_as_babel_does(amount: Decimal, currency: str) -> None:
    with localcontext(Context(prec=4, rounding=ROUND_CEILING)):
        quick = _outcome(lambda: format_money(amount, currency, "en_US"))
        babel = _outcome(lambda: formatting._format_money(amount, currency, "en_US"))
    assert quick == babel
