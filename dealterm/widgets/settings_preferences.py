"""Settings: the user's preferences (the settings file) and key remapping."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from dealterm.screens.form import FormField, FormModal
from dealterm.widgets.settings_base import KeyedTable, SettingsPane

__all__ = ["PreferencesPane", "binding_ids"]

_WEEK = [("As the locale", "locale")] + [
    (day.capitalize(), day)
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
]
_DATES = [
    ("2026-11-28 (ISO)", "iso"),
    ("28.11.2026", "dd.mm.yyyy"),
    ("28/11/2026", "dd/mm/yyyy"),
    ("11/28/2026", "mm/dd/yyyy"),
    ("As the locale (Nov 28, 2026)", "locale"),
]
_NUMBERS = [
    ("As the locale", "locale"),
    ("1,234.56", "1,234.56"),
    ("1 234,56", "1 234,56"),
    ("1.234,56", "1.234,56"),
    ("1 234.56", "1 234.56"),
    ("1'234.56", "1'234.56"),
    ("1234.56", "1234.56"),
]
# key -> (label, what it does)
_ROWS: dict[str, tuple[str, str]] = {
    "user_name": ("Your name", "your name in a new database"),
    "default_pipeline": ("Board opens on", "the pipeline the board shows at start"),
    "date_format": ("Date format", "how dates are shown and typed"),
    "number_format": ("Number format", "grouping and decimal signs"),
    "first_day_of_week": ("First day of the week", "calendar and the activities board"),
    "locale": ("Locale", "language of stage names, money and dates"),
    "timezone": ("Time zone", "what 'today' is (after a restart)"),
    "base_currency": ("Base currency of new databases", "this database's: Currencies, b"),
    "db": ("Database", "the database opened without --db (after a restart)"),
}


def binding_ids() -> list[tuple[str, str]]:
    """(id, "key — description") of every binding a user can remap."""
    from dealterm.app import DealtermApp
    from dealterm.screens.activities import ActivitiesScreen
    from dealterm.screens.board import BoardScreen
    from dealterm.screens.calendar import CalendarScreen
    from dealterm.screens.deal_card import DealCardScreen
    from dealterm.screens.deal_list import ListScreen

    found: dict[str, str] = {}
    for owner in (DealtermApp, BoardScreen, ListScreen, ActivitiesScreen, CalendarScreen,
                  DealCardScreen):  # fmt: skip
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.id and binding.id not in found:
                what = binding.description or binding.action
                found[binding.id] = f"{binding.key_display or binding.key} — {what}"
    return sorted(found.items())


class PreferenceTable(KeyedTable):
    """Preferences: enter changes the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,e", "pane('edit')", "Change", id="settings.preference_edit"),
        Binding("k", "pane('remap')", "Remap a key", id="settings.remap_key"),
    ]

    def action_pane(self, name: str) -> None:
        getattr(self.query_ancestor(PreferencesPane), f"do_{name}")()


class PreferencesPane(SettingsPane):
    """What the settings file says, changed in place (comments in the file are kept)."""

    DEFAULT_CSS = """
    PreferencesPane KeyedTable { height: 1fr; }
    PreferencesPane .pane-title { text-style: bold; color: $accent; }
    """

    def __init__(self) -> None:
        super().__init__(id="pane-preferences")
        self.path = ""

    def compose(self) -> ComposeResult:
        yield Label("Preferences", classes="pane-title")
        table = PreferenceTable(id="preferences-table")
        table.add_columns("Preference", "Value", "")
        yield table
        yield Label("", id="preferences-file", classes="hint")
        yield Label(
            "enter change · k remap a key (? on any screen lists the keys and their ids)",
            classes="hint",
        )

    @work(exclusive=True, group="settings-preferences", exit_on_error=False)
    async def reload(self) -> None:
        from dealterm.config import config_path, load_settings

        settings = await self.call(load_settings)
        self.path = str(config_path())
        rows = []
        for key, (label, what) in _ROWS.items():
            value = getattr(settings, key)
            rows.append((key, (label, "" if value is None else str(value), what)))
        for binding_id, key in sorted(settings.keymap.items()):
            rows.append((f"keymap.{binding_id}", (f"Key of {binding_id}", key, "remapped")))
        self.query_one(PreferenceTable).fill(rows)
        note = f"Saved in {self.path}"
        if settings.problem:
            note += f" · {settings.problem}"
        self.query_one("#preferences-file", Label).update(note)

    async def _field(self, key: str, current: str) -> FormField:
        label = _ROWS.get(key, (key, ""))[0]
        if key == "date_format":
            return FormField(key, label, "select", value=current, options=_DATES, blank=False)
        if key == "number_format":
            return FormField(key, label, "select", value=current, options=_NUMBERS, blank=False)
        if key == "first_day_of_week":
            return FormField(key, label, "select", value=current, options=_WEEK, blank=False)
        if key == "default_pipeline":
            pipelines = await self.call(self.setup.pipelines)
            options = [("The database's default", "")] + [(p.name, p.name) for p in pipelines]
            return FormField(key, label, "select", value=current, options=options)
        return FormField(key, label, value=current, hint="empty: the default")

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_edit(self) -> None:
        from dealterm.config import write_setting

        table = self.query_one(PreferenceTable)
        key = table.selected_key()
        if key is None:
            return
        current = str(table.get_row(key)[1])
        if key.startswith("keymap."):
            field = FormField("value", "Key", value=current, hint="empty: the original key")
        else:
            field = await self._field(key, current)
            field.key = "value"

        def save(values: dict[str, Any]) -> str:
            return write_setting(key, values["value"] or "")

        message = await self.app.push_screen_wait(
            FormModal(_ROWS.get(key, (key, ""))[0], [field], save, subtitle=f"{key} in {self.path}")
        )
        if message:
            self.applied(message)

    @work(exclusive=True, group="settings-write", exit_on_error=False)
    async def do_remap(self) -> None:
        from dealterm.config import write_setting

        ids = await self.call(binding_ids)

        def save(values: dict[str, Any]) -> str:
            from dealterm.core.errors import ValidationError

            if not values["binding"]:
                raise ValidationError("choose what the key does", field="binding")
            if not values["key"].strip():
                raise ValidationError("type a key, e.g. ctrl+n or f9", field="key")
            return write_setting(f"keymap.{values['binding']}", values["key"].strip())

        message = await self.app.push_screen_wait(
            FormModal(
                "Remap a key",
                [
                    FormField(
                        "binding",
                        "Action",
                        "select",
                        options=[(f"{label}  ({bid})", bid) for bid, label in ids],
                    ),
                    FormField("key", "New key", placeholder="e.g. ctrl+n, f9, N"),
                ],
                save,
            )
        )
        if message:
            self.applied(message)

    def applied(self, message: str) -> None:
        """Use the changed settings at once where that is possible."""
        self.dt_app.reload_settings()
        self.notify(message, timeout=4)
        self.reload()
