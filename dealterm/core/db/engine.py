"""Engines for SQLite files and PostgreSQL servers, with the pragmas and file rights we need."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dealterm.core.errors import DatabaseError

__all__ = ["BUSY_TIMEOUT_MS", "describe_target", "make_engine", "resolve_url", "sqlite_file"]

BUSY_TIMEOUT_MS = 5000


def resolve_url(target: str | os.PathLike[str]) -> URL:
    """Turn what a user typed for ``--db`` into a SQLAlchemy URL.

    A value with ``://`` is a SQLAlchemy URL (``postgresql+psycopg://...``, ``sqlite:///...``);
    anything else is a path to an SQLite file. ``postgresql://`` means psycopg 3.

    Raises:
        DatabaseError: the URL cannot be parsed or names a database we do not support.
    """
    text = os.fspath(target).strip()
    if not text:
        raise DatabaseError("no database given: pass --db PATH or set DEALTERM_DB")
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        return URL.create("sqlite+pysqlite", database=str(path))
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise DatabaseError(f"cannot read the database URL {text!r}: {exc}") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+pysqlite")
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(f"unsupported database {backend!r}: use an SQLite file or PostgreSQL")
    file = sqlite_file(url)
    if file is not None:
        url = url.set(database=str(Path(file).expanduser().resolve()))
    return url


def sqlite_file(url: URL) -> str | None:
    """The file path of an SQLite URL; None for another backend, ``:memory:`` or an SQLite
    ``file:...?mode=ro&uri=true`` URL (whose path is SQLite's to read)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if str(url.query.get("uri", "")).lower() == "true":
        return None
    return url.database


def describe_target(url: URL) -> str:
    """A short human name for a database: the file name or ``host/dbname``."""
    if url.get_backend_name() == "sqlite":
        return Path((url.database or ":memory:").split("?")[0]).name
    return f"{url.host or 'localhost'}/{url.database}"


def _prepare_sqlite_file(path: Path) -> None:
    """Create a missing database file readable by its owner only (0600), and its folder."""
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"{path} is a directory, not a database file")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise DatabaseError(f"cannot create the database {path}: {exc.strerror}") from None
    os.close(fd)


def _py_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _py_upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _install_sqlite_hooks(engine: Engine, autocheckpoint: int | None = None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control from pysqlite so that writers can BEGIN IMMEDIATE
        # (see the "begin" hook) instead of failing on a lock upgrade mid-transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = cur.execute("PRAGMA journal_mode").fetchone()
            if mode and str(mode[0]).lower() != "wal":
                # A read-only file keeps its mode; reads still work.
                with contextlib.suppress(sqlite3.OperationalError):
                    cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            if autocheckpoint is not None:
                cur.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
            cur.execute("PRAGMA foreign_keys = ON")
            # 4 MiB of page cache per connection (the pool keeps a few): at 64 MiB the cache
            # alone held ~190 MB of a 300 MB TUI at 100k deals. The views' queries are
            # index-driven; the smaller cache costs the list's first full-order read ~15%
            # (docs/benchmarks.md) and keeps the TUI under 150 MB.
            cur.execute("PRAGMA cache_size = -4096")
            cur.execute("PRAGMA temp_store = MEMORY")
        finally:
            cur.close()
        # SQLite's own lower()/upper() know only ASCII; names here are often Cyrillic.
        dbapi_conn.create_function("lower", 1, _py_lower, deterministic=True)
        dbapi_conn.create_function("upper", 1, _py_upper, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("sqlite_bulk"):
            # Bulk loads check foreign keys once at the end (PRAGMA foreign_key_check)
            # instead of on every row; the pragma only takes effect outside a transaction.
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        if dbapi_conn is not None:
            with contextlib.suppress(sqlite3.Error):
                dbapi_conn.execute("PRAGMA foreign_keys = ON")


def make_engine(url: URL, *, create: bool = True, autocheckpoint: int | None = None) -> Engine:
    """Create an engine for ``url``.

    SQLite gets WAL, synchronous=NORMAL, foreign keys and a busy timeout on every
    connection; a new file is created with mode 0600.

    Args:
        url: from :func:`resolve_url`.
        create: create a missing SQLite file (otherwise a missing file is an error).
        autocheckpoint: SQLite: the log size (pages) at which a commit checkpoints; None
            for SQLite's default (1,000).
    """
    backend = url.get_backend_name()
    if backend == "sqlite":
        file = sqlite_file(url)
        if file is not None:
            path = Path(file)
            if create:
                _prepare_sqlite_file(path)
            elif not path.exists():
                raise DatabaseError(f"no database at {path}")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
        _install_sqlite_hooks(engine, autocheckpoint)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    except ModuleNotFoundError:
        raise DatabaseError(
            "PostgreSQL support is not installed: pip install 'dealterm[postgres]'"
        ) from None
