"""Reading values as other CRMs write them: numbers, money, dates, yes/no.

Every parser takes text and returns the value or raises :class:`ValueError` whose
message is the reason shown on the bad-row report. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

__all__ = [
    "CURRENCY_WORDS",
    "Moment",
    "date_order",
    "decimal_sign",
    "norm_header",
    "norm_value",
    "parse_bare_number",
    "parse_bool",
    "parse_day",
    "parse_moment",
    "parse_number",
    "plain_numbers",
    "slash_dates",
    "slash_order",
    "unquote",
]

# A spreadsheet would run these as formulas; our export puts a ' before them (export.neutralize).
_FORMULA_START = frozenset("=+-@\t\r")
_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_PLAIN = re.compile(r"\d{1,15}(?:\.\d{1,4})?")
_DIGITS = re.compile(r"\d{1,18}(?:\.\d{1,12})?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})*(?:\.\d*)?")
_PREFIX = re.compile(r"^([^\d\s+\-.,]+)\s*")
_SUFFIX = re.compile(r"\s*([^\W\d_]+\.?|[^\w\s.,+\-]+)$")
_DAY_TIME = re.compile(
    r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*"
    r"([AaPp]\.?[Mm]\.?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?)?"
)
MIN_YEAR, MAX_YEAR = 1900, 2999

# What people write for a currency next to an amount (also the currency column's values).
CURRENCY_WORDS: dict[str, str] = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "доллар": "USD",
    "долл.": "USD",
    "€": "EUR",
    "eur": "EUR",
    "евро": "EUR",
    "₽": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "р.": "RUB",
    "р": "RUB",
    "rub": "RUB",
    "rur": "RUB",
    "рубль": "RUB",
    "рублей": "RUB",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "CNY",
    "cny": "CNY",
    "rmb": "CNY",
    "юань": "CNY",
    "₸": "KZT",
    "kzt": "KZT",
    "тг": "KZT",
    "тенге": "KZT",
    "byn": "BYN",
    "br": "BYN",
    "бел. руб.": "BYN",
    "российский рубль": "RUB",
    "доллар сша": "USD",
    "us dollar": "USD",
    "британский фунт": "GBP",
    "китайский юань": "CNY",
    "казахстанский тенге": "KZT",
    "белорусский рубль": "BYN",
}
_YES = frozenset({"y", "yes", "true", "1", "да", "д", "on", "+", "✓", "x", "истина"})
_NO = frozenset({"n", "no", "false", "0", "нет", "н", "off", "-", "ложь"})


def norm_header(text: str) -> str:
    """A header as matching sees it: letters and digits only, lower case, ё as е."""
    return _NOT_WORD.sub("", text.casefold()).replace("ё", "е")


def norm_value(text: str) -> str:
    """A value as matching sees it: lower case, ё as е, single spaces."""
    return " ".join(text.casefold().replace("ё", "е").split())


def unquote(value: str) -> str:
    """Undo the quote our export puts before a formula-like cell ("'=SUM(1)" -> "=SUM(1)").

    The export also puts one before a value that itself starts with a quote and then such
    a sign or a quote ("'-5" is written "''-5"), so that this gives it back exactly.
    """
    if len(value) > 1 and value[0] == "'" and (value[1] in _FORMULA_START or value[1] == "'"):
        return value[1:]
    return value


def _currency_of(word: str) -> str | None:
    key = word.strip().casefold()
    if key in CURRENCY_WORDS:
        return CURRENCY_WORDS[key]
    if len(key) == 3 and key.isascii() and key.isalpha():
        return key.upper()
    return None


def parse_number(text: str, decimal: str = ".") -> tuple[Decimal, str | None]:
    """``"1 234,50 ₽"`` -> ``(Decimal("1234.50"), "RUB")``.

    Spaces (also non-breaking and thin ones) and apostrophes group thousands; of ``,`` and
    ``.`` the one written last is the decimal sign; a sign used twice groups thousands;
    a lone sign before exactly three digits ("1,500") is read with ``decimal``, the
    file's decimal sign. A currency sign, code or word before or after is returned.

    Raises:
        ValueError: not a number.
    """
    s = text.strip()
    if _PLAIN.fullmatch(s):
        return Decimal(s), None
    currency = None
    match = _PREFIX.match(s)
    if match:
        currency = _currency_of(match.group(1))
        if currency is None:
            raise ValueError(f"{text!r} is not a number")
        s = s[match.end() :]
    match = _SUFFIX.search(s)
    if match:
        found = _currency_of(match.group(1))
        if found is None or (currency is not None and found != currency):
            raise ValueError(f"{text!r} is not a number")
        currency = found
        s = s[: match.start()]
    s = _SPACES.sub("", s)
    negative = s.startswith("-")
    if s[:1] in "+-":
        s = s[1:]
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        point = "," if s.rfind(",") > s.rfind(".") else "."
        group = "." if point == "," else ","
        if s.count(point) > 1:
            raise ValueError(f"{text!r} is not a number")
        s = s.translate({ord(group): ",", ord(point): "."})
        if not _GROUPED.fullmatch(s):  # groups of three digits only: "1.234,50", not "1.2,5"
            raise ValueError(f"{text!r} is not a number")
        s = s.replace(",", "")
    elif commas or dots:
        sign = "," if commas else "."
        if s.count(sign) > 1:
            s = s.replace(sign, ",")
            if not _GROUPED.fullmatch(s):
                raise ValueError(f"{text!r} is not a number")
            s = s.replace(",", "")
        else:
            whole, _, fraction = s.partition(sign)
            thousands = (
                len(fraction) == 3
                and whole.isdigit()
                and 1 <= len(whole) <= 3
                and not whole.startswith("0")
                and sign != decimal
            )
            s = whole + fraction if thousands else f"{whole}.{fraction}"
    if not _DIGITS.fullmatch(s):
        raise ValueError(f"{text!r} is not a number")
    number = Decimal(s)
    return (-number if negative else number), currency


def parse_bare_number(text: str, decimal: str = ".") -> Decimal:
    """A number that names no currency (a quantity, a percentage): :func:`parse_number`
    for which "5 EUR" or "12abc" is no number rather than 5 or 12.

    Raises:
        ValueError: not a number, or one with a currency or other word next to it.
    """
    number, currency = parse_number(text, decimal)
    if currency is not None:
        raise ValueError(f"{text!r} is not a number")
    return number


def plain_numbers(texts: list[str]) -> list[Decimal] | None:
    """Stripped texts that are all plain numbers ("1234.50"), each as :func:`parse_number`
    reads it; None when any is written otherwise (then each goes through it)."""
    if not all(map(_PLAIN.fullmatch, texts)):
        return None
    return list(map(Decimal, texts))


_LAST_SIGN = re.compile(r"([,.])(\d+)\D*$")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")


def decimal_sign(values: Iterable[str], header: str = "") -> str:
    """The decimal sign a column of numbers uses: what its values prove, else its language.

    "1 234,50" or "1.234,50" prove ","; "12.5" or "1,234,567" prove "."; a column of
    "1,500" and "300" proves nothing: then a Russian header means ",", any other ".".
    """
    for value in values:
        s = value.strip()
        if s.count(",") > 1:
            return "."
        if s.count(".") > 1:
            return ","
        if "," in s and "." in s:
            return "," if s.rfind(",") > s.rfind(".") else "."
        match = _LAST_SIGN.search(s)
        if match and len(match.group(2)) != 3:
            return match.group(1)
    return "," if _CYRILLIC.search(header) else "."


def parse_bool(text: str) -> bool:
    """Y/N, yes/no, да/нет, true/false, 1/0.

    Raises:
        ValueError: none of those.
    """
    key = text.strip().casefold()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(f"{text!r} is not yes or no (use Y or N)")


def slash_dates(values: Iterable[str]) -> tuple[str | None, str | None, str | None]:
    """What a whole column says about its slashed dates (``03/04/2026``).

    Returns:
        the order its first telling date proves ("dmy" when the first part is above 12,
        "mdy" when the second is; None if none does), that date, and a date that reads
        both ways (``03/04/2026``; None if there is none).
    """
    ambiguous = None
    for value in dict.fromkeys(values):  # each distinct value once, in file order
        if "/" not in value:
            continue
        match = _DAY_TIME.match(value.strip())
        if not match or len(match.group(1)) == 4 or match.group(0).find("/") < 0:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            return "dmy", value.strip(), ambiguous
        if second > 12 >= first:
            return "mdy", value.strip(), ambiguous
        if ambiguous is None and first != second and first <= 12 and second <= 12:
            ambiguous = value.strip()
    return None, None, ambiguous


def date_order(values: Iterable[str], default: str) -> str:
    """ "dmy" or "mdy" for a column of slashed dates: a part above 12 anywhere in it
    settles it, else ``default``."""
    return slash_dates(values)[0] or default


def slash_order(order: str, locale: str) -> str:
    """A preset's order of slashed dates: its own, or for "locale" the locale's.

    The locale's short date pattern says it: ``M/d/yy`` (en_US) is month first,
    ``dd/MM/y`` (en_GB) and ``dd.MM.y`` (ru_RU) are day first.
    """
    if order != "locale":
        return order
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_date_format

    try:
        pattern = get_date_format("short", locale=Locale.parse(locale.replace("-", "_"))).pattern
    except (UnknownLocaleError, ValueError, TypeError):
        return "dmy"
    month, day = pattern.find("M"), pattern.find("d")
    return "mdy" if 0 <= month < day else "dmy"


class Moment:
    """A date with an optional wall-clock time and UTC offset, as read from a cell."""

    __slots__ = ("day", "offset", "time")

    def __init__(self, day: date, at: time | None, offset: timedelta | None) -> None:
        self.day = day
        self.time = at
        self.offset = offset

    def aware(self) -> datetime | None:
        """The moment in UTC when the cell gave an offset (``Z``, ``+03:00``), else None."""
        if self.offset is None:
            return None
        wall = datetime.combine(self.day, self.time or time(0, 0))
        return wall.replace(tzinfo=timezone(self.offset)).astimezone(UTC)


def parse_moment(text: str, order: str = "dmy") -> Moment:
    """``2026-03-10``, ``10.03.2026 14:30``, ``03/10/2026 2:30 PM``, ``2026-03-10T11:30:00Z``.

    Args:
        order: how to read a slashed date: "dmy" (10/03/2026) or "mdy" (03/10/2026).

    Raises:
        ValueError: not a date.
    """
    s = text.strip()
    match = _DAY_TIME.fullmatch(s)
    if not match:
        raise ValueError(f"{text!r} is not a date")
    a, b, c = match.group(1), match.group(2), match.group(3)
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif len(c) in (2, 4):
        year = int(c) + (2000 if len(c) == 2 else 0)
        slashed = "/" in s[: match.end(3)]
        if slashed and order == "mdy":
            month, day = int(a), int(b)
        else:
            day, month = int(a), int(b)
    else:
        raise ValueError(f"{text!r} is not a date")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{text!r} is not a date between {MIN_YEAR} and {MAX_YEAR}")
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date") from None
    at = None
    offset = None
    if match.group(4) is not None:
        hour, minute = int(match.group(4)), int(match.group(5))
        second = int(match.group(6) or 0)
        meridiem = (match.group(7) or "").lower().replace(".", "")
        if meridiem:
            if not 1 <= hour <= 12:
                raise ValueError(f"{text!r} is not a time of day")
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"{text!r} is not a time of day")
        at = time(hour, minute, second)
        zone = match.group(8)
        if zone in ("Z", "UTC"):
            offset = timedelta(0)
        elif zone:
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if abs(offset) > timedelta(hours=14):
                raise ValueError(f"{text!r} has an impossible time zone")
    return Moment(day_value, at, offset)


def parse_day(text: str, order: str = "dmy") -> date:
    """The calendar date of a cell (a time after it is ignored).

    Raises:
        ValueError: not a date.
    """
    s = text.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-":
        try:
            found = date.fromisoformat(s)
        except ValueError:
            raise ValueError(f"{text!r} is not a date") from None
        if not MIN_YEAR <= found.year <= MAX_YEAR:
            raise ValueError(f"{text!r} is not a date between {MIN_YEAR} and {MAX_YEAR}")
        return found
    return parse_moment(s, order).day
