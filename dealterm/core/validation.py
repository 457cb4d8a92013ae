"""Parsing what people type (amounts, dates, quantities) into exact values, or a clear error.

Each parser accepts the value already typed correctly (``Decimal``, ``date``) or text,
and raises :class:`ValidationError` naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dealterm.core.errors import ValidationError

__all__ = [
    "CENT",
    "MAX_AMOUNT",
    "TITLE_MAX",
    "clean_text",
    "date_hint",
    "parse_amount",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_percent",
    "parse_quantity",
    "parse_text",
    "parse_title",
    "quantize_money",
]

CENT = Decimal("0.01")
TITLE_MAX = 255
MAX_AMOUNT = Decimal("999999999999999.99")  # fits a BIGINT count of cents
# Anything outside this is certainly a typo; it also keeps Decimal.quantize() in range.
MAX_NUMBER = Decimal("1e18")
MIN_NUMBER = Decimal("1e-12")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def quantize_money(value: Decimal) -> Decimal:
    """Round to cents, half up (the way an invoice rounds)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


_NUMBER_TEXT = re.compile(r"[+-]?[0-9.,]+")
# How ``str(Decimal)`` writes a normalized whole number ("1E+1"): stored values written so
# (recurring templates did) are read back; a person's "1e5" is not taken for a number.
_DECIMAL_STR = re.compile(r"-?[0-9](\.[0-9]+)?E[+-][0-9]+")


def _grouped(whole: str, group: str) -> bool:
    """True when ``whole`` groups thousands with ``group`` where a person would: 1 to 3
    digits, then groups of exactly three ("1,234,567", not "31.02.2026")."""
    first, *rest = whole.lstrip("+-").split(group)
    return 1 <= len(first) <= 3 and all(len(part) == 3 for part in rest)


def _plain_number(text: str) -> str | None:
    """ "1,234.50", "1.234,50", "1 234,5", "20,000" -> a number Decimal reads; None when
    the text is not a number as people write one ("31.02.2026", "1e5", "1_000").

    The sign written last of "," and "." is the decimal one; a sign used more than once
    groups thousands, in groups of three. A lone sign followed by exactly three digits
    ("20,000", "1.500") is read as the user's locale reads it (see ``number_format`` and
    ``locale``).
    """
    if _DECIMAL_STR.fullmatch(text):
        return text
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        group = "." if decimal == "," else ","
        whole, _, fraction = text.rpartition(decimal)
        if decimal in whole or not fraction or not _grouped(whole, group):
            return None
        return whole.replace(group, "") + "." + fraction
    sign = "," if commas else "." if dots else ""
    if not sign:
        return text
    if text.count(sign) > 1:
        return text.replace(sign, "") if _grouped(text, sign) else None
    whole, _, fraction = text.partition(sign)
    digits = whole.lstrip("+-")
    grouping_possible = digits.isdigit() and not digits.startswith("0") and len(digits) <= 3
    if len(fraction) == 3 and grouping_possible and fraction.isdigit():
        from dealterm.core.formatting import decimal_sign

        if decimal_sign() != sign:
            return whole + fraction  # "20,000" in en_US, "1.500" in ru_RU
    return text.replace(sign, ".")


