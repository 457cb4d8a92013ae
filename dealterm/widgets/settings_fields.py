"""Settings: custom fields of deals, and the deal card's layout (sections and fields)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from dealterm.core.services.card_layout import LayoutSection
from dealterm.core.setup import FieldRow
from dealterm.screens.form import FormField, FormModal
from dealterm.widgets.settings_base import KeyedTable, SettingsPane

__all__ = ["FieldsPane", "LayoutPane"]

TYPES = (
    ("Text", "string"),
    ("Number", "number"),
    ("Money", "money"),
    ("Date", "date"),
    ("Date and time", "datetime"),
    ("Yes/no", "boolean"),
    ("List", "list"),
    ("Web address", "url"),
    ("Contact", "contact"),
    ("Company", "company"),
)
_TYPE_NAMES = {value: label for label, value in TYPES}
_VISIBILITY = {"always": "always", "shown": "when filled", "hidden": "on demand"}
_NEXT_VISIBILITY = {"always": "shown", "shown": "hidden", "hidden": "always"}


def code_from_label(label: str, taken: set[str]) -> str:
    """A UF_CRM_ code from a label: "Budget approved" -> UF_CRM_BUDGET_APPROVED."""
    base = re.sub(r"[^A-Z0-9]+", "_", label.upper()).strip("_")[:30] or "FIELD"
    code, number = f"UF_CRM_{base}", 1
    while code in taken:
        number += 1
        code = f"UF_CRM_{base}_{number}"
    return code


def _options(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


class _PaneTable(KeyedTable):
    def action_pane(self, name: str, *args: Any) -> None:
        pane = self.query_ancestor(SettingsPane)
        getattr(pane, f"do_{name}")(*args)


class FieldTable(_PaneTable):
    """Custom fields: add, edit, delete, restore."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "pane('add')", "Add field", id="settings.field_add"),
        Binding("enter,e", "pane('edit')", "Edit", id="settings.field_edit"),
        Binding("delete", "pane('delete')", "Delete", id="settings.field_delete"),
        Binding("r", "pane('restore')", "Restore", id="settings.field_restore"),
    ]


