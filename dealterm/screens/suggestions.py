"""Repeat-sale suggestions: ranked clients whose next purchase is due, with the evidence."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from dealterm.screens.base import CrmScreen, in_thread
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.table import Table

__all__ = ["SuggestionsScreen"]


class SuggestionsScreen(CrmScreen):
    """The suggestions in a table; the highlighted one's evidence in the panel below."""

    OVER_VIEW = True  # opened over a view: the view keys are off here (escape goes back)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "accept", "Accept", id="suggest.accept"),
        Binding("a", "accept", "Accept", id="suggest.accept_a", show=False),
        Binding("d", "dismiss_one", "Dismiss", id="suggest.dismiss"),
        Binding("escape", "close", "Back", id="suggest.back"),
    ]

    DEFAULT_CSS = """
    SuggestionsScreen DataTable { height: 1fr; }
    SuggestionsScreen #evidence { height: auto; min-height: 5; border-top: solid $primary; }
    """

    def __init__(self, window: int = 30) -> None:
        super().__init__()
        self.window = window
        self.found: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Repeat-sale suggestions (due within {self.window} days)", id="title")
            yield Table(cursor_type="row", id="suggestions")
            yield Static("", id="evidence")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Client", "Due", "Expected", "Amount ± spread", "Purchases")
        self.reload()

    @work(exclusive=True, group="suggestions", exit_on_error=False)
    async def reload(self) -> None:
        """Read the suggestions in a thread and show them."""
        from dealterm.core.formatting import format_money

        self.found = await in_thread(self.crm.repeat_suggestions, self.window)
        table = self.query_one(DataTable)
        table.clear()
        for s in self.found:
            amount = format_money(s.expected_amount, s.currency)
            spread = format_money(s.estimate.amount_spread, s.currency)
            table.add_row(
                s.client,
                s.due_text(),
                s.expected_date.isoformat(),
                f"{amount} ± {spread}",
                str(len(s.purchases)),
                key=s.client_ref,
            )
        self._show_evidence()

    def _current(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.found or table.cursor_row is None:
            return None
        row = table.cursor_row
        return self.found[row] if 0 <= row < len(self.found) else None

    def _show_evidence(self) -> None:
        current = self._current()
        text = current.evidence() if current else "No client is due."
        self.query_one("#evidence", Static).update(text)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_evidence()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_accept()

    def action_accept(self) -> None:
        current = self._current()
        if current is not None:
            self._accept(current.client_ref)

    @work(exclusive=True, group="suggestions-write", exit_on_error=False)
    async def _accept(self, ref: str) -> None:
        deal = await in_thread(self.crm.accept_suggestion, ref)
        self.notify(f'Created deal #{deal.id} "{deal.title}"')
        self.reload()

    def action_dismiss_one(self) -> None:
        current = self._current()
        if current is not None:
            self._dismiss(current.client_ref)

    @work(exclusive=True, group="suggestions-write", exit_on_error=False)
    async def _dismiss(self, ref: str) -> None:
        found = await in_thread(self.crm.dismiss_suggestion, ref)
        self.notify(f"Dismissed {found.client} until the next purchase")
        self.reload()

    def action_close(self) -> None:
        self.app.pop_screen()
