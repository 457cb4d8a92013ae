"""Someone else changed the deal while you edited it: show both, let the user choose."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label

from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.table import Table

__all__ = ["ConflictModal"]


class ConflictModal(ModalScreen[str]):
    """Dismisses with "theirs" (load the saved values), "mine" (save over them) or "edit"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('edit')", "Keep editing", id="conflict.edit"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(
                "This deal was changed by someone else while you edited it", classes="dialog-title"
            )
            yield Label("Nothing of yours was saved. Here is what differs:")
            table: DataTable[str] = Table(id="conflict-table", cursor_type="row")
            table.add_columns("Field", "Your value", "Saved now")
            table.add_rows(self.rows or [("(no field you edited differs)", "", "")])
            yield table
            with Horizontal(classes="buttons"):
                yield Button("Use the saved values", variant="primary", id="theirs")
                yield Button("Save mine over them", variant="warning", id="mine")
                yield Button("Keep editing", id="edit")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#theirs", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "edit")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
