"""Database access: engines, migrations, and the :class:`Database` handle."""

from __future__ import annotations

from dealterm.core.db.database import Database, current_login
from dealterm.core.db.engine import describe_target, make_engine, resolve_url
from dealterm.core.db.migrate import head_revision, upgrade

__all__ = [
    "Database",
    "current_login",
    "describe_target",
    "head_revision",
    "make_engine",
    "resolve_url",
    "upgrade",
]
