"""Choose the list's columns and their order."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList
from textual.widgets.selection_list import Selection

from dealterm.core.deal_columns import COLUMNS, ListColumn
from dealterm.widgets.footer import KeyFooter

__all__ = ["ColumnsModal"]


class ColumnsModal(ModalScreen[list[str] | None]):
    """Space shows or hides a column, ctrl+up/down move it; dismisses with the chosen keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+up", "move(-1)", "Move up", id="columns.up"),
        Binding("ctrl+down", "move(1)", "Move down", id="columns.down"),
        Binding("ctrl+s", "save", "Apply", id="columns.save"),
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
    ]

    def __init__(self, shown: list[str], available: dict[str, ListColumn] | None = None) -> None:
        super().__init__()
        self.available = available or dict(COLUMNS)
        self.order = [k for k in shown if k in self.available] + [
            key for key in self.available if key not in shown
        ]
        self.shown = set(shown)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Columns", classes="dialog-title")
            yield Label("space shows/hides · ctrl+↑/↓ reorders · ctrl+s applies", classes="hint")
            yield SelectionList[str](*self._selections(), id="columns")
            with Horizontal(classes="buttons"):
                yield Button("Apply (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def _selections(self) -> list[Selection[str]]:
        return [Selection(self.available[key].label, key, key in self.shown) for key in self.order]

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_move(self, step: int) -> None:
        options = self.query_one(SelectionList)
        index = options.highlighted
        if index is None:
            return
        target = index + step
        if not 0 <= target < len(self.order):
            return
        self.shown = set(options.selected)
        self.order[index], self.order[target] = self.order[target], self.order[index]
        options.clear_options()
        options.add_options(self._selections())
        options.highlighted = target

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        chosen = set(self.query_one(SelectionList).selected)
        keys = [key for key in self.order if key in chosen]
        if not keys:
            self.notify("Keep at least one column", severity="warning")
            return
        self.dismiss(keys)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
