"""Turning columns of text into values, a column at a time.

Each mapped column goes through one converter; a value seen before in the column is not
parsed again (stages, currencies, dates and names repeat a lot). A value that does not
fit becomes a bad cell: row, column, value and the reason.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import methodcaller
from typing import Any

from dealterm.core.clock import Clock
from dealterm.core.importing.amounts import (
    currency_conflicts,
    header_currency,
    money_cells,
    money_column,
)
from dealterm.core.importing.custom_values import custom_converter
from dealterm.core.importing.lookups import Lookups
from dealterm.core.importing.presets import Preset
from dealterm.core.importing.targets import MULTI
from dealterm.core.importing.values import (
    decimal_sign,
    norm_value,
    parse_bare_number,
    parse_bool,
    parse_day,
    slash_dates,
    unquote,
)
from dealterm.core.services.clients import normalize_email, normalize_phone
from dealterm.core.validation import TITLE_MAX

__all__ = ["BadCell", "Columns", "Context", "convert_columns"]

CENT = Decimal("0.01")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"(https?|ftp)://[^\s/$.?#].[^\s]*", re.IGNORECASE)
_NAME_WITH_EMAIL = re.compile(r"(.*?)\s*[(<]\s*([^()<>\s]+@[^()<>\s]+)\s*[)>]")
_NAME_WITH_ID = re.compile(r"(.*?)\s*\[\s*(\d+)\s*\]")
_SPLIT_CHANNELS = re.compile(r"[,;\n]+")
_SPLIT_NAMES = re.compile(r"[;\n]+")
TEXT_MAX = 100_000


@dataclass(frozen=True)
class BadCell:
    """A value that does not fit: the record's index, the column, the value, the reason."""

    index: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Context:
    """What converters need to know.

    Attributes:
        date_order: how a slashed date reads when its column does not tell ("dmy" or
            "mdy"): the preset's order, or for our own columns the user's locale's.
        date_order_source: where ``date_order`` comes from, for people ("the order of
            the locale en_US").
        notes: what the import report tells the user about how values were read.
    """

    preset: Preset
    lookups: Lookups
    clock: Clock
    default_pipeline: int
    user_id: int
    date_order: str = "dmy"
    date_order_source: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)


# Per target: one value per record (None: empty), after combining its columns.
Columns = dict[str, list[Any]]
# A column's distinct non-empty texts converted at once, the same values the one-value
# converter gives; None when any text needs a closer look (then each goes one by one).
Many = Callable[[list[str]], list[Any] | None]
_STARTS_QUOTED = methodcaller("startswith", "'")


class _Bad:
    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _text(limit: int, label: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"{label} is {len(text)} characters long; the limit is {limit}")
        return text

    return convert


def _text_many(limit: int) -> Many:
    def many(texts: list[str]) -> list[Any] | None:
        return texts if max(map(len, texts), default=0) <= limit else None

    return many


def _title(text: str) -> str:
    flat = " ".join(text.split()) if ("\n" in text or "\r" in text) else text
    if len(flat) > TITLE_MAX:
        raise ValueError(f"the title is {len(flat)} characters long; the limit is {TITLE_MAX}")
    return flat


def _titles(texts: list[str]) -> list[Any] | None:
    """Titles on one line within the limit are kept as they are (as :func:`_title` does)."""
    joined = "".join(texts)
    if "\n" in joined or "\r" in joined or max(map(len, texts), default=0) > TITLE_MAX:
        return None
    return texts


def _percent(decimal: str, label: str, *, fraction: bool = False) -> Callable[[str], Decimal]:
    def convert(text: str) -> Decimal:
        number = parse_bare_number(text.rstrip().removesuffix("%"), decimal)
        if fraction and number <= 1 and "." in text:
            number *= 100
        if not 0 <= number <= 100:
            raise ValueError(f"{label} must be between 0 and 100")
        return number.quantize(CENT, rounding=ROUND_HALF_UP)

    return convert


def _quantity(decimal: str) -> Callable[[str], Decimal]:
    def convert(text: str) -> Decimal:
        number = parse_bare_number(text, decimal)
        if number <= 0:
            raise ValueError("the quantity must be greater than zero")
        if number > Decimal(1_000_000_000):
            raise ValueError("the quantity is too large")
        if number != number.quantize(Decimal("0.0001")):
            raise ValueError("the quantity has more than four decimal places")
        return number

    return convert


