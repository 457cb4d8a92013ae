"""The search index of the deals an import creates, composed from what the import knows.

On SQLite the search triggers are set aside while the deals and their contact links are
written, and each new deal's text is then written with one ``executemany``: the import
already holds every title, client name and comment, so the index does not read them back
with a join per deal (the rebuild in :func:`dealterm.core.search.deferred_search_index`
did, and that was a third of its time at 100,000 deals). The text is the one the triggers
of migration 0002 compose: title, company, contact names (by contact id, as the trigger's
query reads them) and comments, separated by spaces. PostgreSQL keeps the rebuild of
:mod:`dealterm.core.search`. All of it is inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection

from dealterm.core.search import SEARCH_TRIGGERS, deferred_search_index
from dealterm.core.sql import sqlite_triggers_aside

__all__ = ["deal_body", "imported_search_index"]

# FTS5's default (1 MiB) and what a big load uses.
_DEFAULT_HASHSIZE = 1024 * 1024
_LOAD_HASHSIZE = 64 * 1024 * 1024


def deal_body(
    title: str | None, company: str | None, contacts: Sequence[str], comments: str | None
) -> str:
    """A deal's searchable text, as the search triggers compose it.

    Args:
        contacts: the names of the deal's contacts in the order of their ids.
    """
    return f"{title or ''} {company or ''} {' '.join(contacts)} {comments or ''}"


@contextmanager
def imported_search_index(
    conn: Connection, first_deal: int, bodies: Callable[[], list[tuple[int, str]]]
) -> Iterator[None]:
    """Write the deals and links of an import inside this block; index them on exit.

    Args:
        first_deal: the lowest id of the deals the import creates.
        bodies: called once the deals are written: ``(deal id, text)`` of each new deal.
    """
    if conn.dialect.name != "sqlite":
        with deferred_search_index(conn, first_deal):
            yield
        return
    with sqlite_triggers_aside(conn, SEARCH_TRIGGERS):
        yield
    conn.exec_driver_sql("DELETE FROM deal_fts WHERE rowid >= ?", (first_deal,))
    rows = bodies()
    if rows:
        with _big_pending_terms(conn):
            conn.exec_driver_sql("INSERT INTO deal_fts (rowid, body) VALUES (?, ?)", rows)


@contextmanager
def _big_pending_terms(conn: Connection) -> Iterator[None]:
    """Let FTS5 gather the terms of the whole load in memory before it writes them.

    With its default 1 MiB it writes a small segment and merges segments again and again
    (a third of the index's time at 100,000 deals). The setting is stored with the table,
    so the one it had is put back.
    """
    before = conn.exec_driver_sql(
        "SELECT v FROM deal_fts_config WHERE k = 'hashsize'"
    ).scalar_one_or_none()
    conn.exec_driver_sql(
        "INSERT INTO deal_fts (deal_fts, rank) VALUES ('hashsize', ?)", (_LOAD_HASHSIZE,)
    )
    yield
    if before is None:
        # FTS5 reads a missing setting as its default; no row, as before.
        conn.exec_driver_sql(
            "INSERT INTO deal_fts (deal_fts, rank) VALUES ('hashsize', ?)", (_DEFAULT_HASHSIZE,)
        )
        conn.exec_driver_sql("DELETE FROM deal_fts_config WHERE k = 'hashsize'")
    else:
        conn.exec_driver_sql(
            "INSERT INTO deal_fts (deal_fts, rank) VALUES ('hashsize', ?)", (before,)
        )
