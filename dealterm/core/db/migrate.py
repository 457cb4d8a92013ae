"""Bring a database to the current schema with Alembic, refusing what is not ours."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from dealterm.core.errors import DatabaseError
from dealterm.migrations import HEAD

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["alembic_config", "head_revision", "upgrade"]


def alembic_config() -> Config:
    """An Alembic config pointing at dealterm's migrations, wherever the package is installed."""
    from alembic.config import Config

    cfg = Config()
    location = resources.files("dealterm") / "migrations"
    cfg.set_main_option("script_location", str(location))
    return cfg


def head_revision(cfg: Config | None = None) -> str:
    """The newest schema revision this version of dealterm knows (from the migration files)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(cfg or alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head


def _check_ours(conn: Connection, name: str, known: set[str]) -> str | None:
    """Return the database's revision, or None for an empty database.

    Raises:
        DatabaseError: the database holds other tables, or a newer dealterm's schema.
    """
    from alembic.runtime.migration import MigrationContext

    tables = set(inspect(conn).get_table_names())
    if "alembic_version" not in tables:
        if tables:
            raise DatabaseError(f"{name} is not a dealterm database (it holds other tables)")
        return None
    current = MigrationContext.configure(conn).get_current_revision()
    if current is not None and current not in known:
        raise DatabaseError(
            f"{name} was created by a newer dealterm (schema {current}); upgrade dealterm"
        )
    return current


def _at_head(engine: Engine) -> bool:
    """True when the database is at :data:`HEAD` (one query, no Alembic import)."""
    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            conn.rollback()
    except SQLAlchemyError:
        return False  # no version table yet, or not ours: the full check explains
    return current == [HEAD]


def upgrade(engine: Engine, name: str) -> bool:
    """Upgrade the database to the newest schema; return True when anything was applied.

    All migrations run in one transaction, so a failed upgrade leaves the data as it was
    (PostgreSQL and SQLite both have transactional DDL).
    """
    if _at_head(engine):
        return False
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    head = script.get_current_head()
    with engine.connect() as conn:
        current = _check_ours(conn, name, known)
        conn.rollback()
    if current == head:
        return False
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
