"""A small form in a dialog: labelled fields, saved by a CRM call, errors shown inline.

The settings screen asks for a pipeline name, a stage, a custom field, a directory value
through this one dialog. ``save`` runs in a worker thread; a
:class:`~dealterm.core.errors.ValidationError` naming a field puts its message under that
field and keeps the dialog open, so nothing typed is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from dealterm.widgets.footer import KeyFooter

__all__ = ["FormField", "FormModal", "swatch"]


def swatch(color: str, text: str = "██") -> Text:
    """A coloured block showing ``color`` (a #RRGGBB value)."""
    try:
        return Text(text, style=color)
    except Exception:
        return Text("??")


@dataclass
class FormField:
    """One field of a :class:`FormModal`.

    Attributes:
        kind: ``text``, ``select`` (``options`` are (label, value)), ``check`` or ``color``
            (``options`` are the palette's hex values).
        errors_for: other error field names whose messages show under this field.
    """

    key: str
    label: str
    kind: str = "text"
    value: Any = ""
    options: Sequence[tuple[str, str]] | Sequence[str] = ()
    placeholder: str = ""
    hint: str = ""
    errors_for: tuple[str, ...] = field(default_factory=tuple)
    blank: bool = True  # a select may be left empty


class FormModal(ModalScreen[Any]):
    """Dismisses with what ``save`` returned (or the values when there is no ``save``),
    or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save", priority=True),
    ]

    DEFAULT_CSS = """
    FormModal .form-grid {
        grid-size: 2;
        grid-columns: 22 1fr;
        grid-rows: auto;
        grid-gutter: 0 1;
        height: auto;
    }
    FormModal .form-grid > Label { padding-top: 0; }
    FormModal .form-cell { height: auto; }
    FormModal .form-cell > Label { width: 100%; }
    FormModal .color-row { height: 1; }
    FormModal .color-row Select { width: 24; }
    FormModal .color-row Input { width: 12; margin-left: 1; }
    FormModal .color-row Static { width: 6; margin-left: 1; }
    FormModal Checkbox { border: none; padding: 0; height: 1; }
    """

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        save: Callable[[dict[str, Any]], Any] | None = None,
        *,
        subtitle: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.save = save
        self.subtitle = subtitle
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            if self.subtitle:
                yield Label(self.subtitle, classes="dialog-subtitle")
            with Grid(classes="form-grid"):
                for spec in self.fields:
                    yield Label(spec.label)
                    with Vertical(classes="form-cell"):
                        yield from self._widget(spec)
                        if spec.hint:
                            yield Label(spec.hint, classes="hint")
                        yield Label("", id=f"e-{spec.key}", classes="error")
            yield Label("", id="e-form", classes="error")
            yield Label("ctrl+s or enter saves · escape cancels", classes="hint")
        yield KeyFooter()

    def _widget(self, spec: FormField) -> ComposeResult:
        if spec.kind == "select":
            options = [(label, value) for label, value in spec.options]  # type: ignore[misc]
            values = {value for _label, value in options}
            chosen = spec.value if spec.value in values else Select.NULL
            if not spec.blank and chosen is Select.NULL and options:
                chosen = options[0][1]
            yield Select(
                options,
                value=chosen,
                id=f"f-{spec.key}",
                compact=True,
                prompt=spec.placeholder or "—",
                allow_blank=spec.blank,
            )
        elif spec.kind == "check":
            yield Checkbox(spec.placeholder or "", bool(spec.value), id=f"f-{spec.key}")
        elif spec.kind == "color":
            palette = [str(c) for c in spec.options]
            current = str(spec.value or (palette[0] if palette else "#39A8EF")).upper()
            with Horizontal(classes="color-row"):
                yield Select(
                    [(Text.assemble(swatch(c), " ", c), c) for c in palette],
                    value=current if current in palette else Select.NULL,
                    id=f"p-{spec.key}",
                    compact=True,
                    prompt="palette",
                )
                yield Input(current, id=f"f-{spec.key}", compact=True, placeholder="#RRGGBB")
                yield Static(swatch(current, "██████"), id=f"s-{spec.key}")
        else:
            yield Input(
                str(spec.value or ""),
                id=f"f-{spec.key}",
                compact=True,
                placeholder=spec.placeholder,
            )

    def on_mount(self) -> None:
        first = self.query("Input, Select, Checkbox").first()
        if first is not None:
            first.focus()

    # --- the colour field: palette, hex input and swatch agree ---------------------------
    @on(Select.Changed)
    def _palette(self, event: Select.Changed) -> None:
        select_id = event.select.id or ""
        if not select_id.startswith("p-") or event.value is Select.NULL:
            return
        key = select_id[2:]
        target = self.query_one(f"#f-{key}", Input)
        if target.value.upper() != str(event.value):
            target.value = str(event.value)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        key = (event.input.id or "")[2:]
        swatches = self.query(f"#s-{key}")
        if swatches:
            text = event.value.strip()
            valid = len(text) == 7 and text.startswith("#")
            swatches.first(Static).update(swatch(text, "██████") if valid else Text("  ?"))
        self.query_one(f"#e-{key}", Label).update("")

    # --- saving ---------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """What the fields hold: text as typed, the chosen value, True/False."""
        result: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#f-{spec.key}")
            if isinstance(widget, Select):
                result[spec.key] = None if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Checkbox | Input):
                result[spec.key] = widget.value
        return result

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if not self._busy:
            self._submit()

    @work(exclusive=True, group="form-save", exit_on_error=False)
    async def _submit(self) -> None:
        from dealterm.core.errors import DealtermError, ValidationError

        for label in self.query(".error").results(Label):
            label.update("")
        values = self.values()
        if self.save is None:
            self.dismiss(values)
            return
        self._busy = True
        try:
            result = await asyncio.to_thread(self.save, values)
        except ValidationError as error:
            self._show_error(error.field, error.message)
            return
        except DealtermError as error:
            self._show_error(None, error.message)
            return
        finally:
            self._busy = False
        self.dismiss(True if result is None else result)

    def _show_error(self, field_name: str | None, message: str) -> None:
        target = "form"
        for spec in self.fields:
            if field_name in (spec.key, *spec.errors_for):
                target = spec.key
                break
        self.query_one(f"#e-{target}", Label).update(message)
        if target != "form":
            self.query_one(f"#f-{target}").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
