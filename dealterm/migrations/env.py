"""Alembic environment: migrations run on the connection dealterm hands over.

dealterm upgrades a database itself when it opens one (``dealterm.core.db.migrate``).
For developers, ``alembic revision --autogenerate`` works from the repository root
with ``alembic.ini`` (the URL comes from ``DEALTERM_DB`` or ``-x db=...``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import dealterm.core.models  # noqa: F401  (registers every table on the metadata)
from dealterm.core.models._base import SQLModel
from dealterm.core.search import in_schema_compare

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things in place
        compare_type=True,
        include_name=in_schema_compare,
    )


def run_migrations_online() -> None:
    """Run on the caller's connection, or on one made from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    import os

    from dealterm.core.db.engine import make_engine, resolve_url

    target = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get(
        "DEALTERM_DB", "dealterm-dev.db"
    )
    engine = make_engine(resolve_url(target))
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("dealterm migrations run online only")
run_migrations_online()
