"""The export dialog: file name, format and encoding; the file is written off the UI thread.

It is the :class:`~dealterm.screens.form.FormModal` every settings dialog uses: the export
runs as its ``save`` in a worker thread, and a refusal (a folder that does not exist, a
value Windows-1251 cannot hold) is shown under its field while the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.widgets import Input, Select

from dealterm.screens.base import in_thread
from dealterm.screens.form import FormField, FormModal

if TYPE_CHECKING:
    from textual.app import App

    from dealterm.core.crm import Crm
    from dealterm.core.filters import DealFilter

__all__ = [
    "ENCODING_CHOICES",
    "FORMAT_CHOICES",
    "ExportDialog",
    "ExportDone",
    "default_path",
    "export_deals_flow",
]

FORMAT_CHOICES = (("CSV", "csv"), ("JSON", "json"))
ENCODING_CHOICES = (
    ("UTF-8 for Excel (with BOM)", "utf-8-sig"),
    ("UTF-8", "utf-8"),
    ("Windows-1251", "cp1251"),
)


@dataclass(frozen=True)
class ExportDone:
    """What the dialog wrote."""

    path: str
    count: int


def default_path(today: date, fmt: str = "csv") -> str:
    """``~/deals-YYYY-MM-DD.csv``: a new name each day, in the home folder."""
    return f"~/deals-{today.isoformat()}.{fmt}"


def _plural(count: int) -> str:
    return f"{count:,} deal{'s' if count != 1 else ''}"


class ExportDialog(FormModal):
    """Asks where and how to write the deals, writes them, and dismisses with :class:`ExportDone`.

    Args:
        ids: the deals to write (a selection); None writes what ``flt`` matches.
        count: how many deals that is (for the title).
    """

    def __init__(
        self,
        crm: Crm,
        *,
        ids: Sequence[int] | None = None,
        flt: DealFilter | None = None,
        count: int,
        today: date,
    ) -> None:
        self.crm = crm
        self.ids = list(ids) if ids is not None else None
        self.flt = flt
        if ids is not None:
            title = f"Export {_plural(count)} (the selection)"
        elif flt is not None and not flt.is_empty:
            title = f"Export {_plural(count)} (the current filter)"
        else:
            title = f"Export all {_plural(count)}"
        fields = [
            FormField("path", "File", value=default_path(today), hint="replaced if it exists"),
            FormField("format", "Format", "select", "csv", FORMAT_CHOICES, blank=False),
            FormField(
                "encoding",
                "Encoding",
                "select",
                "utf-8-sig",
                ENCODING_CHOICES,
                blank=False,
                hint="CSV only: JSON is always UTF-8",
            ),
        ]
        super().__init__(title, fields, self._export)

    def _export(self, values: dict[str, Any]) -> ExportDone:
        """Write the file (in a worker thread); a refusal names the field at fault."""
        from dealterm.core.errors import ValidationError

        path = str(values.get("path") or "").strip()
        if not path:
            raise ValidationError("enter a file name", field="path")
        count = self.crm.export_deals(
            path,
            ids=self.ids,
            flt=None if self.ids is not None else self.flt,
            fmt=values.get("format") or "csv",
            encoding=values.get("encoding") or "utf-8-sig",
        )
        return ExportDone(str(Path(path).expanduser()), count)

    @on(Select.Changed, "#f-format")
    def _format_changed(self, event: Select.Changed) -> None:
        """Follow the format with the file's extension; the encoding is for CSV only."""
        fmt = str(event.value) if event.value is not Select.NULL else "csv"
        self.query_one("#f-encoding", Select).disabled = fmt != "csv"
        field = self.query_one("#f-path", Input)
        for old, new in ((".csv", ".json"), (".json", ".csv")):
            if field.value.endswith(old) and f".{fmt}" == new:
                field.value = field.value[: -len(old)] + new


async def export_deals_flow(
    app: App[Any], crm: Crm, *, ids: Sequence[int] | None = None, flt: DealFilter | None = None
) -> ExportDone | None:
    """Open the export dialog for ``ids`` (else the deals ``flt`` matches) and report the result.

    Run it in a worker: it waits for the dialog.
    """
    count = len(ids) if ids is not None else await in_thread(crm.export_count, flt)
    done = await app.push_screen_wait(
        ExportDialog(crm, ids=ids, flt=flt, count=count, today=crm.db.clock.today())
    )
    if isinstance(done, ExportDone):
        app.notify(f"Exported {_plural(done.count)} to {done.path}", timeout=6)
        return done
    return None
