"""`?`: every key of the current screen, with what it does and its id (for the keymap).

Textual's own keys (copy, page left/right, quit, the palette) have no id, so the keymap
cannot reach them: they are listed last, marked "built in".
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from dealterm.widgets.table import Table

__all__ = ["BUILT_IN", "HelpScreen", "binding_rows"]

BUILT_IN = "built in"  # shown in the id column for Textual's own keys


def binding_rows(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(key, description, id) for each binding active on ``screen``, focused widget first.

    Bindings without an id are Textual's own: they come last with an empty id, one row
    per action ("^c / super+c").
    """
    rows: list[tuple[str, str, str]] = []
    built_in: dict[tuple[str, str], list[str]] = {}
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
        if binding.id:
            rows.append((shown, description, binding.id))
        else:
            keys = built_in.setdefault((binding.action, description), [])
            if shown not in keys:
                keys.append(shown)
    rows += [(" / ".join(keys), description, "") for (_, description), keys in built_in.items()]
    return rows


class HelpScreen(ModalScreen[None]):
    """The list of keys; any of escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen DataTable {
        height: 1fr;
    }
    HelpScreen .hint {
        width: 100%;
    }
    """

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
            table: DataTable[str | Text] = Table(cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action", Text("Binding id (for [keymap])"))
            table.add_rows(
                (key, description, binding_id or Text(BUILT_IN, style="dim italic"))
                for key, description, binding_id in self.rows
            )
            yield table
            yield Label(
                Text("ctrl+p command palette · s settings · remap a key by its id in [keymap]"),
                classes="hint",
            )
            yield Label(
                Text(
                    f"{BUILT_IN}: Textual's own keys, the same in every Textual app"
                    " (no id to remap)"
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
