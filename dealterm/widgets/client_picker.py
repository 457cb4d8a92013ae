"""An input that suggests existing companies or contacts as you type."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from dealterm.core.crm import Crm

__all__ = ["ClientPicker"]


class ClientPicker(Vertical):
    """Type a name: matching clients appear below; up/down and enter pick one.

    A name that matches nobody creates a new company or contact when the deal is saved.

    Attributes:
        kind: "company" or "contact".
        chosen_id: the id of a picked existing client, else None.
    """

    DEFAULT_CSS = """
    ClientPicker { height: auto; }
    ClientPicker OptionList { height: auto; max-height: 6; display: none; }
    ClientPicker OptionList.-shown { display: block; }
    ClientPicker .hint { color: $text-muted; height: 1; }
    """

    def __init__(self, crm: Crm, *, kind: str, value: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.crm = crm
        self.kind = kind
        self.initial = value
        self.chosen_id: int | None = None
        self._picking = False
        self._edited = False

    def compose(self) -> ComposeResult:
        placeholder = "company name…" if self.kind == "company" else "contact name…"
        yield Input(self.initial, placeholder=placeholder)
        yield OptionList()
        yield Label("", classes="hint")

    @property
    def value(self) -> str:
        """The name typed or picked."""
        return self.query_one(Input).value.strip()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._picking:
            self._picking = False
            return
        if not self._edited and event.value == self.initial:
            return  # the saved name being put in the field: nothing to suggest yet
        self._edited = True
        self.chosen_id = None
        self._search(event.value)

    @work(exclusive=True, exit_on_error=False)
    async def _search(self, text: str) -> None:
        await asyncio.sleep(0.15)  # let the typing settle
        options = self.query_one(OptionList)
        hint = self.query_one(".hint", Label)
        if not text.strip():
            options.remove_class("-shown")
            hint.update("")
            return
        found = await asyncio.to_thread(self.crm.search_clients, text)
        prefix = f"{self.kind}:"
        mine = [c for c in found if c.value.startswith(prefix)]
        options.clear_options()
        options.add_options([Option(c.label, id=c.value) for c in mine])
        options.set_class(bool(mine), "-shown")
        exact = any(c.label.lower() == text.strip().lower() for c in mine)
        hint.update("" if exact else f"new {self.kind} “{text.strip()}” will be created")

    def on_key(self, event: Key) -> None:
        options = self.query_one(OptionList)
        if not options.has_class("-shown") or not options.option_count:
            return
        if event.key == "down":
            options.highlighted = (
                0
                if options.highlighted is None
                else min(options.option_count - 1, options.highlighted + 1)
            )
            event.stop()
        elif event.key == "up" and options.highlighted is not None:
            options.highlighted = max(0, options.highlighted - 1)
            event.stop()
        elif event.key == "enter" and options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted))
            event.stop()
            event.prevent_default()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option)

    def _pick(self, option: Option) -> None:
        self._picking = True
        self.chosen_id = int(str(option.id).split(":")[1])
        self.query_one(Input).value = str(option.prompt)
        self.query_one(OptionList).remove_class("-shown")
        self.query_one(".hint", Label).update(f"existing {self.kind}")
