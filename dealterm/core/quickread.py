"""Listing deals with the ``sqlite3`` driver alone, for ``dealterm deal list``.

Importing SQLAlchemy, SQLModel and the models costs 0.5-0.9 s, ten times what listing the
newest fifty deals takes. A listing whose filter needs no lookups (no names to resolve, no
search, no custom fields, no day boundaries in the user's time zone) on an SQLite file that
is already at the current schema is read here with plain SQL, and comes out exactly as
``list_deals`` read models dumped with ``model_dump(mode="json")``; a test compares the two
on demo data for every condition this module takes. Anything else returns None and the
caller goes the usual way, which also explains every problem (a missing or damaged file,
an older schema, a bad range).

The TUI's first board is read here too (:func:`quick_board`), so that it is on screen
while the ORM is still being imported.

Nothing here imports SQLAlchemy or SQLModel; the listing does not import pydantic either.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dealterm.core import stage_totals
from dealterm.core.cards import (
    Card,
    ColumnSummary,
    PipelineInfo,
    StageRead,
    column_summary,
    deal_probability,
    page_cards,
)
from dealterm.core.filters import DealFilter, Status
from dealterm.core.fixed import from_fixed
from dealterm.migrations import HEAD

if TYPE_CHECKING:
    from dealterm.core.clock import Clock

__all__ = [
    "QUICK_CONDITIONS",
    "QuickBoard",
    "quick_board",
    "quick_conditions",
    "quick_deal_list",
    "quick_listing",
]

# The filter conditions read here; any other condition goes through the ORM.
QUICK_CONDITIONS = frozenset(
    {"status", "amount_min", "amount_max", "close_from", "close_to", "repeat", "without_activities"}
)

_SELECT = """
SELECT d.id, d.title, d.pipeline_id, p.name, d.stage_id, s.code, s.name, s.color, s.semantics,
       d.closed, d.amount, d.currency_code, d.tax_value, d.is_manual_amount, d.probability,
       s.probability, d.company_id, c.title, d.type_code, t.name,
       d.source_code, src.name, d.source_description, d.responsible_id, u.name, creator.name,
       d.created_at, d.updated_at, d.moved_at, d.begin_date, d.close_date, d.comments,
       d.is_repeat, reason.name, d.lost_reason_text, d.custom_fields, d.version, d.is_recurring