class FieldsPane(SettingsPane):
    """Custom fields on deals (Bitrix24 user fields, UF_CRM_*)."""

    DEFAULT_CSS = """
    FieldsPane KeyedTable { height: 1fr; }
    FieldsPane .pane-title { text-style: bold; color: $accent; }
    """

    def __init__(self) -> None:
        super().__init__(id="pane-fields")
        self.rows: list[FieldRow] = []

    def compose(self) -> ComposeResult:
        yield Label("Custom fields", classes="pane-title")
        table = FieldTable(id="fields-table")
        table.add_columns("Label", "Code", "Type", "Required", "Default", "Options", "")
        yield table
        yield Label(
            "a add · enter edit · delete (a field deals use is hidden, not deleted) · r restore. "
            "A field shows on the card, in the list's columns (c), the filter (f) and "
            "the CSV export.",
            classes="hint",
        )

    @work(exclusive=True, group="settings-fields", exit_on_error=False)
    async def reload(self) -> None:
        self.rows = await self.call(self.setup.fields)
        self.query_one(FieldTable).fill(
            [
                (
                    row.definition.code,
                    (
                        Text(row.definition.label, style="" if row.active else "dim strike"),
                        row.definition.code,
                        _TYPE_NAMES.get(row.definition.type, row.definition.type)
                        + (", several" if row.definition.multiple else ""),
                        "yes" if row.definition.required else "",
                        _text(row.definition.default),
                        ", ".join(row.definition.options),
                        "" if row.active else "hidden",
                    ),
                )
                for row in self.rows
            ]
        )

    def _row(self) -> FieldRow | None:
        key = self.query_one(FieldTable).selected_key()
        return next((r for r in self.rows if r.definition.code == key), None)

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_add(self) -> None:
        setup = self.setup
        taken = {r.definition.code for r in self.rows}

        def save(values: dict[str, Any]) -> Any:
            code = values["code"].strip() or code_from_label(values["label"], taken)
            return setup.define_field(
                code,
                values["label"],
                type=values["type"] or "string",
                options=_options(values["options"]),
                multiple=values["multiple"],
                required=values["required"],
                default=values["default"] or None,
            )

        if await self.app.push_screen_wait(
            FormModal(
                "New custom field",
                [
                    FormField("label", "Label", placeholder="what users see"),
                    FormField(
                        "code",
                        "Code",
                        placeholder="UF_CRM_… (made from the label if empty)",
                    ),
                    FormField("type", "Type", "select", value="string", options=TYPES, blank=False),
                    FormField(
                        "options", "List options", placeholder="for a list: North, South, East"
                    ),
                    FormField("multiple", "Several values", "check", placeholder="several values"),
                    FormField("required", "Required", "check", placeholder="deals must have it"),
                    FormField("default", "Default", placeholder="value of new deals"),
                ],
                save,
            )
        ):
            self.changed("Field added")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_edit(self) -> None:
        row = self._row()
        if row is None:
            return
        setup = self.setup
        field = row.definition
        fields = [FormField("label", "Label", value=field.label)]
        if field.type == "list":
            fields.append(FormField("options", "List options", value=", ".join(field.options)))
        if field.type != "boolean":
            fields.append(
                FormField(
                    "multiple",
                    "Several values",
                    "check",
                    value=field.multiple,
                    placeholder="several values",
                )
            )
        fields += [
            FormField(
                "required",
                "Required",
                "check",
                value=field.required,
                placeholder="deals must have it",
            ),
            FormField("default", "Default", value=_text(field.default)),
        ]

        def save(values: dict[str, Any]) -> Any:
            changes: dict[str, Any] = {
                "label": values["label"],
                "required": values["required"],
                "default": values["default"],
            }
            if "options" in values:
                changes["options"] = _options(values["options"])
            if "multiple" in values:
                changes["multiple"] = values["multiple"]
            return setup.edit_field(field.code, **changes)

        if await self.app.push_screen_wait(
            FormModal(
                f"Field {field.code}",
                fields,
                save,
                subtitle=f"{_TYPE_NAMES.get(field.type, field.type)} · the code and the type "
                "never change",
            )
        ):
            self.changed("Field saved")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_delete(self) -> None:
        from dealterm.screens.confirm import ConfirmModal

        row = self._row()
        if row is None or not row.active:
            return
        label = row.definition.label
        if await self.app.push_screen_wait(
            ConfirmModal(
                f"Delete the field “{label}”? If deals hold values of it, it is hidden instead "
                "and the values are kept.",
                confirm="Delete",
            )
        ):
            result = await self.write(self.setup.delete_field, row.definition.code)
            if result:
                self.notify(f"Field “{label}” {result}", timeout=4)

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_restore(self) -> None:
        row = self._row()
        if row is not None and not row.active:
            await self.write(
                self.setup.restore_field,
                row.definition.code,
                message=f"Field “{row.definition.label}” is offered again",
            )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class LayoutTable(_PaneTable):
    """The card: sections and their fields, in order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "pane('add_section')", "Add section", id="settings.section_add"),
        Binding("enter,e", "pane('rename')", "Rename section", id="settings.section_rename"),
        Binding("delete", "pane('delete_section')", "Delete section", id="settings.section_delete"),
        Binding("v", "pane('visibility')", "When shown", id="settings.field_visibility"),
        Binding("m", "pane('move_to_section')", "To section…", id="settings.field_section"),
        Binding("shift+up", "pane('move', -1)", "Up", id="settings.layout_up"),
        Binding("shift+down", "pane('move', 1)", "Down", id="settings.layout_down"),
    ]


class LayoutPane(SettingsPane):
    """The deal card's sections, the fields in each, and how each field shows."""

    DEFAULT_CSS = """
    LayoutPane KeyedTable { height: 1fr; }
    LayoutPane .pane-title { text-style: bold; color: $accent; }
    """

    def __init__(self) -> None:
        super().__init__(id="pane-layout")
        self.sections: list[LayoutSection] = []

    def compose(self) -> ComposeResult:
        yield Label("Deal card layout", classes="pane-title")
        table = LayoutTable(id="layout-table")
        table.add_columns("Section / field", "Shows", "Kind")
        yield table
        yield Label(
            "a add section · enter rename · delete section (its fields move up) · "
            "v always → when filled → on demand · m move to section · shift+↑↓ reorder. "
            "On the card, ctrl+o shows the fields kept out of sight.",
            classes="hint",
        )

    @work(exclusive=True, group="settings-layout", exit_on_error=False)
    async def reload(self) -> None:
        self.sections = await self.call(self.setup.layout)
        rows: list[tuple[str, tuple[str | Text, ...]]] = []
        for section in self.sections:
            rows.append(
                (
                    f"s:{section.id}",
                    (
                        Text(f"▾ {section.name}", style="bold"),
                        "",
                        f"{len(section.fields)} field{'' if len(section.fields) == 1 else 's'}",
                    ),
                )
            )
            for field in section.fields:
                style = "dim" if field.visibility == "hidden" else ""
                kind = (
                    _TYPE_NAMES.get(field.custom.type, field.custom.type) + " · custom"
                    if field.custom
                    else "built-in"
                )
                rows.append(
                    (
                        f"f:{field.key}",
                        (
                            Text(f"    {field.label}", style=style),
                            Text(_VISIBILITY.get(field.visibility, field.visibility), style=style),
                            kind + (" · required" if field.required else ""),
                        ),
                    )
                )
        self.query_one(LayoutTable).fill(rows)

    def _selected(self) -> tuple[str, str] | None:
        key = self.query_one(LayoutTable).selected_key()
        if not key:
            return None
        kind, _, value = key.partition(":")
        return kind, value

    def _section_of(self, key: str) -> LayoutSection | None:
        return next((s for s in self.sections if any(f.key == key for f in s.fields)), None)

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_add_section(self) -> None:
        setup = self.setup
        if await self.app.push_screen_wait(
            FormModal(
                "New card section",
                [FormField("name", "Name", placeholder="e.g. Contract")],
                lambda v: setup.add_section(v["name"]),
                subtitle="It is added at the end of the card; move fields into it with m.",
            )
        ):
            self.changed("Section added")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_rename(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        kind, value = selected
        if kind != "s":
            section = self._section_of(value)
            if section is None:
                return
            value = str(section.id)
        section = next(s for s in self.sections if str(s.id) == value)
        setup = self.setup
        if await self.app.push_screen_wait(
            FormModal(
                f"Rename section “{section.name}”",
                [FormField("name", "Name", value=section.name)],
                lambda v: setup.rename_section(section.id, v["name"]),
            )
        ):
            self.changed("Section renamed")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_delete_section(self) -> None:
        from dealterm.screens.confirm import ConfirmModal

        selected = self._selected()
        if selected is None or selected[0] != "s":
            self.notify("Highlight a section to delete it", timeout=3)
            return
        section = next(s for s in self.sections if str(s.id) == selected[1])
        if await self.app.push_screen_wait(
            ConfirmModal(
                f"Delete the section “{section.name}”? Its fields move to the section above.",
                confirm="Delete",
            )
        ):
            heir = await self.write(self.setup.delete_section, section.id)
            if heir:
                self.notify(f"Section deleted; its fields are now in “{heir}”", timeout=4)

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_visibility(self) -> None:
        selected = self._selected()
        if selected is None or selected[0] != "f":
            return
        field = next(f for s in self.sections for f in s.fields if f.key == selected[1])
        await self.write(
            self.setup.set_visibility, field.key, _NEXT_VISIBILITY.get(field.visibility, "shown")
        )

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_move_to_section(self) -> None:
        from dealterm.screens.picker import PickerModal

        selected = self._selected()
        if selected is None or selected[0] != "f":
            self.notify("Highlight a field to move it", timeout=3)
            return
        current = self._section_of(selected[1])
        picked = await self.app.push_screen_wait(
            PickerModal(
                "Move the field to section",
                [(str(s.id), s.name) for s in self.sections],
                selected=str(current.id) if current else None,
            )
        )
        if picked is not None:
            await self.write(self.setup.place_field, selected[1], int(picked))

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_move(self, step: int) -> None:
        selected = self._selected()
        if selected is None:
            return
        kind, value = selected
        if kind == "s":
            await self.write(self.setup.move_section, int(value), step)
        else:
            await self.write(self.setup.move_field, value, step)
