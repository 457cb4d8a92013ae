"""Formatting money and dates for people, in their locale (Babel) and their preferences.

Babel is imported when first used: with the money templates of an earlier start
(:func:`load_money_templates`), the app draws its first board without it.

The preferences (``date_format``, ``number_format``, ``first_day_of_week`` in the
settings file) are set once per process with :func:`configure`; everything that shows a
date, a number or a week to a person goes through this module.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Any

from dealterm.core.private_files import own_private_file, replace_private_file

__all__ = [
    "DATE_FORMATS",
    "NUMBER_FORMATS",
    "WEEK_DAYS",
    "Formats",
    "check_date_format",
    "check_number_format",
    "check_week_day",
    "configure",
    "convert",
    "current",
    "date_pattern",
    "decimal_sign",
    "first_week_day",
    "format_day",
    "format_money",
    "format_number",
    "load_money_templates",
    "safe_locale",
    "save_money_templates",
    "show_date",
    "show_datetime",
]

# date_format: how dates are shown and typed (strftime patterns; "locale" shows Babel's
# medium style and types ISO).
DATE_FORMATS: dict[str, str] = {
    "iso": "%Y-%m-%d",
    "dd.mm.yyyy": "%d.%m.%Y",
    "dd/mm/yyyy": "%d/%m/%Y",
    "mm/dd/yyyy": "%m/%d/%Y",
    "locale": "%Y-%m-%d",
}
# number_format: the grouping and decimal signs ("locale": the locale's own).
NUMBER_FORMATS: dict[str, tuple[str, str]] = {
    "locale": ("", ""),
    "1,234.56": (",", "."),
    "1 234,56": ("\u00a0", ","),
    "1.234,56": (".", ","),
    "1 234.56": ("\u00a0", "."),
    "1'234.56": ("'", "."),
    "1234.56": ("", "."),
}
WEEK_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Formats:
    """The user's display preferences."""

    date_format: str = "iso"
    number_format: str = "locale"
    first_day_of_week: str = "locale"
    locale: str = "en_US"


_current = Formats()


def check_date_format(value: str) -> str:
    """``value`` if it is a known date format, else ValueError naming the choices."""
    key = value.strip().lower()
    if key not in DATE_FORMATS:
        raise ValueError(f"date_format is one of {', '.join(DATE_FORMATS)}, not {value!r}")
    return key


def check_number_format(value: str) -> str:
    """``value`` if it is a known number format, else ValueError naming the choices."""
    key = value.strip().lower()
    if key not in NUMBER_FORMATS:
        raise ValueError(
            f"number_format is one of {', '.join(repr(k) for k in NUMBER_FORMATS)}, not {value!r}"
        )
    return key


def check_week_day(value: str) -> str:
    """``value`` if it names a week day (or "locale"), else ValueError."""
    key = value.strip().lower()
    for day in ("locale", *WEEK_DAYS):
        if key and day.startswith(key) and len(key) >= 2:
            return day
    raise ValueError(f"first_day_of_week is locale or a day like monday, not {value!r}")


def configure(formats: Formats) -> None:
    """Use these preferences from now on (the app and the CLI call this at start)."""
    global _current
    _current = formats


def current() -> Formats:
    """The preferences in use."""
    return _current


def decimal_sign() -> str:
    """The decimal sign the user writes: the number format's, else the locale's."""
    _group, decimal = NUMBER_FORMATS.get(_current.number_format, ("", ""))
    if decimal:
        return decimal
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(safe_locale(_current.locale)))


def date_pattern() -> str:
    """The strftime pattern dates are shown and typed in."""
    return DATE_FORMATS.get(_current.date_format, "%Y-%m-%d")


def show_date(day: date | datetime | None, locale: str = "en_US") -> str:
    """A date as the user chose to see dates ("" for none)."""
    if day is None:
        return ""
    if _current.date_format == "locale":
        return format_day(day, locale)
    return day.strftime(date_pattern())


def show_datetime(moment: datetime | None, locale: str = "en_US") -> str:
    """A local date and time, the date part as the user chose."""
    if moment is None:
        return ""
    return f"{show_date(moment, locale)} {moment.strftime('%H:%M')}"


def first_week_day(locale: str) -> int:
    """0 = Monday ... 6 = Sunday: the preference, else the locale's first day of the week."""
    if _current.first_day_of_week in WEEK_DAYS:
        return WEEK_DAYS.index(_current.first_day_of_week)
    return _locale_week_day(locale)


@lru_cache(maxsize=16)
def _locale_week_day(locale: str) -> int:
    try:
        from babel import Locale

        return int(Locale.parse(safe_locale(locale)).first_week_day)
    except Exception:
        return 0


