"""Turn driver exceptions into one-line messages a user can act on."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from dealterm.core.db.engine import describe_target
from dealterm.core.errors import DatabaseError

__all__ = ["translate_db_error"]

_SQLITE_MESSAGES = (
    ("file is not a database", "{name} is not a dealterm database (or the file is damaged)"),
    ("database disk image is malformed", "{name} is damaged (database disk image is malformed)"),
    ("database is locked", "{name} is locked by another program; try again in a moment"),
    ("attempt to write a readonly database", "{name} is read-only: changes cannot be saved"),
    ("readonly database", "{name} is read-only: changes cannot be saved"),
    ("unable to open database file", "cannot open {name}: check the path and its permissions"),
    ("disk i/o error", "cannot read or write {name}: disk I/O error"),
    ("database or disk is full", "cannot write {name}: the disk is full"),
)


def translate_db_error(error: BaseException, url: URL | None) -> DatabaseError | None:
    """Return a :class:`DatabaseError` for a database failure, or None if it is something else."""
    if not isinstance(
        error, sa_exc.OperationalError | sa_exc.DatabaseError | sa_exc.InterfaceError
    ):
        return None
    if isinstance(error, sa_exc.IntegrityError):
        return None  # a broken rule, not a broken database: callers report these themselves
    name = describe_target(url) if url is not None else "the database"
    raw = str(getattr(error, "orig", error)).strip()
    lowered = raw.lower()
    for needle, template in _SQLITE_MESSAGES:
        if needle in lowered:
            return DatabaseError(template.format(name=name))
    if "connection refused" in lowered or "could not connect" in lowered:
        return DatabaseError(f"cannot connect to the PostgreSQL server for {name}")
    if "does not exist" in lowered and "database" in lowered:
        return DatabaseError(f"the PostgreSQL database {name} does not exist")
    if "password authentication failed" in lowered:
        return DatabaseError(f"PostgreSQL refused the login for {name}")
    first_line = raw.splitlines()[0] if raw else type(error).__name__
    return DatabaseError(f"database error on {name}: {first_line}")
