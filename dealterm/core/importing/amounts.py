"""Amounts and prices as cells write them, and the currency a cell names.

A cell may name its currency ("$1,500.50", "7 EUR", "1 500,50 ₽"). Without a currency
column that decides the deal's currency; with one, a cell that names another currency
is a bad cell rather than a number quietly read in the column's currency. Letters after
a number that name no currency ("12abc") make the cell no amount at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from dealterm.core.importing.custom_values import money, money_many
from dealterm.core.importing.lookups import Lookups
from dealterm.core.importing.values import CURRENCY_WORDS, norm_value

__all__ = ["Money", "currency_conflicts", "header_currency", "money_cells", "money_column"]

_WORDS = re.compile(r"[^\W\d_]+\.?|[$€₽£¥₸]")


class Money(NamedTuple):
    """An amount or price as read from a cell.

    Attributes:
        value: the number, at most two decimals.
        currency: the code the cell names, else the one the header names, else "".
        written: the code the cell itself names ("" when it names none); what a
            currency column is checked against.
    """

    value: Decimal
    currency: str
    written: str


def header_currency(header: str, lookups: Lookups) -> str | None:
    """ "Бюджет руб." -> "RUB": a currency named in the amount column's header."""
    codes = set(lookups.currencies.values())
    for word in _WORDS.findall(header):
        key = word.casefold()
        code = CURRENCY_WORDS.get(key) or CURRENCY_WORDS.get(key.rstrip("."))
        if code is None and len(key) == 3 and key.upper() in codes:
            code = key.upper()
        if code in codes:
            return code
    return None


def money_cells(
    lookups: Lookups, decimal: str, label: str, noun: str, hint: str | None
) -> Callable[[str], Money]:
    """The converter of an amount or price column's cells.

    Args:
        label: the value in a reason ("the amount").
        noun: what a cell should be ("an amount").
        hint: the currency the column's header names, if any.
    """
    convert = money(decimal, label, None)
    # Every code a cell may name: active currencies and those people write by name (an
    # inactive one is reported as an unknown currency later, as a currency column's is).
    known = set(lookups.currencies.values()) | set(CURRENCY_WORDS.values())

    def read(text: str) -> Money:
        value, written = convert(text)
        if written and written not in known:
            raise ValueError(f"not {noun}: {text!r} ({written} is not a known currency)")
        return Money(value, written or hint or "", written)

    return read


def money_column(hint: str | None) -> Callable[[list[str]], list[Any] | None]:
    """:func:`money_cells` over a whole column of plain numbers (they name no currency)."""
    many = money_many(hint)

    def read(texts: list[str]) -> list[Any] | None:
        found = many(texts)
        if found is None:
            return None
        return [Money(value, currency, "") for value, currency in found]

    return read


def currency_conflicts(
    column: Sequence[Money | None],
    currencies: Sequence[str | None],
    lookups: Lookups,
    label: str,
    currency_header: str,
) -> list[tuple[int, str]]:
    """The rows whose amount or price names another currency than their currency column.

    Read in the column's currency, "7 EUR" in a USD row would become 7 dollars.

    Args:
        column: an amount or price column as :func:`money_cells` reads it.
        currencies: the currency column's codes, row by row.
        label: what the column holds, in a reason ("the amount").
        currency_header: the currency column's header, in a reason.

    Returns:
        ``(row index, reason)`` for each such row.
    """
    named = {cell.written for cell in set(column) if cell is not None and cell.written}
    if not named:  # the usual file: no cell names a currency, nothing to compare
        return []
    as_code = {code: lookups.currencies.get(norm_value(code), code) for code in named}
    found = []
    for index, (cell, currency) in enumerate(zip(column, currencies, strict=True)):
        if cell is None or currency is None or not cell.written:
            continue
        code = as_code[cell.written]
        if code != currency:
            found.append(
                (index, f"{label} is in {code}, the {currency_header} column says {currency}")
            )
    return found
