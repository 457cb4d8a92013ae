"""`?`: every key of the current screen, with what it does and its id (for the keymap).

Textual's own keys (copy, page left/right, quit, the palette) have no id, so the keymap
cannot reach them: they are listed last, marked "built in". The command palette offers
the same keys as commands (:func:`screen_commands`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.table import Table

__all__ = ["BUILT_IN", "HelpScreen", "binding_rows", "screen_commands"]

BUILT_IN = "built in"  # shown in the id column for Textual's own keys
# How the command palette names an action where the key's own word is too short to read
# alone in a list of every command; the others go by their key's description.
PALETTE_TITLES = {
    "new_deal": "New deal",
    "open_card": "Open the deal card",
    "won": "Mark the deal won",
    "lost": "Mark the deal lost…",
    "pick_stage": "Move the deal to a stage…",
    "plan_activity": "Plan an activity",
    "plan": "Plan an activity",
    "done": "Complete the nearest activity",
    "undo": "Undo the last move or close",
    "switch_pipeline": "Switch pipeline…",
    "move_pipeline": "Move the deal to another pipeline…",
    "make_recurring": "Make the deal recurring…",
    "filter": "Search deals (as you type)",  # "/" wherever it is "filter"
    "search": "Search deals (as you type)",
    "filter_form": "Filter deals…",
    "sort": "Order by the column under the cursor (again: reverse)",
    "choose_columns": "Choose the columns…",
    "bulk": "Bulk action on the selection…",
    "toggle": "Select the deal (or unselect it)",
    "select_all": "Select every deal the filter matches",
}

PaletteCommand = tuple[str, str, Callable[[], object]]
"""A command palette entry: title, help line, what it runs."""


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


def screen_commands(screen: Screen[object]) -> list[PaletteCommand]:
    """The actions of ``screen`` as command palette entries, with their keys and ids.

    Every enabled binding of the screen and of its focused widgets, one per action:
    not the app's (the palette has its own commands for views, settings, keys and
    quitting), not Textual's own (no id), not the keys that only move a cursor or repeat
    another key (hidden from the footer, and on a widget or with an argument). Then what
    the screen adds itself (``palette_commands()``, such as the list's bulk actions).
    """
    app = screen.app
    commands: list[PaletteCommand] = []
    seen: set[tuple[int, str]] = set()
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if not binding.id or not active.enabled or node is app:
            continue
        if binding.action.startswith("app."):
            continue  # an app command (import…): the palette has it under its own name
        if not binding.show and (node is not screen or "(" in binding.action):
            continue
        marker = (id(node), binding.action)
        if marker in seen:
            continue
        seen.add(marker)
        key = binding.key_display or app.get_key_display(binding)
        title = PALETTE_TITLES.get(binding.action) or binding.description or binding.action
        commands.append(
            (title, f"{key} · {binding.id}", partial(app.run_action, binding.action, node))
        )
    extra = getattr(screen, "palette_commands", None)
    if callable(extra):
        commands.extend(extra())
    return commands


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
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
