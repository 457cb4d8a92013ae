"""What every pane of the settings screen shares: reading in threads, writing, tables."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual.containers import Vertical

from dealterm.widgets.table import Table

if TYPE_CHECKING:
    from dealterm.app import DealtermApp
    from dealterm.core.setup import Setup

__all__ = ["KeyedTable", "SettingsPane"]

T = TypeVar("T")


class KeyedTable(Table[str | Text]):
    """A row-cursor table whose rows are keyed; refilling keeps the cursor on its row."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def selected_key(self) -> str | None:
        """The key of the highlighted row."""
        if not self.row_count:
            return None
        key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return None if key.value is None else str(key.value)

    def fill(self, rows: list[tuple[str, tuple[str | Text, ...]]], keep: str | None = None) -> None:
        """Replace the rows with ``(key, cells)``; the cursor goes back to ``keep``'s row."""
        wanted = keep if keep is not None else self.selected_key()
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        keys = [key for key, _ in rows]
        if wanted in keys:
            self.move_cursor(row=keys.index(wanted))


class SettingsPane(Vertical):
    """A pane of the settings screen: it reads its data when shown and after each change."""

    can_focus = False

    @property
    def dt_app(self) -> DealtermApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def setup(self) -> Setup:
        """The administrator's side of the open database."""
        crm = self.dt_app.crm
        if crm is None:
            from dealterm.core.errors import DatabaseError

            raise DatabaseError("the database is not open yet")
        return crm.setup

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a database call in a thread."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def write(
        self, function: Callable[..., T], *args: Any, message: str | None = None, **kwargs: Any
    ) -> T | None:
        """Run a change in a thread; report a refusal, else reload and tell the views."""
        try:
            result = await asyncio.to_thread(function, *args, **kwargs)
        except Exception as error:
            self.report(error)
            return None
        self.changed(message)
        return result

    def changed(self, message: str | None = None) -> None:
        """After a change: reload this pane, tell every view, say what happened."""
        if message:
            self.notify(message, timeout=3)
        self.reload()
        self.dt_app.settings_changed()

    def report(self, error: BaseException) -> None:
        """Show a refused change as a notification."""
        from dealterm.core.errors import DealtermError

        if isinstance(error, DealtermError):
            self.notify(error.message, severity="error", timeout=8)
        else:
            self.notify(
                f"Something went wrong: {type(error).__name__}: {error}",
                severity="error",
                timeout=12,
            )

    def reload(self) -> None:
        """Read the pane's data again (panes override)."""

    def focus_main(self) -> None:
        """Put the focus in the pane's main table."""
        tables = self.query(Table)
        if tables:
            tables.first().focus()