FROM deals AS d
JOIN stages AS s ON s.id = d.stage_id
JOIN pipelines AS p ON p.id = d.pipeline_id
JOIN users AS u ON u.id = d.responsible_id
LEFT JOIN users AS creator ON creator.id = d.created_by_id
LEFT JOIN companies AS c ON c.id = d.company_id
LEFT JOIN deal_types AS t ON t.code = d.type_code
LEFT JOIN sources AS src ON src.code = d.source_code
LEFT JOIN lost_reasons AS reason ON reason.id = d.lost_reason_id
"""

_CONTACTS = """
SELECT dc.deal_id, ct.id, ct.name, dc.is_primary
FROM deal_contacts AS dc JOIN contacts AS ct ON ct.id = dc.contact_id
WHERE dc.deal_id IN (SELECT value FROM json_each(?))
ORDER BY dc.deal_id, dc.sort, ct.id
"""


def _cents(value: Decimal) -> int:
    """A money bound as the ``Fixed(2)`` column stores it (rounded half up)."""
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def quick_conditions(flt: DealFilter) -> tuple[str, list[Any]] | None:
    """``flt`` as a WHERE clause on ``deals AS d`` with its parameters, or None.

    None when the filter needs the ORM: a condition outside :data:`QUICK_CONDITIONS`, or a
    range that ends before it starts (the usual way reports it).
    """
    if not flt.conditions().keys() <= QUICK_CONDITIONS:
        return None
    low, high = flt.amount_min, flt.amount_max
    if low is not None and high is not None and low > high:
        return None
    if flt.close_from and flt.close_to and flt.close_from > flt.close_to:
        return None
    where = ["d.is_recurring IS 0"]
    params: list[Any] = []
    if flt.status == Status.OPEN:
        where.append("d.closed IS 0")
    elif flt.status == Status.CLOSED:
        where.append("d.closed IS 1")
    elif flt.status in (Status.WON, Status.LOST):
        where.append("d.stage_id IN (SELECT id FROM stages WHERE semantics = ?)")
        params.append("success" if flt.status == Status.WON else "failure")
    if low is not None:
        where.append("d.amount >= ?")
        params.append(_cents(low))
    if high is not None:
        where.append("d.amount <= ?")
        params.append(_cents(high))
    if flt.close_from:
        where.append("d.close_date >= ?")
        params.append(flt.close_from.isoformat())
    if flt.close_to:
        where.append("d.close_date <= ?")
        params.append(flt.close_to.isoformat())
    if flt.repeat is not None:
        where.append("d.is_repeat IS ?")
        params.append(1 if flt.repeat else 0)
    if flt.without_activities:
        where.append(
            "d.closed IS 0 AND NOT EXISTS (SELECT a.id FROM activities AS a "
            "WHERE a.deal_id = d.id AND a.completed IS 0)"
        )
    return " AND ".join(where), params


def _connect(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to an existing dealterm file at the current schema, else None."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        conn.close()
        return None
    if versions != [(HEAD,)]:
        conn.close()
        return None
    return conn


def _money(raw: int) -> str:
    return f"{Decimal(int(raw)).scaleb(-2):.2f}"


def _moment(raw: str) -> str:
    """A stored naive-UTC timestamp as pydantic writes an aware UTC datetime."""
    return datetime.fromisoformat(raw).isoformat() + "Z"


def _deal(row: tuple[Any, ...], contacts: list[dict[str, Any]]) -> dict[str, Any]:
    (
        deal_id,
        title,
        pipeline_id,
        pipeline,
        stage_id,
        stage_code,
        stage_name,
        stage_color,
        semantics,
        closed,
        amount,
        currency,
        tax_value,
        manual,
        probability,
        stage_probability,
        company_id,
        company,
        type_code,
        type_name,
        source_code,
        source_name,
        source_description,
        responsible_id,
        responsible,
        creator,
        created_at,
        updated_at,
        moved_at,
        begin_date,
        close_date,
        comments,
        repeat,
        reason,
        reason_text,
        custom,
        version,
        recurring,
    ) = row
    return {
        "id": deal_id,
        "title": title,
        "pipeline_id": pipeline_id,
        "pipeline": pipeline,
        "stage_id": stage_id,
        "stage": stage_code,
        "stage_name": stage_name,
        "stage_color": stage_color,
        "semantics": semantics,
        "closed": bool(closed),
        "amount": _money(amount),
        "currency": currency,
        "tax_value": _money(tax_value),
        "manual_amount": bool(manual),
        "probability": deal_probability(semantics, probability, stage_probability),
        "own_probability": probability,
        "company_id": company_id,
        "company": company,
        "company_phones": [],
        "company_emails": [],
        "contacts": contacts,
        "type": type_code,
        "type_name": type_name,
        "source": source_code,
        "source_name": source_name,
        "source_description": source_description,
        "responsible_id": responsible_id,
        "responsible": responsible,
        "created_by": creator,
        "created_at": _moment(created_at),
        "updated_at": _moment(updated_at),
        "moved_at": _moment(moved_at),
        "begin_date": date.fromisoformat(begin_date).isoformat(),
        "close_date": date.fromisoformat(close_date).isoformat(),
        "comments": comments,
        "repeat": bool(repeat),
        "lost_reason": reason or reason_text,
        "custom_fields": json.loads(custom) if custom else {},
        "version": version,
        "recurring": bool(recurring),
    }


def quick_deal_list(path: Path, flt: DealFilter, limit: int) -> list[dict[str, Any]] | None:
    """The newest ``limit`` deals matching ``flt`` as JSON-ready dicts, or None.

    None: the file is missing, not at the current schema, cannot be read, or the filter
    needs the ORM (see :func:`quick_conditions`).
    """
    found = quick_listing(path, flt, limit, total=False)
    return None if found is None else found[0]


def quick_listing(
    path: Path, flt: DealFilter, limit: int, *, total: bool
) -> tuple[list[dict[str, Any]], int | None] | None:
    """:func:`quick_deal_list` and, with ``total`` and a full page, how many deals match."""
    condition = quick_conditions(flt)
    if condition is None:
        return None
    where, params = condition
    conn = _connect(path)
    if conn is None:
        return None
    try:
        rows = conn.execute(
            f"{_SELECT} WHERE {where} ORDER BY d.id DESC LIMIT ?", [*params, limit]
        ).fetchall()
        contacts: dict[int, list[dict[str, Any]]] = {}
        if rows:
            ids = json.dumps([row[0] for row in rows])
            links = conn.execute(_CONTACTS, [ids])
            for deal_id, contact_id, name, primary in links:
                contacts.setdefault(deal_id, []).append(
                    {
                        "id": contact_id,
                        "name": name,
                        "primary": bool(primary),
                        "phones": [],
                        "emails": [],
                    }
                )
        count: int | None = None
        if total and len(rows) == limit:
            counted = conn.execute(f"SELECT count(*) FROM deals AS d WHERE {where}", params)
            count = int(counted.fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return [_deal(row, contacts.get(row[0], [])) for row in rows], count


# --- the first board ------------------------------------------------------------------------
# The SQL of core.queries.board (board_summary, column_page) for a board with no filter.
#
# The read runs in a thread while the main thread imports Textual, and each row fetched
# takes the GIL back from it: a wait of up to the switch interval (5 ms) per row, which made
# 350 rows take 0.3-0.4 s instead of 40 ms. So the rows come as few as they can: a stage
# per row with its first page as one JSON array, and the header sums, which SQLite keeps in
# ``stage_totals`` (see dealterm.core.stage_totals), as one JSON array.

_RATES = "SELECT code, rate FROM currencies"
_PIPELINES = "SELECT id, name, is_default FROM pipelines ORDER BY sort, is_default DESC, id"
_STAGES_AND_PAGES = """
SELECT s.id, s.pipeline_id, s.code, s.name, s.color, s.semantics, s.sort, s.probability,
       s.rotting_days, (
    SELECT json_group_array(json_array(id, version, title, amount, currency_code, company,
                                       contact, moved_at, closed, deadline, kind))
    FROM (
        SELECT d.id AS id, d.version AS version, d.title AS title, d.amount AS amount,
               d.currency_code AS currency_code, c.title AS company,
               (SELECT ct.name FROM contacts AS ct
                JOIN deal_contacts AS dc ON dc.contact_id = ct.id
                WHERE dc.deal_id = d.id ORDER BY dc.is_primary DESC, dc.sort LIMIT 1) AS contact,
               d.moved_at AS moved_at, d.closed AS closed,
               (SELECT min(a.deadline) FROM activities AS a
                WHERE a.deal_id = d.id AND a.completed IS 0) AS deadline,
               (SELECT a.kind FROM activities AS a WHERE a.deal_id = d.id AND a.completed IS 0
                ORDER BY a.deadline, a.id LIMIT 1) AS kind
        FROM deals AS d LEFT JOIN companies AS c ON c.id = d.company_id
        WHERE d.stage_id = s.id AND d.is_recurring IS 0
        ORDER BY d.moved_at DESC, d.id DESC
        LIMIT ?
    )
)
FROM stages AS s WHERE s.pipeline_id = ? ORDER BY s.sort, s.id
"""


@dataclass(frozen=True)
class QuickBoard:
    """What the board shows first: the pipeline, the column headers and first pages."""

    pipeline: PipelineInfo
    base_currency: str
    summaries: list[ColumnSummary]
    pages: dict[int, list[Card]]


def _pipeline(conn: sqlite3.Connection, wanted: str | None) -> PipelineInfo | None:
    pipelines = [
        PipelineInfo(i, name, bool(default)) for i, name, default in conn.execute(_PIPELINES)
    ]
    wanted = (wanted or "").strip().lower()
    if wanted:  # the settings name one: that one, or the usual way says it is not there
        return next((p for p in pipelines if wanted in (p.name.lower(), str(p.id))), None)
    return next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)


def _base_currency(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT code FROM currencies WHERE is_base IS 1").fetchone()
    if row:
        return str(row[0])
    row = conn.execute("SELECT value FROM settings WHERE key = 'base_currency'").fetchone()
    return str(row[0]) if row and row[0] is not None else "USD"


def quick_board(
    path: Path, clock: Clock, *, pipeline: str | None, page_size: int
) -> QuickBoard | None:
    """The unfiltered board of the pipeline the settings name (else the default), or None.

    None: the file is missing, not at the current schema or cannot be read, or the
    settings name a pipeline it does not have (the usual way says so).
    """
    conn = _connect(path)
    if conn is None:
        return None
    try:
        chosen = _pipeline(conn, pipeline)
        if chosen is None:
            return None
        stages: list[StageRead] = []
        page_rows: dict[int, list[list[Any]]] = {}
        for *columns, page in conn.execute(_STAGES_AND_PAGES, (page_size, chosen.id)):
            stage_id, pipeline_id, code, name, color, semantics, sort, probability, rotting = (
                columns
            )
            stages.append(
                StageRead(
                    id=stage_id,
                    pipeline_id=pipeline_id,
                    code=code,
                    name=name,
                    color=color,
                    semantics=semantics,
                    sort=sort,
                    probability=probability,
                    rotting_days=rotting,
                )
            )
            rows = json.loads(page)
            # SQLite (before 3.44) does not promise an aggregate keeps its subquery's order:
            # most recently moved first, as column_page reads them.
            rows.sort(key=lambda row: (row[7] or "", row[0]), reverse=True)
            page_rows[stage_id] = rows
        rates = {code: from_fixed(rate, 8) for code, rate in conn.execute(_RATES)}
        parts: dict[int, list[tuple[str, int, int, int]]] = {}
        (summary_json,) = conn.execute(stage_totals.SUMMARY_JSON, (chosen.id,)).fetchone()
        for stage_id, currency, count, cents, weighted in json.loads(summary_json):
            parts.setdefault(stage_id, []).append(
                (currency, int(count), int(cents or 0), int(weighted or 0))
            )
        summaries = [column_summary(s, tuple(parts.get(s.id, ())), rates) for s in stages]
        pages = {
            summary.stage.id: page_cards(
                ((*row[:3], from_fixed(row[3]), *row[4:]) for row in page_rows[summary.stage.id]),
                summary.stage,
                clock,
            )
            for summary in summaries
            if summary.count
        }
        base = _base_currency(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return QuickBoard(chosen, base, summaries, pages)
