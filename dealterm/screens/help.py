"""`?`: every key of the current screen, with what it does and its id (for the keymap)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from dealterm.widgets.table import Table

__all__ = ["HelpScreen", "binding_rows"]


def binding_rows(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(key, description, id) for each binding active on ``screen``, focused widget first."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description or binding.action.replace("_", " ")
        marker = (binding.action, key)
        if marker in seen:
            continue
        seen.add(marker)
        shown = binding.key_display or app.get_key_display(binding)
        rows.append((shown, description, binding.id or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    """The list of keys; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.rows = binding_rows(screen)
        self.screen_name = type(screen).__name__.removesuffix("Screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide help"):
            yield Label(f"Keys — {self.screen_name}", classes="dialog-title")
            table: DataTable[str] = Table(cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action", Text("Binding id (for [keymap])"))
            table.add_rows(self.rows)
            yield table
            yield Label(
                Text(
                    "ctrl+p opens the command palette · s opens settings · "
                    "remap keys in the settings file's [keymap]"
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
