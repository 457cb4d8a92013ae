"""`s`: the settings screen — pipelines and stages, fields, card layout, directories, preferences.

The sections are listed on the left (arrows choose, enter or → goes in); each section is a
pane with its own keys, shown in the footer. Every change is one call to the core's
:class:`~dealterm.core.setup.Setup` in a worker thread, and the other views reload after it.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import ContentSwitcher, OptionList
from textual.widgets.option_list import Option

from dealterm.messages import DatabaseReady
from dealterm.screens.base import CrmScreen
from dealterm.widgets.app_header import AppHeader
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.settings_base import SettingsPane
from dealterm.widgets.settings_directories import DIRECTORIES, DirectoryPane
from dealterm.widgets.settings_fields import FieldsPane, LayoutPane
from dealterm.widgets.settings_pipelines import PipelinesPane
from dealterm.widgets.settings_preferences import PreferencesPane

__all__ = ["SECTIONS", "SettingsScreen"]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("pane-pipelines", "Pipelines and stages"),
    ("pane-fields", "Custom fields"),
    ("pane-layout", "Deal card layout"),
    ("pane-type", "Deal types"),
    ("pane-source", "Sources"),
    ("pane-lost_reason", "Lost reasons"),
    ("pane-currency", "Currencies"),
    ("pane-product", "Products"),
    ("pane-preferences", "Preferences"),
)


class SettingsScreen(CrmScreen):
    """Shape the CRM: everything an administrator sets up before a team starts."""

    SETTINGS = True  # the header says so
    OVER_VIEW = True  # opened over a view: the view keys are off here (escape goes back)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="settings.back"),
    ]

    DEFAULT_CSS = """
    SettingsScreen > Horizontal { height: 1fr; }
    SettingsScreen #settings-nav { width: 26; height: 1fr; border: none; }
    SettingsScreen #settings-nav:focus { border: none; }
    SettingsScreen ContentSwitcher { width: 1fr; height: 1fr; padding: 0 1; }
    SettingsScreen ContentSwitcher > SettingsPane { height: 1fr; }
    SettingsScreen .hint { width: 1fr; height: auto; }
    """

    def __init__(self, section: str = "pane-pipelines") -> None:
        super().__init__()
        self.section = section

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal():
            yield OptionList(*[Option(label, id=key) for key, label in SECTIONS], id="settings-nav")
            with ContentSwitcher(initial=self.section):
                yield PipelinesPane()
                yield FieldsPane()
                yield LayoutPane()
                for kind in DIRECTORIES:
                    yield DirectoryPane(kind)
                yield PreferencesPane()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.dt_app.update_header()
        nav = self.query_one("#settings-nav", OptionList)
        nav.highlighted = next(i for i, (key, _) in enumerate(SECTIONS) if key == self.section)
        nav.focus()
        if self.ready:
            self._current().reload()

    def on_database_ready(self, _: DatabaseReady) -> None:
        self._current().reload()

    def _current(self) -> SettingsPane:
        switcher = self.query_one(ContentSwitcher)
        return self.query_one(f"#{switcher.current}", SettingsPane)

    @on(OptionList.OptionHighlighted, "#settings-nav")
    def _section_chosen(self, event: OptionList.OptionHighlighted) -> None:
        key = event.option.id
        switcher = self.query_one(ContentSwitcher)
        if key and key != switcher.current:
            switcher.current = key
            if self.ready:
                self._current().reload()

    @on(OptionList.OptionSelected, "#settings-nav")
    def _enter_section(self) -> None:
        self._current().focus_main()

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        nav = self.query_one("#settings-nav", OptionList)
        if key == "right" and nav.has_focus:
            self._current().focus_main()
            event.stop()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """From a pane back to the list of sections; from there back to the views."""
        nav = self.query_one("#settings-nav", OptionList)
        if not nav.has_focus:
            nav.focus()
            return
        self.dismiss(None)
        self.app.call_after_refresh(self.dt_app.update_header)
