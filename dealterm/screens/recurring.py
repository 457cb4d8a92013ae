"""The recurring deals screen: every template with its schedule and next run.

Templates are few (tens, not thousands), so a DataTable is fine here. Every database
call runs in a worker thread; the table reloads after each change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Label

from dealterm.messages import DatabaseReady, DataChanged
from dealterm.screens.base import CrmScreen, in_thread
from dealterm.widgets.app_header import AppHeader
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.table import Table

if TYPE_CHECKING:
    from dealterm.core.services.recurring import TemplateRead

__all__ = ["RecurringScreen"]


COLUMNS = ("Title", "Client", "Amount", "Schedule", "Next run", "State")


class RecurringScreen(CrmScreen):
    """Recurring deal templates: add, edit, pause/resume, delete, run what is due."""

    OVER_VIEW = True  # opened over a view: the view keys are off here (escape goes back)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="recurring.back"),
        Binding("a", "add", "New", id="recurring.add"),
        Binding("enter", "edit", "Edit", id="recurring.edit"),
        Binding("p", "toggle_pause", "Pause/resume", id="recurring.pause"),
        Binding("delete", "delete", "Delete", id="recurring.delete"),
        Binding("r", "run_due", "Run due now", id="recurring.run"),
    ]

    DEFAULT_CSS = """
    RecurringScreen DataTable { height: 1fr; }
    RecurringScreen #recurring-status { height: 1; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.templates: list[TemplateRead] = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        table: DataTable[str] = Table(id="recurring-table", cursor_type="row")
        yield table
        yield Label("", id="recurring-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        if self.ready:
            self.reload()

    def on_database_ready(self, _event: DatabaseReady) -> None:
        self.reload()

    def on_data_changed(self, _event: DataChanged) -> None:
        self.reload()

    # --- loading ------------------------------------------------------------------------
    @work(exclusive=True, group="recurring-load", exit_on_error=False)
    async def reload(self, select: int | None = None) -> None:
        """Read the templates and fill the table (keeping the cursor, or on ``select``)."""
        if not self.ready:
            return
        templates = await in_thread(self.crm.recurring_templates)
        self._fill(templates, select)

    def _fill(self, templates: list[TemplateRead], select: int | None) -> None:
        from dealterm.core.formatting import format_money, show_date

        table = self.query_one(DataTable)
        keep = self._current()
        wanted = select if select is not None else (keep.id if keep else None)
        self.templates = templates
        table.clear()
        locale = self.crm.db.locale
        for t in templates:
            table.add_row(
                t.title,
                t.client,
                format_money(t.amount, t.currency, locale),
                t.schedule,
                show_date(t.next_run) if t.next_run else "—",
                t.state,
                key=str(t.id),
            )
        for row, t in enumerate(templates):
            if t.id == wanted:
                table.move_cursor(row=row)
        active = sum(1 for t in templates if t.active)
        self.query_one("#recurring-status", Label).update(
            f"{len(templates)} recurring deals, {active} active · a new · enter edit · "
            "p pause/resume · delete · r run due now"
            if templates
            else "No recurring deals yet: a makes one (or ctrl+r on a deal card, R on the board)"
        )

    def _current(self) -> TemplateRead | None:
        table = self.query_one(DataTable)
        if not self.templates or table.cursor_row < 0 or table.cursor_row >= len(self.templates):
            return None
        return self.templates[table.cursor_row]

    def _chosen(self) -> TemplateRead | None:
        found = self._current()
        if found is None:
            self.notify("No recurring deal selected", severity="warning", timeout=3)
        return found

    # --- actions --------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_edit()

    @work(exclusive=True, group="recurring-write", exit_on_error=False)
    async def action_add(self) -> None:
        """A new template from scratch."""
        from dealterm.screens.recurring_form import template_form

        crm = self.crm
        pipelines = await in_thread(crm.pipelines)
        currencies = await in_thread(crm.currencies)
        today = crm.db.clock.today().isoformat()
        saved = await self.app.push_screen_wait(
            template_form(crm, pipelines, currencies, None, today=today)
        )
        if saved:
            self.notify(f"“{saved.title}”: {saved.schedule}", timeout=4)
            self.reload(saved.id)

    @work(exclusive=True, group="recurring-write", exit_on_error=False)
    async def action_edit(self) -> None:
        """Edit the selected template."""
        from dealterm.screens.recurring_form import template_form

        chosen = self._chosen()
        if chosen is None:
            return
        crm = self.crm
        pipelines = await in_thread(crm.pipelines)
        currencies = await in_thread(crm.currencies)
        today = crm.db.clock.today().isoformat()
        saved = await self.app.push_screen_wait(
            template_form(crm, pipelines, currencies, chosen, today=today)
        )
        if saved:
            self.reload(saved.id)

    @work(exclusive=True, group="recurring-write", exit_on_error=False)
    async def action_toggle_pause(self) -> None:
        """Pause an active template, resume a paused one."""
        chosen = self._chosen()
        if chosen is None:
            return
        changed = await in_thread(self.crm.pause_recurring, chosen.id, chosen.active)
        self.notify(f"“{changed.title}” {'resumed' if changed.active else 'paused'}", timeout=3)
        self.reload(changed.id)

    @work(exclusive=True, group="recurring-write", exit_on_error=False)
    async def action_delete(self) -> None:
        """Delete the selected template after asking (its deals stay)."""
        from dealterm.screens.confirm import ConfirmModal

        chosen = self._chosen()
        if chosen is None:
            return
        question = f"Delete the recurring deal “{chosen.title}”? The deals it created stay."
        if not await self.app.push_screen_wait(ConfirmModal(question, confirm="Delete")):
            return
        title = await in_thread(self.crm.delete_recurring, chosen.id)
        self.notify(f"Deleted “{title}”", timeout=3)
        self.reload()

    @work(exclusive=True, group="recurring-write", exit_on_error=False)
    async def action_run_due(self) -> None:
        """Create the deals that are due now."""
        report = await in_thread(self.crm.run_recurring)
        plural = "s" if report.count != 1 else ""
        self.notify(f"{report.count} recurring deal{plural} created", timeout=4)
        for template_id, message in report.errors:
            self.notify(f"#{template_id}: {message}", severity="warning", timeout=8)
        if report.count:
            self.dt_app.broadcast_change(None)
        self.reload()
