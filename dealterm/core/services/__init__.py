"""Services: every change to the CRM goes through these functions.

Each takes an open session (from :meth:`dealterm.core.db.Database.session`), writes
history for what it changes, and returns read models. They never commit: the
session's ``with`` block is the transaction.
"""

from __future__ import annotations

from dealterm.core.services import (
    activities,
    clients,
    deals,
    directories,
    flow,
    history,
    pipelines,
    products,
    saved_filters,
    users,
)

__all__ = [
    "activities",
    "clients",
    "deals",
    "directories",
    "flow",
    "history",
    "pipelines",
    "products",
    "saved_filters",
    "users",
]
