"""Moving a test database to an older (or newer) schema revision with Alembic."""

from __future__ import annotations

from collections.abc import Iterable

from alembic import command
from sqlalchemy import text

from dealterm.core.db import Database
from dealterm.core.db.migrate import alembic_config


def migrate(db: Database, revision: str) -> None:
    """Down- or upgrade ``db`` to ``revision`` ("head" for the newest), in one transaction."""
    cfg = alembic_config()
    with db.engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        cfg.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(cfg, revision)
        else:
            command.downgrade(cfg, revision)


def row_counts(db: Database, tables: Iterable[str]) -> dict[str, int]:
    """How many rows each of ``tables`` holds (a migration must keep every one)."""
    with db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
