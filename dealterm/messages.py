"""App-wide messages (widget-specific ones are nested in their widgets)."""

from __future__ import annotations

from textual.message import Message

__all__ = ["DataChanged", "DatabaseReady", "FilterChanged"]


class DatabaseReady(Message):
    """The database is open (and demo data written, if asked for): views can load."""


class DataChanged(Message):
    """Something changed the data (this app or another process): views should reload.

    Attributes:
        deal_id: the deal changed by this app, if known (views keep it selected).
    """

    def __init__(self, deal_id: int | None = None) -> None:
        super().__init__()
        self.deal_id = deal_id


class FilterChanged(Message):
    """The shared deal filter changed: every view shows the deals it matches."""
