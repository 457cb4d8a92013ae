"""The Textual application."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from dealterm.config import Settings

__all__ = ["DealtermApp"]


class DealtermApp(App[None]):
    """dealterm: deals in the terminal."""

    TITLE = "dealterm"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit", id="app.quit")]

    def __init__(
        self, *, target: str, demo: bool = False, settings: Settings | None = None
    ) -> None:
        super().__init__()
        self.target = target
        self.demo = demo
        self.settings = settings or Settings()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening the database…", id="status")
        yield DataTable(id="summary", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        from dealterm.core.clock import SystemClock, resolve_timezone
        from dealterm.core.db import Database
        from dealterm.core.demo import generate_demo
        from dealterm.core.errors import DealtermError
        from dealterm.core.services import directories, pipelines

        try:
            db = Database.open(
                self.target,
                clock=SystemClock(zone=resolve_timezone(self.settings.timezone)),
                locale=self.settings.locale,
            )
            if self.demo:
                with db.session() as session:
                    from dealterm.core.queries import count_deals

                    if count_deals(session) == 0:
                        self.call_from_thread(self._status, "Creating demo data…")
                        generate_demo(session, deals=500)
            rows = []
            with db.session(write=False) as session:
                from dealterm.core.queries import DealFilter, count_deals

                base = directories.base_currency(session)
                for pipeline in pipelines.list_pipelines(session):
                    for stage in pipelines.stages_of(session, pipeline.id or 0):
                        count = count_deals(
                            session, DealFilter(pipeline=pipeline.id, stage=stage.id)
                        )
                        rows.append((pipeline.name, stage.name, str(count)))
        except DealtermError as exc:
            self.call_from_thread(self._status, f"[red]{exc.message}[/]")
            return
        self.call_from_thread(self._show, db.name, base, rows)

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def _show(self, name: str, base: str, rows: list[tuple[str, str, str]]) -> None:
        self.sub_title = name
        self._status(f"{name} — base currency {base}")
        table = self.query_one("#summary", DataTable)
        table.add_columns("Pipeline", "Stage", "Deals")
        table.add_rows(rows)
        table.focus()