def _separators(text: str, locale: str, number_format: str | None = None) -> str:
    """Swap the locale's grouping and decimal signs for the preferred ones (in numbers only).

    ``number_format``: the preference to follow (None: the one in force)."""
    chosen = _current.number_format if number_format is None else number_format
    group, decimal = NUMBER_FORMATS.get(chosen, ("", ""))
    if not decimal:
        return text
    name = safe_locale(locale)
    from babel.numbers import get_decimal_symbol, get_group_symbol

    table = {ord(get_decimal_symbol(name)): decimal}
    for sign in {get_group_symbol(name), "\u00a0", "\u202f"}:
        table[ord(sign)] = group
    signs = re.escape("".join(chr(code) for code in table))
    return re.sub(rf"\d(?:[\d{signs}]*\d)?", lambda m: m.group().translate(table), text)


@lru_cache(maxsize=16)
def safe_locale(name: str) -> str:
    """``name`` if Babel knows it, else en_US."""
    from babel import Locale, UnknownLocaleError

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
    number_format = _current.number_format  # once: settings may be reloaded meanwhile
    template = _money_template(currency, locale, number_format)
    if template is None or not amount.is_finite():
        return _format_money(amount, currency, locale, number_format)
    return template.apply(amount)


def _format_money(
    amount: Decimal, currency: str, locale: str, number_format: str | None = None
) -> str:
    """:func:`format_money` through Babel, every time (about 35 µs a call)."""
    from babel.numbers import format_currency

    text = _babel(format_currency, amount, currency, locale=safe_locale(locale))
    text = _separators(text, locale, number_format)
    sign = _SIGNS.get(currency)
    if sign and currency in text:
        text = text.replace(currency, sign, 1)
    return text


def format_number(amount: Decimal, locale: str = "en_US", *, places: int = 2) -> str:
    """A number with the locale's separators and ``places`` decimals."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    from babel.numbers import format_decimal

    text = _babel(format_decimal, amount, format=pattern, locale=safe_locale(locale))
    return _separators(text, locale)


def _babel(format_: Callable[..., str], *args: Any, locale: str, **kwargs: Any) -> str:
    """Babel's ``format_(*args, locale=locale, **kwargs)``, grouped as the locale groups.

    Babel takes the apostrophe the Swiss locales group with (de_CH, fr_CH, it_CH, ...) for
    a pattern's quote and strips pairs of them: "CHF 1234567.25", "CHF 1234567'890.50".
    Those are formatted without grouping, and their integer digits grouped by threes here.
    """
    from babel.numbers import get_group_symbol

    group = get_group_symbol(locale)
    if "'" not in group:
        return str(format_(*args, locale=locale, **kwargs))
    text = str(format_(*args, locale=locale, group_separator=False, **kwargs))
    match = re.search(r"\d+", text)
    if match is None:
        return text
    grouped = f"{int(match.group()):,}".replace(",", group)
    return text[: match.start()] + grouped + text[match.end() :]


def format_day(day: date | datetime, locale: str = "en_US", *, style: str = "medium") -> str:
    """A date in the locale's style, e.g. "Nov 28, 2026" or "28 нояб. 2026 г."."""
    from babel.dates import format_date

    return str(format_date(day, format=style, locale=safe_locale(locale)))


def convert(amount: Decimal, currency: str, rates: dict[str, Decimal]) -> Decimal:
    """``amount`` of ``currency`` in the base currency (unknown currencies count at 1)."""
    return amount * rates.get(currency, Decimal(1))


@dataclass(frozen=True)
class _MoneyTemplate:
    """Babel's output for one currency, locale and number format, as a template.

    Babel's currency format is a prefix, the amount rounded to the currency's places and
    grouped, and a suffix, each for a positive and a negative amount. Worked out from
    what :func:`_format_money` writes for one amount, and used only if it writes the
    same as :func:`_format_money` for every amount of :data:`_PROBES`: a board or a page
    of the list formats hundreds of amounts, at about 1 µs each instead of 15-35 µs.
    """

    quantum: Decimal
    signs: dict[int, str]  # "," and "." of Python's format -> the group and decimal signs
    positive: tuple[str, str]
    negative: tuple[str, str]

    def apply(self, amount: Decimal) -> str:
        # Babel's steps (NumberPattern.apply): the signed value at the context's precision,
        # its sign, then the absolute value rounded to the currency's places.
        value = amount.scaleb(0)
        prefix, suffix = self.negative if value.is_signed() else self.positive
        digits = f"{abs(value).normalize().quantize(self.quantum):,f}".translate(self.signs)
        return prefix + digits + suffix


_PROBE = Decimal("1234567.25")
_PROBES = tuple(
    Decimal(text) * sign
    # zero; rounding half to even; grouping of four, seven and fifteen digits
    for text in ("0", "0.005", "0.015", "999.995", "1234.5", "1234567.25", "123456789012345.5")
    for sign in (1, -1)
)


