"""The deal list's read side: the ordered ids of a filter, rows a page at a time, totals.

The list sorts in SQL once and keeps only the ordered ids (8 bytes a deal); the rows
it draws are read a page at a time by id, as plain tuples. Selecting "everything that
matches" is the id list itself, loaded or not.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    column,
    exists,
    func,
    literal,
    select,
    table,
    text,
    type_coerce,
    union_all,
)
from sqlmodel import Session, col

from dealterm.core import sort_keys
from dealterm.core.deal_columns import COLUMNS, CUSTOM_PREFIX, DEFAULT_COLUMNS, ListColumn
from dealterm.core.errors import DealtermError
from dealterm.core.filters import DealFilter
from dealterm.core.models import (
    Company,
    Deal,
    DealType,
    Source,
    Stage,
    User,
)
from dealterm.core.queries.conditions import (
    custom_sort_key,
    deal_conditions,
    deal_probability,
    primary_contact_name,
)
from dealterm.core.search import TRIGRAM, search_terms
from dealterm.core.services import custom_fields, directories
from dealterm.core.sql import escape_like
from dealterm.core.types import from_fixed

__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "ListColumn",
    "ListTotals",
    "list_rows",
    "list_totals",
    "ordered_ids",
]


def _in_base_currency(session: Session) -> Any:
    """The amount converted to the base currency, so 100 EUR sorts above 100 RUB."""
    rates = directories.currency_rates(session)
    cents = type_coerce(Deal.amount, BigInteger)
    if not rates:
        return cents
    return cents * case(
        {code: float(rate) for code, rate in rates.items()}, value=Deal.currency_code, else_=1.0
    )


def _sort_expression(key: str, session: Session) -> Any:
    """The SQL a column sorts by (joins are added by :func:`ordered_ids` when needed)."""
    if key == "amount":
        return _in_base_currency(session)
    if key.startswith(CUSTOM_PREFIX):
        return custom_sort_key(session, key.removeprefix(CUSTOM_PREFIX))
    return {
        "id": col(Deal.id),
        "title": func.lower(Deal.title),
        "stage": col(Stage.sort),
        "amount": col(Deal.amount),
        "currency": col(Deal.currency_code),
        "client": func.lower(func.coalesce(Company.title, primary_contact_name(), "")),
        "responsible": func.lower(User.name),
        "created": col(Deal.created_at),
        "begin": col(Deal.begin_date),
        "close": col(Deal.close_date),
        "type": col(Deal.type_code),
        "source": col(Deal.source_code),
        "probability": deal_probability(),
        "next_activity": col(Deal.next_deadline),
        "repeat": col(Deal.is_repeat),
    }[key]


# Sort keys an index delivers in order (the first page is an index walk, not a sort).
_INDEXED = frozenset({"id", "created", "close"})

# Sort keys no deal leaves empty (NOT NULL columns): no "NULLs last" term for them.
_NEVER_NULL = frozenset(
    {"title", "stage", "amount", "currency", "responsible", "created", "begin", "close", "repeat"}
)


def ordered_ids(
    session: Session,
    flt: DealFilter | None,
    *,
    sort: str = "id",
    descending: bool = True,
    limit: int | None = None,
) -> array[int]:
    """The ids of every deal matching ``flt``, in the list's order.

    Raises:
        ValidationError: the filter is impossible (unknown stage, bad range...).
        KeyError: ``sort`` is not a list column.
    """
    key = sort if sort in COLUMNS or sort.startswith(CUSTOM_PREFIX) else "id"
    if key in sort_keys.COLUMNS and session.get_bind().dialect.name == "sqlite":
        return _by_sort_key(session, flt, key, descending=descending, limit=limit)
    try:
        order = _sort_expression(key, session)
    except DealtermError:  # a custom field deleted since the sort was chosen
        key = "id"
        order = _sort_expression(key, session)
    # Join only what the sort reads: the filter's conditions are subqueries of their own, and
    # a needless join turns the default id order (an index walk) into a full scan and sort.
    query = select(col(Deal.id))
    if key in ("stage", "probability"):
        query = query.join(Stage, col(Stage.id) == col(Deal.stage_id))
    elif key == "responsible":
        query = query.join(User, col(User.id) == col(Deal.responsible_id))
    elif key == "client":
        query = query.outerjoin(Company, col(Company.id) == col(Deal.company_id))
    walkable = limit is not None and key in (*_INDEXED, "amount")
    rare = walkable and _rare_words(session, flt)
    if key == "amount" and limit is not None and not _narrowed(session, flt) and not rare:
        return _top_by_amount(session, flt, descending=descending, limit=limit)
    walk = key in _INDEXED and not rare
    query = query.where(
        *deal_conditions(
            session, flt or DealFilter(), scan=not walk, probe=walk and limit is not None
        )
    )
    # NULLs last either way (only nullable keys need the term); the id breaks ties so the
    # order is stable.
    direction = order.desc() if descending else order.asc()
    tie = col(Deal.id).desc() if descending else col(Deal.id).asc()
    if key == "id":
        query = query.order_by(tie)
    elif key in _NEVER_NULL:
        query = query.order_by(direction, tie)
    else:
        query = query.order_by(order.is_(None), direction, tie)
    if limit is not None:
        query = query.limit(limit)
    result = session.execute(query)
    return array("q", (row[0] for row in result))


_SORT_KEYS = table(
    sort_keys.TABLE,
    column("deal_id"),
    *(column(name) for name in sort_keys.COLUMNS.values()),
)


# Entries of a sort key's index the first page walks before it reads the matching deals
# as a set instead (see :func:`_by_sort_key`).
WALK_WINDOW = 2000


def _by_sort_key(
    session: Session, flt: DealFilter | None, key: str, *, descending: bool, limit: int | None
) -> array[int]:
    """:func:`ordered_ids` by title, client or responsible on SQLite, from the key's index in
    ``deal_sort_keys`` (:mod:`dealterm.core.sort_keys`), the deal id breaking ties as the
    expressions' order does.

    The first page walks the index and checks each deal: without a filter, or with a
    word most deals hold, the page is full within a few hundred. A filter or word that few
    deals match would make the walk check every deal one by one (0.2-0.5 s at 100,000
    deals), so past :data:`WALK_WINDOW` entries the matching deals are read once as a set
    and sorted by their keys (10-50 ms).
    """
    value = _SORT_KEYS.c[sort_keys.COLUMNS[key]]
    deal_id = _SORT_KEYS.c.deal_id
    flt = flt or DealFilter()

    def order(keys: Any) -> tuple[Any, Any]:
        ids, by = keys.c.deal_id, keys.c[value.name]
        return (by.desc(), ids.desc()) if descending else (by, ids)

    def ordered(keys: Any, where: Any) -> Any:
        query = select(keys.c.deal_id).select_from(keys).where(where).order_by(*order(keys))
        return query if limit is None else query.limit(limit)

    if limit is not None and not _rare_words(session, flt):
        walk = select(deal_id, value).order_by(*order(_SORT_KEYS)).limit(WALK_WINDOW).subquery()
        conditions = deal_conditions(session, flt, scan=True, probe=True)
        checked = exists(select(literal(1)).where(col(Deal.id) == walk.c.deal_id, *conditions))
        found = array("q", session.scalars(ordered(walk, checked)))
        if len(found) == limit:
            return found
    matching = select(col(Deal.id)).where(*deal_conditions(session, flt, scan=True))
    return array("q", session.scalars(ordered(_SORT_KEYS, deal_id.in_(matching))))


# Deals a one- or two-letter search word is tried on, to tell a word a walk in the list's
# order finds a page of quickly from a rare one, whose deals are better read at once.
DENSITY_SAMPLE = 2000
DENSE = 0.02  # matches per deal from which a walk is worth it (a page within ~10,000)


def _rare_words(session: Session, flt: DealFilter | None) -> bool:
    """Whether the search has a one- or two-letter word that few deals hold (SQLite).

    No index finds such a word: a walk of the list's order checks deal after deal until it
    has a page (a few hundred for a common word, every deal for a rare one: 0.15-0.5 s at
    100,000 deals). The first :data:`DENSITY_SAMPLE` deals' texts tell which (~2 ms).
    """
    terms = [t for t in search_terms(flt.search or "") if len(t) < TRIGRAM] if flt else []
    if not terms or session.get_bind().dialect.name != "sqlite":
        return False
    likes = " AND ".join(f"body LIKE :w{i} ESCAPE '\\'" for i in range(len(terms)))
    hits, seen = session.execute(
        text(
            f"SELECT coalesce(sum({likes}), 0), count(*) "
            f"FROM (SELECT body FROM deal_fts LIMIT {DENSITY_SAMPLE})"
        ),
        {f"w{i}": f"%{escape_like(term)}%" for i, term in enumerate(terms)},
    ).one()
    return bool(seen) and hits < DENSE * seen


def _narrowed(session: Session, flt: DealFilter | None) -> bool:
    """The search picks few deals, faster read and sorted than found by walking an index.

    On SQLite, a word of three letters or more (the trigram index finds its few matches;
    a walk would test most deals against them, once per currency); one- and two-letter
    words match most deals and are tested deal by deal on the walk. On PostgreSQL, any
    search (each walk would read the search table again).
    """
    terms = search_terms(flt.search or "") if flt is not None else []
    if session.get_bind().dialect.name != "sqlite":
        return bool(terms)
    return any(len(term) >= TRIGRAM for term in terms)


def _top_by_amount(
    session: Session, flt: DealFilter | None, *, descending: bool, limit: int
) -> array[int]:
    """The first ``limit`` ids in the amount order, from one index walk per currency.

    The amount order compares amounts in the base currency (cents × the rate as a float),
    which no index delivers. Within one currency it is the order of the amount itself,
    which ``ix_deals_totals`` (templates, currency, amount, then the id) does deliver: the
    first ``limit`` deals of each currency are read by walking it, and the list's first
    ``limit`` are among them. The outer sort uses the very expression of the full order's
    ``ORDER BY``, so both agree, ties (broken by the id) included.

    Every deal's currency is in ``currencies`` (a foreign key); amounts stay below 2⁵²
    cents, where a rate cannot make two amounts of a currency equal as floats.
    """
    rates = directories.currency_rates(session)
    conditions = deal_conditions(session, flt or DealFilter(), probe=True)
    cents = type_coerce(Deal.amount, BigInteger)
    branches = []
    for code, rate in rates.items():
        amount = col(Deal.amount).desc() if descending else col(Deal.amount).asc()
        tie = col(Deal.id).desc() if descending else col(Deal.id).asc()
        walk = (
            select(col(Deal.id).label("id"), (cents * literal(float(rate))).label("base"))
            .where(*conditions, col(Deal.currency_code) == code)
            .order_by(amount, tie)
            .limit(limit)
            .subquery()
        )
        branches.append(select(walk.c.id, walk.c.base))
    if not branches:
        return array("q")
    merged = union_all(*branches).subquery()
    order = (
        (merged.c.base.desc(), merged.c.id.desc())
        if descending
        else (merged.c.base.asc(), merged.c.id.asc())
    )
    result = session.execute(select(merged.c.id).order_by(*order).limit(limit))
    return array("q", (row[0] for row in result))


@dataclass(frozen=True)
class ListTotals:
    """The footer: how many deals match and their sum in the base currency."""

    count: int
    total: Decimal


def list_totals(session: Session, flt: DealFilter | None) -> ListTotals:
    """Count and base-currency sum of the deals matching ``flt`` (one aggregate query)."""
    rates = directories.currency_rates(session)
    rows = session.execute(
        select(  # type: ignore[call-overload]
            Deal.currency_code, func.count(), func.sum(type_coerce(Deal.amount, BigInteger))
        )
        .where(*deal_conditions(session, flt or DealFilter()))
        .group_by(Deal.currency_code)
    ).all()
    count = sum(int(row[1]) for row in rows)
    total = sum((from_fixed(row[2]) * rates.get(row[0], Decimal(1)) for row in rows), Decimal(0))
    return ListTotals(count, total.quantize(Decimal("0.01")))


def list_rows(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Every list column's value for the given deals, keyed by id (plain values, no ORM rows)."""
    if not ids:
        return {}
    wanted: ColumnElement[bool] = and_(col(Deal.id).in_(list(ids)))
    rows = session.execute(
        select(  # type: ignore[call-overload]
            Deal.id,
            Deal.title,
            Stage.name,
            Stage.color,
            Stage.semantics,
            Deal.amount,
            Deal.currency_code,
            Company.title,
            primary_contact_name(),
            User.name,
            Deal.created_at,
            Deal.begin_date,
            Deal.close_date,
            DealType.name,
            Source.name,
            deal_probability(),
            Deal.next_deadline,
            Deal.is_repeat,
            Deal.custom_fields,
            Deal.version,
            Deal.closed,
        )
        .join(Stage, col(Stage.id) == col(Deal.stage_id))
        .join(User, col(User.id) == col(Deal.responsible_id))
        .outerjoin(Company, col(Company.id) == col(Deal.company_id))
        .outerjoin(DealType, col(DealType.code) == col(Deal.type_code))
        .outerjoin(Source, col(Source.code) == col(Deal.source_code))
        .where(wanted)
    ).all()
    custom_texts = custom_fields.display_page(session, {row[0]: row[18] for row in rows})
    result: dict[int, dict[str, Any]] = {}
    for row in rows:
        (
            deal_id,
            title,
            stage,
            color,
            semantics,
            amount,
            currency,
            company,
            person,
            responsible,
            created,
            begin,
            close,
            type_name,
            source_name,
            probability,
            due,
            repeat,
            _custom,
            version,
            closed,
        ) = row
        result[deal_id] = {
            "id": deal_id,
            "title": title,
            "stage": stage,
            "stage_color": color,
            "semantics": semantics,
            "amount": amount,
            "currency": currency,
            "client": company or person or "",
            "responsible": responsible,
            "created": created,
            "begin": begin,
            "close": close,
            "type": type_name or "",
            "source": source_name or "",
            "probability": probability,
            "next_activity": due,
            "repeat": repeat,
            "version": version,
            "closed": closed,
        }
        for code, shown in custom_texts.get(deal_id, {}).items():
            result[deal_id][CUSTOM_PREFIX + code] = shown
    return result