def _probability(ctx: Context, decimal: str) -> Callable[[str], int]:
    percent = _percent(decimal, "the probability", fraction=ctx.preset.probability_fraction)

    def convert(text: str) -> int:
        return int(percent(text).to_integral_value(rounding=ROUND_HALF_UP))

    return convert


def _emails(text: str) -> list[tuple[str, str]]:
    found = []
    for part in _SPLIT_CHANNELS.split(text):
        value = part.strip()
        if not value:
            continue
        if not _EMAIL.fullmatch(value) or len(value) > 255:
            raise ValueError(f"{value!r} is not an e-mail address")
        found.append((value, normalize_email(value)))
    return found


def _phones(text: str) -> list[tuple[str, str]]:
    found = []
    for part in _SPLIT_CHANNELS.split(text):
        value = part.strip()
        if not value:
            continue
        norm = normalize_phone(value)
        if not 5 <= len(norm) <= 15 or len(value) > 255:
            raise ValueError(f"{value!r} is not a phone number")
        found.append((value, norm))
    return found


def _contacts(text: str) -> list[tuple[str, str | None]]:
    """ "Ann Lee; Bob <bob@x.com>" -> [("Ann Lee", None), ("Bob", "bob@x.com")]."""
    found: list[tuple[str, str | None]] = []
    for part in _SPLIT_NAMES.split(text):
        value = " ".join(part.split())
        if not value:
            continue
        email = None
        match = _NAME_WITH_EMAIL.fullmatch(value)
        if match and _EMAIL.fullmatch(match.group(2)):
            value, email = match.group(1).strip() or match.group(2), match.group(2)
        if len(value) > 255:
            raise ValueError(f"a contact name is {len(value)} characters long; the limit is 255")
        found.append((value, email))
    return found