_TemplateKey = tuple[str, str, str]  # currency, locale, number format
# Templates read from the cache file of an earlier run, and those worked out in this one:
# the one place a template is looked up (format_money asks for each amount it formats).
_known: dict[_TemplateKey, _MoneyTemplate | None] = {}
_learned: set[_TemplateKey] = set()


def _money_template(currency: str, locale: str, number_format: str) -> _MoneyTemplate | None:
    """The template of ``currency`` in ``locale`` (None: Babel formats every amount).

    ``number_format`` is the preference in force (it is part of the output). Worked out
    in the default decimal context, whatever the caller's (the probes need 28 digits),
    unless an earlier run worked it out (:func:`load_money_templates`)."""
    key = (currency, locale, number_format)
    if key in _known:
        return _known[key]
    with localcontext(Context()):
        template = _work_out_template(currency, locale, number_format)
    _known[key] = template
    _learned.add(key)
    return template


def _templates_stamp() -> str:
    """What the templates depend on: this module and Babel's version (its locale data),
    read from Babel's ``__init__.py`` without importing Babel (~5 ms of a start)."""
    spec = importlib.util.find_spec("babel")
    babel = Path(spec.origin).read_bytes() if spec and spec.origin else b""
    return f"{zlib.crc32(Path(__file__).read_bytes()):08x} {zlib.crc32(babel):08x}"


def load_money_templates(path: Path) -> int:
    """Read the money templates an earlier run worked out (a cache: see
    :func:`save_money_templates`). Working one out loads Babel's locale data, ~15 ms of
    an app's start before it can draw an amount.

    Read only if the file is the user's own, no one else may write it, and it was written
    for this Babel and this module; anything else in it is ignored. Never raises.

    Returns:
        How many templates were read.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 0
    try:
        with os.fdopen(fd, "rb") as handle:
            if not own_private_file(handle.fileno()):
                return 0
            data = json.loads(handle.read())
        if data.get("stamp") != _templates_stamp():
            return 0
        read = {}
        for entry in data["templates"]:
            key, value = entry
            currency, locale, number_format = (str(part) for part in key)
            read[(currency, locale, number_format)] = _template_from(value)
    except Exception:  # a cache: a file that is not ours or not whole is not used
        return 0
    for key, template in read.items():
        _known.setdefault(key, template)
    return len(read)


def save_money_templates(path: Path) -> None:
    """Write the templates known to this run if it worked out new ones (the user's own
    file, readable by them only; replaced whole). Never raises: it is a cache."""
    if not _learned:
        return
    try:
        entries = [[list(key), _template_to(value)] for key, value in list(_known.items())]
        text = json.dumps({"stamp": _templates_stamp(), "templates": entries})
    except Exception:  # a cache
        return
    if replace_private_file(path, text.encode("utf-8")):
        _learned.clear()


def _template_to(template: _MoneyTemplate | None) -> list[str] | None:
    if template is None:
        return None
    group = template.signs.get(ord(","), "")
    decimal = template.signs.get(ord("."), "")
    return [
        str(template.quantum),
        str(group),
        str(decimal),
        *template.positive,
        *template.negative,
    ]


def _template_from(value: Any) -> _MoneyTemplate | None:
    if value is None:
        return None
    quantum, group, decimal, prefix, suffix, negative_prefix, negative_suffix = (
        str(part) for part in value
    )
    return _MoneyTemplate(
        quantum=Decimal(quantum),
        signs=str.maketrans({",": group, ".": decimal}),
        positive=(prefix, suffix),
        negative=(negative_prefix, negative_suffix),
    )


def _work_out_template(currency: str, locale: str, number_format: str) -> _MoneyTemplate | None:
    from babel.numbers import get_currency_precision

    places = get_currency_precision(currency)

    def parts(amount: Decimal) -> tuple[str, str, str]:
        text = _format_money(amount, currency, locale, number_format)
        digits = [index for index, char in enumerate(text) if char.isdigit()]
        if not digits:
            return text, "", ""
        return text[: digits[0]], text[digits[0] : digits[-1] + 1], text[digits[-1] + 1 :]

    prefix, number, suffix = parts(_PROBE)
    negative_prefix, _, negative_suffix = parts(-_PROBE)
    group = "" if number[1:2].isdigit() else number[1:2]
    decimal = number[-places - 1] if places and len(number) > places else ""
    template = _MoneyTemplate(
        quantum=Decimal(1).scaleb(-places),
        signs=str.maketrans({",": group, ".": decimal}),
        positive=(prefix, suffix),
        negative=(negative_prefix, negative_suffix),
    )
    try:
        if all(
            template.apply(probe) == _format_money(probe, currency, locale, number_format)
            for probe in _PROBES
        ):
            return template
    except (ArithmeticError, ValueError):
        pass
    return None
