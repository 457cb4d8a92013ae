"""Writing a plan in the caller's transaction: batched Core inserts, a few set-based updates.

Ids are reserved up front (the next free ids on SQLite, which holds the write lock;
``nextval`` on PostgreSQL), so rows that refer to each other are written with plain
``executemany`` and no round trip per row. Secondary indexes are set aside for big loads
and rebuilt once, as the demo generator does. The search text of new deals is written once
per deal from what the import holds (on SQLite whatever the size of the import, on
PostgreSQL for big loads), not by the search triggers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, text, update
from sqlmodel import Session

from dealterm.core.bulk import (
    bulk_insert,
    bulk_insert_columns,
    insert_rows,
    loading,
)
from dealterm.core.context import ctx
from dealterm.core.importing.clients import NewClient
from dealterm.core.importing.fast_search import imported_search_index
from dealterm.core.importing.new_rows import (
    PRODUCT_CONSTANTS,
    add_products,
    deal_columns,
    link_columns,
    product_columns,
    search_bodies,
)
from dealterm.core.importing.plan import DealPlan, Plan
from dealterm.core.models import (
    Communication,
    Company,
    Contact,
    Deal,
    DealContact,
    DealProduct,
    EventKind,
    HistoryEvent,
    User,
)
from dealterm.core.types import UTCDateTime

__all__ = ["SEARCH_DEFERRAL_DEALS", "write_plan"]

# On PostgreSQL, setting the search triggers aside locks the deal tables (ALTER TABLE) until
# the commit, which only a big load is worth. On SQLite every import writes its deals' text
# at once: the triggers wrote a deal's text for the deal and again for each contact link,
# and each rewrite of an earlier deal made FTS5 write and merge a segment (0.3-0.7 ms a deal
# in a 100,000-deal database, 0.6 of the 2 s a 1,000-row import took).
SEARCH_DEFERRAL_DEALS = 2000
_CHUNK = 500


def _reserve(conn: Connection, model: Any, count: int) -> list[int]:
    """``count`` ids nobody has used for ``model``'s table (nor will: deleted ids stay used)."""
    if count <= 0:
        return []
    table = model.__table__
    if conn.dialect.name == "postgresql":
        ids = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count},
        ).scalars()
        return sorted(int(i) for i in ids)
    top = conn.execute(select(func.max(table.c.id))).scalar() or 0
    used = conn.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table.name,)
    ).scalar()
    start = max(int(top), int(used or 0)) + 1
    return list(range(start, start + count))


def _real(ref: int | None, ids: Sequence[int]) -> int | None:
    """A client or user ref: positive ids are real, -1 is the first new one, and so on."""
    if ref is None or ref > 0:
        return ref
    return ids[-ref - 1]


def _login(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.-]+", ".", name.casefold()).strip(".")[:90] or "user"
    login, number = base, 1
    while login in taken:
        number += 1
        login = f"{base}-{number}"
    taken.add(login)
    return login