def _known(values: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(values[:limit])
    return shown + (", ..." if len(values) > limit else "")


def _coded(index: dict[str, str], label: str, aliases: dict[str, str]) -> Callable[[str], str]:
    codes = sorted(set(index.values()))

    def convert(text: str) -> str:
        key = norm_value(text)
        found = index.get(key) or aliases.get(key)
        if found is None or found not in codes:
            raise ValueError(f"unknown {label} {text!r} (known: {_known(codes)})")
        return found

    return convert


def _currency(ctx: Context) -> Callable[[str], str]:
    lookups = ctx.lookups

    def convert(text: str) -> str:
        found = lookups.currencies.get(norm_value(text))
        if found is not None:
            return found
        if ctx.preset.unknown_currency_base:
            return lookups.base_currency
        known = sorted(set(lookups.currencies.values()))
        raise ValueError(f"unknown currency {text!r} (known: {_known(known)})")

    return convert


def _pipeline(ctx: Context) -> Callable[[str], int]:
    lookups = ctx.lookups

    def convert(text: str) -> int:
        key = norm_value(text)
        if text.isdigit() and int(text) in lookups.pipelines:
            return int(text)
        found = lookups.pipeline_by_name.get(key)
        if found is not None:
            return found
        if key in ctx.preset.pipelines:
            return ctx.default_pipeline
        known = [repr(name) for name in lookups.pipelines.values()]
        raise ValueError(f"unknown pipeline {text!r} (known: {_known(known)})")

    return convert


def _status(ctx: Context) -> Callable[[str], str]:
    def convert(text: str) -> str:
        found = ctx.preset.statuses.get(norm_value(text))
        if found is None:
            raise ValueError(f"unknown status {text!r} (use open, won or lost)")
        return found

    return convert


def _responsible(ctx: Context) -> Callable[[str], int | str]:
    lookups = ctx.lookups

    def by_name(name: str) -> int | str:
        if name in lookups.user_logins:
            return lookups.user_logins[name]
        ids = lookups.user_names.get(norm_value(name), [])
        if len(ids) > 1:
            raise ValueError(f"more than one user is called {name!r}; use the login")
        if ids:
            return ids[0]
        if len(name) > 255:
            raise ValueError("the responsible person's name is longer than 255 characters")
        return " ".join(name.split())  # a new user, created by the import

    def convert(text: str) -> int | str:
        match = _NAME_WITH_ID.fullmatch(text)  # Bitrix24 "Anna Petrova [12]"
        if match and match.group(1).strip():
            return by_name(match.group(1).strip())
        if match:
            text = match.group(2)
        if text.isdigit():
            uid = int(text)
            if uid not in lookups.users:
                raise ValueError(f"unknown user #{uid}")
            return uid
        return by_name(text)

    return convert


_ORDER_NAMES = {"dmy": "DD/MM/YYYY", "mdy": "MM/DD/YYYY"}


def slash_order_of(ctx: Context, header: str, values: Sequence[str]) -> tuple[str, str | None]:
    """How the column's slashed dates read, and the date that proves it (if one does).

    A date of the column with a first part above 12 proves day first, one with a second
    part above 12 month first; else ``ctx.date_order`` decides, and the report says so
    when a date of the column could read either way.
    """
    proven, proof, ambiguous = slash_dates(values)
    if proven is not None:
        return proven, proof
    order = ctx.date_order
    if ambiguous is not None:
        ctx.notes.append(
            f"{header}: dates such as {ambiguous} were read as {_ORDER_NAMES[order]} "
            f"({ctx.date_order_source}): no date in the column has a day above 12 to tell"
        )
    return order, None


def _dates(ctx: Context, header: str, values: Sequence[str]) -> Callable[[str], Any]:
    order, proof = slash_order_of(ctx, header, values)

    def convert(text: str) -> Any:
        try:
            return parse_day(text, order)
        except ValueError:
            if proof is not None and "/" in text:
                try:  # 06/25/2026 among day-first dates, or the other way round
                    parse_day(text, "mdy" if order == "dmy" else "dmy")
                except ValueError:
                    pass
                else:
                    raise ValueError(
                        f"{text!r} is not a date in the order of the column's other dates "
                        f"({_ORDER_NAMES[order]}, as {proof} shows)"
                    ) from None
            raise

    return convert


_TEXT_LIMITS = {
    "external_id": (100, "the ID"),
    "company": (255, "the company name"),
    "source_description": (TEXT_MAX, "the source details"),
    "comments": (TEXT_MAX, "the comments"),
    "lost_reason": (1000, "the lost reason"),
    "product": (255, "the product name"),
    "measure": (20, "the measure"),
    "stage": (255, "the stage"),
}


def _column_converter(ctx: Context, target: str, header: str, values: Sequence[str]) -> Many | None:
    """The converter of a whole column at once, for the targets that have one."""
    if target in _TEXT_LIMITS:
        return _text_many(_TEXT_LIMITS[target][0])
    if target == "title":
        return _titles
    if target in ("amount", "price"):
        hint = header_currency(header, ctx.lookups) if target == "amount" else None
        return money_column(hint)
    return None


def _converter(
    ctx: Context, target: str, header: str, values: Sequence[str]
) -> Callable[[str], Any]:
    """The converter of a column's values."""
    preset, lookups = ctx.preset, ctx.lookups
    decimal = decimal_sign(values[:2000], header)
    if target in _TEXT_LIMITS:
        return _text(*_TEXT_LIMITS[target])
    simple: dict[str, Callable[[str], Any]] = {
        "title": _title,
        "contact": _contacts,
        "contact_email": _emails,
        "company_email": _emails,
        "contact_phone": _phones,
        "company_phone": _phones,
        "closed": parse_bool,
        "repeat": parse_bool,
    }
    if target in simple:
        return simple[target]
    if target == "amount":
        hint = header_currency(header, lookups)
        return money_cells(lookups, decimal, "the amount", "an amount", hint)
    if target == "price":
        return money_cells(lookups, decimal, "the price", "a price", None)
    if target == "quantity":
        return _quantity(decimal)
    if target == "discount":
        return _percent(decimal, "the discount")
    if target == "tax_rate":
        return _percent(decimal, "the tax rate")
    if target == "probability":
        return _probability(ctx, decimal)
    if target == "currency":
        return _currency(ctx)
    if target == "pipeline":
        return _pipeline(ctx)
    if target == "status":
        return _status(ctx)
    if target == "type":
        return _coded(lookups.types, "type", preset.types)
    if target == "source":
        return _coded(lookups.sources, "source", {})
    if target == "responsible":
        return _responsible(ctx)
    if target in ("begin_date", "close_date"):
        return _dates(ctx, header, values)
    if target.startswith("cf:"):
        code = target[3:]
        field = next((f for f in lookups.fields if f.code == code), None)
        if field is None:
            raise KeyError(target)
        order = ctx.date_order
        if field.type in ("date", "datetime"):
            order = slash_order_of(ctx, header, values)[0]
        return custom_converter(field, values, ctx.lookups, ctx.clock, order)
    raise KeyError(target)


def _column(
    values: Sequence[str],
    convert: Callable[[str], Any],
    many: Many | None,
    header: str,
    bad: list[BadCell],
) -> list[Any]:
    """Convert each distinct value once, then spread the results over the rows.

    Where the column has a converter of many values and every value suits it, the whole
    column is converted with a few C-level passes instead of a Python call per value.
    """
    raws = list(set(values))
    texts = list(map(str.strip, raws))
    if any(map(_STARTS_QUOTED, raws)):
        texts = [
            unquote(raw).strip() if raw[:1] == "'" else text
            for raw, text in zip(raws, texts, strict=True)
        ]
    results: dict[str, Any] = {}
    if "" in texts:
        for raw, text in zip(raws, texts, strict=True):
            if not text:
                results[raw] = None
        raws = [raw for raw, text in zip(raws, texts, strict=True) if text]
        texts = list(filter(None, texts))
    converted = many(texts) if many is not None and texts else None
    failed = False
    if converted is not None:
        results.update(zip(raws, converted, strict=True))
    else:
        for raw, text in zip(raws, texts, strict=True):
            try:
                results[raw] = convert(text)
            except ValueError as exc:
                results[raw] = _Bad(str(exc))
                failed = True
            except ArithmeticError:
                results[raw] = _Bad(f"{text!r} is not a value this column can hold")
                failed = True
    out = list(map(results.__getitem__, values))
    if failed:
        for index, hit in enumerate(out):
            if type(hit) is _Bad:
                bad.append(BadCell(index, header, values[index], hit.reason))
                out[index] = None
    return out


def _combine(target: str, columns: list[list[Any]]) -> list[Any]:
    if len(columns) == 1:
        return columns[0]
    if target not in MULTI:
        return [
            next((v for v in values if v is not None), None)
            for values in zip(*columns, strict=True)
        ]
    combined: list[Any] = []
    for values in zip(*columns, strict=True):
        present = [v for v in values if v is not None]
        if not present:
            combined.append(None)
        elif target == "comments":
            combined.append("\n".join(present))
        else:
            combined.append([item for value in present for item in value])
    return combined


def convert_columns(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    mapping: dict[str, str | None],
    ctx: Context,
) -> tuple[Columns, list[BadCell]]:
    """Every mapped column converted: one value list per target, and the bad cells."""
    bad: list[BadCell] = []
    per_target: dict[str, list[list[Any]]] = {}
    money_columns: list[tuple[str, str, Sequence[str], list[Any]]] = []
    # One pass over the records turns them into columns (records are as wide as headers).
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in headers]
    for index, header in enumerate(headers):
        target = mapping.get(header)
        if target is None:
            continue
        values: Sequence[str] = by_column[index]
        convert = _converter(ctx, target, header, values)
        many = _column_converter(ctx, target, header, values)
        found = _column(values, convert, many, header, bad)
        per_target.setdefault(target, []).append(found)
        if target in ("amount", "price"):
            money_columns.append((target, header, values, found))
    columns = {target: _combine(target, lists) for target, lists in per_target.items()}
    if "currency" in columns:  # a currency an amount or price names must be the row's
        currency_header = next(h for h in headers if mapping.get(h) == "currency")
        for target, header, values, found in money_columns:
            conflicts = currency_conflicts(
                found, columns["currency"], ctx.lookups, f"the {target}", currency_header
            )
            bad += [BadCell(index, header, values[index], reason) for index, reason in conflicts]
    return columns, bad
