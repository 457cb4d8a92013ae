"""Full-text search over deals: title, company, contact names and comments.

The database keeps the search index in sync itself, with triggers created by migration
0002: on SQLite an FTS5 table with the trigram tokenizer (substring search that uses the
index for three characters or more), on PostgreSQL a ``deal_search`` table with a trigram
GIN index when the pg_trgm extension is available. This module turns what a user typed
into a condition on ``deals.id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    literal_column,
    select,
    table,
    text,
)
from sqlmodel import Session, col

from dealterm.core import sort_keys, stage_totals
from dealterm.core.models import Deal
from dealterm.core.sql import LIKE_ESCAPE, escape_like, sqlite_triggers_aside

__all__ = [
    "SEARCH_TABLES",
    "SEARCH_TRIGGERS",
    "deferred_search_index",
    "in_schema_compare",
    "search_condition",
    "search_terms",
]

# Tables the migrations create outside the models (ignored when comparing the schema).
SEARCH_TABLES = frozenset(
    {
        "deal_fts",
        "deal_fts_data",
        "deal_fts_idx",
        "deal_fts_content",
        "deal_fts_docsize",
        "deal_fts_config",
        "deal_search",
    }
)
TRIGRAM = 3
SEARCH_TRIGGERS = "deal_fts_%"  # the SQLite search triggers' names (LIKE)


def in_schema_compare(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic ``include_name`` hook: the search index, the stage totals and the sort keys
    are raw DDL."""
    return not (
        type_ == "table"
        and (name in SEARCH_TABLES or name in (stage_totals.TABLE, sort_keys.TABLE))
    )


def search_terms(text_: str) -> list[str]:
    """The words of a search, lower-cased; every one must appear in the deal."""
    return [word for word in text_.lower().split() if word]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search_condition(
    session: Session, text_: str, *, probe: bool = False
) -> ColumnElement[bool] | None:
    """A condition on deals matching every word of ``text_`` (None: nothing to look for).

    ``probe``: the caller walks deals in an index's order and stops after a page, so
    one- and two-letter words (which no index helps with) are checked deal by deal.
    Otherwise every deal's text is read once into a set of matches, which is four times
    faster when most deals are read anyway (a count, a sort, the full order).
    """
    terms = search_terms(text_)
    if not terms:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        fts = table("deal_fts", literal_column("rowid"), literal_column("body"))
        long_terms = [t for t in terms if len(t) >= TRIGRAM]
        short_terms = [t for t in terms if len(t) < TRIGRAM]
        conditions: list[ColumnElement[bool]] = []
        if long_terms:
            # The trigram index finds the few deals holding every long word.
            match = " AND ".join(_fts_phrase(t) for t in long_terms)
            ids: Select[Any] = (
                select(literal_column("deal_fts.rowid"))
                .select_from(fts)
                .where(text("deal_fts MATCH :search_match").bindparams(search_match=match))
            )
            conditions.append(col(Deal.id).in_(ids))
        for index, term in enumerate(short_terms):
            # One or two letters match most deals and the trigram index cannot help.
            name = f"search_like_{index}"
            like = text(f"deal_fts.body LIKE :{name} ESCAPE '\\'").bindparams(
                **{name: f"%{escape_like(term)}%"}
            )
            rowid: ColumnElement[int] = literal_column("deal_fts.rowid")
            if probe:
                conditions.append(
                    exists(
                        select(literal_column("1")).select_from(fts).where(rowid == Deal.id, like)
                    )
                )
            else:
                conditions.append(col(Deal.id).in_(select(rowid).select_from(fts).where(like)))
        return and_(*conditions)
    search = table("deal_search", literal_column("deal_id"), literal_column("body"))
    likes = [
        literal_column("deal_search.body").ilike(f"%{escape_like(term)}%", escape=LIKE_ESCAPE)
        for term in terms
    ]
    found: Select[Any] = (
        select(literal_column("deal_search.deal_id")).select_from(search).where(and_(*likes))
    )
    return col(Deal.id).in_(found)


# The text of each deal from ``first`` on, as the triggers of migration 0002 compose it.
_BODY_SELECT = """
SELECT d.id, coalesce(d.title, '') || ' ' || coalesce(c.title, '') || ' ' ||
       coalesce((SELECT {agg} FROM deal_contacts dc JOIN contacts ct ON ct.id = dc.contact_id
                 WHERE dc.deal_id = d.id), '') || ' ' || coalesce(d.comments, '')
FROM deals d LEFT JOIN companies c ON c.id = d.company_id
WHERE d.id >= :first
"""


@contextmanager
def deferred_search_index(conn: Connection, first_deal: int) -> Iterator[None]:
    """Index deals loaded in bulk once, at the end, instead of a trigger per row.

    The search triggers are switched off for the load and back on after it, and deals
    from ``first_deal`` on are indexed with one statement (seven times faster for
    100,000 deals). All of it is inside the caller's transaction.
    """
    if conn.dialect.name == "sqlite":
        with sqlite_triggers_aside(conn, SEARCH_TRIGGERS):
            yield
        conn.execute(text("DELETE FROM deal_fts WHERE rowid >= :first"), {"first": first_deal})
        conn.execute(
            text(
                "INSERT INTO deal_fts (rowid, body) "
                + _BODY_SELECT.format(agg="group_concat(ct.name, ' ')")
            ),
            {"first": first_deal},
        )
        return
    tables = ("deals", "deal_contacts")
    for name in tables:
        conn.exec_driver_sql(f"ALTER TABLE {name} DISABLE TRIGGER USER")
    yield
    for name in tables:
        conn.exec_driver_sql(f"ALTER TABLE {name} ENABLE TRIGGER USER")
    conn.execute(text("DELETE FROM deal_search WHERE deal_id >= :first"), {"first": first_deal})
    conn.execute(
        text(
            "INSERT INTO deal_search (deal_id, body) "
            + _BODY_SELECT.format(agg="string_agg(ct.name, ' ')")
        ),
        {"first": first_deal},
    )
