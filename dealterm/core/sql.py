"""Small SQL helpers shared by services and queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Executable
    from sqlmodel import Session

__all__ = [
    "LIKE_ESCAPE",
    "contains_pattern",
    "escape_like",
    "plain_rows",
    "sqlite_triggers_aside",
]

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(text: str) -> str:
    """A lower-cased ``LIKE`` pattern matching values that contain ``text``."""
    return f"%{escape_like(text.strip().lower())}%"


def plain_rows(session: Session, statement: Executable) -> list[tuple[Any, ...]]:
    """A SELECT's rows as the driver returns them: plain tuples, no result processing.

    Parameters are bound as usual (each type's bind processor), but the rows skip
    SQLAlchemy's per-row machinery, 2-3 µs a row: 65 of the 95 ms the activities board
    took to read its 25,000 open deals at 100k. For views reading many rows of ints and
    text; values come as the driver gives them (SQLite: 0/1 for booleans, text for
    timestamps), so select columns whose raw form is what the caller wants.
    """
    result = session.connection().execute(statement)
    cursor = getattr(result, "cursor", None)
    if cursor is None:  # not a cursor result: go the usual way
        return [tuple(row) for row in result]
    try:
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        result.close()
    return rows


@contextmanager
def sqlite_triggers_aside(conn: Connection, pattern: str) -> Iterator[None]:
    """Drop the SQLite triggers whose names match ``pattern`` (LIKE); create them again on exit.

    For bulk loads that do at the end, once, what the triggers would do per row. Inside the
    caller's transaction: if the load fails, rolling back brings the triggers back too.
    """
    triggers = list(
        conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
            (pattern,),
        )
    )
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)
