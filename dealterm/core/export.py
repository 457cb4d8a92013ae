"""Exporting deals to CSV and JSON files that are safe to open in a spreadsheet.

Deals are read a page at a time (by id, or by a filter with keyset paging) and written as
they come, so an export of a million deals never holds them all. A file is written next
to its final name and renamed at the end: a failure leaves no half-written file.

The CSV layout is a contract with the importer's ``generic`` preset: the
:data:`EXPORT_COLUMNS`, one column per custom field (its label), then the
:data:`PRODUCT_COLUMNS`. A deal with N product rows takes N lines that repeat its
columns (Bitrix24 style); a deal without products takes one line.

A deal's ID is its number in this database only; its Created moment (the user's local
time with its UTC offset, to the second: ``2026-11-29 14:05:33+03:00``) is what lets the
importer tell this database's deal #7 from another database's (``importing.created``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from dealterm.core.context import ctx
from dealterm.core.errors import ValidationError
from dealterm.core.filters import DealFilter
from dealterm.core.models import Deal, DealProduct, DiscountType
from dealterm.core.queries.conditions import deal_conditions
from dealterm.core.queries.deal_read import deal_read_select, read_deals, rows_to_deals
from dealterm.core.readmodels import DealRead, ProductRowRead
from dealterm.core.services import custom_fields
from dealterm.core.services.products import row_read

__all__ = [
    "ENCODINGS",
    "EXPORT_COLUMNS",
    "FORMATS",
    "PAGE_SIZE",
    "PRODUCT_COLUMNS",
    "ExportColumn",
    "available_columns",
    "created_cell",
    "deal_pages",
    "neutralize",
    "normalize_encoding",
    "resolve_columns",
    "write_atomically",
    "write_deals",
    "write_deals_csv",
    "write_deals_file",
]

PAGE_SIZE = 500
FORMATS = ("csv", "json")
# Canonical name -> what people call it. utf-8-sig is UTF-8 with a byte order mark, which
# Excel needs to read UTF-8 (without it, Excel reads the file as the system's code page).
ENCODINGS: dict[str, str] = {
    "utf-8-sig": "UTF-8 with a BOM (for Excel)",
    "utf-8": "UTF-8",
    "cp1251": "Windows-1251",
}
_ENCODING_ALIASES = {
    alias: code
    for code, aliases in (
        ("utf-8", "utf-8 utf8"),
        ("utf-8-sig", "utf-8-sig utf8-sig utf-8-bom utf8-bom"),
        ("cp1251", "cp1251 cp-1251 windows-1251 win1251 win-1251"),
    )
    for alias in aliases.split()
}

# A spreadsheet runs a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?")
# After a leading quote, what makes the importer take the quote off.
_QUOTED_NEXT = frozenset((*_FORMULA_START, "'"))

EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "ID"),
    ("title", "Title"),
    ("pipeline", "Pipeline"),
    ("stage", "Stage"),
    ("stage_name", "Stage name"),
    ("amount", "Amount"),
    ("currency", "Currency"),
    ("company", "Company"),
    ("contacts", "Contacts"),
    ("type", "Type"),
    ("source", "Source"),
    ("responsible", "Responsible"),
    ("begin_date", "Begin date"),
    ("close_date", "Close date"),
    ("closed", "Closed"),
    ("repeat", "Repeat"),
    ("lost_reason", "Lost reason"),
    ("created", "Created"),
    ("comments", "Comments"),
)
PRODUCT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("product", "Product"),
    ("price", "Price"),
    ("quantity", "Quantity"),
    ("discount", "Discount, %"),
    ("tax_rate", "Tax rate, %"),
    ("measure", "Measure"),
)


@dataclass(frozen=True)
class ExportColumn:
    """A CSV column.

    Attributes:
        key: what ``--columns`` calls it (a custom field's code for custom fields).
        header: the header written in the file.
        kind: ``deal``, ``custom`` or ``product``.
    """

    key: str
    header: str
    kind: str


def neutralize(value: str) -> str:
    """Make a cell inert for spreadsheets: a leading ``= + - @`` tab or CR gets a quote first.

    Negative numbers ("-12", "-1234.50") are left alone: they are data, not formulas. A
    value that already starts with a quote and then one of those signs or a quote
    ("'-5", "''") gets one more, since the importer takes one such quote off
    (``importing.values.unquote``): what was exported is what comes back.
    """
    # Not float() for "is a number": it also takes "-inf", "-nan" and surrounding whitespace.
    if value.startswith(_FORMULA_START) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    if value[:1] == "'" and value[1:2] in _QUOTED_NEXT:
        return "'" + value
    return value


def normalize_encoding(value: str | None) -> str:
    """``utf-8``, ``utf-8-sig`` or ``cp1251`` from what a user typed (``windows-1251``...).

    Raises:
        ValidationError: an encoding the export does not offer.
    """
    text = (value or "").strip().lower().replace("_", "-")
    found = _ENCODING_ALIASES.get(text)
    if found is None:
        raise ValidationError(
            f"unknown encoding {value!r} (use {', '.join(ENCODINGS)})", field="encoding"
        )
    return found


# --- columns --------------------------------------------------------------------------------
def available_columns(session: Session) -> list[ExportColumn]:
    """Every column of a full CSV export, in file order."""
    columns = [ExportColumn(key, header, "deal") for key, header in EXPORT_COLUMNS]
    columns += [ExportColumn(f.code, f.label, "custom") for f in custom_fields.list_fields(session)]
    columns += [ExportColumn(key, header, "product") for key, header in PRODUCT_COLUMNS]
    return columns


def resolve_columns(session: Session, specs: Sequence[str] | None) -> list[ExportColumn]:
    """The columns ``--columns`` asks for, in its order (None or empty: every column).

    Each spec may list several columns separated by commas; a column is named by its key
    or its header, in any case (``Discount, %`` is recognized although it holds a comma).

    Raises:
        ValidationError: an unknown column (the message lists the valid ones).
    """
    every = available_columns(session)
    if not specs:
        return every
    lookup: dict[str, ExportColumn] = {}
    for column in reversed(every):  # keys win over headers, earlier columns over later
        lookup[column.header.strip().lower()] = column
    for column in reversed(every):
        lookup[column.key.lower()] = column
    chosen: list[ExportColumn] = []
    for spec in specs:
        parts = spec.split(",")
        start = 0
        while start < len(parts):
            if not parts[start].strip():
                start += 1
                continue
            for end in range(len(parts), start, -1):  # the longest name that is a column
                found = lookup.get(",".join(parts[start:end]).strip().lower())
                if found is not None:
                    break
            else:
                valid = ", ".join(c.key for c in every)
                raise ValidationError(
                    f"unknown column {parts[start].strip()!r}; valid columns: {valid}",
                    field="columns",
                )
            if found not in chosen:
                chosen.append(found)
            start = end
    if not chosen:
        raise ValidationError("--columns names no column", field="columns")
    return chosen


# --- reading ----------------------------------------------------------------------------------
def deal_pages(
    session: Session,
    *,
    ids: Sequence[int] | None = None,
    flt: DealFilter | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[list[DealRead]]:
    """Pages of deals: the given ids in their order, else every deal of ``flt``, newest first.

    A filter is read by keyset paging on the id (``id < last``), which costs the same on
    the last page as on the first. The filter is checked at once, before anything is read.

    Raises:
        ValidationError: the filter names an unknown pipeline, stage or user.
    """
    if ids is not None:
        return _id_pages(session, ids, page_size)
    return _filter_pages(session, deal_conditions(session, flt or DealFilter()), page_size)


def _id_pages(session: Session, ids: Sequence[int], page_size: int) -> Iterator[list[DealRead]]:
    for start in range(0, len(ids), page_size):
        yield read_deals(session, list(ids[start : start + page_size]))


def _filter_pages(
    session: Session, where: list[ColumnElement[bool]], page_size: int
) -> Iterator[list[DealRead]]:
    last: int | None = None
    while True:
        query = deal_read_select().where(*where)
        if last is not None:
            query = query.where(col(Deal.id) < last)
        rows = session.execute(query.order_by(col(Deal.id).desc()).limit(page_size)).all()
        if not rows:
            return
        yield rows_to_deals(session, rows)
        if len(rows) < page_size:
            return
        last = rows[-1][0].id


def _product_rows(session: Session, deal_ids: Sequence[int]) -> dict[int, list[ProductRowRead]]:
    """The product rows of a page of deals, in each deal's order."""
    result: dict[int, list[ProductRowRead]] = {}
    if not deal_ids:
        return result
    stored = session.exec(
        select(DealProduct)
        .where(col(DealProduct.deal_id).in_(list(deal_ids)))
        .order_by(col(DealProduct.deal_id), col(DealProduct.sort), col(DealProduct.id))
    ).all()
    for row in stored:
        result.setdefault(row.deal_id, []).append(row_read(row))
    return result


# --- cells ------------------------------------------------------------------------------------
def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def created_cell(moment: datetime, zone: tzinfo) -> str:
    """A deal's creation moment as the Created column holds it: ``2026-11-29 14:05:33+03:00``.

    Local time in ``zone`` to the second, with its UTC offset so that it is one instant
    wherever the file is read. A space, not ISO's ``T``, so that a spreadsheet shows it
    plainly; the offset also keeps spreadsheets from taking it for a date of their own
    and saving it back in another shape.
    """
    return moment.astimezone(zone).replace(microsecond=0).isoformat(sep=" ")


def _deal_cell(deal: DealRead, key: str, zone: tzinfo) -> str:
    if key == "contacts":
        return "; ".join(c.name for c in deal.contacts)
    if key == "created":
        return created_cell(deal.created_at, zone)
    value = getattr(deal, key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if key == "amount":
        return f"{value:.2f}"
    if key in ("begin_date", "close_date"):
        return str(value.isoformat())
    return str(value)


def _discount_percent(row: ProductRowRead) -> Decimal:
    """The row's discount as a percentage of the price.

    An amount off each unit becomes its share of the price, rounded to 0.01 % (what a
    product row keeps of a percentage).
    """
    if row.discount_type == DiscountType.PERCENT:
        return row.discount_rate
    if not row.price:
        return Decimal(0)
    return (row.discount_sum * 100 / row.price).quantize(Decimal("0.01"))


def _product_cell(row: ProductRowRead | None, key: str) -> str:
    if row is None:
        return ""
    if key == "product":
        return row.name
    if key == "price":
        return f"{row.price:.2f}"
    if key == "quantity":
        return _number(row.quantity)
    if key == "discount":
        return _number(_discount_percent(row))
    if key == "tax_rate":
        return "" if row.tax_rate is None else _number(row.tax_rate)
    return row.measure


def _custom_cells(
    session: Session, deals: list[DealRead], columns: list[ExportColumn]
) -> dict[int, dict[str, str]]:
    """The custom field cells of a page: links as names, other values as stored."""
    wanted = [c for c in columns if c.kind == "custom"]
    if not wanted:
        return {}
    types = {f.code: f.type for f in custom_fields.list_fields(session, include_hidden=True)}
    shown = custom_fields.display_page(session, {d.id: d.custom_fields for d in deals})
    result: dict[int, dict[str, str]] = {}
    for deal in deals:
        cells: dict[str, str] = {}
        for column in wanted:
            if types.get(column.key) in ("contact", "company"):
                cells[column.key] = shown[deal.id].get(column.key, "")
            else:
                cells[column.key] = custom_fields.as_text(deal.custom_fields.get(column.key)) or ""
        result[deal.id] = cells
    return result


# --- writing ----------------------------------------------------------------------------------
def _encoding_error(error: UnicodeEncodeError, encoding: str, deal: DealRead) -> ValidationError:
    bad = error.object[error.start : error.end]
    return ValidationError(
        f"deal #{deal.id} holds {bad!r}, which {ENCODINGS.get(encoding, encoding)} cannot "
        "hold; export in UTF-8 instead",
        field="encoding",
    )


def _write_csv(
    session: Session,
    out: IO[str],
    pages: Iterator[list[DealRead]],
    columns: list[ExportColumn],
    encoding: str,
) -> int:
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    zone = ctx(session).clock.zone
    with_products = any(c.kind == "product" for c in columns)
    written = 0
    for deals in pages:
        products = _product_rows(session, [d.id for d in deals]) if with_products else {}
        custom = _custom_cells(session, deals, columns)
        for deal in deals:
            rows: list[ProductRowRead | None] = list(products.get(deal.id, [])) or [None]
            try:
                for row in rows:
                    cells = []
                    for column in columns:
                        if column.kind == "deal":
                            cells.append(_deal_cell(deal, column.key, zone))
                        elif column.kind == "custom":
                            cells.append(custom[deal.id][column.key])
                        else:
                            cells.append(_product_cell(row, column.key))
                    writer.writerow([neutralize(cell) for cell in cells])
            except UnicodeEncodeError as error:
                raise _encoding_error(error, encoding, deal) from None
            written += 1
    return written


# A deal in a JSON export: its read model without internal ids and display details,
# then lean contacts, custom fields by code and product rows.
_JSON_LEFT_OUT = {
    "pipeline_id",
    "stage_id",
    "stage_color",
    "own_probability",
    "company_id",
    "company_phones",
    "company_emails",
    "contacts",
    "responsible_id",
    "custom_fields",
    "recurring",
}


def _deal_json(deal: DealRead, products: list[ProductRowRead]) -> dict[str, Any]:
    ordered: dict[str, Any] = deal.model_dump(mode="json", exclude=_JSON_LEFT_OUT)
    ordered["contacts"] = [
        {"id": c.id, "name": c.name, "primary": c.primary} for c in deal.contacts
    ]
    ordered["custom_fields"] = dict(deal.custom_fields)
    ordered["products"] = [row.model_dump(mode="json", exclude={"id", "sort"}) for row in products]
    return ordered


def _write_json(session: Session, out: IO[str], pages: Iterator[list[DealRead]]) -> int:
    written = 0
    out.write("[")
    for deals in pages:
        products = _product_rows(session, [d.id for d in deals])
        for deal in deals:
            text = json.dumps(_deal_json(deal, products.get(deal.id, [])), ensure_ascii=False)
            out.write(("\n  " if written == 0 else ",\n  ") + text)
            written += 1
    out.write("\n]\n" if written else "]\n")
    return written


def write_deals(
    session: Session,
    stream: IO[bytes],
    *,
    ids: Sequence[int] | None = None,
    flt: DealFilter | None = None,
    fmt: str = "csv",
    encoding: str = "utf-8-sig",
    columns: Sequence[str] | None = None,
) -> int:
    """Write deals to a binary stream as CSV or JSON; returns how many deals were written.

    Args:
        ids: these deals in this order; else every deal ``flt`` matches, newest first.
        fmt: ``csv`` or ``json`` (JSON is always UTF-8 and ignores ``encoding``).
        encoding: ``utf-8-sig`` (with a BOM, for Excel), ``utf-8`` or ``cp1251``.
        columns: CSV columns to write, in this order (see :func:`resolve_columns`).

    Raises:
        ValidationError: an unknown format, encoding or column, a bad filter, or a value
            the encoding cannot hold (``field="encoding"``).
    """
    kind = (fmt or "").strip().lower()
    if kind not in FORMATS:
        raise ValidationError(f"unknown format {fmt!r} (use csv or json)", field="format")
    chosen = resolve_columns(session, columns) if kind == "csv" else []
    code = normalize_encoding(encoding) if kind == "csv" else "utf-8"
    pages = deal_pages(session, ids=ids, flt=flt)
    text = io.TextIOWrapper(stream, encoding=code, errors="strict", newline="")
    try:
        if kind == "csv":
            written = _write_csv(session, text, pages, chosen, code)
        else:
            written = _write_json(session, text, pages)
        text.flush()
    finally:
        text.detach()  # the caller owns the stream
    return written


def write_atomically(path: Path | str, write: Callable[[IO[bytes]], int]) -> int:
    """Run ``write`` on a file next to ``path`` and rename it to ``path`` once it succeeded.

    On any error the partial file is removed and ``path`` is left as it was.

    Raises:
        ValidationError: the file cannot be written (``field="path"``), or what ``write``
            raised.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise ValidationError(f"cannot write {target}: it is a folder", field="path")
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as handle:
            result = write(handle)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise ValidationError(f"cannot write {target}: {reason}", field="path") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return result


def write_deals_file(
    session: Session,
    path: Path | str,
    *,
    ids: Sequence[int] | None = None,
    flt: DealFilter | None = None,
    fmt: str = "csv",
    encoding: str = "utf-8-sig",
    columns: Sequence[str] | None = None,
) -> int:
    """:func:`write_deals` into a file, all or nothing; returns how many deals were written.

    Raises:
        ValidationError: as :func:`write_deals`, or the file cannot be written
            (``field="path"``).
    """
    return write_atomically(
        path,
        lambda stream: write_deals(
            session, stream, ids=ids, flt=flt, fmt=fmt, encoding=encoding, columns=columns
        ),
    )


def write_deals_csv(
    session: Session,
    ids: Sequence[int],
    path: Path,
    *,
    encoding: str = "utf-8-sig",
    columns: Sequence[str] | None = None,
) -> int:
    """Write the deals to a CSV file (UTF-8 with a BOM by default, for Excel); returns the count.

    Raises:
        ValidationError: the file cannot be written, or a value does not fit ``encoding``.
    """
    return write_deals_file(session, path, ids=ids, encoding=encoding, columns=columns)
