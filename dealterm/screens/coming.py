"""A view that a later release builds (list, activities, calendar)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.widgets import Footer, Header, Static

from dealterm.screens.base import CrmScreen

__all__ = ["ComingSoonScreen"]

_TEXT = {
    "list": "The deal list (filters, sorting, bulk edit) is coming in the next release.",
    "activities": "The activities board (overdue, today, this week…) is coming next.",
    "calendar": "The calendar of deals and activities is coming in the next release.",
}


class ComingSoonScreen(CrmScreen):
    """Says which view is coming; `1` goes back to the board."""

    def __init__(self, view: str) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle(), Center():
            yield Static(f"{_TEXT.get(self.view, '')}\n\nPress 1 for the board.", classes="coming")
        yield Footer()
