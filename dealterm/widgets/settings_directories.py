"""Settings: deal types, sources, lost reasons, currencies and the product catalog."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from dealterm.core.services.directory_admin import Entry
from dealterm.screens.form import FormField, FormModal
from dealterm.widgets.settings_base import KeyedTable, SettingsPane

__all__ = ["DIRECTORIES", "DirectoryPane"]

# kind -> (title, what one value is called)
DIRECTORIES: dict[str, tuple[str, str]] = {
    "type": ("Deal types", "deal type"),
    "source": ("Sources", "source"),
    "lost_reason": ("Lost reasons", "lost reason"),
    "currency": ("Currencies", "currency"),
    "product": ("Products", "product"),
}
_COLUMNS = {
    "type": ("Name", "Code", ""),
    "source": ("Name", "Code", ""),
    "lost_reason": ("Reason", ""),
    "currency": ("Code", "Name", "Sign", "Rate to base", ""),
    "product": ("Product", "Price", "Currency", "Unit", "Tax", ""),
}


def _cells(entry: Entry) -> tuple[str | Text, ...]:
    style = "" if entry.active else "dim strike"
    status = "" if entry.active else "hidden"
    details = entry.details
    if entry.kind in ("type", "source"):
        return (Text(entry.name, style=style), entry.key, status)
    if entry.kind == "lost_reason":
        return (Text(entry.name, style=style), status)
    if entry.kind == "currency":
        return (
            Text(entry.key, style=style),
            entry.name,
            details.get("symbol") or "",
            "base" if details.get("base") else str(details.get("rate", "")).rstrip("0").rstrip("."),
            status,
        )
    tax = details.get("tax_rate")
    return (
        Text(entry.name, style=style),
        str(details.get("price", "")),
        str(details.get("currency", "")),
        str(details.get("measure", "")),
        "" if tax in (None, "") else f"{tax}%" + (" incl." if details.get("tax_included") else ""),
        status,
    )


class DirectoryTable(KeyedTable):
    """One directory's values: add, edit, delete or hide, restore (and the base currency)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "pane('add')", "Add", id="settings.value_add"),
        Binding("enter,e", "pane('edit')", "Edit", id="settings.value_edit"),
        Binding("delete", "pane('remove')", "Delete/hide", id="settings.value_delete"),
        Binding("r", "pane('restore')", "Restore", id="settings.value_restore"),
        Binding("b", "pane('base')", "Base currency", id="settings.base_currency"),
    ]

    def action_pane(self, name: str) -> None:
        getattr(self.query_ancestor(DirectoryPane), f"do_{name}")()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pane" and parameters == ("base",):
            return self.query_ancestor(DirectoryPane).kind == "currency"
        return True


