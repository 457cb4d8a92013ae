"""Exporting deals to files that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from dealterm.core.errors import DealtermError
from dealterm.core.queries.deal_read import read_deals
from dealterm.core.readmodels import DealRead
from dealterm.core.services import custom_fields

__all__ = ["EXPORT_COLUMNS", "neutralize", "write_deals_csv"]

# A spreadsheet runs a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

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
    ("comments", "Comments"),
)


def neutralize(value: str) -> str:
    """Make a cell inert for spreadsheets: a leading ``= + - @`` tab or CR gets a quote first.

    Negative numbers are left alone (they are data, not formulas).
    """
    if value and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _cell(deal: DealRead, key: str) -> str:
    if key == "contacts":
        return "; ".join(c.name for c in deal.contacts)
    value = getattr(deal, key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if key == "amount":
        return f"{value:.2f}"
    return str(value)


def write_deals_csv(
    session: Session, ids: Sequence[int], path: Path, *, encoding: str = "utf-8-sig"
) -> int:
    """Write the deals to a CSV file (UTF-8 with a BOM by default, for Excel); returns the count.

    The file is written next to its final name and renamed at the end, so a failure never
    leaves half a file behind.

    Raises:
        DealtermError: the file cannot be written.
    """
    target = path.expanduser()
    partial = target.with_name(target.name + ".part")
    written = 0
    fields = custom_fields.list_fields(session)
    try:
        with partial.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([label for _, label in EXPORT_COLUMNS] + [f.label for f in fields])
            for start in range(0, len(ids), 500):
                deals = read_deals(session, list(ids[start : start + 500]))
                shown = custom_fields.display_page(session, {d.id: d.custom_fields for d in deals})
                for deal in deals:
                    cells = [_cell(deal, key) for key, _ in EXPORT_COLUMNS]
                    for field in fields:
                        raw = deal.custom_fields.get(field.code)
                        linked = field.type in ("contact", "company")
                        cells.append(
                            shown[deal.id].get(field.code, "")
                            if linked
                            else custom_fields.as_text(raw) or ""
                        )
                    writer.writerow([neutralize(cell) for cell in cells])
                    written += 1
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DealtermError(f"cannot write {target}: {exc.strerror}") from None
    except UnicodeEncodeError as exc:
        partial.unlink(missing_ok=True)
        raise DealtermError(
            f"a value cannot be written in {encoding}: {exc.object[exc.start : exc.end]!r}"
        ) from None
    return written