def _insert_columns(
    conn: Connection,
    model: Any,
    columns: Mapping[str, Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    with loading(conn, model, len(next(iter(columns.values()), ()))):
        bulk_insert_columns(conn, model, columns, constants)


def _channels(clients: Iterable[NewClient], ids: Sequence[int], owner: str) -> list[dict[str, Any]]:
    rows = []
    for client in clients:
        real = _real(client.ref, ids)
        for kind, values in (("email", client.emails), ("phone", client.phones)):
            for value, norm in values:
                rows.append(
                    {
                        "contact_id": real if owner == "contact" else None,
                        "company_id": real if owner == "company" else None,
                        "kind": kind,
                        "value": value,
                        "value_norm": norm,
                    }
                )
    return rows


def _contact_rows(deal_id: int, refs: Sequence[int], ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = []
    for position, ref in enumerate(refs):
        contact = ref if ref > 0 else ids[-ref - 1]
        rows.append(
            {
                "deal_id": deal_id,
                "contact_id": contact,
                "sort": position * 10,
                "is_primary": not position,
            }
        )
    return rows


def _with_ids(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    for row, new_id in zip(rows, _reserve(conn, model, len(rows)), strict=True):
        row["id"] = new_id


def write_plan(
    session: Session,
    plan: Plan,
    *,
    origin: str,
    source: str,
    taken_logins: set[str],
    progress: Callable[[float], None] | None = None,
) -> None:
    """Write ``plan`` in the session's transaction (nothing is committed here).

    Args:
        origin: what the deals record as their origin.
        source: "deals.csv (Bitrix24)": how history events name the import.
        taken_logins: logins already in use (new users get others).
        progress: called with the share of the work done (0..1).
    """
    context = ctx(session)
    # naive UTC: what the column stores, and what bulk inserts convert fastest
    now = context.clock.utcnow().astimezone(UTC).replace(tzinfo=None)
    actor = context.user_id or None
    conn = session.connection()

    def step(share: float) -> None:
        if progress is not None:
            progress(share)

    user_rows: list[dict[str, Any]] = [
        {
            "login": _login(user.name, taken_logins),
            "name": user.name,
            "email": None,
            "active": True,
            "created_at": now,
        }
        for user in plan.users
    ]
    _with_ids(conn, User, user_rows)
    user_ids = [row["id"] for row in user_rows]
    bulk_insert(conn, User, user_rows)

    company_rows: list[dict[str, Any]] = [
        {"title": c.name, "address": None, "comments": None, "created_at": now}
        for c in plan.companies
    ]
    _with_ids(conn, Company, company_rows)
    company_ids = [row["id"] for row in company_rows]
    insert_rows(conn, Company, company_rows)
    contact_rows: list[dict[str, Any]] = [
        {
            "name": c.name,
            "post": None,
            "company_id": _real(c.company, company_ids),
            "birthday": None,
            "comments": None,
            "created_at": now,
        }
        for c in plan.contacts
    ]
    _with_ids(conn, Contact, contact_rows)
    contact_ids = [row["id"] for row in contact_rows]
    insert_rows(conn, Contact, contact_rows)
    channel_rows = _channels(plan.companies, company_ids, "company") + _channels(
        plan.contacts, contact_ids, "contact"
    )
    _with_ids(conn, Communication, channel_rows)
    insert_rows(conn, Communication, channel_rows)
    step(0.15)

    def link(kind: str, ref: Any) -> Any:
        if not isinstance(ref, int):
            return ref
        return str(_real(ref, company_ids if kind == "company" else contact_ids))

    def resolve_custom(custom: Any) -> Any:
        """Custom values with the new clients that link fields name given their ids."""
        if not plan.link_fields or not custom:
            return custom
        custom = dict(custom)
        for code, kind in plan.link_fields.items():
            value = custom.get(code)
            if isinstance(value, list):
                custom[code] = [link(kind, item) for item in value]
            elif value is not None:
                custom[code] = link(kind, value)
        return custom

    def resolve(values: dict[str, Any]) -> dict[str, Any]:
        if "company_id" in values:
            values["company_id"] = _real(values["company_id"], company_ids)
        if "responsible_id" in values:
            values["responsible_id"] = _real(values["responsible_id"], user_ids)
        if "custom_fields" in values:
            values["custom_fields"] = resolve_custom(values["custom_fields"])
        return values

    history: list[dict[str, Any]] = []

    def event(deal_id: int, note: str) -> None:
        history.append(
            {
                "deal_id": deal_id,
                "at": now,
                "author_id": actor,
                "kind": EventKind.IMPORTED.value,
                "field": None,
                "old_value": None,
                "new_value": None,
                "text": note,
            }
        )

    updates = [deal for deal in plan.deals if deal.existing is not None]
    _write_updates(conn, updates, resolve, contact_ids, now, actor, event, source)
    step(0.3)

    created = [deal for deal in plan.deals if deal.existing is None]
    columns = deal_columns(created, company_ids, user_ids, resolve_custom)
    deal_ids = _reserve(conn, Deal, len(created))
    columns["id"] = deal_ids
    links = link_columns(created, deal_ids, contact_ids)
    lines = product_columns(created, deal_ids)
    if created:
        first = min(deal_ids)
        big = len(created) >= SEARCH_DEFERRAL_DEALS
        own_text = big or conn.dialect.name == "sqlite"

        def bodies() -> list[tuple[int, str]]:
            return search_bodies(plan, created, columns, company_ids, contact_ids)

        constants = {
            "created_by_id": actor,
            "created_at": now,
            "updated_by_id": actor,
            "updated_at": now,
            "moved_by_id": actor,
            "moved_at": now,
            "version": 1,
            "is_recurring": False,
            "origin": origin,
        }
        with imported_search_index(conn, first, bodies) if own_text else nullcontext():
            _insert_columns(conn, Deal, columns, constants)
            step(0.55)
            _insert_columns(conn, DealContact, links)
            if big and conn.dialect.name == "postgresql":
                # Fresh statistics, or the index rebuild joins tables PostgreSQL believes
                # empty with a nested loop: minutes instead of a second at 100k deals.
                conn.exec_driver_sql("ANALYZE deals, deal_contacts, contacts, companies")
    step(0.65)
    for deal in updates:
        if deal.products is not None:
            assert deal.existing is not None
            add_products(lines, deal.existing.id, deal.products)
    lines["id"] = _reserve(conn, DealProduct, len(lines["deal_id"]))
    _insert_columns(conn, DealProduct, lines, PRODUCT_CONSTANTS)
    step(0.8)
    _with_ids(conn, HistoryEvent, history)
    insert_rows(conn, HistoryEvent, history)
    if deal_ids:
        _created_events(conn, deal_ids, origin=origin, source=source, at=now, author=actor)
    step(1.0)
    session.expire_all()


def _created_events(
    conn: Connection,
    ids: Sequence[int],
    *,
    origin: str,
    source: str,
    at: Any,
    author: int | None,
) -> None:
    """One "imported" event per new deal, naming the file, the preset and the source's ID.

    Written by one INSERT ... SELECT: a hundred thousand events cost less than a second.
    """
    statement = text(
        "INSERT INTO history (deal_id, at, author_id, kind, field, old_value, new_value, text) "
        "SELECT id, :at, :author, :kind, NULL, NULL, NULL, "
        "CAST(:prefix AS TEXT) || CASE WHEN origin_id LIKE '~%' THEN '' "
        "ELSE ', ID ' || origin_id END "
        "FROM deals WHERE id BETWEEN :first AND :last AND origin = :origin AND created_at = :at "
        "ORDER BY id"
    ).bindparams(bindparam("at", type_=UTCDateTime()))
    conn.execute(
        statement,
        {
            "at": at,
            "author": author,
            "kind": EventKind.IMPORTED.value,
            "prefix": f"Imported from {source}",
            "first": min(ids),
            "last": max(ids),
            "origin": origin,
        },
    )


def _write_updates(
    conn: Connection,
    updates: Sequence[DealPlan],
    resolve: Callable[[dict[str, Any]], dict[str, Any]],
    contact_ids: Sequence[int],
    now: Any,
    actor: int | None,
    event: Callable[[int, str], None],
    source: str,
) -> None:
    """Deals a re-import changes: one executemany per set of changed columns."""
    table = Deal.__table__  # type: ignore[attr-defined]
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    relinked: list[int] = []
    links: list[dict[str, Any]] = []
    reproduced: list[int] = []
    for deal in updates:
        existing = deal.existing
        assert existing is not None
        values = resolve(dict(deal.values))
        if values or deal.contacts is not None or deal.products is not None:
            values.update(
                version=existing.values["version"] + 1, updated_at=now, updated_by_id=actor
            )
            if "stage_id" in values:
                values.update(moved_at=now, moved_by_id=actor)
            names = tuple(sorted(values))
            by_columns.setdefault(names, []).append(
                {"b_id": existing.id} | {f"b_{name}": value for name, value in values.items()}
            )
        if deal.contacts is not None:
            relinked.append(existing.id)
            links += _contact_rows(existing.id, deal.contacts, contact_ids)
        if deal.products is not None:
            reproduced.append(existing.id)
        what = ", ".join(deal.changes) if deal.changes else "nothing changed"
        event(existing.id, f"Updated from {source}, row {deal.line}: {what}")
    for names, params in by_columns.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                {table.c[name]: bindparam(f"b_{name}", type_=table.c[name].type) for name in names}
            )
        )
        conn.execute(statement, params)
    contacts_table = DealContact.__table__  # type: ignore[attr-defined]
    products_table = DealProduct.__table__  # type: ignore[attr-defined]
    for start in range(0, len(relinked), _CHUNK):
        conn.execute(
            delete(contacts_table).where(
                contacts_table.c.deal_id.in_(relinked[start : start + _CHUNK])
            )
        )
    bulk_insert(conn, DealContact, links)
    for start in range(0, len(reproduced), _CHUNK):
        conn.execute(
            delete(products_table).where(
                products_table.c.deal_id.in_(reproduced[start : start + _CHUNK])
            )
        )