class DirectoryPane(SettingsPane):
    """The values of one directory."""

    DEFAULT_CSS = """
    DirectoryPane KeyedTable { height: 1fr; }
    DirectoryPane .pane-title { text-style: bold; color: $accent; }
    """

    def __init__(self, kind: str) -> None:
        super().__init__(id=f"pane-{kind}")
        self.kind = kind
        self.entries: list[Entry] = []
        self._currencies: list[Any] = []

    def compose(self) -> ComposeResult:
        title, _ = DIRECTORIES[self.kind]
        yield Label(title, classes="pane-title")
        table = DirectoryTable(id=f"table-{self.kind}")
        table.add_columns(*_COLUMNS[self.kind])
        yield table
        hint = "a add · enter edit · delete (a value in use is hidden, not deleted) · r restore"
        if self.kind == "currency":
            hint += " · b make the base currency (rates are recomputed)"
        yield Label(hint, classes="hint")

    @work(exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        self.entries = await self.call(self.setup.entries, self.kind)
        self.query_one(DirectoryTable).fill([(e.key, _cells(e)) for e in self.entries])

    def _entry(self) -> Entry | None:
        key = self.query_one(DirectoryTable).selected_key()
        return next((e for e in self.entries if e.key == key), None)

    def _fields(self, entry: Entry | None) -> list[FormField]:
        details = entry.details if entry else {}
        name = FormField("name", "Name", value=entry.name if entry else "")
        if self.kind in ("type", "source"):
            fields = [name]
            if entry is None:
                fields.append(FormField("code", "Code", placeholder="CAPITALS_AND_DIGITS"))
            return fields
        if self.kind == "lost_reason":
            return [FormField("name", "Reason", value=entry.name if entry else "")]
        if self.kind == "currency":
            fields = []
            if entry is None:
                fields.append(FormField("code", "Code", placeholder="three letters: EUR"))
            fields += [
                name,
                FormField("symbol", "Sign", value=details.get("symbol", ""), placeholder="€"),
            ]
            if not details.get("base"):
                fields.append(
                    FormField(
                        "rate",
                        "Rate to base",
                        value=str(details.get("rate", "1")),
                        hint="What one unit is worth in the base currency.",
                    )
                )
            return fields
        currencies = [(c.label, c.value) for c in self._currencies]
        return [
            name,
            FormField("price", "Price", value=str(details.get("price", "")), placeholder="0.00"),
            FormField(
                "currency", "Currency", "select", value=details.get("currency"), options=currencies
            ),
            FormField("measure", "Unit", value=details.get("measure", "pcs")),
            FormField(
                "tax_rate",
                "Tax rate, %",
                value="" if details.get("tax_rate") is None else str(details["tax_rate"]),
                placeholder="empty: no tax",
            ),
            FormField(
                "tax_included",
                "Tax included",
                "check",
                value=bool(details.get("tax_included")),
                placeholder="the price includes tax",
            ),
        ]

    async def _load_currencies(self) -> None:
        if self.kind == "product":
            crm = self.dt_app.crm
            if crm is not None:
                self._currencies = await self.call(crm.currencies)

    @staticmethod
    def _clean(values: dict[str, Any]) -> dict[str, Any]:
        return {k: (v if not isinstance(v, str) else v.strip()) for k, v in values.items()}

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_add(self) -> None:
        await self._load_currencies()
        setup = self.setup
        _title, noun = DIRECTORIES[self.kind]
        if await self.app.push_screen_wait(
            FormModal(
                f"New {noun}",
                self._fields(None),
                lambda v: setup.add_entry(self.kind, **self._clean(v)),
            )
        ):
            self.changed(f"Added a {noun}")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_edit(self) -> None:
        entry = self._entry()
        if entry is None:
            return
        await self._load_currencies()
        setup = self.setup
        _title, noun = DIRECTORIES[self.kind]
        if await self.app.push_screen_wait(
            FormModal(
                f"{noun.capitalize()} “{entry.name}”",
                self._fields(entry),
                lambda v: setup.edit_entry(self.kind, entry.key, **self._clean(v)),
                subtitle="" if self.kind in ("lost_reason", "product") else f"code {entry.key}",
            )
        ):
            self.changed("Saved")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_remove(self) -> None:
        from dealterm.screens.confirm import ConfirmModal

        entry = self._entry()
        if entry is None or not entry.active:
            return
        if await self.app.push_screen_wait(
            ConfirmModal(
                f"Delete “{entry.name}”? If deals use it, it is hidden instead.", confirm="Delete"
            )
        ):
            result = await self.write(self.setup.remove_entry, self.kind, entry.key)
            if result:
                self.notify(
                    f"“{entry.name}” {result}"
                    + (" (deals use it; r restores it)" if result == "hidden" else ""),
                    timeout=5,
                )

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_restore(self) -> None:
        entry = self._entry()
        if entry is not None and not entry.active:
            await self.write(
                self.setup.restore_entry,
                self.kind,
                entry.key,
                message=f"“{entry.name}” is offered again",
            )

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_base(self) -> None:
        entry = self._entry()
        if entry is None or self.kind != "currency" or entry.details.get("base"):
            return
        from dealterm.screens.confirm import ConfirmModal

        if await self.app.push_screen_wait(
            ConfirmModal(
                f"Make {entry.key} the base currency? Board and list totals are shown in it, "
                "and every rate is recomputed against it.",
                confirm="Make base",
            )
        ):
            result = await self.write(
                self.setup.set_base_currency, entry.key, message=f"{entry.key} is the base currency"
            )
            if result is not None:
                self.dt_app.base_currency = entry.key
