"""Write a comment for the deal's timeline."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

from dealterm.widgets.footer import KeyFooter

__all__ = ["CommentModal"]


class CommentModal(ModalScreen[str | None]):
    """Dismisses with the comment text, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Add comment", id="comment.save"),
        Binding("escape", "cancel", "Cancel", id="comment.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Comment", classes="dialog-title")
            yield TextArea(id="comment-text")
            yield Label("", id="comment-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Add (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.query_one("#comment-error", Label).update("A comment cannot be empty")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
