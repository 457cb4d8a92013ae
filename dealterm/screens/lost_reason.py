"""Why was the deal lost? A reason from the directory, or free text."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from dealterm.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from dealterm.core.crm import Choice

__all__ = ["LostReasonModal"]


class LostReasonModal(ModalScreen[str | None]):
    """Dismisses with the reason ("" for none given) or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="lost.cancel"),
    ]

    def __init__(self, title: str, reasons: list[Choice], *, heading: str | None = None) -> None:
        """
        Args:
            title: the deal's title, named in the heading.
            heading: the dialog's heading instead (several deals: "Mark 3 deals as lost").
        """
        super().__init__()
        self.deal_title = title
        self.heading = heading or f"Mark “{title}” as lost"
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.heading, classes="dialog-title")
            yield Label("Reason:")
            yield OptionList(*[Option(r.label, id=r.label) for r in self.reasons], id="reasons")
            yield Input(placeholder="…or type another reason and press enter", id="other")
            with Horizontal(classes="buttons"):
                yield Button("Lost", variant="error", id="ok")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        typed = self.query_one("#other", Input).value.strip()
        if typed:
            self.dismiss(typed)
            return
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id or "")
        else:
            self.dismiss("")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
