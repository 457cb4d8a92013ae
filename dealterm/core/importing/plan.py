"""From converted rows to a plan: which deals to create or update, with which clients.

Rows with the same source ID become one deal with a product row each; rows without an ID
are each a deal of their own, known on a re-import by their title and client. A deal is
imported whole or not at all: the other rows of a deal with a bad row are bad too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from dealterm.core.importing.builder import DealBuilder
from dealterm.core.importing.convert import BadCell, Columns, Context
from dealterm.core.importing.lookups import Existing
from dealterm.core.importing.model import BadRow
from dealterm.core.importing.plan_types import DealPlan, Plan, ProductLine
from dealterm.core.importing.values import norm_value

__all__ = ["DealPlan", "Plan", "ProductLine", "build_plan"]


def _fingerprint(title: Any, company: Any, contacts: Any) -> str:
    names = ";".join(name for name, _ in contacts or [])
    text = "|".join(norm_value(str(part or "")) for part in (title, company, names))
    return "~" + hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _group(columns: Columns, count: int) -> dict[str, list[int]]:
    """Records by source ID (same ID: one deal); records without one each on their own."""
    ids = columns.get("external_id") or [None] * count
    titles = columns.get("title") or [None] * count
    companies = columns.get("company") or [None] * count
    contacts = columns.get("contact") or [None] * count
    groups: dict[str, list[int]] = {}
    seen: dict[str, int] = {}
    for index in range(count):
        key = ids[index]
        if key is None:
            base = _fingerprint(titles[index], companies[index], contacts[index])
            seen[base] = seen.get(base, 0) + 1
            key = base if seen[base] == 1 else f"{base}-{seen[base]}"
        groups.setdefault(key, []).append(index)
    return groups


def build_plan(
    ctx: Context,
    columns: Columns,
    lines: Sequence[int],
    cells: list[BadCell],
    headers_of: dict[str, str],
    load_existing: Callable[[list[str]], dict[str, Existing]],
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Group the records into deals, check them, and plan clients and writes."""
    count = len(lines)
    groups = _group(columns, count)
    builder = DealBuilder(ctx, columns, headers_of, load_existing(list(groups)))
    names = list(columns)
    # Each record's values in one tuple (a C-level transpose), so a deal's values are one
    # dict(zip()) instead of a lookup per target.
    records = list(zip(*columns.values(), strict=True)) if names else [()] * count
    faulty: dict[int, list[BadCell]] = {}
    for cell in cells:
        faulty.setdefault(cell.index, []).append(cell)
    deals: list[DealPlan] = []
    merged = 0
    done = 0
    deal = builder.deal
    for key, rows in groups.items():
        size = len(rows)
        merged += size - 1
        done += size
        if progress is not None and done // 1000 != (done - size) // 1000:
            progress(done)
        if faulty and any(index in faulty for index in rows):
            _blame_group(key, rows, faulty, lines)
            continue
        if size == 1:
            v = dict(zip(names, records[rows[0]], strict=True))
        else:
            v = dict(zip(names, _first_values(records, rows), strict=True))
        result = deal(key, rows, v, lines)
        if isinstance(result, list):
            for cell in result:
                faulty.setdefault(cell.index, []).append(cell)
            _blame_group(key, rows, faulty, lines)
            continue
        deals.append(result)
    bad = [
        BadRow(lines[index], cell.column, cell.value, cell.reason)
        for index in sorted(faulty)
        for cell in faulty[index]
    ]
    return Plan(
        deals=deals,
        companies=builder.companies.new,
        contacts=builder.contacts.new,
        users=builder.users,
        bad=bad,
        merged_rows=merged,
        companies_matched=len(builder.companies.matched),
        contacts_matched=len(builder.contacts.matched),
        link_fields=builder.link_fields,
        company_names=builder.companies.known.names,
        contact_names=builder.contacts.known.names,
    )


def _first_values(records: Sequence[tuple[Any, ...]], rows: Sequence[int]) -> list[Any]:
    """Per target, the first value the rows of a deal give (None if none does)."""
    values = list(records[rows[0]])
    for index in rows[1:]:
        if None not in values:
            break
        record = records[index]
        for position, value in enumerate(values):
            if value is None:
                values[position] = record[position]
    return values


def _blame_group(
    key: str, rows: Sequence[int], faulty: dict[int, list[BadCell]], lines: Sequence[int]
) -> None:
    """The other rows of a deal with a bad row are bad too (a deal is imported whole)."""
    if len(rows) < 2:
        return
    culprit = next(index for index in rows if index in faulty)
    for index in rows:
        if index not in faulty:
            reason = f"row {lines[culprit]} of the same deal (ID {key}) is bad"
            faulty[index] = [BadCell(index, "", "", reason)]
