"""The SQLModel base every table uses, with constraint names Alembic can rely on.

SQLite cannot alter constraints in place; Alembic's batch mode rebuilds tables and
needs every constraint to have a stable name, so a naming convention is set before
any table is declared. Import ``SQLModel`` from here, not from ``sqlmodel``.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

__all__ = ["AUTOINCREMENT", "Field", "SQLModel"]

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite reuses the id of the newest deleted row unless a table is AUTOINCREMENT; ids of
# deals, activities and clients must never come back (exports and imports refer to them).
AUTOINCREMENT = {"sqlite_autoincrement": True}