def parse_decimal(value: object, *, field: str, label: str) -> Decimal:
    """Read a number written with a dot or a comma, with spaces as thousands separators."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        text = _plain_number(_SPACES.sub("", value.strip()).replace("'", ""))
        try:
            if text is None:
                raise InvalidOperation
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"{label} must be a number, not {value!r}", field=field) from None
    else:
        raise ValidationError(f"{label} must be a number, not {value!r}", field=field)
    if not number.is_finite():
        raise ValidationError(f"{label} must be a number, not {value!r}", field=field)
    if abs(number) > MAX_NUMBER:
        raise ValidationError(f"{label} is too large ({value})", field=field)
    if number and abs(number) < MIN_NUMBER:
        raise ValidationError(f"{label} is too small ({value})", field=field)
    return number


def parse_amount(value: object, *, field: str = "amount", label: str = "Amount") -> Decimal:
    """An amount of money: not negative, at most two decimal places."""
    number = parse_decimal(value, field=field, label=label)
    if number < 0:
        raise ValidationError(f"{label} cannot be negative ({number})", field=field)
    if number > MAX_AMOUNT:
        raise ValidationError(f"{label} is too large ({number})", field=field)
    if number != number.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError(f"{label} has more than two decimal places ({number})", field=field)
    return number.quantize(CENT)


def parse_quantity(value: object, *, field: str = "quantity") -> Decimal:
    """A product quantity: greater than zero, up to four decimal places."""
    number = parse_decimal(value, field=field, label="Quantity")
    if number <= 0:
        raise ValidationError(f"Quantity must be greater than zero ({number})", field=field)
    if number > Decimal("1000000000"):
        raise ValidationError(f"Quantity is too large ({number})", field=field)
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError(f"Quantity has more than four decimal places ({number})", field=field)
    return number


def parse_percent(value: object, *, field: str, label: str) -> Decimal:
    """A percentage from 0 to 100 with up to two decimal places."""
    number = parse_decimal(value, field=field, label=label)
    if number < 0 or number > 100:
        raise ValidationError(f"{label} must be between 0 and 100 ({number})", field=field)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


# A terminal escape sequence (CSI "ESC [ ... m", a terminated OSC "ESC ] ... BEL", a short
# "ESC X"), or its 8-bit C1 form: removed whole, so "a\x1b[31mred" becomes "ared", not
# "a[31mred". What is left of anything else (a lone ESC) goes with the other controls.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 controls but tab and newline, DEL, C1 controls, and the lone surrogates that stand
# for bytes that were not UTF-8 (a command line read with "surrogateescape").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``value`` without terminal escape sequences and control characters.

    Text typed or pasted (``$'a\\x1b[31mred'``, a copy of coloured terminal output) must
    not reach a terminal again as commands to it. Tab and newline stay in ``multiline``
    text (a CR LF or a lone CR becomes a newline); in one-line text they become spaces.
    Nothing else is changed (no trimming).
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def parse_text(value: object, *, field: str, label: str, limit: int | None = None) -> str | None:
    """Free text (comments, descriptions): controls removed, newlines kept, trimmed.

    Returns:
        The text, or None when nothing is left.

    Raises:
        ValidationError: longer than ``limit`` characters.
    """
    if value is None:
        return None
    text = clean_text(str(value)).strip()
    if limit is not None and len(text) > limit:
        raise ValidationError(
            f"{label} is {len(text)} characters long; the limit is {limit}", field=field
        )
    return text or None


def parse_title(value: object, *, field: str = "title", label: str = "Title") -> str:
    """A title or a name: one line (controls removed, line breaks and tabs made spaces),
    trimmed, at most 255 characters. An empty result is returned as ''."""
    raw = "" if value is None else str(value)
    text = clean_text(raw, multiline=False).strip()
    if any(c in raw for c in "\n\r"):
        text = " ".join(text.split())
    if len(text) > TITLE_MAX:
        raise ValidationError(
            f"{label} is {len(text)} characters long; the limit is {TITLE_MAX}", field=field
        )
    return text


def _date_formats() -> tuple[str, ...]:
    """ISO and the user's date format first (so 03/04/2026 reads as they write dates)."""
    from dealterm.core.formatting import date_pattern

    preferred = date_pattern()
    return (preferred, *(f for f in _DATE_FORMATS if f != preferred))


_PATTERN_NAMES = {
    "%Y-%m-%d": "YYYY-MM-DD",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%Y": "MM/DD/YYYY",
}


def date_hint(time_: str = "") -> str:
    """How to type a date: the user's ``date_format`` and ISO ("DD.MM.YYYY or YYYY-MM-DD").

    Args:
        time_: what follows the date (" HH:MM" for a date and time).
    """
    patterns = dict.fromkeys((_date_formats()[0], "%Y-%m-%d"))
    return " or ".join(f"{_PATTERN_NAMES.get(p, p)}{time_}" for p in patterns)


def parse_date(value: object, *, field: str, label: str) -> date:
    """A calendar date in the user's ``date_format``, YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    impossible = False
    for fmt in _date_formats():
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError as error:
            # Written the right way, but the month has no such day (31.02.2026).
            impossible = impossible or "out of range" in str(error)
    if impossible:
        raise ValidationError(
            f"{label}: {text!r} is not a date: the month has no such day", field=field
        )
    raise ValidationError(f"{label}: {text!r} is not a date (use {date_hint()})", field=field)


def parse_datetime(value: object, *, field: str, label: str) -> datetime:
    """A wall-clock date and time, "YYYY-MM-DD HH:MM"; a bare date means 09:00 that day.

    The result is naive: the caller decides which time zone it is in.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0))
    text = str(value).strip()
    for fmt in (f"{_date_formats()[0]} %H:%M", *_DATETIME_FORMATS):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return datetime.combine(parse_date(text, field=field, label=label), time(9, 0))
    except ValidationError:
        raise ValidationError(
            f"{label}: {text!r} is not a date and time (use {date_hint(' HH:MM')})",
            field=field,
        ) from None
