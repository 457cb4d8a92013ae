"""Pick one of a list (stages, pipelines): type to narrow, arrows and enter to choose."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from dealterm.widgets.footer import KeyFooter

__all__ = ["PickerModal"]


class PickerModal(ModalScreen[str | None]):
    """A list of ``(value, label)`` choices; dismisses with the chosen value or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "focus_list", show=False, id="picker.down"),
    ]

    def __init__(
        self, title: str, options: list[tuple[str, str]], *, selected: str | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            # no select-on-focus: the first letter typed over the list must stay in the field
            yield Input(placeholder="type to narrow…", id="picker-filter", select_on_focus=False)
            yield OptionList(id="picker-options")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(OptionList).focus()

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        needle = text.strip().lower()
        shown = [(value, label) for value, label in self.options if needle in label.lower()]
        options.add_options([Option(label, id=value) for value, label in shown])
        if shown:
            index = next((i for i, (value, _) in enumerate(shown) if value == self.selected), 0)
            options.highlighted = index

    @on(Input.Changed, "#picker-filter")
    def _narrow(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _take_first(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            option = options.get_option_at_index(options.highlighted or 0)
            self.dismiss(option.id)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        # Typing while the list has focus narrows it, like a fuzzy picker.
        if (
            self.query_one(OptionList).has_focus
            and event.character
            and event.character.isprintable()
            and event.character not in (" ",)
        ):
            field = self.query_one("#picker-filter", Input)
            field.focus()
            field.insert_text_at_cursor(event.character)
            event.stop()

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
