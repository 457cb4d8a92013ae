"""Formatting money and dates for people, in their locale (Babel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.numbers import format_currency, format_decimal

__all__ = ["convert", "format_day", "format_money", "format_number", "safe_locale"]


@lru_cache(maxsize=16)
def safe_locale(name: str) -> str:
    """``name`` if Babel knows it, else en_US."""
    try:
        Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en_US"
    return name.replace("-", "_")


# Signs Babel's data lacks in some locales (en_US writes "RUB1,500.00").
_SIGNS = {
    "RUB": "₽",
    "KZT": "₸",
    "BYN": "Br",
    "UAH": "₴",
    "CNY": "¥",
    "EUR": "€",
    "GBP": "£",
    "USD": "$",
}


def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """``1500`` USD -> "$1,500.00" (en_US) or "1 500,00 $" (ru_RU); RUB is "₽" everywhere."""
    text = str(format_currency(amount, currency, locale=safe_locale(locale)))
    sign = _SIGNS.get(currency)
    if sign and currency in text:
        text = text.replace(currency, sign, 1)
    return text


def format_number(amount: Decimal, locale: str = "en_US", *, places: int = 2) -> str:
    """A number with the locale's separators and ``places`` decimals."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(amount, format=pattern, locale=safe_locale(locale)))


def format_day(day: date | datetime, locale: str = "en_US", *, style: str = "medium") -> str:
    """A date in the locale's style, e.g. "Nov 28, 2026" or "28 нояб. 2026 г."."""
    return str(_babel_date(day, format=style, locale=safe_locale(locale)))


def convert(amount: Decimal, currency: str, rates: dict[str, Decimal]) -> Decimal:
    """``amount`` of ``currency`` in the base currency (unknown currencies count at 1)."""
    return amount * rates.get(currency, Decimal(1))
