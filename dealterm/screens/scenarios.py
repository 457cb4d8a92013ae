"""Sales scenarios: the saved scenarios, adding one, previewing and running it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from dealterm.screens.base import CrmScreen, in_thread
from dealterm.screens.form import FormField, FormModal
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.table import Table

__all__ = ["ScenarioPreviewScreen", "ScenariosScreen"]

SEGMENTS = (
    "birthday",
    "won-days-ago",
    "lost-12-months",
    "dormant",
    "every-year",
    "every-half-year",
    "every-month",
)


class ScenarioPreviewScreen(CrmScreen):
    """The clients a scenario matches and the deals a run would create."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="scenario_preview.back"),
    ]

    def __init__(self, preview: Any) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        p = self.preview
        with Vertical():
            yield Label(
                f"{p.scenario.name}: "
                f"{p.count:,} client{'' if p.count == 1 else 's'} "
                f"match{'es' if p.count == 1 else ''}; "
                f"a run creates {p.count:,} deal{'' if p.count == 1 else 's'} "
                f"in {p.pipeline} / {p.stage}"
                + (f" ({p.already_done} already done this period)" if p.already_done else ""),
                id="summary",
            )
            yield Table(cursor_type="row", id="planned")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Client", "Deal title", "Responsible", "Event")
        for d in self.preview.deals:
            event = d.event_date.isoformat() if d.event_date else ""
            table.add_row(d.client, d.title, d.responsible, event)

    def action_close(self) -> None:
        self.app.pop_screen()


class ScenariosScreen(CrmScreen):
    """The saved scenarios with their segment and last run."""

    OVER_VIEW = True  # opened over a view: the view keys are off here (escape goes back)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="scenarios.add"),
        Binding("enter", "preview", "Preview", id="scenarios.preview"),
        Binding("r", "run", "Run", id="scenarios.run"),
        Binding("delete", "delete", "Delete", id="scenarios.delete"),
        Binding("escape", "close", "Back", id="scenarios.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Sales scenarios", id="title")
            yield Table(cursor_type="row", id="scenarios")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Name", "Segment", "Days", "Title", "Last run")
        self.reload()

    @work(exclusive=True, group="scenarios", exit_on_error=False)
    async def reload(self) -> None:
        """Read the scenarios in a thread and show them."""
        self.found = await in_thread(self.crm.scenarios)
        table = self.query_one(DataTable)
        table.clear()
        clock = self.crm.db.clock
        for s in self.found:
            last = (
                f"{clock.to_local(s.last_run_at):%Y-%m-%d %H:%M} ({s.last_run_count} deals)"
                if s.last_run_at
                else "never"
            )
            table.add_row(s.name, s.segment, str(s.days or ""), s.title, last, key=s.name)

    def _current(self) -> Any | None:
        row = self.query_one(DataTable).cursor_row
        return self.found[row] if self.found and 0 <= row < len(self.found) else None

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_preview()

    def action_add(self) -> None:
        from dealterm.core.services.scenarios import ScenarioInput

        def save(values: dict[str, Any]) -> Any:
            queue = tuple(v.strip() for v in (values["responsible"] or "").split(",") if v.strip())
            return self.crm.add_scenario(
                ScenarioInput(
                    name=values["name"],
                    segment=values["segment"] or "",
                    title=values["title"],
                    days=values["days"] or None,
                    pipeline=values["pipeline"] or None,
                    stage=values["stage"] or None,
                    responsible=queue,
                    round_robin=len(queue) > 1,
                    comment=values["comment"] or None,
                    activity=values["activity"] or None,
                    skip_open=not values["include_open"],
                )
            )

        fields = [
            FormField("name", "Name"),
            FormField("segment", "Segment", "select", options=[(s, s) for s in SEGMENTS]),
            FormField("days", "Days (N)", placeholder="the segment's default"),
            FormField(
                "title",
                "Title template",
                value="Offer for {client}",
                hint="placeholders: {client} {date} {event}",
            ),
            FormField("pipeline", "Pipeline", placeholder="default"),
            FormField("stage", "Stage", placeholder="first stage"),
            FormField("responsible", "Responsible", hint="one user, or several for round-robin"),
            FormField("comment", "Comment"),
            FormField("activity", "Activity", placeholder="call:Congratulate:2d"),
            FormField("include_open", "Clients with open deals too", "check", value=False),
        ]

        def done(result: Any) -> None:
            if result:
                self.notify(f'Added scenario "{result.name}"')
                self.reload()

        self.app.push_screen(FormModal("New scenario", fields, save), done)

    def action_preview(self) -> None:
        current = self._current()
        if current is not None:
            self._preview(current.name)

    @work(exclusive=True, group="scenarios-preview", exit_on_error=False)
    async def _preview(self, name: str) -> None:
        preview = await in_thread(self.crm.preview_scenario, name)
        await self.app.push_screen(ScenarioPreviewScreen(preview))

    def action_run(self) -> None:
        current = self._current()
        if current is not None:
            self._run(current.name)

    @work(exclusive=True, group="scenarios-write", exit_on_error=False)
    async def _run(self, name: str) -> None:
        from dealterm.screens.confirm import ConfirmModal

        preview = await in_thread(self.crm.preview_scenario, name)
        if not preview.count:
            self.notify(f'"{name}": no new clients this period')
            return
        question = f'Run "{name}" and create {preview.count} deals?'
        if not await self.app.push_screen_wait(ConfirmModal(question, confirm="Run")):
            return
        report = await in_thread(self.crm.run_scenario, name)
        self.notify(f'"{name}": created {report.count} deals')
        self.reload()

    def action_delete(self) -> None:
        current = self._current()
        if current is not None:
            self._delete(current.name)

    @work(exclusive=True, group="scenarios-write", exit_on_error=False)
    async def _delete(self, name: str) -> None:
        from dealterm.screens.confirm import ConfirmModal

        if not await self.app.push_screen_wait(ConfirmModal(f'Delete scenario "{name}"?')):
            return
        await in_thread(self.crm.delete_scenario, name)
        self.notify(f'Deleted scenario "{name}"')
        self.reload()

    def action_close(self) -> None:
        self.app.pop_screen()
