"""Custom field values as files write them, into the text a deal stores.

Values are stored as text (a list of texts for a multiple field), as
``services.custom_fields`` stores what people type: numbers and money keep their exact
decimal text, dates are ISO, yes/no is "Y"/"N", a link holds the client's id. Several
values of a multiple field are separated by commas (as Bitrix24 writes ``UF_*`` fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import methodcaller
from typing import Any, NamedTuple

from dealterm.core.clock import Clock
from dealterm.core.importing.lookups import Lookups
from dealterm.core.importing.values import (
    date_order,
    decimal_sign,
    norm_value,
    parse_bare_number,
    parse_bool,
    parse_day,
    parse_moment,
    parse_number,
    plain_numbers,
)
from dealterm.core.models import FieldType
from dealterm.core.services.card_layout import FieldDef
from dealterm.core.services.custom_fields import split_money
from dealterm.core.validation import MAX_AMOUNT

__all__ = ["PendingLink", "custom_converter", "money", "money_many"]

CENT = Decimal("0.01")
_URL = re.compile(r"(https?|ftp)://[^\s/$.?#].[^\s]*", re.IGNORECASE)


class PendingLink(NamedTuple):
    """A contact or company a link field names that is not in the database (yet)."""

    kind: str
    name: str


def money(decimal: str, label: str, hint: str | None) -> Callable[[str], tuple[Decimal, str]]:
    """A converter of amounts: (value, currency code or "") with at most two decimals."""

    def convert(text: str) -> tuple[Decimal, str]:
        number, currency = parse_number(text, decimal)
        if number < 0:
            raise ValueError(f"{label} cannot be negative")
        if number > MAX_AMOUNT:
            raise ValueError(f"{label} is too large")
        rounded = number.quantize(CENT, rounding=ROUND_HALF_UP)
        if rounded != number:
            raise ValueError(f"{label} has more than two decimal places")
        return rounded, currency or hint or ""

    return convert


_TO_CENTS = methodcaller("quantize", CENT, ROUND_HALF_UP)


def money_many(hint: str | None) -> Callable[[list[str]], list[Any] | None]:
    """:func:`money` over a whole column of plain numbers ("1234.5"); None for any other.

    Plain numbers carry no currency and no sign, so each value is what :func:`money`
    gives it: ``(amount, hint or "")``.
    """

    def many(texts: list[str]) -> list[Any] | None:
        numbers = plain_numbers(texts)
        if numbers is None or (numbers and max(numbers) > MAX_AMOUNT):
            return None
        rounded = list(map(_TO_CENTS, numbers))
        if rounded != numbers:  # more than two decimals: each one is reported
            return None
        return list(zip(rounded, repeat(hint or "")))

    return many


def custom_converter(
    field: FieldDef, values: Sequence[str], lookups: Lookups, clock: Clock, order: str
) -> Callable[[str], Any]:
    """The converter of a column of one custom field's values (stored as text).

    Args:
        values: the column (its dates and numbers tell their own format).
        order: how slashed dates read when the column does not tell ("dmy" or "mdy").
    """
    decimal = decimal_sign(values[:2000], field.label)
    kind = field.type
    label = field.label
    if kind in (FieldType.DATE, FieldType.DATETIME):
        order = date_order(values, order)
    currency_codes = set(lookups.currencies.values())

    def one(text: str) -> str:
        if kind == FieldType.STRING:
            if len(text) > 2000:
                raise ValueError(f"{label} is limited to 2000 characters")
            return text
        if kind == FieldType.NUMBER:
            number = parse_bare_number(text, decimal)
            return format(number.normalize(), "f")
        if kind == FieldType.MONEY:
            text, code = split_money(text)
            amount, sign = money(decimal, label, None)(text)
            code = code or sign
            if code and code not in currency_codes:
                raise ValueError(f"{label}: unknown currency {code!r}")
            return f"{amount} {code}" if code else f"{amount}"
        if kind == FieldType.DATE:
            return parse_day(text, order).isoformat()
        if kind == FieldType.DATETIME:
            moment = parse_moment(text, order)
            aware = moment.aware()
            if aware is None:
                wall = datetime.combine(moment.day, moment.time or time(9, 0))
                aware = clock.local_to_utc(wall)
            return aware.strftime("%Y-%m-%dT%H:%M:%SZ")
        if kind == FieldType.BOOLEAN:
            return "Y" if parse_bool(text) else "N"
        if kind == FieldType.LIST:
            for option in field.options:
                if option.casefold() == text.casefold():
                    return option
            raise ValueError(f"{label} must be one of: {', '.join(field.options)}")
        if kind == FieldType.URL:
            if not _URL.fullmatch(text):
                raise ValueError(f"{label} must be a web address (https://...)")
            return text
        clients = lookups.contacts if kind == FieldType.CONTACT else lookups.companies
        if text.isdigit() and int(text) in clients.names:
            return text
        found = clients.by_name.get(norm_value(text))
        if found is None:  # perhaps a client this import creates: settled with the deal
            return PendingLink(kind, text)  # type: ignore[return-value]
        return str(found)

    def convert(text: str) -> Any:
        if field.multiple:
            parts = [part.strip() for part in text.split(",")]
            return [one(part) for part in parts if part] or None
        return one(text)

    return convert
