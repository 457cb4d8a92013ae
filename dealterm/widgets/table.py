"""Textual's DataTable, with its cells drawn again once their columns are measured."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable
from textual.widgets._data_table import CellType

__all__ = ["Table"]


class Table(DataTable[CellType]):
    """A DataTable that never keeps cells cut to their column heading's width.

    DataTable measures its auto-width columns when it is next idle after rows arrive,
    but caches each drawn cell under a key that holds no width. A frame drawn in between,
    which happens on a busy machine, cut every cell to its heading ("Docum" for "Document
    preparation"), and the cut cells stayed until the table next changed. Here the drawn
    cells are dropped whenever a measurement changes a column's width.
    """

    def _widths(self) -> list[int]:
        return [column.get_render_width(self) for column in self.columns.values()]

    async def _on_idle(self, event: events.Idle) -> None:
        measuring = self._require_update_dimensions or bool(self._updated_cells)
        before = self._widths() if measuring else None
        await super()._on_idle(event)  # DataTable's own handler: runs again, with nothing to do
        if before is not None and before != self._widths():
            self._clear_caches()
            self.refresh()
